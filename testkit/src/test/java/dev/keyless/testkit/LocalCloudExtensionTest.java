package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.keyless.core.Environment;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityResponse;

/** LocalCloud and the JUnit extension. */
class LocalCloudExtensionTest {

    /** What a job does: read the environment, get a token from the GitHub endpoint, exchange it at STS. */
    static AssumeRoleWithWebIdentityResponse githubJobExchange(LocalCloud cloud) throws Exception {
        Environment env = Environment.of(cloud.githubEnvironment());
        String url = env.get("ACTIONS_ID_TOKEN_REQUEST_URL").orElseThrow() + "&audience="
                + URLEncoder.encode(LocalCloud.AWS_AUDIENCE, StandardCharsets.UTF_8);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                .header("Authorization", "Bearer " + env.get("ACTIONS_ID_TOKEN_REQUEST_TOKEN").orElseThrow()).build(),
                HttpResponse.BodyHandlers.ofString());
        String jwt = (String) JSONObjectUtils.parse(r.body()).get("value");
        try (StsClient sts = Sdk.anonymous(cloud.sts().endpoint())) {
            return sts.assumeRoleWithWebIdentity(b -> b.roleArn(cloud.demoRoleArn()).roleSessionName("demo")
                    .webIdentityToken(jwt));
        }
    }

    @Test
    void startDefaultWiresTheDemo() throws Exception {
        try (LocalCloud cloud = LocalCloud.startDefault()) {
            assertThat(cloud.demoRoleArn()).isEqualTo("arn:aws:iam::123456789012:role/keyless-demo");
            assertThat(cloud.providerArn()).hasValue("arn:aws:iam::123456789012:oidc-provider/"
                    + cloud.issuer().url().getAuthority());
            AssumeRoleWithWebIdentityResponse r = githubJobExchange(cloud);
            assertThat(r.subjectFromWebIdentityToken()).isEqualTo("repo:keyless-dev/demo:ref:refs/heads/main");
            assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
            assertThat(cloud.github().tokensIssued()).isEqualTo(1);
        }
    }

    @Test
    void demoRoleRejectsOtherRepositories() {
        try (LocalCloud cloud = LocalCloud.startDefault()) {
            cloud.github().job(j -> j.repository("keyless-dev/other"));
            assertThatThrownBy(() -> githubJobExchange(cloud)).hasMessageContaining("Not authorized");
        }
    }

    @Test
    void closeStopsEveryServer() throws Exception {
        LocalCloud cloud = LocalCloud.start();
        URI discovery = cloud.issuer().discoveryUrl();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        assertThat(http.send(HttpRequest.newBuilder(discovery).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        cloud.close();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(discovery).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        assertThatThrownBy(cloud::demoRoleArn).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void pluggedServicesAreFoundAndClosed() {
        AtomicReference<Boolean> closed = new AtomicReference<>(false);
        class Fake implements AutoCloseable {
            final String issuer;

            Fake(String issuer) {
                this.issuer = issuer;
            }

            @Override
            public void close() {
                closed.set(true);
            }
        }
        try (LocalCloud cloud = LocalCloud.builder().service(Fake.class, c -> new Fake(c.issuer().issuerUrl())).start()) {
            assertThat(cloud.service(Fake.class)).get().extracting(f -> f.issuer).isEqualTo(cloud.issuer().issuerUrl());
            assertThat(cloud.service(LocalSts.class)).containsSame(cloud.sts());
            assertThat(cloud.service(String.class)).isEmpty();
        }
        assertThat(closed.get()).isTrue();
    }

    @Nested
    @LocalCloudTest
    class WithTheExtension {
        @Test
        void resolvesPartsOfOneCloudOnAMutableClock(LocalCloud cloud, LocalIssuer issuer, LocalSts sts,
                GitHubTokenEndpoint github, MutableClock clock) throws Exception {
            assertThat(issuer).isSameAs(cloud.issuer());
            assertThat(sts).isSameAs(cloud.sts());
            assertThat(github).isSameAs(cloud.github());
            assertThat(clock).isSameAs(cloud.clock());
            AssumeRoleWithWebIdentityResponse r = githubJobExchange(cloud);
            assertThat(r.credentials().expiration()).isEqualTo(clock.instant().plusSeconds(3600));
            clock.advance(Duration.ofHours(1));
            try (StsClient signed = Sdk.signed(sts.endpoint(), r.credentials())) {
                assertThatThrownBy(signed::getCallerIdentity).hasMessageContaining("expired");
            }
        }

        @Test
        void eachTestGetsItsOwnCloud(LocalSts sts) {
            assertThat(sts.calls()).isZero();
            assertThat(sts.roleArn(LocalCloud.DEMO_ROLE)).endsWith(":role/keyless-demo");
        }
    }

    @Nested
    @LocalCloudTest
    @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
    class StopsTheCloudAfterEachTest {
        private static URI previous; // a static field of an inner class: Java 16+

        @Test
        @Order(1)
        void first(LocalIssuer issuer) throws Exception {
            previous = issuer.discoveryUrl();
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(previous).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }

        @Test
        @Order(2)
        void second(LocalIssuer issuer) {
            assertThat(previous).isNotNull().isNotEqualTo(issuer.discoveryUrl());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(previous).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(java.io.IOException.class);
        }
    }

    @Nested
    @LocalCloudTest(defaultSetup = false, mutableClock = false, accountId = "210987654321",
            algorithm = SigningAlgorithm.ES256, customizers = Custom.class)
    class WithOptions {
        @Test
        void appliesTheAnnotation(LocalCloud cloud, Clock clock) {
            assertThat(cloud.clock()).isSameAs(Clock.systemUTC());
            assertThat(cloud.sts().accountId()).isEqualTo("210987654321");
            assertThat(cloud.issuer().algorithm()).isEqualTo(SigningAlgorithm.ES256);
            assertThat(cloud.providerArn()).isEmpty();
            assertThat(clock).isSameAs(Clock.systemUTC());
        }

        @Test
        void resolvesCustomServices(Marker marker) {
            assertThat(marker.value).isEqualTo("customized");
        }
    }

    static final class Marker {
        final String value;

        Marker(String value) {
            this.value = value;
        }
    }

    static final class Custom implements LocalCloudCustomizer {
        @Override
        public void customize(LocalCloud.Builder builder) {
            builder.service(Marker.class, c -> new Marker("customized"));
        }
    }
}
