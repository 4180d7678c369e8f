package dev.keyless.core.reliability;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.source.AzurePipelinesTokenSource;
import dev.keyless.core.source.ClientCredentialsTokenSource;
import dev.keyless.core.source.GitHubActionsTokenSource;
import dev.keyless.core.source.GoogleMetadataTokenSource;
import dev.keyless.core.source.UrlTokenSource;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every remote token endpoint core sends a credential to must be https; plain http is allowed only to loopback,
 * and the refusal names the option (or environment variable) and says to use https. Checked for each builder
 * option and environment variable that takes a URL, and for the token endpoint a discovery document names
 * ({@link EndpointSafetyPropertiesTest} checks the rule itself as a property).
 */
class EndpointSafetyTest {

    /** A way to configure a source with a URL, and the option name its error must carry. */
    record Option(String name, Function<String, Object> build) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Option> options() {
        return Stream.of(
                new Option("requestUrl", url -> GitHubActionsTokenSource.builder().requestUrl(url).requestToken("t").build()),
                new Option(GitHubActionsTokenSource.REQUEST_URL_VARIABLE, url -> GitHubActionsTokenSource.fromEnvironment(
                        Environment.of(Map.of("GITHUB_ACTIONS", "true", GitHubActionsTokenSource.REQUEST_URL_VARIABLE, url,
                                GitHubActionsTokenSource.REQUEST_TOKEN_VARIABLE, "t"))).orElseThrow()),
                new Option("issuer", url -> ClientCredentialsTokenSource.builder().issuer(url).clientId("c")
                        .clientSecret("s").build()),
                new Option("tokenEndpoint", url -> ClientCredentialsTokenSource.builder().tokenEndpoint(url).clientId("c")
                        .clientSecret("s").build()),
                new Option("url", url -> UrlTokenSource.builder().url(url).build()),
                new Option("requestUri", url -> AzurePipelinesTokenSource.builder().requestUri(url).accessToken("t")
                        .serviceConnectionId("00000000-0000-0000-0000-000000000000").build()),
                new Option(AzurePipelinesTokenSource.REQUEST_URI_VARIABLE, url -> AzurePipelinesTokenSource.builder()
                        .environment(Environment.of(Map.of(AzurePipelinesTokenSource.REQUEST_URI_VARIABLE, url,
                                AzurePipelinesTokenSource.ACCESS_TOKEN_VARIABLE, "t",
                                AzurePipelinesTokenSource.SERVICE_CONNECTION_VARIABLE,
                                "00000000-0000-0000-0000-000000000000"))).build()));
    }

    static Stream<Arguments> remoteHttp() {
        return options().flatMap(o -> Stream.of("http://token.example.com/token", "HTTP://Token.Example.COM/token",
                "http://127.0.0.1.nip.io/token", "http://localhost.evil.example/token", "http://0x7f000001/token",
                "http://10.0.0.1/token", "http://169.254.169.254/token").map(url -> Arguments.of(o, url)));
    }

    static Stream<Arguments> allowed() {
        return options().flatMap(o -> Stream.of("https://token.example.com/token", "http://127.0.0.1:8080/token",
                "http://localhost:8080/token", "http://[::1]:8080/token", "http://127.9.8.7/token",
                "http://api.localhost/token").map(url -> Arguments.of(o, url)));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("remoteHttp")
    void plainHttpToARemoteHostIsRefusedNamingTheOption(Option option, String url) {
        Throwable thrown = catchThrowable(() -> option.build().apply(url));
        assertThat(thrown).isInstanceOf(ConfigurationException.class);
        KeylessException e = (KeylessException) thrown;
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("config.insecure-endpoint");
        assertThat(e.diagnosis().evidence()).containsEntry("option", option.name());
        assertThat(e.getMessage()).contains(option.name()).contains("https://");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("allowed")
    void httpsAnywhereAndPlainHttpOnLoopbackAreAccepted(Option option, String url) {
        assertThatCode(() -> option.build().apply(url)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("notHttpUrls")
    void aUrlThatIsNotAbsoluteHttpIsRefusedNamingTheOption(Option option, String url) {
        Throwable thrown = catchThrowable(() -> option.build().apply(url));
        assertThat(thrown).isInstanceOf(ConfigurationException.class).hasMessageContaining(option.name());
    }

    static Stream<Arguments> notHttpUrls() {
        return options().flatMap(o -> Stream.of("ftp://token.example.com/t", "//token.example.com/t", "token.example.com",
                "https://", "file:///etc/passwd").map(url -> Arguments.of(o, url)));
    }

    @Test
    void aDiscoveryDocumentCannotSendTheClientSecretOverPlainHttp() {
        WireMockServer wm = new WireMockServer(wireMockConfig().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        try {
            String issuer = "http://127.0.0.1:" + wm.port();
            wm.stubFor(get(urlPathEqualTo("/.well-known/openid-configuration")).willReturn(aResponse()
                    .withHeader("Content-Type", "application/json")
                    .withBody("{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"http://idp.example.com/token\"}")));
            ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder().issuer(issuer).clientId("c")
                    .clientSecret("canary-secret-over-http").build();

            Throwable thrown = catchThrowable(() -> source.token(TokenRequest.forAudience("api://x")));
            assertThat(thrown).isInstanceOf(ConfigurationException.class);
            assertThat(((KeylessException) thrown).diagnosis().code()).isEqualTo("config.insecure-endpoint");
            assertThat(thrown).hasMessageContaining("token_endpoint");
            // Nothing was sent to the remote host: the only requests were for discovery.
            assertThat(wm.getAllServeEvents()).allMatch(e -> e.getRequest().getUrl().contains("openid-configuration"));
        } finally {
            wm.stop();
        }
    }

    @Test
    void theGoogleMetadataSourceTalksPlainHttpOnlyToTheMetadataServerOrLoopback() {
        for (String host : new String[] {"metadata.google.internal", "169.254.169.254", "127.0.0.1:8080", "localhost:9"}) {
            assertThatCode(() -> GoogleMetadataTokenSource.builder().host(host).build()).as(host).doesNotThrowAnyException();
        }
        for (String host : new String[] {"metadata.google.internal.evil.example", "169.254.169.253", "example.com"}) {
            Throwable thrown = catchThrowable(() -> GoogleMetadataTokenSource.builder().host(host).build());
            assertThat(thrown).as(host).isInstanceOf(ConfigurationException.class);
            assertThat(((KeylessException) thrown).diagnosis().code()).isEqualTo("google.metadata-host-not-allowed");
        }
    }
}
