package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.internal.Endpoints;
import dev.keyless.core.internal.HttpExchange;
import dev.keyless.core.internal.HttpTokenSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Fetches a fresh identity token from an HTTP(S) endpoint on every call: a corporate token service, a
 * sidecar, a vault agent.
 *
 * <p>The request is a GET or a POST with optional headers and body; the token is the whole response body
 * (trimmed) or one member of a JSON response. When an audience query parameter is configured, the requested
 * audience is sent in it; otherwise the endpoint's audience is fixed, {@link #supportsRequestedAudience()} is
 * false, and a token that lacks a requested audience is rejected with a {@link ConfigurationException}.
 * By default: GET, the whole body is the token, no audience parameter, connect timeout 5 s, 10 s per attempt,
 * 3 attempts, retrying 5xx, 429 and timeouts with jittered backoff from 500 ms up to 5 s. Header values are
 * treated as secrets: only their names are ever shown. Instances are immutable and thread-safe.
 */
public final class UrlTokenSource implements TokenSource {
    private final URI uri;
    private final String method;
    private final Map<String, String> headers;
    private final String body;
    private final String tokenField;
    private final String audienceParameter;
    private final String name;
    private final HttpExchange exchange;

    private UrlTokenSource(Builder b, URI uri) {
        this.uri = uri;
        this.method = b.method;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        this.body = b.body;
        this.tokenField = b.tokenField;
        this.audienceParameter = b.audienceParameter;
        this.name = b.name != null ? b.name : "url:" + HttpTokenSupport.describe(uri);
        this.exchange = b.http.exchange();
    }

