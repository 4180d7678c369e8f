package dev.keyless.testkit.azure.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.FederatedIdentityCredential;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Checks a client assertion against an application's federated identity credentials, in the order Entra reports
 * failures: malformed (50027), no credentials (70025), issuer (700211), issuer metadata (50166, 90061), signing key
 * (7000272), signature (700027), time range (700024), subject (700213, or 7002138 when only the case differs; 70021
 * when only flexible credentials could have matched), audience (700212).
 */
public final class FederationCheck {
    private static final DateTimeFormatter ENTRA_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSS'Z'").withZone(ZoneOffset.UTC);

    private FederationCheck() {
    }

    /** What matched. */
    public static final class Match {
        private final FederatedIdentityCredential credential;
        private final JWTClaimsSet claims;

        Match(FederatedIdentityCredential credential, JWTClaimsSet claims) {
            this.credential = credential;
            this.claims = claims;
        }

        public FederatedIdentityCredential credential() {
            return credential;
        }

        public JWTClaimsSet claims() {
            return claims;
        }
    }

    /**
     * Checks {@code assertion}.
     *
     * @param discoveryFor where a given issuer's discovery document is served, when not at {@code <iss>/.well-known/...}
     * @throws Rejection the Entra error to answer
     */
    public static Match check(String assertion, EntraApplication app, Clock clock, Duration clockSkew, IssuerKeys keys,
            Function<String, Optional<URI>> discoveryFor) throws InterruptedException {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion.strip());
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            throw new Rejection(EntraError.malformedAssertion());
        }
        List<FederatedIdentityCredential> all = app.federatedCredentials();
        if (all.isEmpty()) {
            throw new Rejection(EntraError.noFederatedCredentials(app.clientId(), app.displayName()));
        }
        String iss = claims.getIssuer();
        if (iss == null) {
            throw new Rejection(EntraError.malformedAssertion());
        }
        List<FederatedIdentityCredential> byIssuer = all.stream().filter(c -> c.issuer().equals(iss)).toList();
        if (byIssuer.isEmpty()) {
            throw new Rejection(EntraError.noMatchingIssuer(iss));
        }

        verifySignature(jwt, iss, keys.fetch(iss, discoveryFor.apply(iss)));

        Instant now = clock.instant();
        Date exp = claims.getExpirationTime();
        Date nbf = claims.getNotBeforeTime();
        boolean expired = exp == null || !now.isBefore(exp.toInstant().plus(clockSkew));
        boolean early = nbf != null && now.plus(clockSkew).isBefore(nbf.toInstant());
        if (expired || early) {
            throw new Rejection(EntraError.notWithinValidTimeRange(ENTRA_TIME.format(now),
                    ENTRA_TIME.format(nbf == null ? Instant.EPOCH : nbf.toInstant()),
                    ENTRA_TIME.format(exp == null ? Instant.EPOCH : exp.toInstant())));
        }

        String sub = claims.getSubject() == null ? "" : claims.getSubject();
        List<String> aud = claims.getAudience() == null ? List.of() : claims.getAudience();
        String audText = String.join(",", aud);
        List<FederatedIdentityCredential> bySubject = new ArrayList<>();
        for (FederatedIdentityCredential c : byIssuer) {
            boolean matched = c.isFlexible()
                    ? ClaimsExpression.parse(c.claimsMatchingExpression().orElseThrow()).matches(claims.getClaims())
                    : c.subject().orElseThrow().equals(sub);
            if (matched) {
                bySubject.add(c);
            }
        }
        if (bySubject.isEmpty()) {
            boolean caseOnly = byIssuer.stream().anyMatch(c -> c.subject().map(s -> s.equalsIgnoreCase(sub)).orElse(false));
            if (caseOnly) {
                throw new Rejection(EntraError.subjectCaseMismatch(sub));
            }
            if (byIssuer.stream().allMatch(FederatedIdentityCredential::isFlexible)) {
                throw new Rejection(EntraError.noMatchingRecord(iss, sub, audText));
            }
            throw new Rejection(EntraError.noMatchingSubject(sub));
        }
        for (FederatedIdentityCredential c : bySubject) {
            if (c.audiences().stream().anyMatch(aud::contains)) {
                return new Match(c, claims);
            }
        }
        throw new Rejection(EntraError.noMatchingAudience(audText));
    }

    private static void verifySignature(SignedJWT jwt, String issuer, JWKSet keys) {
        String kid = jwt.getHeader().getKeyID();
        List<JWK> candidates;
        if (kid != null) {
            JWK key = keys.getKeyByKeyId(kid);
            if (key == null) {
                throw new Rejection(EntraError.signingKeyNotFound(kid, issuer));
            }
            candidates = List.of(key);
        } else {
            candidates = keys.getKeys();
        }
        for (JWK key : candidates) {
            try {
                JWSVerifier verifier;
                if (key instanceof RSAKey) {
                    verifier = new RSASSAVerifier((RSAKey) key);
                } else if (key instanceof ECKey) {
                    verifier = new ECDSAVerifier((ECKey) key);
                } else {
                    continue;
                }
                if (jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException | RuntimeException e) {
                // wrong key type for the algorithm: try the next key
            }
        }
        throw new Rejection(EntraError.invalidSignature());
    }
}
