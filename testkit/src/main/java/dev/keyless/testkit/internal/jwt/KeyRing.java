package dev.keyless.testkit.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * The signing keys of a local issuer: the current one signs, older ones stay published until retired.
 * Thread-safe.
 */
public final class KeyRing {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String algorithm;
    private final List<JWK> keys = new ArrayList<>(); // oldest first; the last one is current

    /** @param algorithm "RS256" or "ES256" */
    public KeyRing(String algorithm) {
        if (!algorithm.equals("RS256") && !algorithm.equals("ES256")) {
            throw new IllegalArgumentException("unsupported algorithm " + algorithm);
        }
        this.algorithm = algorithm;
        keys.add(KeyPool.take(algorithm, newKeyId(), List.of()));
    }

    public String algorithm() {
        return algorithm;
    }

    /** Makes a new key current; the previous ones stay published. Returns the new key id. */
    public synchronized String rotate() {
        JWK key = KeyPool.take(algorithm, newKeyId(), keys);
        keys.add(key);
        return key.getKeyID();
    }

    /** Stops publishing every key but the current one. */
    public synchronized void retireOld() {
        JWK current = keys.get(keys.size() - 1);
        keys.clear();
        keys.add(current);
    }

    public synchronized String currentKeyId() {
        return keys.get(keys.size() - 1).getKeyID();
    }

    public synchronized List<String> publishedKeyIds() {
        List<String> ids = new ArrayList<>();
        for (int i = keys.size() - 1; i >= 0; i--) {
            ids.add(keys.get(i).getKeyID());
        }
        return ids;
    }

    /** The public JWK set, current key first. */
    public synchronized JWKSet publicJwks() {
        List<JWK> pub = new ArrayList<>();
        for (int i = keys.size() - 1; i >= 0; i--) {
            pub.add(keys.get(i).toPublicJWK());
        }
        return new JWKSet(pub);
    }

    /**
     * Signs claims with the current key. With {@code foreignKey}, signs with a throwaway key under the current
     * key id, so that the token looks right but its signature does not verify. {@code kidOverride} replaces the
     * key id in the header when not null.
     */
    public String sign(Map<String, Object> claims, boolean foreignKey, String kidOverride) {
        JWK key;
        List<JWK> snapshot;
        synchronized (this) {
            key = keys.get(keys.size() - 1);
            snapshot = List.copyOf(keys);
        }
        String kid = kidOverride != null ? kidOverride : key.getKeyID();
        JWK signingKey = foreignKey ? KeyPool.take(algorithm, kid, snapshot) : key;
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.parse(algorithm))
                .type(JOSEObjectType.JWT)
                .keyID(kid)
                .build();
        // Signed from the JSON map as built, so claim order and shapes (a one-element aud array) are kept.
        JWSObject jwt = new JWSObject(header, new Payload(claims));
        try {
            jwt.sign(signer(signingKey));
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not sign a test token", e);
        }
        return jwt.serialize();
    }

    private static JWSSigner signer(JWK key) throws JOSEException {
        if (key instanceof RSAKey) {
            return new RSASSASigner((RSAKey) key);
        }
        return new ECDSASigner((ECKey) key);
    }

    private static String newKeyId() {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
