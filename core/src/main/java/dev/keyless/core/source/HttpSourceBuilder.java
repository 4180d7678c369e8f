package dev.keyless.core.source;

import dev.keyless.core.internal.HttpTokenSupport;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The timeout and retry options every HTTP token source's builder offers, each validated at once with an error
 * naming the option. Defaults differ per source (a metadata server on the same host answers faster than a CI
 * system's token service); each source's documentation gives its own.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class HttpSourceBuilder<B extends HttpSourceBuilder<B>> {
    /** The options collected so far; sources in this package turn them into an exchange when built. */
    final HttpTokenSupport.Options http;

    HttpSourceBuilder(Duration connectTimeout, Duration attemptTimeout, int maxAttempts, Duration backoffBase,
            Duration backoffMax) {
        this.http = new HttpTokenSupport.Options(connectTimeout, attemptTimeout, maxAttempts, backoffBase, backoffMax);
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** How long to wait to connect (default client only). */
    public B connectTimeout(Duration connectTimeout) {
        http.connectTimeout(connectTimeout);
        return self();
    }

    /** How long one attempt may take, body included, before it is abandoned and retried. */
    public B attemptTimeout(Duration attemptTimeout) {
        http.attemptTimeout(attemptTimeout);
        return self();
    }

    /** Attempts per call, the first included (1 = no retry), at most 20. */
    public B maxAttempts(int maxAttempts) {
        http.maxAttempts(maxAttempts);
        return self();
    }

    /** The first retry's backoff ceiling, doubled per retry, jittered. */
    public B backoffBase(Duration backoffBase) {
        http.backoffBase(backoffBase);
        return self();
    }

    /** The largest backoff ceiling. */
    public B backoffMax(Duration backoffMax) {
        http.backoffMax(backoffMax);
        return self();
    }

    /** The HTTP client. By default, a new HTTP/1.1 client that follows no redirects. */
    public B httpClient(HttpClient httpClient) {
        http.httpClient(httpClient);
        return self();
    }
}
