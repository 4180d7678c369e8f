package dev.keyless.core.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TestTokens;
import dev.keyless.core.leak.LeakGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Shared by the HTTP token source tests: a loopback WireMock server, test JWTs, and secret-leak checks. */
final class HttpSourceFixtures {
    static final String ISSUER = "https://issuer.test";
    /** One client for all the tests of a class, as an application would share one. */
    static final HttpClient CLIENT = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    /**
     * The attempt timeout of the stall tests, and how long a stalled response is held: far apart, so that a
     * slow but healthy answer on a busy machine is not mistaken for a stall, nor a stall for an answer.
     */
    static final Duration SHORT_ATTEMPT_TIMEOUT = Duration.ofSeconds(1);
    static final int STALL_MILLIS = 3_000;

    private HttpSourceFixtures() {
    }

    /**
     * Points an HTTP source's builder at the shared {@link #CLIENT} with a 1 ms backoff, so that retry tests do
     * not wait; the test sets the source's own options and any other timeout or retry option after this.
     */
    static <B extends HttpSourceBuilder<B>> B testDefaults(B builder) {
        return builder.httpClient(CLIENT).backoffBase(Duration.ofMillis(1)).backoffMax(Duration.ofMillis(1));
    }

    /**
     * A loopback WireMock server for one test class: register it on a static field with
     * {@code @RegisterExtension}, and it is started (and warmed up) before the class's tests, reset before each
     * test, and stopped after the last. Each class gets its own server, so classes never see each other's stubs.
     */
    static final class LoopbackServer extends WireMockServer
            implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
        LoopbackServer() {
            super(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        }

        @Override
        public void beforeAll(ExtensionContext context) {
            start();
            warmUp(this);
        }

        @Override
        public void beforeEach(ExtensionContext context) {
            resetAll();
        }

        @Override
        public void afterAll(ExtensionContext context) {
            stop();
        }

        /** {@code 127.0.0.1:port}, as a metadata host option takes it. */
        String hostAndPort() {
            return "127.0.0.1:" + port();
        }

        /**
         * {@code http://127.0.0.1:port} followed by {@code pathAndQuery}. Not WireMock's own {@link #url}, which
         * names {@code localhost}: the sources must be tested against the address the server is bound to.
         */
        String urlFor(String pathAndQuery) {
            return "http://" + hostAndPort() + pathAndQuery;
        }
    }

    /**
     * One throw-away request, so that the first real one does not pay for class loading in the client and the
     * server (hundreds of milliseconds on a cold JVM), which would otherwise trip the short attempt timeouts.
     */
    private static void warmUp(WireMockServer server) {
        try {
            CLIENT.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/__warm-up")).build(),
                    HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        server.resetAll();
    }

    /** Registers a secret with the suite's {@link LeakGuard}, which fails any test that logs it; returns it. */
    static String secret(String value) {
        return LeakGuard.secret(value);
    }

    /**
     * An RS256-signed JWT with iss, sub, the given audience and a far-future exp, from the suite's shared
     * {@link TestTokens} (one key per JVM; every token is registered with the leak guard).
     */
    static String jwt(String subject, String audience) {
        return TestTokens.jwt(ISSUER, subject, audience, TestTokens.FAR_FUTURE);
    }

    /**
     * Stubs {@code mapping} to give the responses in order, the last one for every later request too.
     * Each call uses its own scenario name, so sequences in one test do not interfere.
     */
    static void stubSequence(WireMockServer server, String scenario, Supplier<MappingBuilder> mapping,
            ResponseDefinitionBuilder... responses) {
        for (int i = 0; i < responses.length; i++) {
            ScenarioMappingBuilder m = mapping.get().inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "step-" + i)
                    .willReturn(responses[i]);
            if (i < responses.length - 1) {
                m = m.willSetStateTo("step-" + (i + 1));
            }
            server.stubFor(m);
        }
    }

    static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/plain").withBody("unavailable");
    }

    /** Asserts that no secret appears in the exception's message, its diagnosis, or any cause's message. */
    static void assertNoSecrets(Throwable error, String... secrets) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()) + " " + t;
            if (t instanceof KeylessException) {
                text += " " + ((KeylessException) t).diagnosis().render();
            }
            for (String secret : secrets) {
                assertThat(text).as("exception text must not contain a secret").doesNotContain(secret);
            }
        }
    }
}
