package dev.keyless.core.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.keyless.core.source.HttpSourceFixtures.assertNoSecrets;
import static dev.keyless.core.source.HttpSourceFixtures.json;
import static dev.keyless.core.source.HttpSourceFixtures.jwt;
import static dev.keyless.core.source.HttpSourceFixtures.status;
import static dev.keyless.core.source.HttpSourceFixtures.stubSequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GitHubActionsTokenSourceTest {
    private static final String REQUEST_TOKEN = HttpSourceFixtures.secret("ghs_requesttoken_SECRET_0123456789abcdef");
    private static final String PATH = "/_apis/distributedtask/hubs/Actions/plans/p1/jobs/j1/idtoken";
    private static final String JWT = jwt("repo:acme/app:ref:refs/heads/main", "sts.amazonaws.com");

    @RegisterExtension
    static final HttpSourceFixtures.LoopbackServer server = new HttpSourceFixtures.LoopbackServer();

    private GitHubActionsTokenSource.Builder builder() {
        return HttpSourceFixtures.testDefaults(GitHubActionsTokenSource.builder())
                .requestUrl(server.urlFor(PATH + "?api-version=2.0"))
                .requestToken(REQUEST_TOKEN);
    }

    private void stubValue(String jwt) {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(200, "{\"count\":1,\"value\":\"" + jwt + "\"}")));
    }

    private int requests() {
        return server.countRequestsMatching(getRequestedFor(urlPathEqualTo(PATH)).build()).getCount();
    }

    @Test
    void mintsATokenWithBearerAndApiVersionHeaders() {
        stubValue(JWT);

        IdentityToken token = builder().build().token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(token.issuer()).isEqualTo(HttpSourceFixtures.ISSUER);
        assertThat(token.subject()).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(token.audience()).containsExactly("sts.amazonaws.com");
        server.verify(1, getRequestedFor(urlEqualTo(PATH + "?api-version=2.0&audience=sts.amazonaws.com"))
                .withHeader("Authorization", equalTo("Bearer " + REQUEST_TOKEN))
                .withHeader("Accept", equalTo("application/json; api-version=2.0")));
    }

    @Test
    void encodesTheAudienceAndKeepsTheExistingQuery() {
        stubValue(JWT);

        builder().build().token(TokenRequest.forAudience("api://a/b&c?d=e+f g"));

        server.verify(1, getRequestedFor(urlEqualTo(
                PATH + "?api-version=2.0&audience=api%3A%2F%2Fa%2Fb%26c%3Fd%3De%2Bf%20g")));
    }

    @Test
    void startsAQueryWhenTheUrlHasNone() {
        stubValue(JWT);

        builder().requestUrl(server.urlFor(PATH)).build().token(TokenRequest.forAudience("sts.amazonaws.com"));

        server.verify(1, getRequestedFor(urlEqualTo(PATH + "?audience=sts.amazonaws.com")));
    }

    @Test
    void leavesTheAudienceToGitHubWhenTheRequestHasNone() {
        stubValue(JWT);

        builder().build().token(TokenRequest.sourceDefault());

        server.verify(1, getRequestedFor(urlEqualTo(PATH + "?api-version=2.0")));
    }

    @Test
    void mintsAFreshTokenOnEveryCall() {
        String first = jwt("first", "aud");
        String second = jwt("second", "aud");
        stubSequence(server, "fresh", () -> get(urlPathEqualTo(PATH)),
                json(200, "{\"value\":\"" + first + "\"}"), json(200, "{\"value\":\"" + second + "\"}"));
        GitHubActionsTokenSource source = builder().build();

        assertThat(source.token(TokenRequest.forAudience("aud")).subject()).isEqualTo("first");
        assertThat(source.token(TokenRequest.forAudience("aud")).subject()).isEqualTo("second");
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void retriesServerErrorsUntilSuccess() {
        stubSequence(server, "503s", () -> get(urlPathEqualTo(PATH)),
                status(503), status(503), json(200, "{\"value\":\"" + JWT + "\"}"));

        IdentityToken token = builder().build().token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(3);
    }

    @Test
    void retriesTheForbiddenPendingAnswerOfAWarmingTokenService() {
        stubSequence(server, "pending", () -> get(urlPathEqualTo(PATH)),
                json(403, "{\"message\":\"Token request is pending, try again\"}"), json(200, "{\"value\":\"" + JWT + "\"}"));

        IdentityToken token = builder().build().token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void retriesAnAttemptThatStallsPastItsTimeout() {
        stubSequence(server, "stall", () -> get(urlPathEqualTo(PATH)),
                json(200, "{\"value\":\"" + JWT + "\"}").withFixedDelay(HttpSourceFixtures.STALL_MILLIS), json(200, "{\"value\":\"" + JWT + "\"}"));

        IdentityToken token = builder().attemptTimeout(HttpSourceFixtures.SHORT_ATTEMPT_TIMEOUT).build()
                .token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void givesUpAfterMaxAttemptsWithARetryableError() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(status(503)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().maxAttempts(4).build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(requests()).isEqualTo(4);
        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("github.token-endpoint-unavailable");
        assertThat(e.diagnosis().evidence()).containsEntry("HTTP status", "503").containsEntry("attempts", "4");
        assertNoSecrets(e, REQUEST_TOKEN);
    }

    @Test
    void makesFiveAttemptsByDefault() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(status(500)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(e.retryable()).isTrue();
        assertThat(requests()).isEqualTo(5);
    }

    @Test
    void doesNotRetryARejectedRequestToken() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(401, "{\"message\":\"Bad credentials\"}")));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("github.request-token-rejected");
        assertThat(e.diagnosis().likelyCause()).contains("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "only while the job");
        assertThat(e.diagnosis().evidence()).containsEntry("HTTP status", "401");
        assertNoSecrets(e, REQUEST_TOKEN);
    }

    @Test
    void doesNotRetryAForbiddenAnswerThatIsNotPending() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(403, "{\"message\":\"Resource not accessible\"}")));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("github.request-token-rejected");
    }

    @Test
    void doesNotRetryNotFound() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(404, "{}")));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("github.token-endpoint-error");
        assertThat(e.diagnosis().evidence()).containsEntry("HTTP status", "404")
                .containsEntry("endpoint", server.urlFor(PATH));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "html page         | text/html        | <html><body>Sign in MARKER-BODY</body></html>   | github.malformed-response",
        "json without value| application/json | {\"message\":\"MARKER-BODY\"}                     | github.malformed-response",
        "truncated json    | application/json | {\"value\":\"eyJhbGciOiJSUzI1NiJ9.MARKER-BODY     | github.malformed-response",
        "non-JWT value     | application/json | {\"value\":\"opaque-MARKER-BODY\"}                | token.not-a-jwt",
    })
    void rejectsMalformedBodiesWithoutEchoingThem(String label, String contentType, String body, String code) {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(
                aResponse().withStatus(200).withHeader("Content-Type", contentType).withBody(body)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo(code);
        assertThat(e.diagnosis().evidence().get("response")).contains(contentType).contains(body.length() + " characters");
        assertNoSecrets(e, "MARKER-BODY", REQUEST_TOKEN);
    }

    @Test
    void errorsNeverEchoAJwtFoundInTheBody() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(200, "{\"id_token\":\"" + JWT + "\"}")));
        TokenException wrongMember = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(404, "{\"value\":\"" + JWT + "\"}")));
        TokenException notFound = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(wrongMember.diagnosis().code()).isEqualTo("github.malformed-response");
        assertThat(wrongMember.diagnosis().evidence()).containsEntry("JSON members", "[id_token]");
        assertThat(notFound.diagnosis().code()).isEqualTo("github.token-endpoint-error");
        assertNoSecrets(wrongMember, JWT, REQUEST_TOKEN);
        assertNoSecrets(notFound, JWT, REQUEST_TOKEN);
    }

    @Test
    void fromEnvironmentIsEmptyOutsideGitHubActions() {
        assertThat(GitHubActionsTokenSource.fromEnvironment(Environment.of(Map.of()))).isEmpty();
        assertThat(GitHubActionsTokenSource.fromEnvironment(Environment.of(Map.of(
                "GITHUB_ACTIONS", "false", "ACTIONS_ID_TOKEN_REQUEST_URL", server.urlFor(PATH))))).isEmpty();
    }

    @Test
    void fromEnvironmentWithoutIdTokenPermissionExplainsTheYamlToAdd() {
        Environment env = Environment.of(Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/app",
                "GITHUB_WORKFLOW", "deploy", "GITHUB_EVENT_NAME", "pull_request"));

        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> GitHubActionsTokenSource.fromEnvironment(env));

        assertThat(e.diagnosis().code()).isEqualTo("github.missing-id-token-permission");
        assertThat(e.diagnosis().likelyCause()).contains("id-token: write").contains("fork");
        assertThat(e.diagnosis().fix()).contains("permissions:\n  id-token: write\n  contents: read");
        assertThat(e.diagnosis().evidence())
                .containsEntry("missing", "ACTIONS_ID_TOKEN_REQUEST_URL, ACTIONS_ID_TOKEN_REQUEST_TOKEN")
                .containsEntry("GITHUB_REPOSITORY", "acme/app")
                .containsEntry("GITHUB_WORKFLOW", "deploy")
                .containsEntry("GITHUB_EVENT_NAME", "pull_request");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void fromEnvironmentNamesTheOneMissingVariable() {
        Environment env = Environment.of(Map.of("GITHUB_ACTIONS", "true", "ACTIONS_ID_TOKEN_REQUEST_URL", server.urlFor(PATH)));

        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> GitHubActionsTokenSource.fromEnvironment(env));

        assertThat(e.diagnosis().code()).isEqualTo("github.missing-id-token-permission");
        assertThat(e.diagnosis().evidence()).containsEntry("missing", "ACTIONS_ID_TOKEN_REQUEST_TOKEN")
                .doesNotContainKey("GITHUB_REPOSITORY");
    }

    @Test
    void fromEnvironmentInAJobWithPermissionMintsTokens() {
        stubValue(JWT);
        Map<String, String> vars = new HashMap<>();
        vars.put("GITHUB_ACTIONS", "true");
        vars.put("ACTIONS_ID_TOKEN_REQUEST_URL", server.urlFor(PATH + "?api-version=2.0"));
        vars.put("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);

        GitHubActionsTokenSource source = GitHubActionsTokenSource.fromEnvironment(Environment.of(vars)).orElseThrow();

        assertThat(source.token(TokenRequest.forAudience("sts.amazonaws.com")).value()).isEqualTo(JWT);
        assertThat(source.name()).isEqualTo("github-actions");
        assertThat(source.supportsRequestedAudience()).isTrue();
        server.verify(getRequestedFor(urlPathEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + REQUEST_TOKEN)));
    }

    @Test
    void toStringShowsTheEndpointButNeitherTheRequestTokenNorTheQuery() {
        String text = builder().requestUrl(server.urlFor(PATH + "?api-version=2.0&sig=abc")).build().toString();

        assertThat(text).contains(server.urlFor(PATH)).contains("maxAttempts=5").contains("attemptTimeout=PT10S")
                .doesNotContain(REQUEST_TOKEN).doesNotContain("sig=abc");
    }

    @Test
    void builderRejectsPlainHttpToARemoteHost() {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> GitHubActionsTokenSource.builder().requestUrl("http://token.example.com/idtoken")
                        .requestToken(REQUEST_TOKEN).build());

        assertThat(e.diagnosis().code()).isEqualTo("config.insecure-endpoint");
        assertNoSecrets(e, REQUEST_TOKEN);
    }

    @Test
    void builderNamesMissingAndBadOptions() {
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> GitHubActionsTokenSource.builder().requestUrl(server.urlFor(PATH)).build()).diagnosis().evidence())
                .containsEntry("option", "requestToken");
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> GitHubActionsTokenSource.builder().maxAttempts(0)).diagnosis().evidence())
                .containsEntry("option", "maxAttempts");
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> GitHubActionsTokenSource.builder().attemptTimeout(Duration.ZERO)).diagnosis().evidence())
                .containsEntry("option", "attemptTimeout");
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> builder().backoffBase(Duration.ofSeconds(2)).backoffMax(Duration.ofSeconds(1)).build())
                .diagnosis().evidence()).containsEntry("option", "backoffMax");
    }
}