    /** A builder; the URL is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** A source that GETs {@code url} and reads the whole response body as the token, with default options. */
    public static UrlTokenSource create(String url) {
        return builder().url(url).build();
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        URI target = uri;
        if (audienceParameter != null && request.audience().isPresent()) {
            target = HttpTokenSupport.withQueryParameter(uri, audienceParameter, request.audience().get());
        }
        HttpRequest.Builder http = HttpRequest.newBuilder(target);
        headers.forEach(http::header);
        if (method.equals("POST")) {
            http.POST(body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        } else {
            http.GET();
        }
        String what = "the token URL " + HttpTokenSupport.describe(uri);
        HttpExchange.Response response = exchange.send(http, what, HttpExchange::isTransientStatus);
        if (!response.ok()) {
            if (HttpExchange.isTransientStatus(response)) {
                throw HttpTokenSupport.unavailable(what, "url.unavailable", response, uri,
                        "Retried automatically on the next refresh; if it persists, check the token service's health.");
            }
            throw failure(what, response);
        }
        String value;
        if (tokenField == null) {
            value = response.body();
        } else {
            value = HttpTokenSupport.jsonString(response, tokenField).orElseThrow(() -> HttpTokenSupport.malformed(what,
                    "url.malformed-response", response, uri, "a JSON object with a '" + tokenField + "' member",
                    "The endpoint answers in another format (an HTML login page, an error document), or puts the "
                            + "token in a member of another name.",
                    "Check what the endpoint returns (`keyless token` shows its shape) and set tokenField to the member "
                            + "that holds the ID token (for example id_token, access_token or token), or "
                            + "wholeBodyIsToken() when the body is the bare token."));
        }
        IdentityToken token = HttpTokenSupport.parseToken(value, what, response);
        if (audienceParameter != null) {
            return token;
        }
        return HttpTokenSupport.requireRequestedAudience(token, request, name, "token.audience-fixed",
                "This URL source has no audience parameter configured, so its audience is fixed by the endpoint.",
                "Request the audience the endpoint issues, configure the endpoint to issue tokens for the requested "
                        + "audience, or, if the endpoint takes the audience as a query parameter, set "
                        + "audienceParameter(\"<its name>\").");
    }

    private TokenException failure(String what, HttpExchange.Response response) {
        int status = response.status();
        boolean auth = status == 401 || status == 403;
        return new TokenException(Diagnosis.builder(HttpTokenSupport.capitalize(what) + " answered HTTP " + status + ".")
                .code(auth ? "url.unauthorized" : "url.http-error")
                .likelyCause(auth ? "The endpoint did not accept the credentials sent in the headers "
                        + (headers.isEmpty() ? "(none are configured)" : headers.keySet()) + ", or they have expired."
                        : status == 404 ? "The URL is wrong." : "The endpoint refused the request.")
                .evidence("endpoint", HttpTokenSupport.describe(uri))
                .evidence("method", method)
                .evidence("HTTP status", status)
                .evidence("header names", headers.keySet())
                .evidence("response", response.bodyShape())
                .fix(auth ? "Check the credentials passed in the headers and the endpoint's access rules."
                        : "Check the URL, the method and the body the endpoint expects.")
                .build(), false);
    }

    @Override
    public String name() {
        return name;
    }

    /** True only when an audience query parameter is configured; otherwise the endpoint fixes the audience. */
    @Override
    public boolean supportsRequestedAudience() {
        return audienceParameter != null;
    }

    /** The JSON member the token is read from, if not the whole body (for reports). */
    public Optional<String> tokenField() {
        return Optional.ofNullable(tokenField);
    }

    @Override
    public String toString() {
        return "UrlTokenSource{name=" + name + ", method=" + method + ", endpoint=" + HttpTokenSupport.describe(uri)
                + ", headers=" + headers.keySet() + ", tokenField=" + (tokenField == null ? "(whole body)" : tokenField)
                + ", audienceParameter=" + (audienceParameter == null ? "(none)" : audienceParameter)
                + ", attemptTimeout=" + exchange.attemptTimeout() + ", maxAttempts=" + exchange.maxAttempts() + "}";
    }

    /** Builds a {@link UrlTokenSource}. */
    public static final class Builder extends HttpSourceBuilder<Builder> {
        private String url;
        private String method = "GET";
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body;
        private String tokenField;
        private String audienceParameter;
        private String name;

        private Builder() {
            super(Duration.ofSeconds(5), Duration.ofSeconds(10), 3, Duration.ofMillis(500), Duration.ofSeconds(5));
        }

        /** The endpoint: https, or http on a loopback address only. Required. */
        public Builder url(String url) {
            this.url = url;
            return this;
        }

        /** {@code GET} or {@code POST}, any case. By default, GET. */
        public Builder method(String method) {
            String m = method == null ? "" : method.strip().toUpperCase(Locale.ROOT);
            if (!m.equals("GET") && !m.equals("POST")) {
                throw ConfigurationException.badOption("method", "it is '" + method + "'", "Use GET or POST.");
            }
            this.method = m;
            return this;
        }

        /**
         * Adds a request header, for example {@code Authorization}. The value is treated as a secret: it is never
         * shown, only the name is. Setting the same name again replaces the value.
         */
        public Builder header(String name, String value) {
            if (name == null || name.isBlank()) {
                throw ConfigurationException.badOption("header", "a header name is blank", "Pass a header name such as Authorization.");
            }
            if (value == null) {
                throw ConfigurationException.badOption("header", "the value of header '" + name + "' is null",
                        "Pass a value, or do not set the header.");
            }
            try {
                // The JDK refuses some names (Host, Content-Length...) and control characters: fail here, not per call.
                HttpRequest.newBuilder().header(name, value);
            } catch (IllegalArgumentException e) {
                throw ConfigurationException.badOption("header", "header '" + name.strip()
                                + "' cannot be set (a restricted name, or a control character in the name or value)",
                        "Remove the header, or fix its name or value.");
            }
            headers.put(name, value);
            return this;
        }

        /** A body to send, which makes the request a POST. Treated as a secret (it may hold credentials). */
        public Builder body(String body, String contentType) {
            if (body == null) {
                throw ConfigurationException.badOption("body", "it is null", "Pass a body, or do not set one.");
            }
            this.body = body;
            this.method = "POST";
            if (contentType != null && !contentType.isBlank()) {
                header("Content-Type", contentType);
            }
            return this;
        }

        /** Reads the token from this member of a JSON response, e.g. {@code id_token}, {@code access_token}, {@code token}. */
        public Builder tokenField(String tokenField) {
            if (tokenField == null || tokenField.isBlank()) {
                throw ConfigurationException.badOption("tokenField", "it is blank",
                        "Pass the JSON member that holds the token, or call wholeBodyIsToken().");
            }
            this.tokenField = tokenField.strip();
            return this;
        }

        /** The whole response body (trimmed) is the token. The default. */
        public Builder wholeBodyIsToken() {
            this.tokenField = null;
            return this;
        }

        /**
         * Sends the requested audience in this query parameter (e.g. {@code audience}), which makes
         * {@link #supportsRequestedAudience()} true. By default, none: the endpoint's audience is fixed.
         */
        public Builder audienceParameter(String audienceParameter) {
            if (audienceParameter == null || audienceParameter.isBlank()) {
                throw ConfigurationException.badOption("audienceParameter", "it is blank",
                        "Pass the query parameter name the endpoint reads the audience from, e.g. audience.");
            }
            this.audienceParameter = audienceParameter.strip();
            return this;
        }

        /** The name shown in diagnostics. By default, {@code url:} and the endpoint without its query. */
        public Builder name(String name) {
            if (name == null || name.isBlank()) {
                throw ConfigurationException.badOption("name", "it is blank", "Pass a short name such as corp-idp.");
            }
            this.name = name.strip();
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws ConfigurationException when the URL is missing, malformed or plain http to a non-loopback host
         */
        public UrlTokenSource build() {
            URI uri = Endpoints.requireSafe(url, "url");
            if (method.equals("GET") && body != null) {
                throw ConfigurationException.badOption("method", "it is GET but a body is set",
                        "Use POST to send a body, or remove the body.");
            }
            return new UrlTokenSource(this, uri);
        }
    }
}
