package dev.keyless.core.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
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
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class AzurePipelinesTokenSourceTest {
    private static final String ACCESS_TOKEN = HttpSourceFixtures.secret("azdo-system-access-token-SECRET-777");
    private static final String PATH = "/acme/0a1b/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken";
    private static final String CONNECTION = "5e3c1b2a-0000-4d6e-9f10-112233445566";
    private static final String JWT = jwt("sc://acme/web/prod-connection", AzurePipelinesTokenSource.AUDIENCE);

    @RegisterExtension
    static final HttpSourceFixtures.LoopbackServer server = new HttpSourceFixtures.LoopbackServer();

    private AzurePipelinesTokenSource.Builder builder() {
        return HttpSourceFixtures.testDefaults(AzurePipelinesTokenSource.builder())
                .requestUri(server.urlFor(PATH))
                .accessToken(ACCESS_TOKEN)
                .serviceConnectionId(CONNECTION);
    }

    private Map<String, String> pipelineEnv() {
        Map<String, String> vars = new HashMap<>();
        vars.put("TF_BUILD", "True");
        vars.put("SYSTEM_OIDCREQUESTURI", server.urlFor(PATH));
        vars.put("SYSTEM_ACCESSTOKEN", ACCESS_TOKEN);
        vars.put("SYSTEM_TEAMPROJECT", "web");
        return vars;
    }

    private void stubToken() {
        server.stubFor(post(urlPathEqualTo(PATH)).willReturn(json(200, "{\"oidcToken\":\"" + JWT + "\"}")));
    }

    private int requests() {
        return server.countRequestsMatching(postRequestedFor(urlPathEqualTo(PATH)).build()).getCount();
    }

    @Test
    void postsForTheServiceConnectionAndReadsOidcToken() {
        stubToken();

        IdentityToken token = builder().build().token(TokenRequest.sourceDefault());

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(token.audience()).containsExactly("api://AzureADTokenExchange");
        server.verify(1, postRequestedFor(urlEqualTo(PATH + "?api-version=7.1&serviceConnectionId=" + CONNECTION))
                .withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN))
                .withHeader("Content-Type", equalTo("application/json"))
                .withRequestBody(equalToJson("{}")));
    }

    @Test
    void acceptsARequestForItsOwnAudienceAndExplainsAnyOther() {
        stubToken();
        AzurePipelinesTokenSource source = builder().build();

        assertThat(source.supportsRequestedAudience()).isFalse();
        assertThat(source.token(TokenRequest.forAudience(AzurePipelinesTokenSource.AUDIENCE)).value()).isEqualTo(JWT);
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(e.diagnosis().code()).isEqualTo("token.audience-fixed");
        assertThat(e.diagnosis().likelyCause()).contains("api://AzureADTokenExchange");
        assertThat(e.diagnosis().evidence()).containsEntry("token aud", "api://AzureADTokenExchange")
                .containsEntry("requested audience", "sts.amazonaws.com");
        assertNoSecrets(e, JWT, ACCESS_TOKEN);
    }

    @Test
    void retriesServerErrorsUntilSuccess() {
        stubSequence(server, "500s", () -> post(urlPathEqualTo(PATH)),
                status(500), status(503), json(200, "{\"oidcToken\":\"" + JWT + "\"}"));

        assertThat(builder().build().token(TokenRequest.sourceDefault()).value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(3);
    }

    @Test
    void givesUpAfterMaxAttempts() {
        server.stubFor(post(urlPathEqualTo(PATH)).willReturn(status(503)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().maxAttempts(3).build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(3);
        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.token-endpoint-unavailable");
        assertNoSecrets(e, ACCESS_TOKEN);
    }

    @Test
    void aSignInPageWith203MeansTheAccessTokenWasRejected() {
        server.stubFor(post(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(203)
                .withHeader("Content-Type", "text/html").withBody("<html>Azure DevOps Services | Sign In MARKER-BODY</html>")));

        TokenException e = catchThrowableOfType(TokenException.class, () -> builder().build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.access-token-rejected");
        assertThat(e.diagnosis().fix()).contains("SYSTEM_ACCESSTOKEN: $(System.AccessToken)");
        assertNoSecrets(e, ACCESS_TOKEN, "MARKER-BODY");
    }

    @Test
    void doesNotRetryUnauthorized() {
        server.stubFor(post(urlPathEqualTo(PATH)).willReturn(json(401, "{}")));

        TokenException e = catchThrowableOfType(TokenException.class, () -> builder().build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.access-token-rejected");
        assertThat(e.diagnosis().evidence()).containsEntry("service connection", CONNECTION);
        assertNoSecrets(e, ACCESS_TOKEN);
    }

    @Test
    void anUnknownServiceConnectionIsNotRetried() {
        server.stubFor(post(urlPathEqualTo(PATH)).willReturn(json(404, "{\"message\":\"MARKER-BODY\"}")));

        TokenException e = catchThrowableOfType(TokenException.class, () -> builder().build().token(TokenRequest.sourceDefault()));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.token-endpoint-error");
        assertThat(e.diagnosis().likelyCause()).contains(CONNECTION);
        assertNoSecrets(e, ACCESS_TOKEN, "MARKER-BODY");
    }

    @Test
    void jsonWithoutOidcTokenIsMalformed() {
        server.stubFor(post(urlPathEqualTo(PATH)).willReturn(json(200, "{\"value\":\"" + JWT + "\"}")));

        TokenException e = catchThrowableOfType(TokenException.class, () -> builder().build().token(TokenRequest.sourceDefault()));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.malformed-response");
        assertThat(e.diagnosis().evidence().get("response")).contains("application/json");
        assertNoSecrets(e, JWT, ACCESS_TOKEN);
    }

    @Test
    void fromEnvironmentIsEmptyOutsideAnOidcCapablePipeline() {
        assertThat(AzurePipelinesTokenSource.fromEnvironment(Environment.of(Map.of()))).isEmpty();
        Map<String, String> noOidc = pipelineEnv();
        noOidc.remove("SYSTEM_OIDCREQUESTURI");
        assertThat(AzurePipelinesTokenSource.fromEnvironment(Environment.of(noOidc))).isEmpty();
        Map<String, String> notTfBuild = pipelineEnv();
        notTfBuild.put("TF_BUILD", "False");
        assertThat(AzurePipelinesTokenSource.fromEnvironment(Environment.of(notTfBuild))).isEmpty();
    }

    @Test
    void fromEnvironmentWithoutTheMappedAccessTokenShowsTheYaml() {
        Map<String, String> vars = pipelineEnv();
        vars.remove("SYSTEM_ACCESSTOKEN");
        vars.put("KEYLESS_AZURE_SERVICE_CONNECTION_ID", CONNECTION);

        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> AzurePipelinesTokenSource.fromEnvironment(Environment.of(vars)));

        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.missing-access-token");
        assertThat(e.diagnosis().fix()).contains("env:\n    SYSTEM_ACCESSTOKEN: $(System.AccessToken)");
        assertThat(e.diagnosis().evidence()).containsEntry("missing", "SYSTEM_ACCESSTOKEN")
                .containsEntry("SYSTEM_TEAMPROJECT", "web");
    }

    @Test
    void fromEnvironmentWithoutAServiceConnectionSaysWhereToSetIt() {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> AzurePipelinesTokenSource.fromEnvironment(Environment.of(pipelineEnv())));

        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.missing-service-connection");
        assertThat(e.diagnosis().fix()).contains("KEYLESS_AZURE_SERVICE_CONNECTION_ID:")
                .contains("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID");
        assertThat(e.diagnosis().evidence()).containsEntry("missing",
                "KEYLESS_AZURE_SERVICE_CONNECTION_ID (or AZURESUBSCRIPTION_SERVICE_CONNECTION_ID)");
        assertNoSecrets(e, ACCESS_TOKEN);
    }

    @Test
    void fromEnvironmentNamesEveryMissingVariable() {
        Map<String, String> vars = pipelineEnv();
        vars.remove("SYSTEM_ACCESSTOKEN");

        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> AzurePipelinesTokenSource.fromEnvironment(Environment.of(vars)));

        assertThat(e.diagnosis().code()).isEqualTo("azure-pipelines.missing-access-token");
        assertThat(e.diagnosis().evidence().get("missing")).startsWith("SYSTEM_ACCESSTOKEN, KEYLESS_AZURE_SERVICE_CONNECTION_ID");
    }

    @Test
    void fromEnvironmentPrefersTheKeylessServiceConnectionOverTheTaskOne() {
        stubToken();
        Map<String, String> vars = pipelineEnv();
        vars.put("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "task-connection");
        AzurePipelinesTokenSource fromTask = AzurePipelinesTokenSource.fromEnvironment(Environment.of(vars)).orElseThrow();
        vars.put("KEYLESS_AZURE_SERVICE_CONNECTION_ID", "keyless-connection");
        AzurePipelinesTokenSource fromKeyless = AzurePipelinesTokenSource.fromEnvironment(Environment.of(vars)).orElseThrow();

        assertThat(fromTask.serviceConnectionId()).isEqualTo("task-connection");
        assertThat(fromKeyless.serviceConnectionId()).isEqualTo("keyless-connection");
        assertThat(fromKeyless.token(TokenRequest.sourceDefault()).value()).isEqualTo(JWT);
        server.verify(1, postRequestedFor(urlEqualTo(PATH + "?api-version=7.1&serviceConnectionId=keyless-connection"))
                .withHeader("Authorization", equalTo("Bearer " + ACCESS_TOKEN)));
    }

    @Test
    void tfBuildIsCaseInsensitive() {
        Map<String, String> vars = pipelineEnv();
        vars.put("TF_BUILD", "true");
        vars.put("AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", CONNECTION);

        assertThat(AzurePipelinesTokenSource.fromEnvironment(Environment.of(vars))).isPresent();
    }

    @Test
    void toStringShowsNoAccessToken() {
        String text = builder().build().toString();

        assertThat(text).contains(server.urlFor(PATH)).contains(CONNECTION).doesNotContain(ACCESS_TOKEN);
    }
}
