package dev.keyless.aws.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.aws.ChainedRoleCredentialsProvider;
import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.aws.internal.sts.StsExchange;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.KeylessException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The STS endpoint a web identity token or source credentials are sent to must be https (plain http only on
 * loopback), for both providers; and the STS client a provider builds for itself bounds every attempt.
 */
class StsEndpointSafetyTest {

    static Stream<Arguments> remote() {
        return providers().flatMap(p -> Stream.of("http://sts.example.com", "http://sts.us-east-1.amazonaws.com",
                "http://127.0.0.1.nip.io:8080", "http://10.1.2.3").map(u -> Arguments.of(p.get()[0], p.get()[1], u)));
    }

    static Stream<Arguments> allowed() {
        return providers().flatMap(p -> Stream.of("https://sts.us-east-1.amazonaws.com", "https://vpce-1.sts.example.com",
                "http://127.0.0.1:4566", "http://localhost:4566", "http://[::1]:4566").map(u -> Arguments.of(p.get()[0],
                p.get()[1], u)));
    }

    private static Stream<Arguments> providers() {
        Consumer<URI> web = uri -> WebIdentityCredentialsProvider.builder().stsEndpoint(uri);
        Consumer<URI> chained = uri -> ChainedRoleCredentialsProvider.builder().stsEndpoint(uri);
        return Stream.of(Arguments.of("WebIdentityCredentialsProvider", web),
                Arguments.of("ChainedRoleCredentialsProvider", chained));
    }

    @ParameterizedTest(name = "{0}.stsEndpoint({2})")
    @MethodSource("remote")
    void plainHttpToARemoteStsIsRefused(String provider, Consumer<URI> option, String url) {
        Throwable thrown = catchThrowable(() -> option.accept(URI.create(url)));
        assertThat(thrown).isInstanceOf(ConfigurationException.class);
        KeylessException e = (KeylessException) thrown;
        assertThat(e.diagnosis().code()).isEqualTo("config.insecure-endpoint");
        assertThat(e.diagnosis().evidence()).containsEntry("option", "stsEndpoint");
        assertThat(e.getMessage()).contains("https://");
    }

    @ParameterizedTest(name = "{0}.stsEndpoint({2})")
    @MethodSource("allowed")
    void httpsAndLoopbackHttpAreAccepted(String provider, Consumer<URI> option, String url) {
        assertThatCode(() -> option.accept(URI.create(url))).doesNotThrowAnyException();
    }

    @Test
    void theStsClientAProviderBuildsBoundsEveryAttempt() {
        try (StsClient client = StsExchange.client(Region.US_EAST_1, Optional.of(URI.create("http://127.0.0.1:1")),
                AnonymousCredentialsProvider.create())) {
            assertThat(client.serviceClientConfiguration().overrideConfiguration().apiCallAttemptTimeout())
                    .hasValueSatisfying(t -> assertThat(t).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10)));
        }
    }
}
