package dev.keyless.core.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
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
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UrlTokenSourceTest {
    private static final String API_KEY = HttpSourceFixtures.secret("Bearer corp-api-key-SECRET-42");
    private static final String BODY_SECRET = HttpSourceFixtures.secret("client_secret=BODY-SECRET-99");
    private static final String PATH = "/oauth/token";
    private static final String JWT = jwt("build-agent-7", "corp-cloud");

    @RegisterExtension
    static final HttpSourceFixtures.LoopbackServer server = new HttpSourceFixtures.LoopbackServer();

    private UrlTokenSource.Builder builder() {
        return HttpSourceFixtures.testDefaults(UrlTokenSource.builder()).url(server.urlFor(PATH));
    }

    private int requests() {
        return server.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
    }

    @Test
    void getsTheWholeBodyTrimmedAsTheToken() {
        server.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/jwt").withBody("\n  " + JWT + "  \n")));

        IdentityToken token = builder().build().token(TokenRequest.sourceDefault());

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(token.subject()).isEqualTo("build-agent-7");
    }

    @Test
    void postsTheBodyAndHeadersAndReadsAJsonMember() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(
                json(200, "{\"token_type\":\"Bearer\",\"id_token\":\"" + JWT + "\",\"expires_in\":300}")));

        IdentityToken token = builder()
                .header("Authorization", API_KEY)
                .header("X-Team", "platform")
                .body(BODY_SECRET + "&grant_type=client_credentials", "application/x-www-form-urlencoded")
                .tokenField("id_token")
                .build()
                .token(TokenRequest.sourceDefault());

        assertThat(token.value()).isEqualTo(JWT);
        server.verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Authorization", equalTo(API_KEY))
                .withHeader("X-Team", equalTo("platform"))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded"))
                .withRequestBody(equalTo(BODY_SECRET + "&grant_type=client_credentials")));
    }

    @Test
    void sendsTheAudienceInTheConfiguredParameterKeepingTheQuery() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(json(200, "{\"token\":\"" + JWT + "\"}")));
        UrlTokenSource source = builder().url(server.urlFor(PATH + "?tenant=acme")).tokenField("token")
                .audienceParameter("aud").build();

        source.token(TokenRequest.forAudience("https://x.test/a b?c=d&e+f"));

        assertThat(source.supportsRequestedAudience()).isTrue();
        server.verify(1, getRequestedFor(urlEqualTo(PATH + "?tenant=acme&aud=https%3A%2F%2Fx.test%2Fa%20b%3Fc%3Dd%26e%2Bf")));
    }

    @Test
    void withoutAnAudienceParameterTheAudienceIsFixedAndChecked() {
        server.stubFor(get(urlEqualTo(PATH)).willReturn(json(200, "{\"access_token\":\"" + JWT + "\"}")));
        UrlTokenSource source = builder().tokenField("access_token").name("corp-idp").build();

        assertThat(source.supportsRequestedAudience()).isFalse();
        assertThat(source.token(TokenRequest.forAudience("corp-cloud")).value()).isEqualTo(JWT);
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(e.diagnosis().code()).isEqualTo("token.audience-fixed");
        assertThat(e.diagnosis().likelyCause()).contains("fixed");
        assertThat(e.diagnosis().evidence()).containsEntry("token aud", "corp-cloud")
                .containsEntry("requested audience", "sts.amazonaws.com");
        assertThat(e.diagnosis().fix()).contains("audienceParameter");
        assertThat(e.getMessage()).contains("corp-idp");
        server.verify(2, getRequestedFor(urlEqualTo(PATH)));
        assertNoSecrets(e, JWT);
    }

    @Test
    void retriesServerErrorsAndThrottlingUntilSuccess() {
        stubSequence(server, "flaky", () -> get(urlEqualTo(PATH)),
                status(503), status(429), aResponse().withStatus(200).withBody(JWT));

        assertThat(builder().build().token(TokenRequest.sourceDefault()).value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(3);
    }

    @Test
    void retriesAStalledAttempt() {
        stubSequence(server, "stall", () -> get(urlEqualTo(PATH)),
                aResponse().withStatus(200).withBody(JWT).withFixedDelay(HttpSourceFixtures.STALL_MILLIS), aResponse().withStatus(200).withBody(JWT));

        IdentityToken token = builder().attemptTimeout(HttpSourceFixtures.SHORT_ATTEMPT_TIMEOUT).build().token(TokenRequest.sourceDefault());

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void givesUpAfterMaxAttemptsWithARetryableError() {
        server.stubFor(get(urlEqualTo(PATH)).willReturn(status(502)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().header("Authorization", API_KEY).build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(3);
        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("url.unavailable");
        assertNoSecrets(e, API_KEY);
    }

    @Test
    void aStallOnEveryAttemptEndsInARetryableTimeout() {
        server.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200).withBody(JWT).withFixedDelay(HttpSourceFixtures.STALL_MILLIS)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().maxAttempts(2).attemptTimeout(HttpSourceFixtures.SHORT_ATTEMPT_TIMEOUT).build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(2);
        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("http.timeout");
    }

    @Test
    void doesNotRetryUnauthorizedAndShowsHeaderNamesOnly() {
        server.stubFor(post(urlEqualTo(PATH)).willReturn(json(401, "{\"error\":\"invalid_client\"}")));

        TokenException e = catchThrowableOfType(TokenException.class, () -> builder()
                .header("Authorization", API_KEY).body(BODY_SECRET, "application/x-www-form-urlencoded")
                .build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("url.unauthorized");
        assertThat(e.diagnosis().evidence()).containsEntry("HTTP status", "401").containsEntry("method", "POST");
        assertThat(e.diagnosis().evidence().get("header names")).contains("Authorization");
        assertNoSecrets(e, API_KEY, "corp-api-key", BODY_SECRET);
    }

    @Test
    void rejectsAnHtmlPageAsTheWholeBodyWithoutEchoingIt() {
        server.stubFor(get(urlEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>Please log in MARKER-BODY</html>")));

        TokenException e = catchThrowableOfType(TokenException.class, () -> builder().build().token(TokenRequest.sourceDefault()));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("token.not-a-jwt");
        assertThat(e.diagnosis().evidence().get("response")).contains("text/html");
        assertNoSecrets(e, "MARKER-BODY");
    }

    @Test
    void rejectsJsonWithoutTheConfiguredMember() {
        server.stubFor(get(urlEqualTo(PATH)).willReturn(json(200, "{\"access_token\":\"" + JWT + "\"}")));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().tokenField("id_token").build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("url.malformed-response");
        assertThat(e.diagnosis().problem()).contains("'id_token'");
        assertThat(e.diagnosis().evidence()).containsEntry("JSON members", "[access_token]");
        assertNoSecrets(e, JWT);
    }

    @Test
    void toStringShowsHeaderNamesButNoValuesBodyOrQuery() {
        String text = builder().url(server.urlFor(PATH + "?key=QUERY-SECRET")).header("Authorization", API_KEY)
                .body(BODY_SECRET, "text/plain").build().toString();

        assertThat(text).contains("Authorization").contains("POST").contains(server.urlFor(PATH))
                .doesNotContain("corp-api-key").doesNotContain("BODY-SECRET").doesNotContain("QUERY-SECRET");
    }

    @Test
    void builderFailsFastOnBadOptions() {
        assertThat(catchThrowableOfType(ConfigurationException.class, () -> UrlTokenSource.builder().build())
                .diagnosis().evidence()).containsEntry("option", "url");
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> UrlTokenSource.builder().url("http://idp.example.com/token").build()).diagnosis().code())
                .isEqualTo("config.insecure-endpoint");
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> builder().body("x", null).method("GET").build()).diagnosis().evidence())
                .containsEntry("option", "method");
        assertThat(catchThrowableOfType(ConfigurationException.class, () -> builder().method("DELETE"))
                .diagnosis().evidence()).containsEntry("option", "method");
        ConfigurationException restricted = catchThrowableOfType(ConfigurationException.class,
                () -> builder().header("Host", "HEADER-SECRET"));
        assertThat(restricted.diagnosis().evidence()).containsEntry("option", "header");
        assertNoSecrets(restricted, "HEADER-SECRET");
    }
}
