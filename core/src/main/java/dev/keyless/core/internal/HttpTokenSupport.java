package dev.keyless.core.internal;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the HTTP token sources (GitHub Actions, Azure Pipelines, Google metadata, a plain URL) share: the
 * retry and timeout options of their builders, query encoding, and secret-free diagnoses of bad responses.
 *
 * <p>Nothing here ever puts a header value, a response body or a token into a message: bodies are
 * described by their shape (content type and length) only, endpoints by scheme, host, port and path.
 */
public final class HttpTokenSupport {
    /** An upper bound on attempts, so that a typo such as 1000 cannot keep a caller retrying for hours. */
    public static final int MAX_ATTEMPTS_LIMIT = 20;

    private HttpTokenSupport() {
    }

    /**
     * The retry and timeout options every HTTP token source builder offers; each setter validates at once
     * and names the bad option. Builders keep one of these and turn it into an {@link HttpExchange} when built.
     */
    public static final class Options {
        private Duration connectTimeout;
        private Duration attemptTimeout;
        private int maxAttempts;
        private Duration backoffBase;
        private Duration backoffMax;
        private HttpClient httpClient;

        public Options(Duration connectTimeout, Duration attemptTimeout, int maxAttempts,
                Duration backoffBase, Duration backoffMax) {
            this.connectTimeout = connectTimeout;
            this.attemptTimeout = attemptTimeout;
            this.maxAttempts = maxAttempts;
            this.backoffBase = backoffBase;
            this.backoffMax = backoffMax;
        }

        public void connectTimeout(Duration value) {
            this.connectTimeout = positive("connectTimeout", value);
        }

        public void attemptTimeout(Duration value) {
            this.attemptTimeout = positive("attemptTimeout", value);
        }

        public void maxAttempts(int value) {
            if (value < 1 || value > MAX_ATTEMPTS_LIMIT) {
                throw ConfigurationException.badOption("maxAttempts", "it is " + value,
                        "Pass a number of attempts between 1 (no retry) and " + MAX_ATTEMPTS_LIMIT + ".");
            }
            this.maxAttempts = value;
        }

        public void backoffBase(Duration value) {
            this.backoffBase = notNegative("backoffBase", value);
        }

        public void backoffMax(Duration value) {
            this.backoffMax = notNegative("backoffMax", value);
        }

        public void httpClient(HttpClient value) {
            if (value == null) {
                throw ConfigurationException.badOption("httpClient", "it is null",
                        "Pass a java.net.http.HttpClient, or leave the option unset for a default client.");
            }
            this.httpClient = value;
        }

        public Duration attemptTimeout() {
            return attemptTimeout;
        }

        public int maxAttempts() {
            return maxAttempts;
        }

        /** Builds the exchange; an unset client becomes a default one (HTTP/1.1, no redirects, connect timeout). */
        public HttpExchange exchange() {
            if (backoffMax.compareTo(backoffBase) < 0) {
                throw ConfigurationException.badOption("backoffMax",
                        "it is " + backoffMax.toMillis() + " ms, below backoffBase " + backoffBase.toMillis() + " ms",
                        "Set backoffMax to at least backoffBase.");
            }
            HttpClient client = httpClient != null ? httpClient : HttpExchange.defaultClient(connectTimeout);
            return new HttpExchange(client, attemptTimeout, maxAttempts, new Backoff(backoffBase, backoffMax));
        }

        private static Duration positive(String option, Duration value) {
            if (value == null || value.isZero() || value.isNegative()) {
                throw ConfigurationException.badOption(option, "it is " + value,
                        "Pass a positive duration, e.g. Duration.ofSeconds(5).");
            }
            return value;
        }

        private static Duration notNegative(String option, Duration value) {
            if (value == null || value.isNegative()) {
                throw ConfigurationException.badOption(option, "it is " + value,
                        "Pass a duration of zero or more, e.g. Duration.ofMillis(500).");
            }
            return value;
        }
    }

