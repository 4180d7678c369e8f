package dev.keyless.core.internal;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.TokenException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One HTTP call to a token endpoint, with a per-attempt timeout and bounded, jittered retries.
 *
 * <p>Connection failures, timeouts and responses the caller marks as transient are retried up to
 * {@code maxAttempts}; the last response (of any status) is returned for the caller to diagnose, or a
 * retryable {@link TokenException} is thrown when the endpoint could not be reached at all. Response
 * bodies are capped so that a misbehaving endpoint cannot exhaust memory. Nothing here logs a header
 * or body: they may hold tokens.
 */
public final class HttpExchange {
    private static final Logger LOG = LoggerFactory.getLogger(HttpExchange.class);

    /** Responses larger than this are cut off and reported as malformed: identity tokens are a few KiB. */
    public static final int MAX_BODY_BYTES = 1 << 20;

    private final HttpClient client;
    private final Duration attemptTimeout;
    private final int maxAttempts;
    private final Backoff backoff;

    public HttpExchange(HttpClient client, Duration attemptTimeout, int maxAttempts, Backoff backoff) {
        this.client = Objects.requireNonNull(client, "client");
        this.attemptTimeout = Objects.requireNonNull(attemptTimeout, "attemptTimeout");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
        }
        this.maxAttempts = maxAttempts;
        this.backoff = Objects.requireNonNull(backoff, "backoff");
    }

    /** A default client: HTTP/1.1, no redirects (a token must not follow a redirect to another host), connect timeout. */
    public static HttpClient defaultClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }

    public Duration attemptTimeout() {
        return attemptTimeout;
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /** A response: status, headers and the body as text (capped at {@link #MAX_BODY_BYTES}). */
    public record Response(int status, HttpHeaders headers, String body, boolean truncated, int attempts) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }

        /** A short, secret-free description of the body's shape for diagnoses: its type and size, not its text. */
        public String bodyShape() {
            return (contentType().isEmpty() ? "no content type" : contentType()) + ", " + body.length() + " characters"
                    + (truncated ? " (cut off)" : "");
        }
    }

    /**
     * Sends the request built by {@code request} (a fresh builder per attempt, the timeout is set here).
     *
     * @param what       the endpoint's name in errors, e.g. "the GitHub Actions token endpoint"
     * @param transient_ which non-2xx responses to retry (5xx is a good default)
     */
    public Response send(HttpRequest.Builder request, String what, Predicate<Response> transient_) {
        return send(request::copy, what, transient_);
    }

    /**
     * As {@link #send(HttpRequest.Builder, String, Predicate)}, but asks {@code request} for a new builder on
     * every attempt: for requests that must differ per attempt, such as a client assertion whose {@code jti}
     * an identity provider accepts only once.
     */
    public Response send(Supplier<HttpRequest.Builder> request, String what, Predicate<Response> transient_) {
        Response last = null;
        IOException lastError = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            if (attempt > 1) {
                sleep(backoff.delay(attempt - 2));
            }
            HttpRequest built = request.get().timeout(attemptTimeout).build();
            CompletableFuture<HttpResponse<CappedBody>> pending =
                    client.sendAsync(built, info -> new CappedBodySubscriber(MAX_BODY_BYTES));
            try {
                // One deadline for the whole attempt, body included: the request timeout alone stops at the headers,
                // and a server that stalls mid-body must not hold a caller past the attempt timeout.
                HttpResponse<CappedBody> r = pending.get(attemptTimeout.toNanos(), TimeUnit.NANOSECONDS);
                last = new Response(r.statusCode(), r.headers(), r.body().text(), r.body().truncated(), attempt);
                lastError = null;
                if (last.ok() || !transient_.test(last)) {
                    return last;
                }
                LOG.debug("{} answered HTTP {} (attempt {}/{})", what, last.status(), attempt, maxAttempts);
            } catch (TimeoutException e) {
                pending.cancel(true);
                lastError = new HttpTimeoutException("no complete response within " + attemptTimeout.toMillis() + " ms");
                LOG.debug("{} did not answer within {} (attempt {}/{})", what, attemptTimeout, attempt, maxAttempts);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (!(cause instanceof IOException)) {
                    throw cause instanceof RuntimeException ? (RuntimeException) cause : new IllegalStateException(cause);
                }
                lastError = (IOException) cause;
                LOG.debug("{} could not be reached: {} (attempt {}/{})", what, cause.getClass().getSimpleName(), attempt, maxAttempts);
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                throw new TokenException(Diagnosis.builder("Interrupted while calling " + what + ".")
                        .code("http.interrupted").build(), true, e);
            }
        }
        if (lastError == null) {
            return last;
        }
        throw unreachable(built(request), what, lastError);
    }

    private static URI built(Supplier<HttpRequest.Builder> request) {
        return request.get().build().uri();
    }

    private TokenException unreachable(URI uri, String what, IOException error) {
        boolean timeout = error instanceof HttpTimeoutException;
        boolean refused = error instanceof ConnectException;
        String endpoint = uri.getScheme() + "://" + uri.getAuthority() + uri.getPath();
        return new TokenException(Diagnosis.builder((timeout ? what + " did not answer within " + attemptTimeout.toMillis() + " ms"
                                : "Could not reach " + what) + " after " + maxAttempts + " attempt(s).")
                .code(timeout ? "http.timeout" : "http.unreachable")
                .likelyCause(timeout ? "The endpoint is overloaded or a proxy holds the connection."
                        : refused ? "Nothing listens at that address, or a firewall refuses the connection."
                        : "The connection failed or was reset mid-response.")
                .evidence("endpoint", endpoint)
                .evidence("error", error.getClass().getSimpleName())
                .fix("Check that " + endpoint + " is reachable from this machine (proxy, firewall, DNS); "
                        + "transient outages are retried automatically on the next refresh.")
                .build(), true, error);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException(Diagnosis.builder("Interrupted while waiting to retry a token request.")
                    .code("http.interrupted").build(), true, e);
        }
    }

    /** The usual transient statuses: 5xx, 429 and 408. */
    public static boolean isTransientStatus(Response r) {
        return r.status() >= 500 || r.status() == 429 || r.status() == 408;
    }

    /** A response body as text, and whether it was cut at the cap. */
    private record CappedBody(String text, boolean truncated) {
    }

    /** Collects at most {@code cap} bytes, then cancels the rest: a misbehaving endpoint cannot exhaust memory. */
    private static final class CappedBodySubscriber implements HttpResponse.BodySubscriber<CappedBody> {
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<CappedBody> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBodySubscriber(int cap) {
            this.cap = cap;
        }

        @Override
        public CompletionStage<CappedBody> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return;
            }
            for (ByteBuffer b : buffers) {
                int take = Math.min(b.remaining(), cap - bytes.size());
                byte[] chunk = new byte[take];
                b.get(chunk);
                bytes.write(chunk, 0, take);
                if (b.hasRemaining()) {
                    subscription.cancel();
                    result.complete(new CappedBody(bytes.toString(StandardCharsets.UTF_8), true));
                    return;
                }
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(new CappedBody(bytes.toString(StandardCharsets.UTF_8), false));
        }
    }
}
