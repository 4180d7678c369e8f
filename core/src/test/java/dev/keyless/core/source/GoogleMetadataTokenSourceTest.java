package dev.keyless.core.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static dev.keyless.core.source.HttpSourceFixtures.assertNoSecrets;
import static dev.keyless.core.source.HttpSourceFixtures.jwt;
import static dev.keyless.core.source.HttpSourceFixtures.status;
import static dev.keyless.core.source.HttpSourceFixtures.stubSequence;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GoogleMetadataTokenSourceTest {
    private static final String PATH = "/computeMetadata/v1/instance/service-accounts/default/identity";
    private static final String AUDIENCE = "//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q";
    private static final String JWT = jwt("1234567890", AUDIENCE);

    @RegisterExtension
    static final HttpSourceFixtures.LoopbackServer server = new HttpSourceFixtures.LoopbackServer();

    private GoogleMetadataTokenSource.Builder builder() {
        return HttpSourceFixtures.testDefaults(GoogleMetadataTokenSource.builder()).host(server.hostAndPort());
    }

    private static ResponseDefinitionBuilder jwtResponse(String jwt) {
        return aResponse().withStatus(200).withHeader("Metadata-Flavor", "Google")
                .withHeader("Content-Type", "text/html").withBody(jwt);
    }

    private int requests() {
        return server.countRequestsMatching(anyRequestedFor(anyUrl()).build()).getCount();
    }

    @Test
    void asksForAFullFormatTokenWithTheMetadataFlavorHeader() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(jwtResponse(JWT)));

        IdentityToken token = builder().build().token(TokenRequest.forAudience(AUDIENCE));

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(token.audience()).containsExactly(AUDIENCE);
        server.verify(1, getRequestedFor(urlEqualTo(PATH + "?audience="
                        + "%2F%2Fiam.googleapis.com%2Fprojects%2F1%2Flocations%2Fglobal%2FworkloadIdentityPools%2Fp%2Fproviders%2Fq"
                        + "&format=full"))
                .withHeader("Metadata-Flavor", equalTo("Google")));
    }

    @Test
    void encodesReservedCharactersAndSpacesInTheAudience() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(jwtResponse(JWT)));

        builder().build().token(TokenRequest.forAudience("https://a.test/x?y=1&z=a+b c"));

        server.verify(1, getRequestedFor(urlEqualTo(PATH + "?audience=https%3A%2F%2Fa.test%2Fx%3Fy%3D1%26z%3Da%2Bb%20c&format=full")));
    }

    @Test
    void usesTheNamedServiceAccount() {
        String path = "/computeMetadata/v1/instance/service-accounts/ci@proj.iam.gserviceaccount.com/identity";
        server.stubFor(get(urlPathEqualTo(path)).willReturn(jwtResponse(JWT)));

        builder().serviceAccount("ci@proj.iam.gserviceaccount.com").build().token(TokenRequest.forAudience(AUDIENCE));

        server.verify(1, getRequestedFor(urlPathEqualTo(path)));
    }

    @Test
    void requiresAnAudienceWithoutCallingTheServer() {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> builder().build().token(TokenRequest.sourceDefault()));

        assertThat(e.diagnosis().code()).isEqualTo("google.metadata-audience-required");
        assertThat(requests()).isZero();
    }

    @Test
    void retriesAStallAndServerErrors() {
        stubSequence(server, "flaky", () -> get(urlPathEqualTo(PATH)),
                jwtResponse(JWT).withFixedDelay(HttpSourceFixtures.STALL_MILLIS), status(503), jwtResponse(JWT));

        IdentityToken token = builder().attemptTimeout(HttpSourceFixtures.SHORT_ATTEMPT_TIMEOUT).build().token(TokenRequest.forAudience(AUDIENCE));

        assertThat(token.value()).isEqualTo(JWT);
        assertThat(requests()).isEqualTo(3);
    }

    @Test
    void givesUpAfterThreeAttemptsByDefault() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(status(503)));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience(AUDIENCE)));

        assertThat(requests()).isEqualTo(3);
        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("google.metadata-unavailable");
    }

    @Test
    void aMissingServiceAccountIsNotRetried() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(404).withBody("Not Found MARKER-BODY")));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience(AUDIENCE)));

        assertThat(requests()).isEqualTo(1);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("google.metadata-error");
        assertThat(e.diagnosis().likelyCause()).contains("service account");
        assertNoSecrets(e, "MARKER-BODY");
    }

    @Test
    void aPageFromSomethingElseIsRejectedWithoutEchoingIt() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>proxy login MARKER-BODY</html>")));

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> builder().build().token(TokenRequest.forAudience(AUDIENCE)));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("token.not-a-jwt");
        assertThat(e.diagnosis().evidence().get("Metadata-Flavor header")).startsWith("(absent");
        assertNoSecrets(e, "MARKER-BODY");
    }

    @Test
    void fromEnvironmentDoesNotProbeByDefault() {
        assertThat(GoogleMetadataTokenSource.fromEnvironment(Environment.of(Map.of()))).isEmpty();
        assertThat(GoogleMetadataTokenSource.fromEnvironment(Environment.of(Map.of("KEYLESS_GOOGLE_METADATA", "false"))))
                .isEmpty();
        assertThat(requests()).isZero();
    }

    @Test
    void fromEnvironmentUsesGceMetadataHost() {
        server.stubFor(get(urlPathEqualTo(PATH)).willReturn(jwtResponse(JWT)));

        GoogleMetadataTokenSource source = GoogleMetadataTokenSource
                .fromEnvironment(Environment.of(Map.of("GCE_METADATA_HOST", server.hostAndPort()))).orElseThrow();

        assertThat(source.token(TokenRequest.forAudience(AUDIENCE)).value()).isEqualTo(JWT);
        assertThat(source.toString()).contains("http://" + server.hostAndPort() + PATH);
    }

    @Test
    void fromEnvironmentCanBeEnabledForTheDefaultHost() {
        GoogleMetadataTokenSource source = GoogleMetadataTokenSource
                .fromEnvironment(Environment.of(Map.of("KEYLESS_GOOGLE_METADATA", "true"))).orElseThrow();

        assertThat(source.toString()).contains("http://metadata.google.internal" + PATH)
                .contains("attemptTimeout=PT3S").contains("maxAttempts=3");
        assertThat(source.name()).isEqualTo("google-metadata");
    }

    @Test
    void fromEnvironmentRefusesAHostThatIsNotAMetadataServer() {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, () -> GoogleMetadataTokenSource
                .fromEnvironment(Environment.of(Map.of("GCE_METADATA_HOST", "attacker.example.com"))));

        assertThat(e.diagnosis().code()).isEqualTo("google.metadata-host-not-allowed");
        assertThat(e.diagnosis().evidence()).containsEntry("option", "GCE_METADATA_HOST");
    }

    @ParameterizedTest
    @ValueSource(strings = {"metadata.google.internal", "169.254.169.254", "169.254.169.254:80", "localhost:8080", "[::1]:9000"})
    void allowsPlainHttpOnlyToMetadataAndLoopbackHosts(String host) {
        assertThat(GoogleMetadataTokenSource.builder().host(host).build().toString()).contains("http://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.1", "metadata.google.internal.evil.com", "evil.com/x", "user@metadata.google.internal", "169.254.169.253"})
    void refusesOtherHosts(String host) {
        assertThat(catchThrowableOfType(ConfigurationException.class,
                () -> GoogleMetadataTokenSource.builder().host(host).build())).isNotNull();
    }
}
