package dev.keyless.testkit.google.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.Map;
import java.util.Optional;

/** Parsing and signature checks of subject tokens, as a token service does them. */
public final class Jwts {
    private Jwts() {
    }

    /** The claims of a compact JWS, as JSON values (numbers stay numbers), or empty when it is not one. */
    public static Optional<Map<String, Object>> claims(String compact) {
        try {
            JWSObject jws = JWSObject.parse(compact.strip());
            return Optional.of(JSONObjectUtils.parse(jws.getPayload().toString()));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Whether the JWS verifies against a key of the JWKS (the one named by {@code kid}, or any when it has none). */
    public static boolean verifies(String compact, String jwksJson) {
        try {
            JWSObject jws = JWSObject.parse(compact.strip());
            JWKSet set = JWKSet.parse(jwksJson);
            String kid = jws.getHeader().getKeyID();
            for (JWK key : set.getKeys()) {
                if (kid != null && !kid.equals(key.getKeyID())) {
                    continue;
                }
                JWSVerifier verifier = verifier(key);
                if (verifier != null && jws.verify(verifier)) {
                    return true;
                }
            }
            return false;
        } catch (ParseException | JOSEException | RuntimeException e) {
            return false;
        }
    }

    private static JWSVerifier verifier(JWK key) throws JOSEException {
        if (key instanceof RSAKey) {
            return new RSASSAVerifier((RSAKey) key);
        }
        if (key instanceof ECKey) {
            return new ECDSAVerifier((ECKey) key);
        }
        return null;
    }
}
