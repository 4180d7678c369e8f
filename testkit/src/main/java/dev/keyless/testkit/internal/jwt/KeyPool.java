package dev.keyless.testkit.internal.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Key material shared by every issuer of the JVM, each copy under its own key id. Generating an RSA key takes
 * hundreds of milliseconds on a small machine; a test suite starts many issuers, and they need distinct keys
 * only among themselves (a rotated key must differ from the one it replaces, a foreign key from all published
 * ones), not across issuers, which have distinct key ids and issuer URLs anyway.
 */
final class KeyPool {
    private static final Map<String, List<JWK>> POOL = new HashMap<>();

    private KeyPool() {
    }

    /** A key of {@code algorithm} with id {@code kid} whose material is none of {@code exclude}'s. */
    static synchronized JWK take(String algorithm, String kid, Collection<JWK> exclude) {
        List<JWK> pool = POOL.computeIfAbsent(algorithm, a -> new ArrayList<>());
        for (JWK candidate : pool) {
            if (exclude.stream().noneMatch(e -> sameMaterial(e, candidate))) {
                return withId(candidate, kid);
            }
        }
        JWK fresh = generate(algorithm);
        pool.add(fresh);
        return withId(fresh, kid);
    }

    private static boolean sameMaterial(JWK a, JWK b) {
        if (a instanceof RSAKey && b instanceof RSAKey) {
            return ((RSAKey) a).getModulus().equals(((RSAKey) b).getModulus());
        }
        if (a instanceof ECKey && b instanceof ECKey) {
            return ((ECKey) a).getX().equals(((ECKey) b).getX()) && ((ECKey) a).getY().equals(((ECKey) b).getY());
        }
        return false;
    }

    private static JWK withId(JWK key, String kid) {
        if (key instanceof RSAKey) {
            return new RSAKey.Builder((RSAKey) key).keyID(kid).build();
        }
        return new ECKey.Builder((ECKey) key).keyID(kid).build();
    }

    private static JWK generate(String algorithm) {
        try {
            if (algorithm.equals("RS256")) {
                return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
            }
            return new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("Could not generate a " + algorithm + " test key", e);
        }
    }
}
