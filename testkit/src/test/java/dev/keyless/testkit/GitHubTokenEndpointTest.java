package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GitHubTokenEndpointTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private final MutableClock clock = MutableClock.startingAt(Instant.parse("2030-01-01T00:00:00Z"));
    private LocalIssuer issuer;
    private GitHubTokenEndpoint github;

    @BeforeEach
    void start() {
        issuer = LocalIssuer.builder().clock(clock).start();
        github = GitHubTokenEndpoint.start(issuer);
    }

    @AfterEach
    void stop() {
        github.close();
        issuer.close();
    }

    private HttpResponse<String> request(String audience, String bearer) throws Exception {
        String url = github.requestUrl().toString();
        if (audience != null) {
            url += "&audience=" + URLEncoder.encode(audience, StandardCharsets.UTF_8);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
        if (bearer != null) {
            b.header("Authorization", "Bearer " + bearer);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static IdentityToken token(HttpResponse<String> r) throws Exception {
        Map<String, Object> body = JSONObjectUtils.parse(r.body());
        assertThat(body).containsKeys("count", "value");
        return IdentityToken.parse((String) body.get("value"));
    }

    @Test
    void answersTheConfiguredJobWithTheRequestedAudience() throws Exception {
        github.job(j -> j.repository("acme/app").environment("prod"));
        HttpResponse<String> r = request("sts.amazonaws.com", github.requestToken());
        assertThat(r.statusCode()).isEqualTo(200);
        IdentityToken t = token(r);
        assertThat(t.audience()).containsExactly("sts.amazonaws.com");
        assertThat(t.subject()).isEqualTo("repo:acme/app:environment:prod");
        assertThat(t.issuer()).isEqualTo(issuer.issuerUrl());
        assertThat(github.tokensIssued()).isEqualTo(1);
        assertThat(github.requestedAudiences()).containsExactly("sts.amazonaws.com");
    }

    @Test
    void withoutAudienceTheDefaultIsTheOwnersGitHubUrl() throws Exception {
        github.job(j -> j.repository("acme/app"));
        IdentityToken t = token(request(null, github.requestToken()));
        assertThat(t.audience()).containsExactly("https://github.com/acme");
    }

    @Test
    void bearerIsChecked() throws Exception {
        assertThat(request("x", null).statusCode()).isEqualTo(401);
        assertThat(request("x", "not-the-token").statusCode()).isEqualTo(401);
        assertThat(github.tokensIssued()).isZero();
        assertThat(github.requests()).isEqualTo(2);
    }

    @Test
    void apiVersionAndPathAreChecked() throws Exception {
        URI noVersion = URI.create(github.requestUrl().toString().replace("?api-version=2.0", ""));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(noVersion)
                .header("Authorization", "Bearer " + github.requestToken()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(400);
        URI other = URI.create(github.requestUrl().toString().replace("/_apis/token", "/other"));
        assertThat(http.send(HttpRequest.newBuilder(other).build(), HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(404);
    }

    @Test
    void faultSwitches() throws Exception {
        github.failNext(2, 503);
        assertThat(request("a", github.requestToken()).statusCode()).isEqualTo(503);
        assertThat(request("a", github.requestToken()).statusCode()).isEqualTo(503);
        assertThat(request("a", github.requestToken()).statusCode()).isEqualTo(200);

        github.pendingNext(1);
        HttpResponse<String> pending = request("a", github.requestToken());
        assertThat(pending.statusCode()).isEqualTo(403);
        assertThat(pending.body()).contains("pending");
        assertThat(request("a", github.requestToken()).statusCode()).isEqualTo(200);
        assertThat(github.requests()).isEqualTo(5);
        assertThat(github.tokensIssued()).isEqualTo(2);
    }

    @Test
    void delayMakesClientsTimeOut() {
        github.delay(Duration.ofSeconds(5));
        HttpRequest r = HttpRequest.newBuilder(URI.create(github.requestUrl() + "&audience=a"))
                .header("Authorization", "Bearer " + github.requestToken()).timeout(Duration.ofMillis(200)).build();
        assertThatThrownBy(() -> http.send(r, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        github.resetFaults();
    }

    @Test
    void environmentDescribesTheJob() {
        github.job(j -> j.repository("acme/app").branch("release").runId("99"));
        Environment env = Environment.of(github.environment());
        assertThat(env.isTrue("GITHUB_ACTIONS")).isTrue();
        assertThat(env.get("ACTIONS_ID_TOKEN_REQUEST_URL")).hasValue(github.requestUrl().toString());
        assertThat(env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN")).hasValue(github.requestToken());
        assertThat(env.get("GITHUB_REPOSITORY")).hasValue("acme/app");
        assertThat(env.get("GITHUB_REPOSITORY_OWNER")).hasValue("acme");
        assertThat(env.get("GITHUB_REF")).hasValue("refs/heads/release");
        assertThat(env.get("GITHUB_REF_NAME")).hasValue("release");
        assertThat(env.get("GITHUB_RUN_ID")).hasValue("99");
        assertThat(env.get("GITHUB_SHA").orElseThrow()).matches("[0-9a-f]{40}");
    }

    @Test
    void environmentIdsMatchTheTokenClaims() throws Exception {
        github.job(j -> j.repository("acme/app"));
        Map<String, String> env = github.environment();
        IdentityToken t = token(request("a", github.requestToken()));
        assertThat(t.claims()).containsEntry("repository_id", env.get("GITHUB_REPOSITORY_ID"))
                .containsEntry("run_id", env.get("GITHUB_RUN_ID")).containsEntry("sha", env.get("GITHUB_SHA"));
    }
}
