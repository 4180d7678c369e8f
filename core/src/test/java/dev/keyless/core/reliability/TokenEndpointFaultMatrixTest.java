package dev.keyless.core.reliability;

import dev.keyless.core.testing.ManualClock;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static dev.keyless.core.reliability.FaultAssertions.assertDiagnosed;
import static dev.keyless.core.reliability.FaultAssertions.throwsWithin;
import static dev.keyless.core.reliability.FaultAssertions.within;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.refresh.RefreshingValue;
import dev.keyless.core.source.ClientCredentialsTokenSource;
import dev.keyless.core.source.GitHubActionsTokenSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fault matrix for core's remote token endpoints (the GitHub Actions ID-token endpoint and a corporate IdP's
 * OAuth token endpoint, client credentials), each behind core's refresh engine as every cloud module uses it.
 *
 * <p>For every endpoint and fault: the cached value keeps being served through the refresh window and up to its
 * expiry, and no caller is held longer than the configured attempt timeout allows; the failure carries a
 * diagnosis (and no secret); an expired value is never returned; and the first refresh after the fault clears
 * succeeds. Time is a manual clock; HTTP is real, on loopback (WireMock), so timeouts are real.
 */
class TokenEndpointFaultMatrixTest {
    private static final Instant T0 = Instant.parse("2026-05-04T10:00:00Z");
    /** The lifetime of the cached value (the "credentials" the token is exchanged for). */
    private static final Duration LIFETIME = Duration.ofMinutes(10);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(500);
    private static final int ATTEMPTS = 2;
    /** Attempts × timeout, the backoff between them, and slack for a loaded machine. */
    private static final Duration CALLER_BOUND = ATTEMPT_TIMEOUT.multipliedBy(ATTEMPTS).plusMillis(20).plusMillis(1500);
    /** A caller served from the cache waits for nothing. */
    private static final Duration CACHED_BOUND = Duration.ofMillis(250);

    private static final String AUDIENCE = "sts.amazonaws.com";
    private static final String REQUEST_TOKEN = LeakGuard.secret("canary-gha-request-token-5f0c2a9e");
    private static final String CLIENT_SECRET = LeakGuard.secret("canary-client-secret-a41d97bb");
    private static final String GITHUB_PATH = "/_apis/token";
    private static final String IDP_PATH = "/oauth2/token";

    private static int port;
    private static WireMockServer wireMock;

    private ScheduledThreadPoolExecutor executor;
    private final List<String> tokens = new ArrayList<>();

    enum Endpoint {
        GITHUB_ACTIONS, CORPORATE_IDP
    }

    /** A fault, from the socket up: each is injected on the endpoint's path and cleared by a healthy stub. */
    enum InjectedFault {
        CONNECTION_REFUSED(true),
        CONNECTION_RESET(true),
        RESET_MID_RESPONSE(true),
        STALL_PAST_TIMEOUT(true),
        STALL_MID_BODY(true),
        HTTP_500(true),
        HTTP_503(true),
        HTTP_429_THROTTLED(true),
        TRUNCATED_JSON(false),
        HTML_ERROR_PAGE(false),
        WRONG_CONTENT_TYPE(false);

        final boolean transientFault;

        InjectedFault(boolean transientFault) {
            this.transientFault = transientFault;
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (Endpoint e : Endpoint.values()) {
            for (InjectedFault f : InjectedFault.values()) {
                all.add(Arguments.of(e, f));
            }
        }
        return all.stream();
    }

    @BeforeAll
    static void startServer() {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // A fixed port, so that "connection refused" can be cleared by starting the same server again.
        wireMock = new WireMockServer(wireMockConfig().port(port).bindAddress("127.0.0.1"));
        wireMock.start();
        // One request first, so that no case pays for the server's and the HTTP client's first use.
        try {
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + port + "/warm-up")).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @AfterAll
    static void stopServer() {
        wireMock.stop();
    }

    @BeforeEach
    void setUp() {
        if (!wireMock.isRunning()) {
            wireMock.start();
        }
        wireMock.resetAll();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "matrix-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void aFaultIsContainedDiagnosedAndRecoveredFrom(Endpoint endpoint, InjectedFault fault) throws Exception {
        healthy(endpoint);
        TokenSource source = source(endpoint);
        ManualClock clock = new ManualClock(T0);
        RefreshingValue<IdentityToken> value = RefreshingValue
                .builder(endpoint + " token", () -> Expiring.of(source.token(TokenRequest.forAudience(AUDIENCE)),
                        clock.instant().plus(LIFETIME)))
                .clock(clock)
                .jitter(0)
                // Longer than the test: a background retry is never scheduled into it on the real executor.
                .backoff(Duration.ofMinutes(1), Duration.ofMinutes(1))
                .executor(executor)
                .build();
        IdentityToken first = value.get();
        String[] secrets = secrets();

        inject(endpoint, fault);

        // The refresh window (prefetch 5 minutes before expiry): served from the cache at once, refreshed in the
        // background, where the failure is kept with its diagnosis.
        clock.advance(Duration.ofMinutes(6));
        assertThat(within(CACHED_BOUND, value::get)).isSameAs(first);
        within(CALLER_BOUND, () -> drain(executor));
        assertThat(value.lastFailure()).as("the background refresh failed").isPresent();
        KeylessException failure = assertDiagnosed(value.lastFailure().get(), secrets);
        assertThat(failure.retryable()).as("retryable() of %s", failure.diagnosis().code()).isEqualTo(fault.transientFault);

        // Past the stale point, before expiry: the caller tries a refresh itself, bounded by the timeout, and
        // still gets the valid cached value when it fails.
        clock.advance(Duration.ofMinutes(3).plusSeconds(30));
        assertThat(within(CALLER_BOUND, value::get)).isSameAs(first);

        // Expired: never served, whatever the fault; the caller gets the diagnosed failure.
        clock.advance(Duration.ofSeconds(31));
        assertDiagnosed(throwsWithin(CALLER_BOUND, value::get), secrets);
        assertThat(value.peek()).isEmpty();

        // The fault clears: the next call (after the backoff) loads a new value.
        healthy(endpoint);
        clock.advance(Duration.ofMinutes(2));
        IdentityToken recovered = within(CALLER_BOUND, value::get);
        assertThat(recovered.value()).isNotEqualTo(first.value());
        assertThat(value.consecutiveFailures()).isZero();
        value.close();
    }

