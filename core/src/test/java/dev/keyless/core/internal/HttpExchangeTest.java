package dev.keyless.core.internal;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.keyless.core.TokenException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The one HTTP call every token source makes: deadlines cover the body, faults are retried, bodies are capped. */
class HttpExchangeTest {
    private WireMockServer server;
    private HttpExchange exchange;

    @BeforeEach
    void start() {
        server = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        server.start();
        // Generous for a cold, shared machine; the stall test below dribbles for far longer than this.
        exchange = new HttpExchange(HttpExchange.defaultClient(Duration.ofSeconds(5)), Duration.ofMillis(2500), 2,
                new Backoff(Duration.ofMillis(1), Duration.ofMillis(2)));
    }

    @AfterEach
    void stop() {
        server.stop();
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/token")).GET();
    }

    @Test
    void aServerThatStallsMidBodyIsCutOffAtTheAttemptTimeout() {
        server.stubFor(get("/token").willReturn(aResponse().withStatus(200).withBody("x".repeat(2000))
                .withChunkedDribbleDelay(20, 20_000)));
        long started = System.nanoTime();
        assertThatThrownBy(() -> exchange.send(request(), "the test endpoint", HttpExchange::isTransientStatus))
                .isInstanceOfSatisfying(TokenException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.diagnosis().code()).isEqualTo("http.timeout");
                });
        // Two attempts of 2.5 s, not two dribbles of 20 s.
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
        server.verify(2, getRequestedFor(urlEqualTo("/token")));
    }

    @Test
    void aConnectionResetMidResponseIsRetriedThenReported() {
        server.stubFor(get("/token").willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        assertThatThrownBy(() -> exchange.send(request(), "the test endpoint", HttpExchange::isTransientStatus))
                .isInstanceOfSatisfying(TokenException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.diagnosis().code()).isEqualTo("http.unreachable");
                });
        // Our two attempts; the JDK client may itself retry an idempotent GET once per attempt on a reset.
        assertThat(server.findAll(getRequestedFor(urlEqualTo("/token")))).hasSizeBetween(2, 4);
    }

    @Test
    void aConnectionRefusedIsRetryableAndNamesTheEndpoint() {
        int port = server.port();
        server.stop();
        assertThatThrownBy(() -> exchange.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/token?secret=x")),
                "the test endpoint", HttpExchange::isTransientStatus))
                .isInstanceOfSatisfying(TokenException.class, e -> {
                    assertThat(e.retryable()).isTrue();
                    assertThat(e.diagnosis().evidence().get("endpoint")).isEqualTo("http://127.0.0.1:" + port + "/token");
                    assertThat(e.getMessage()).doesNotContain("secret=x");
                });
    }

    @Test
    void largeBodiesAreCappedAndMarkedTruncated() {
        server.stubFor(get("/token").willReturn(aResponse().withStatus(200).withBody("y".repeat(HttpExchange.MAX_BODY_BYTES + 5000))));
        HttpExchange.Response r = exchange.send(request(), "the test endpoint", HttpExchange::isTransientStatus);
        assertThat(r.truncated()).isTrue();
        assertThat(r.body()).hasSize(HttpExchange.MAX_BODY_BYTES);
        assertThat(r.bodyShape()).contains("cut off");
    }

    @Test
    void nonTransientErrorsAreReturnedAfterOneAttempt() {
        server.stubFor(get("/token").willReturn(aResponse().withStatus(404).withBody("{}")));
        HttpExchange.Response r = exchange.send(request(), "the test endpoint", HttpExchange::isTransientStatus);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.attempts()).isEqualTo(1);
        server.verify(1, getRequestedFor(urlEqualTo("/token")));
    }
}
