package dev.keyless.core;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.leak.LeakGuard;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Mints signed test JWTs (RS256, with one key generated per test JVM).
 *
 * <p>Use {@link #jwt(String, String, String, Instant)} for the usual claims, or {@link #jwt(Map)} for any
 * claims: {@code Instant} values become epoch seconds, everything else is written as given (a {@code List}
 * for an array {@code aud}). {@link #key()} gives the public key to verify them. Every token minted is
 * registered with {@link LeakGuard#secret(String)}.
 */
public final class TestTokens {
    /** A far-future expiry (2100-01-01), for tokens whose lifetime does not matter to the test. */
    public static final Instant FAR_FUTURE = Instant.parse("2100-01-01T00:00:00Z");

    private static final RSAKey KEY;

    static {
        try {
            KEY = new RSAKeyGenerator(2048).keyID("keyless-test").generate();
        } catch (JOSEException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestTokens() {
    }

    /** A signed JWT with these claims; {@code Instant} values are written as epoch seconds. */
    public static String jwt(Map<String, Object> claims) {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
        claims.forEach((name, value) -> set.claim(name,
                value instanceof Instant ? Date.from((Instant) value) : value));
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(KEY.getKeyID()).build(),
                    set.build());
            jwt.sign(new RSASSASigner(KEY));
            // Registered so that the leak guard fails any test whose log lines contain it.
            return LeakGuard.secret(jwt.serialize());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signed JWT with iss, sub, aud (a string) and exp, plus iat five minutes before exp. */
    public static String jwt(String issuer, String subject, String audience, Instant expiresAt) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", issuer);
        claims.put("sub", subject);
        claims.put("aud", audience);
        claims.put("exp", expiresAt);
        claims.put("iat", expiresAt.minusSeconds(300));
        return jwt(claims);
    }

    /**
     * A signed JWT for the audience, from a fixed test issuer and subject, expiring {@link #FAR_FUTURE}
     * (a fixed instant, so that no test depends on the wall clock).
     */
    public static String jwt(String audience) {
        return jwt("https://issuer.example", "test-subject", audience, FAR_FUTURE);
    }

    /** The signing key's public half, to verify tokens (e.g. with nimbus' {@code RSASSAVerifier}). */
    public static RSAPublicKey key() {
        try {
            return KEY.toRSAPublicKey();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }
}
