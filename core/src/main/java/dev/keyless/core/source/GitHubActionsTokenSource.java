package dev.keyless.core.source;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Mints a fresh GitHub Actions OIDC token on every call, from the job's token endpoint
 * ({@code ACTIONS_ID_TOKEN_REQUEST_URL}, authorised by {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}).
 *
 * <p>The requested audience is passed as the {@code audience} query parameter; a request without one gets
 * GitHub's default (the repository owner's URL). By default each attempt times out after 10 seconds and a
 * call makes at most 5 attempts, retrying 5xx, 429, timeouts and GitHub's 403 "pending" (its token service
 * warming up) with jittered backoff from 500 ms up to 5 seconds. The request token never appears in
 * {@link #toString()} or in an error. Instances are immutable and thread-safe.
 */
public final class GitHubActionsTokenSource implements TokenSource {
    /** Set to {@code true} on every GitHub Actions runner. */
    public static final String GITHUB_ACTIONS = "GITHUB_ACTIONS";
    /** The job's token endpoint; set only when the job has {@code permissions: id-token: write}. */
    public static final String REQUEST_URL_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_URL";
    /** The bearer token for the endpoint; valid only while the job runs. */
    public static final String REQUEST_TOKEN_VARIABLE = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";

    static final String WHAT = "the GitHub Actions token endpoint";
    private static final String PERMISSIONS_YAML = "permissions:\n  id-token: write\n  contents: read";

    private final URI requestUri;
    private final String requestToken;
    private final HttpExchange exchange;

    private GitHubActionsTokenSource(URI requestUri, String requestToken, HttpExchange exchange) {
        this.requestUri = requestUri;
        this.requestToken = requestToken;
        this.exchange = exchange;
    }

    /** A builder; set the request URL and token, or {@link Builder#environment(Environment)} to read them. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The source for the current GitHub Actions job, if this is one.
     *
     * @return empty unless {@code GITHUB_ACTIONS=true}
     * @throws ConfigurationException (code {@code github.missing-id-token-permission}) when this is a GitHub
     *                                Actions job that cannot request OIDC tokens, with the YAML that fixes it
     */
    public static Optional<GitHubActionsTokenSource> fromEnvironment(Environment env) {
        Objects.requireNonNull(env, "env");
        if (!env.isTrue(GITHUB_ACTIONS)) {
            return Optional.empty();
        }
        return Optional.of(builder().environment(env).build());
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        URI uri = request.audience()
                .map(aud -> HttpTokenSupport.withQueryParameter(requestUri, "audience", aud))
                .orElse(requestUri);
        HttpRequest.Builder http = HttpRequest.newBuilder(uri)
                .header("Authorization", "Bearer " + requestToken)
                .header("Accept", "application/json; api-version=2.0")
                .GET();
        HttpExchange.Response response = exchange.send(http, WHAT, GitHubActionsTokenSource::isTransient);
        if (response.ok()) {
            String value = HttpTokenSupport.jsonString(response, "value")
                    .orElseThrow(() -> HttpTokenSupport.malformed(WHAT, "github.malformed-response", response, requestUri,
                            "a JSON object with a 'value' member", "Something between the runner and GitHub (a proxy, a "
                                    + "captive portal) answered instead of the token service, or the URL in "
                                    + REQUEST_URL_VARIABLE + " points elsewhere.",
                            "Check that " + REQUEST_URL_VARIABLE + " is the value the runner set, and that no proxy "
                                    + "rewrites requests to GitHub; retrying the job usually helps if GitHub had a glitch."));
            return HttpTokenSupport.parseToken(value, WHAT, response);
        }
        if (isTransient(response)) {
            throw HttpTokenSupport.unavailable(WHAT, "github.token-endpoint-unavailable", response, requestUri,
                    "Retried automatically on the next refresh; if it persists, check https://www.githubstatus.com.");
        }
        throw failure(response);
    }

    private TokenException failure(HttpExchange.Response response) {
        int status = response.status();
        if (status == 401 || status == 403) {
            return new TokenException(Diagnosis.builder(HttpTokenSupport.capitalize(WHAT) + " rejected the request token (HTTP "
                            + status + ").")
                    .code("github.request-token-rejected")
                    .likelyCause(REQUEST_TOKEN_VARIABLE + " is invalid or expired: it is valid only while the job that "
                            + "received it runs, so it cannot be saved and reused by a later job, another workflow or a "
                            + "process that outlives the job.")
                    .evidence("endpoint", HttpTokenSupport.describe(requestUri))
                    .evidence("HTTP status", status)
                    .evidence("response", response.bodyShape())
                    .fix("Request tokens from inside the running job, reading " + REQUEST_URL_VARIABLE + " and "
                            + REQUEST_TOKEN_VARIABLE + " from that job's environment; do not copy them between jobs.")
                    .build(), false);
        }
        return new TokenException(Diagnosis.builder(HttpTokenSupport.capitalize(WHAT) + " answered HTTP " + status + ".")
                .code("github.token-endpoint-error")
                .likelyCause(status == 404
                        ? "The token URL does not exist: " + REQUEST_URL_VARIABLE + " was changed, or belongs to a job that has ended."
                        : "GitHub refused the request.")
                .evidence("endpoint", HttpTokenSupport.describe(requestUri))
                .evidence("HTTP status", status)
                .evidence("response", response.bodyShape())
                .fix("Use " + REQUEST_URL_VARIABLE + " exactly as the runner set it, from inside the running job.")
                .build(), false);
    }

    /** 5xx, 429, 408, and 403 whose body mentions "pending": GitHub's answer while the token service warms up. */
    static boolean isTransient(HttpExchange.Response response) {
        return HttpExchange.isTransientStatus(response)
                || response.status() == 403 && response.body().toLowerCase(Locale.ROOT).contains("pending");
    }

    @Override
    public String name() {
        return "github-actions";
    }

    @Override
    public String toString() {
        return "GitHubActionsTokenSource{endpoint=" + HttpTokenSupport.describe(requestUri)
                + ", attemptTimeout=" + exchange.attemptTimeout() + ", maxAttempts=" + exchange.maxAttempts() + "}";
    }

    static ConfigurationException missingPermission(Environment env, List<String> missing) {
        Diagnosis.Builder d = Diagnosis.builder("This is a GitHub Actions job, but it cannot request an OIDC token: "
                        + String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not set.")
                .code("github.missing-id-token-permission")
                .likelyCause("The workflow or job does not grant `permissions: id-token: write`, or the run is a pull "
                        + "request from a fork, where GitHub withholds OIDC tokens.")
                .evidence("missing", String.join(", ", missing));
        // Not secret, and they tell the reader which workflow and event to look at.
        for (String name : List.of("GITHUB_REPOSITORY", "GITHUB_WORKFLOW", "GITHUB_EVENT_NAME")) {
            env.get(name).ifPresent(v -> d.evidence(name, v));
        }
        return new ConfigurationException(d.fix("Grant the job (or the whole workflow) the right to request OIDC tokens:\n"
                + PERMISSIONS_YAML + "\n"
                + "(Declaring permissions drops the defaults, so keep `contents: read` for actions/checkout.) "
                + "Pull requests from forks never get OIDC tokens: skip the cloud step for them.").build());
    }

    /** Builds a {@link GitHubActionsTokenSource}; the request URL and token are required. */
    public static final class Builder extends HttpSourceBuilder<Builder> {
        private String requestUrl;
        private String requestToken;
        private Environment environment;

        private Builder() {
            super(Duration.ofSeconds(5), Duration.ofSeconds(10), 5, Duration.ofMillis(500), Duration.ofSeconds(5));
        }

        /** The token endpoint; by default read from {@code ACTIONS_ID_TOKEN_REQUEST_URL} when an environment is set. */
        public Builder requestUrl(String requestUrl) {
            this.requestUrl = requestUrl;
            return this;
        }

        /** The endpoint's bearer token; by default read from {@code ACTIONS_ID_TOKEN_REQUEST_TOKEN}. Never shown. */
        public Builder requestToken(String requestToken) {
            this.requestToken = requestToken;
            return this;
        }

        /** Reads the request URL and token (when not set explicitly) from this environment. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws ConfigurationException when the URL or token is missing (with the {@code id-token: write} fix
         *                                when they were to come from the environment) or the URL is not https
         */
        public GitHubActionsTokenSource build() {
            String url = HttpTokenSupport.trimToNull(requestUrl);
            String token = HttpTokenSupport.trimToNull(requestToken);
            if (environment != null) {
                url = url != null ? url : environment.get(REQUEST_URL_VARIABLE).map(String::strip).orElse(null);
                token = token != null ? token : environment.get(REQUEST_TOKEN_VARIABLE).map(String::strip).orElse(null);
                List<String> missing = new ArrayList<>();
                if (url == null) {
                    missing.add(REQUEST_URL_VARIABLE);
                }
                if (token == null) {
                    missing.add(REQUEST_TOKEN_VARIABLE);
                }
                if (!missing.isEmpty()) {
                    throw missingPermission(environment, missing);
                }
            }
            if (url == null) {
                throw ConfigurationException.badOption("requestUrl", "it is not set",
                        "Pass the job's " + REQUEST_URL_VARIABLE + ", or call environment(Environment.system()).");
            }
            if (token == null) {
                throw ConfigurationException.badOption("requestToken", "it is not set",
                        "Pass the job's " + REQUEST_TOKEN_VARIABLE + ", or call environment(Environment.system()).");
            }
            URI uri = Endpoints.requireSafe(url, environment != null && requestUrl == null ? REQUEST_URL_VARIABLE : "requestUrl");
            return new GitHubActionsTokenSource(uri, token, http.exchange());
        }
    }
}