    private TokenSource source(Endpoint endpoint) {
        String base = "http://127.0.0.1:" + port;
        return switch (endpoint) {
            case GITHUB_ACTIONS -> GitHubActionsTokenSource.builder()
                    .requestUrl(base + GITHUB_PATH + "?api-version=2.0")
                    .requestToken(REQUEST_TOKEN)
                    .connectTimeout(ATTEMPT_TIMEOUT).attemptTimeout(ATTEMPT_TIMEOUT).maxAttempts(ATTEMPTS)
                    .backoffBase(Duration.ofMillis(10)).backoffMax(Duration.ofMillis(20))
                    .build();
            case CORPORATE_IDP -> ClientCredentialsTokenSource.builder()
                    .tokenEndpoint(base + IDP_PATH)
                    .clientId("keyless-ci")
                    .clientSecret(CLIENT_SECRET)
                    .connectTimeout(ATTEMPT_TIMEOUT).attemptTimeout(ATTEMPT_TIMEOUT).maxAttempts(ATTEMPTS)
                    .backoffBase(Duration.ofMillis(10)).backoffMax(Duration.ofMillis(20))
                    .build();
        };
    }

    private String[] secrets() {
        List<String> all = new ArrayList<>(tokens);
        all.add(REQUEST_TOKEN);
        all.add(CLIENT_SECRET);
        return all.toArray(String[]::new);
    }

    private MappingBuilder request(Endpoint endpoint) {
        return endpoint == Endpoint.GITHUB_ACTIONS ? get(urlPathEqualTo(GITHUB_PATH)) : post(urlPathEqualTo(IDP_PATH));
    }

    /** A fresh token on every call, as the real endpoints mint one per request. */
    private void healthy(Endpoint endpoint) {
        if (!wireMock.isRunning()) {
            wireMock.start();
        }
        wireMock.resetAll();
        String jwt = TestTokens.jwt("https://issuer.example", "repo:acme/app:ref:refs/heads/main", AUDIENCE,
                TestTokens.FAR_FUTURE.minusSeconds(tokens.size()));
        tokens.add(jwt);
        String body = endpoint == Endpoint.GITHUB_ACTIONS
                ? "{\"count\":" + jwt.length() + ",\"value\":\"" + jwt + "\"}"
                : "{\"access_token\":\"" + jwt + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}";
        wireMock.stubFor(request(endpoint).willReturn(json(200, body)));
    }

    private void inject(Endpoint endpoint, InjectedFault fault) {
        wireMock.resetAll();
        String jwt = tokens.get(tokens.size() - 1);
        String field = endpoint == Endpoint.GITHUB_ACTIONS ? "value" : "access_token";
        ResponseDefinitionBuilder response = switch (fault) {
            case CONNECTION_REFUSED -> null;
            case CONNECTION_RESET -> aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER);
            case RESET_MID_RESPONSE -> aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK);
            case STALL_PAST_TIMEOUT -> json(200, "{\"" + field + "\":\"" + jwt + "\"}")
                    .withFixedDelay((int) ATTEMPT_TIMEOUT.multipliedBy(4).toMillis());
            case STALL_MID_BODY -> json(200, "{\"" + field + "\":\"" + jwt + "\"}")
                    .withChunkedDribbleDelay(8, (int) ATTEMPT_TIMEOUT.multipliedBy(6).toMillis());
            case HTTP_500 -> json(500, "{\"message\":\"Internal Server Error\"}");
            case HTTP_503 -> json(503, "{\"message\":\"Service Unavailable\"}").withHeader("Retry-After", "1");
            case HTTP_429_THROTTLED -> json(429, "{\"error\":\"slow_down\"}").withHeader("Retry-After", "1");
            case TRUNCATED_JSON -> json(200, "{\"" + field + "\":\"" + jwt.substring(0, 40));
            case HTML_ERROR_PAGE -> aResponse().withStatus(200).withHeader("Content-Type", "text/html; charset=utf-8")
                    .withBody("<!DOCTYPE html><html><head><title>Proxy Authentication Required</title></head>"
                            + "<body><h1>Sign in to continue</h1><p>Corporate proxy</p></body></html>");
            case WRONG_CONTENT_TYPE -> aResponse().withStatus(200)
                    .withHeader("Content-Type", "application/x-www-form-urlencoded")
                    .withBody(field + "=" + jwt + "&token_type=bearer");
        };
        if (response == null) {
            wireMock.stop();
        } else {
            wireMock.stubFor(request(endpoint).willReturn(response));
        }
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json; charset=utf-8").withBody(body);
    }

    private static Void drain(ScheduledThreadPoolExecutor executor) {
        try {
            // The executor has one thread: once this no-op ran, the background refresh queued before it has finished.
            executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