    /**
     * Encodes a query parameter value: everything but unreserved characters is percent-encoded, and a
     * space becomes {@code %20} rather than the form-encoding {@code +}, which some servers read literally.
     */
    public static String encodeQueryValue(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** Appends {@code name=value} (value encoded here) to the URI's query, keeping whatever query it already has. */
    public static URI withQueryParameter(URI uri, String name, String value) {
        String text = uri.toString();
        String fragment = "";
        int hash = text.indexOf('#');
        if (hash >= 0) {
            fragment = text.substring(hash);
            text = text.substring(0, hash);
        }
        String separator = uri.getRawQuery() == null ? "?" : (text.endsWith("?") || text.endsWith("&") ? "" : "&");
        return URI.create(text + separator + encodeQueryValue(name) + "=" + encodeQueryValue(value) + fragment);
    }

    /** The endpoint as safe to show: scheme, host, port and path; never user info or a query (either may hold a secret). */
    public static String describe(URI uri) {
        StringBuilder sb = new StringBuilder();
        sb.append(uri.getScheme()).append("://").append(uri.getHost());
        if (uri.getPort() >= 0) {
            sb.append(':').append(uri.getPort());
        }
        sb.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        return sb.toString();
    }

    /** A string member of the JSON object in the body, if the body is a JSON object that has it. */
    public static Optional<String> jsonString(HttpExchange.Response response, String field) {
        return Json.object(response.body()).flatMap(o -> Json.string(o, field));
    }

    /** Whether the body parses as a JSON object at all (to tell "not JSON" from "JSON without the field"). */
    public static boolean isJsonObject(HttpExchange.Response response) {
        return Json.object(response.body()).isPresent();
    }

    /**
     * The top-level member names of a JSON body (names only, never values), or "(not a JSON object)". Names
     * that do not look like plain identifiers are only counted, in case a body uses a secret as a key.
     */
    public static String jsonMemberNames(HttpExchange.Response response) {
        return Json.object(response.body()).map(HttpTokenSupport::safeNames).orElse("(not a JSON object)");
    }

    private static String safeNames(Map<String, Object> object) {
        boolean plain = object.keySet().stream().allMatch(k -> k.length() <= 40 && k.matches("[A-Za-z0-9_.$-]*"));
        return plain ? String.valueOf(object.keySet()) : object.size() + " member(s)";
    }

    /**
     * A retryable failure: the endpoint still answered a transient status (5xx, 429...) after every attempt.
     */
    public static TokenException unavailable(String what, String code, HttpExchange.Response response, URI endpoint,
            String fix) {
        return new TokenException(Diagnosis.builder(capitalize(what) + " answered HTTP " + response.status()
                                + " after " + response.attempts() + " attempt(s).")
                        .code(code)
                        .likelyCause("The service is overloaded or briefly unavailable.")
                        .evidence("endpoint", describe(endpoint))
                        .evidence("HTTP status", response.status())
                        .evidence("attempts", response.attempts())
                        .evidence("response", response.bodyShape())
                        .fix(fix)
                        .build(), true);
    }

    /**
     * A non-retryable failure: a 2xx response that does not hold what was expected. Shows the body's
     * shape (content type, length, JSON member names), never the body.
     */
    public static TokenException malformed(String what, String code, HttpExchange.Response response, URI endpoint,
            String expected, String likelyCause, String fix) {
        boolean json = isJsonObject(response);
        Diagnosis.Builder d = Diagnosis.builder(capitalize(what) + " answered HTTP " + response.status() + " but "
                        + (json ? "the JSON has no string member '" + expected + "'." : "the body is not " + expected + "."))
                .code(code)
                .likelyCause(likelyCause)
                .evidence("endpoint", describe(endpoint))
                .evidence("HTTP status", response.status())
                .evidence("response", response.bodyShape());
        if (json) {
            d.evidence("JSON members", jsonMemberNames(response));
        }
        return new TokenException(d.fix(fix).build(), false);
    }

    /**
     * Parses the token; when it is not a JWT, the error (from {@link IdentityToken#parse(String, String)},
     * which never echoes the value) gains the response's status and shape as evidence.
     */
    public static IdentityToken parseToken(String value, String origin, HttpExchange.Response response) {
        try {
            return IdentityToken.parse(value, origin);
        } catch (TokenException e) {
            throw new TokenException(e.diagnosis().toBuilder()
                    .evidence("HTTP status", response.status())
                    .evidence("response", response.bodyShape())
                    .build(), false);
        }
    }

    /**
     * For sources whose audience is fixed elsewhere: when the request names an audience the token does not
     * carry, throws a {@link ConfigurationException} that shows both. A request without an audience accepts any token.
     */
    public static IdentityToken requireRequestedAudience(IdentityToken token, TokenRequest request, String sourceName,
            String code, String whyFixed, String fix) {
        Optional<String> requested = request.audience();
        if (requested.isEmpty() || token.audience().contains(requested.get())) {
            return token;
        }
        throw new ConfigurationException(Diagnosis.builder("The token from " + sourceName + " does not carry the requested "
                        + "audience '" + requested.get() + "', and this source cannot choose its audience.")
                .code(code)
                .likelyCause(whyFixed)
                .evidence("token aud", token.audience().isEmpty() ? "(none)" : String.join(", ", token.audience()))
                .evidence("requested audience", requested.get())
                .evidence("token iss", token.issuer())
                .fix(fix)
                .build());
    }

    /** Reads a non-blank value or returns null: blank strings count as unset, as for environment variables. */
    public static String trimToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }

    /** The text with its first letter in upper case, to start a sentence with an endpoint's name. */
    public static String capitalize(String text) {
        Objects.requireNonNull(text, "text");
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
