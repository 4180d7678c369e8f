package dev.keyless.aws.trust;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.IdentityToken;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Policies and GitHub-shaped claims shared by the trust tests. */
final class TrustFixtures {
    static final String ACCOUNT = "123456789012";
    static final String GITHUB = "token.actions.githubusercontent.com";
    static final String GITHUB_ARN = "arn:aws:iam::" + ACCOUNT + ":oidc-provider/" + GITHUB;
    static final String SUB_KEY = GITHUB + ":sub";
    static final String AUD_KEY = GITHUB + ":aud";

    private TrustFixtures() {
    }

    /** A one-statement GitHub policy: StringEquals on aud, {@code subOperator} on sub (one block when the same). */
    static TrustPolicy gitHubPolicy(String subOperator, String subValue) {
        String conditions = subOperator.equals("StringEquals")
                ? "\"StringEquals\": {\"%s\": \"sts.amazonaws.com\", \"%s\": \"%s\"}".formatted(AUD_KEY, SUB_KEY, subValue)
                : "\"StringEquals\": {\"%s\": \"sts.amazonaws.com\"}, \"%s\": {\"%s\": \"%s\"}"
                        .formatted(AUD_KEY, subOperator, SUB_KEY, subValue);
        return TrustPolicy.parse("""
                {
                  "Version": "2012-10-17",
                  "Statement": [{
                    "Sid": "GitHubDeploy",
                    "Effect": "Allow",
                    "Principal": {"Federated": "%s"},
                    "Action": "sts:AssumeRoleWithWebIdentity",
                    "Condition": {%s}
                  }]
                }
                """.formatted(GITHUB_ARN, conditions));
    }

    /** Claims as GitHub Actions puts them in a token, for this sub and audience. */
    static Map<String, Object> gitHubClaims(String sub, Object aud) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", "https://" + GITHUB);
        claims.put("sub", sub);
        claims.put("aud", aud);
        GitHubSubjectParts parts = GitHubSubjectParts.of(sub);
        claims.put("repository", parts.repository);
        claims.put("repository_owner", parts.owner);
        if (sub.contains(":environment:")) {
            claims.put("environment", sub.substring(sub.indexOf(":environment:") + ":environment:".length()));
            claims.put("ref", "refs/heads/main");
        } else if (sub.contains(":ref:")) {
            claims.put("ref", sub.substring(sub.indexOf(":ref:") + 5));
        }
        claims.put("job_workflow_ref", parts.repository + "/.github/workflows/deploy.yml@refs/heads/main");
        claims.put("exp", 1_900_000_000L);
        return claims;
    }

    static Map<String, Object> gitHubClaims(String sub) {
        return gitHubClaims(sub, "sts.amazonaws.com");
    }

    /** A real signed JWT (ES256) carrying these claims, parsed as Keyless parses tokens. */
    static IdentityToken token(Map<String, Object> claims) {
        try {
            ECKey key = new ECKeyGenerator(Curve.P_256).generate();
            JWTClaimsSet.Builder set = new JWTClaimsSet.Builder();
            claims.forEach((k, v) -> {
                if (k.equals("aud") && v instanceof List<?> list) {
                    set.audience(list.stream().map(String::valueOf).toList());
                } else if (k.equals("exp") && v instanceof Long seconds) {
                    set.expirationTime(new Date(seconds * 1000));
                } else {
                    set.claim(k, v);
                }
            });
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), set.build());
            jwt.sign(new ECDSASigner(key));
            return IdentityToken.parse(jwt.serialize());
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private record GitHubSubjectParts(String owner, String repository) {
        static GitHubSubjectParts of(String sub) {
            if (!sub.startsWith("repo:")) {
                return new GitHubSubjectParts("", "");
            }
            String rest = sub.substring(5);
            int colon = rest.indexOf(':');
            String names = (colon < 0 ? rest : rest.substring(0, colon)).replaceAll("@\\d+", "");
            return new GitHubSubjectParts(names.substring(0, names.indexOf('/')), names);
        }
    }
}
