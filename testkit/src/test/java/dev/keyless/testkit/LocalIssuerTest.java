package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LocalIssuerTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    private final HttpClient http = HttpClient.newHttpClient();
    private final MutableClock clock = MutableClock.startingAt(T0);
    private LocalIssuer issuer;

    @AfterEach
    void stop() {
        if (issuer != null) {
            issuer.close();
        }
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private boolean verifies(String jwt) throws Exception {
        SignedJWT parsed = SignedJWT.parse(jwt);
        JWKSet set = JWKSet.parse(get(issuer.jwksUrl()).body());
        JWK key = set.getKeyByKeyId(parsed.getHeader().getKeyID());
        if (key == null) {
            return false;
        }
        JWSVerifier v = key instanceof RSAKey ? new RSASSAVerifier((RSAKey) key) : new ECDSAVerifier((ECKey) key);
        return parsed.verify(v);
    }

    @Test
    void servesDiscoveryDocumentPointingAtItsJwks() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).start();
        HttpResponse<String> r = get(issuer.discoveryUrl());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        Map<String, Object> doc = JSONObjectUtils.parse(r.body());
        assertThat(doc.get("issuer")).isEqualTo(issuer.issuerUrl()).isEqualTo(issuer.url().toString());
        assertThat(doc.get("jwks_uri")).isEqualTo(issuer.jwksUrl().toString());
        assertThat(issuer.url().toString()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(JSONObjectUtils.getStringList(doc, "id_token_signing_alg_values_supported")).containsExactly("RS256");
        assertThat(JSONObjectUtils.getStringList(doc, "response_types_supported")).contains("id_token");
        assertThat(JSONObjectUtils.getStringList(doc, "subject_types_supported")).contains("public");
        assertThat(issuer.discoveryRequests()).isEqualTo(1);
        assertThat(get(URI.create(issuer.url() + "/nope")).statusCode()).isEqualTo(404);
    }

    @Test
    void jwksHoldsOnlyPublicKeysAndVerifiesMintedTokens() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).start();
        String body = get(issuer.jwksUrl()).body();
        JWKSet set = JWKSet.parse(body);
        assertThat(set.getKeys()).hasSize(1);
        assertThat(set.getKeys().get(0).isPrivate()).isFalse();
        assertThat(body).doesNotContain("\"d\"");
        assertThat(set.getKeys().get(0).getKeyID()).isEqualTo(issuer.currentKeyId());
        assertThat(verifies(issuer.github().mintValue())).isTrue();
        assertThat(issuer.jwksRequests()).isEqualTo(2);
    }

    @Test
    void es256IssuerSignsWithEcKeys() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).algorithm(SigningAlgorithm.ES256).start();
        IdentityToken t = issuer.token().mint();
        assertThat(t.algorithm()).isEqualTo("ES256");
        assertThat(JWKSet.parse(issuer.jwksJson()).getKeys().get(0)).isInstanceOf(ECKey.class);
        assertThat(verifies(t.value())).isTrue();
    }

    @Test
    void foreignKeySignatureDoesNotVerify() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).start();
        String jwt = issuer.github().signedWithForeignKey().mintValue();
        assertThat(SignedJWT.parse(jwt).getHeader().getKeyID()).isEqualTo(issuer.currentKeyId());
        assertThat(verifies(jwt)).isFalse();
    }

    @Test
    void rotationKeepsOldKeysPublishedUntilRetired() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).start();
        String oldKid = issuer.currentKeyId();
        String oldToken = issuer.token().mintValue();
        String newKid = issuer.rotateKeys();
        assertThat(newKid).isNotEqualTo(oldKid).isEqualTo(issuer.currentKeyId());
        assertThat(issuer.publishedKeyIds()).containsExactly(newKid, oldKid);
        String newToken = issuer.token().mintValue();
        assertThat(SignedJWT.parse(newToken).getHeader().getKeyID()).isEqualTo(newKid);
        assertThat(verifies(oldToken)).isTrue();
        assertThat(verifies(newToken)).isTrue();

        issuer.retireOldKeys();
        assertThat(issuer.publishedKeyIds()).containsExactly(newKid);
        assertThat(verifies(oldToken)).isFalse();
        assertThat(verifies(newToken)).isTrue();
    }

    @Test
    void githubClaimShapes() {
        issuer = LocalIssuer.builder().clock(clock).start();
        IdentityToken t = issuer.github().repository("acme/app").branch("main").audience("sts.amazonaws.com").mint();
        assertThat(t.issuer()).isEqualTo(issuer.issuerUrl());
        assertThat(t.subject()).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(t.audience()).containsExactly("sts.amazonaws.com");
        assertThat(t.claims()).containsEntry("repository", "acme/app").containsEntry("repository_owner", "acme")
                .containsEntry("ref", "refs/heads/main").containsEntry("ref_type", "branch")
                .containsEntry("event_name", "push").containsEntry("run_attempt", "1")
                .containsEntry("runner_environment", "github-hosted")
                .containsEntry("job_workflow_ref", "acme/app/.github/workflows/ci.yml@refs/heads/main")
                .containsKeys("repository_id", "repository_owner_id", "sha", "run_id", "actor", "workflow", "jti");
        assertThat((String) t.claims().get("repository_id")).matches("\\d+");
        assertThat((String) t.claims().get("sha")).matches("[0-9a-f]{40}");
        assertThat(t.issuedAt()).hasValue(T0);
        assertThat(t.expiresAt()).hasValue(T0.plus(Duration.ofMinutes(5)));
        assertThat(t.notBefore()).hasValue(T0.minus(Duration.ofMinutes(5)));

        assertThat(issuer.github().repository("acme/app").environment("prod").mint().subject())
                .isEqualTo("repo:acme/app:environment:prod");
        assertThat(issuer.github().repository("acme/app").environment("prod").mint().claims())
                .containsEntry("environment", "prod");
        assertThat(issuer.github().repository("acme/app").pullRequest(7).mint().subject())
                .isEqualTo("repo:acme/app:pull_request");
        assertThat(issuer.github().repository("acme/app").tag("v1.2.0").mint().subject())
                .isEqualTo("repo:acme/app:ref:refs/tags/v1.2.0");
        IdentityToken immutable = issuer.github().repository("acme/app").repositoryOwnerId("42")
                .repositoryId("4242").immutableSubject().branch("dev").mint();
        assertThat(immutable.subject()).isEqualTo("repo:acme@42/app@4242:ref:refs/heads/dev");
        assertThat(issuer.github().repository("acme/app").mint().audience()).containsExactly("https://github.com/acme");
    }

    @Test
    void gitlabKubernetesGoogleAndGenericShapes() {
        issuer = LocalIssuer.builder().clock(clock).start();
        IdentityToken gl = issuer.gitlab().project("group/sub/project").branch("main").mint();
        assertThat(gl.subject()).isEqualTo("project_path:group/sub/project:ref_type:branch:ref:main");
        assertThat(gl.claims()).containsEntry("namespace_path", "group/sub")
                .containsEntry("project_path", "group/sub/project").containsEntry("ref", "main")
                .containsEntry("ref_type", "branch").containsEntry("ref_path", "refs/heads/main");
        assertThat(gl.audience()).containsExactly(issuer.issuerUrl());

        IdentityToken k8s = issuer.kubernetes().serviceAccount("payments", "api").audience("sts.amazonaws.com").mint();
        assertThat(k8s.subject()).isEqualTo("system:serviceaccount:payments:api");
        assertThat(k8s.value()).satisfies(v -> assertThat(payload(v)).contains("\"aud\":[\"sts.amazonaws.com\"]"));
        @SuppressWarnings("unchecked")
        Map<String, Object> nested = (Map<String, Object>) k8s.claims().get("kubernetes.io");
        assertThat(nested).containsEntry("namespace", "payments");
        assertThat(nested.get("serviceaccount")).asString().contains("name=api");

        IdentityToken g = issuer.google().serviceAccount("ci@proj.iam.gserviceaccount.com").accountId("1234567890")
                .audience("https://example.com").mint();
        assertThat(g.issuer()).isEqualTo("https://accounts.google.com");
        assertThat(g.subject()).isEqualTo("1234567890");
        assertThat(g.claims()).containsEntry("email", "ci@proj.iam.gserviceaccount.com")
                .containsEntry("azp", "1234567890").containsEntry("email_verified", true)
                .doesNotContainKeys("nbf", "jti");

        IdentityToken custom = issuer.token().subject("s").claim("team", "core").claim("amr", List.of("a", "b"))
                .withoutClaim("nbf").issuer("https://other.example").mint();
        assertThat(custom.claims()).containsEntry("team", "core").containsEntry("amr", List.of("a", "b"))
                .doesNotContainKey("nbf");
        assertThat(custom.issuer()).isEqualTo("https://other.example");
    }

    private static String payload(String jwt) {
        return new String(java.util.Base64.getUrlDecoder().decode(jwt.split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
    }

    @Test
    void timesFollowTheInjectedClock() {
        issuer = LocalIssuer.builder().clock(clock).start();
        IdentityToken expired = issuer.github().expiredSince(Duration.ofMinutes(1)).mint();
        assertThat(expired.expiresAt()).hasValue(T0.minusSeconds(60));
        assertThat(expired.issuedAt()).hasValue(T0.minusSeconds(360));
        assertThat(expired.isExpired(clock)).isTrue();

        IdentityToken later = issuer.token().notBeforeIn(Duration.ofMinutes(10)).lifetime(Duration.ofHours(2)).mint();
        assertThat(later.notBefore()).hasValue(T0.plusSeconds(600));
        assertThat(later.expiresAt()).hasValue(T0.plus(Duration.ofHours(2)));

        clock.advance(Duration.ofHours(3));
        assertThat(later.isExpired(clock)).isTrue();
        assertThat(issuer.token().mint().issuedAt()).hasValue(T0.plus(Duration.ofHours(3)));
    }

    @Test
    void customIssuerUrlAndPath() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).issuerUrl("https://token.actions.githubusercontent.com")
                .path("/id/ABC").start();
        assertThat(issuer.url().toString()).endsWith("/id/ABC");
        Map<String, Object> doc = JSONObjectUtils.parse(get(issuer.discoveryUrl()).body());
        assertThat(doc.get("issuer")).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(doc.get("jwks_uri")).isEqualTo(issuer.url() + "/.well-known/jwks");
        assertThat(issuer.github().mint().issuer()).isEqualTo("https://token.actions.githubusercontent.com");
        assertThat(verifies(issuer.github().mintValue())).isTrue();
    }

    @Test
    void unavailableIssuerAnswers503() throws Exception {
        issuer = LocalIssuer.builder().clock(clock).start();
        issuer.unavailable(true);
        assertThat(get(issuer.jwksUrl()).statusCode()).isEqualTo(503);
        issuer.unavailable(false);
        assertThat(get(issuer.jwksUrl()).statusCode()).isEqualTo(200);
    }

    @Test
    void badOptionsFailFast() {
        assertThatThrownBy(() -> LocalIssuer.builder().issuerUrl("https://x.example/"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("issuerUrl");
        assertThatThrownBy(() -> LocalIssuer.builder().path("id/"))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("path");
    }
}
