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
import java.util.Objects;
import java.util.Optional;

/**
 * Mints a fresh Azure Pipelines OIDC token on every call, for one Azure DevOps service connection, from the
 * job's {@code SYSTEM_OIDCREQUESTURI} endpoint, authorised by the job's {@code System.AccessToken}.
 *
 * <p>Azure DevOps issues these tokens for the fixed audience {@value #AUDIENCE}, so
 * {@link #supportsRequestedAudience()} is false and a request for another audience fails with a
 * {@link ConfigurationException} that says so. By default each attempt times out after 10 seconds and a
 * call makes at most 5 attempts, retrying 5xx, 429 and timeouts with jittered backoff from 500 ms up to
 * 5 seconds. The access token never appears in {@link #toString()} or in an error. Immutable and thread-safe.
 */
public final class AzurePipelinesTokenSource implements TokenSource {
    /** The audience of every Azure Pipelines OIDC token. */
    public static final String AUDIENCE = "api://AzureADTokenExchange";
    /** {@code True} on every Azure Pipelines agent. */
    public static final String TF_BUILD = "TF_BUILD";
    /** The job's OIDC token endpoint. */
    public static final String REQUEST_URI_VARIABLE = "SYSTEM_OIDCREQUESTURI";
    /** The job's access token; pipelines must map it explicitly ({@code env: SYSTEM_ACCESSTOKEN: $(System.AccessToken)}). */
    public static final String ACCESS_TOKEN_VARIABLE = "SYSTEM_ACCESSTOKEN";
    /** The service connection to mint for, read first. */
    public static final String SERVICE_CONNECTION_VARIABLE = "KEYLESS_AZURE_SERVICE_CONNECTION_ID";
    /** The service connection set by the AzureCLI@2 and AzurePowerShell tasks, read second. */
    public static final String TASK_SERVICE_CONNECTION_VARIABLE = "AZURESUBSCRIPTION_SERVICE_CONNECTION_ID";
    /** The Azure DevOps REST API version sent with each request. */
    public static final String API_VERSION = "7.1";

    static final String WHAT = "the Azure Pipelines OIDC token endpoint";
    private static final String YAML_FIX = "- script: ...\n"
            + "  env:\n"
            + "    SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n"
            + "    KEYLESS_AZURE_SERVICE_CONNECTION_ID: <the service connection's id>";

    private final URI requestUri;
    private final URI callUri;
    private final String accessToken;
    private final String serviceConnectionId;
    private final HttpExchange exchange;

    private AzurePipelinesTokenSource(URI requestUri, String accessToken, String serviceConnectionId, HttpExchange exchange) {
        this.requestUri = requestUri;
        this.callUri = HttpTokenSupport.withQueryParameter(
                HttpTokenSupport.withQueryParameter(requestUri, "api-version", API_VERSION),
                "serviceConnectionId", serviceConnectionId);
        this.accessToken = accessToken;
        this.serviceConnectionId = serviceConnectionId;
        this.exchange = exchange;
    }

    /** A builder; set the request URI, access token and service connection, or read them from an environment. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The source for the current Azure Pipelines job, if this is one that can request OIDC tokens.
     *
     * @return empty unless {@code TF_BUILD} is {@code True} (any case) and {@code SYSTEM_OIDCREQUESTURI} is set
     * @throws ConfigurationException when the job cannot use them: the access token is not mapped, or no
     *                                service connection id is known; the fix shows the YAML
     */
    public static Optional<AzurePipelinesTokenSource> fromEnvironment(Environment env) {
        Objects.requireNonNull(env, "env");
        if (!env.isTrue(TF_BUILD) || !env.has(REQUEST_URI_VARIABLE)) {
            return Optional.empty();
        }
        return Optional.of(builder().environment(env).build());
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        HttpRequest.Builder http = HttpRequest.newBuilder(callUri)
                .header("Authorization", "Bearer " + accessToken)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"));
        HttpExchange.Response response = exchange.send(http, WHAT, HttpExchange::isTransientStatus);
        if (!response.ok()) {
            if (HttpExchange.isTransientStatus(response)) {
                throw HttpTokenSupport.unavailable(WHAT, "azure-pipelines.token-endpoint-unavailable", response, requestUri,
                        "Retried automatically on the next refresh; if it persists, check https://status.dev.azure.com.");
            }
            throw failure(response);
        }
        String value = HttpTokenSupport.jsonString(response, "oidcToken").orElseThrow(() -> malformed(response));
        IdentityToken token = HttpTokenSupport.parseToken(value, WHAT, response);
        return HttpTokenSupport.requireRequestedAudience(token, request, name(), "token.audience-fixed",
                "Azure DevOps issues pipeline OIDC tokens only for the audience " + AUDIENCE + ".",
                "Use the token where " + AUDIENCE + " is accepted (Entra ID workload identity federation, or a cloud "
                        + "trust configured for that audience), or request no audience / " + AUDIENCE + ".");
    }

    private TokenException malformed(HttpExchange.Response response) {
        if (response.status() == 203) {
            // Azure DevOps answers a rejected access token with 203 and an HTML sign-in page rather than 401.
            return rejected(response);
        }
        return HttpTokenSupport.malformed(WHAT, "azure-pipelines.malformed-response", response, requestUri,
                "a JSON object with an 'oidcToken' member",
                "Something other than Azure DevOps answered (a proxy, a sign-in page), or " + REQUEST_URI_VARIABLE
                        + " points elsewhere.",
                "Check that " + REQUEST_URI_VARIABLE + " is the value the agent set and that " + ACCESS_TOKEN_VARIABLE
                        + " is mapped from $(System.AccessToken).");
    }

    private TokenException rejected(HttpExchange.Response response) {
        return new TokenException(Diagnosis.builder(HttpTokenSupport.capitalize(WHAT) + " did not accept the access token "
                        + "(HTTP " + response.status() + ").")
                .code("azure-pipelines.access-token-rejected")
                .likelyCause(ACCESS_TOKEN_VARIABLE + " is not the job's System.AccessToken (or has expired with its job), "
                        + "or the pipeline is not authorised to use service connection " + serviceConnectionId + ".")
                .evidence("endpoint", HttpTokenSupport.describe(requestUri))
                .evidence("service connection", serviceConnectionId)
                .evidence("HTTP status", response.status())
                .evidence("response", response.bodyShape())
                .fix("Map the job's access token in the step that runs Keyless and authorise the pipeline to use the "
                        + "service connection (Project settings > Service connections > Security):\n" + YAML_FIX)
                .build(), false);
    }

    private TokenException failure(HttpExchange.Response response) {
        int status = response.status();
        if (status == 401 || status == 403) {
            return rejected(response);
        }
        return new TokenException(Diagnosis.builder(HttpTokenSupport.capitalize(WHAT) + " answered HTTP " + status + ".")
                .code("azure-pipelines.token-endpoint-error")
                .likelyCause(status == 400 || status == 404
                        ? "Service connection " + serviceConnectionId + " does not exist in this project, is not a "
                                + "workload identity federation connection, or " + REQUEST_URI_VARIABLE + " was changed."
                        : "Azure DevOps refused the request.")
                .evidence("endpoint", HttpTokenSupport.describe(requestUri))
                .evidence("service connection", serviceConnectionId)
                .evidence("HTTP status", status)
                .evidence("response", response.bodyShape())
                .fix("Check the service connection id (Project settings > Service connections, the id in the "
                        + "connection's URL) and set it with serviceConnectionId(..) or " + SERVICE_CONNECTION_VARIABLE + ".")
                .build(), false);
    }

    /** The service connection the tokens are minted for. */
    public String serviceConnectionId() {
        return serviceConnectionId;
    }

    @Override
    public String name() {
        return "azure-pipelines";
    }

    /** False: Azure DevOps fixes the audience to {@value #AUDIENCE}. */
    @Override
    public boolean supportsRequestedAudience() {
        return false;
    }

    @Override
    public String toString() {
        return "AzurePipelinesTokenSource{endpoint=" + HttpTokenSupport.describe(requestUri)
                + ", serviceConnectionId=" + serviceConnectionId
                + ", attemptTimeout=" + exchange.attemptTimeout() + ", maxAttempts=" + exchange.maxAttempts() + "}";
    }

    private static ConfigurationException brokenEnvironment(Environment env, boolean noToken, boolean noConnection) {
        List<String> missing = new ArrayList<>();
        StringBuilder why = new StringBuilder();
        if (noToken) {
            missing.add(ACCESS_TOKEN_VARIABLE);
            why.append("Azure Pipelines does not expose System.AccessToken to scripts unless the step maps it explicitly. ");
        }
        if (noConnection) {
            missing.add(SERVICE_CONNECTION_VARIABLE + " (or " + TASK_SERVICE_CONNECTION_VARIABLE + ")");
            why.append("Tokens are minted for one service connection, and no variable names one (AzureCLI@2 and "
                    + "AzurePowerShell tasks set " + TASK_SERVICE_CONNECTION_VARIABLE + "; plain script steps do not).");
        }
        Diagnosis.Builder d = Diagnosis.builder("This is an Azure Pipelines job that can request OIDC tokens, but "
                        + String.join(" and ", missing) + (missing.size() == 1 ? " is" : " are") + " not set.")
                .code(noToken ? "azure-pipelines.missing-access-token" : "azure-pipelines.missing-service-connection")
                .likelyCause(why.toString().strip())
                .evidence("missing", String.join(", ", missing));
        // Not secret, and they tell the reader which pipeline to look at.
        for (String name : List.of("SYSTEM_TEAMPROJECT", "BUILD_DEFINITIONNAME", "BUILD_REASON")) {
            env.get(name).ifPresent(v -> d.evidence(name, v));
        }
        return new ConfigurationException(d.fix("Map them in the step that runs Keyless:\n" + YAML_FIX + "\n"
                        + "(AzureCLI@2 and AzurePowerShell tasks set " + TASK_SERVICE_CONNECTION_VARIABLE
                        + " themselves; the id is in the service connection's URL under Project settings > Service connections.)")
                .build());
    }

    /** Builds an {@link AzurePipelinesTokenSource}; the request URI, access token and service connection are required. */
    public static final class Builder extends HttpSourceBuilder<Builder> {
        private String requestUri;
        private String accessToken;
        private String serviceConnectionId;
        private Environment environment;

        private Builder() {
            super(Duration.ofSeconds(5), Duration.ofSeconds(10), 5, Duration.ofMillis(500), Duration.ofSeconds(5));
        }

        /** The token endpoint; by default read from {@code SYSTEM_OIDCREQUESTURI} when an environment is set. */
        public Builder requestUri(String requestUri) {
            this.requestUri = requestUri;
            return this;
        }

        /** The job's System.AccessToken; by default read from {@code SYSTEM_ACCESSTOKEN}. Never shown. */
        public Builder accessToken(String accessToken) {
            this.accessToken = accessToken;
            return this;
        }

        /**
         * The service connection id; by default read from {@code KEYLESS_AZURE_SERVICE_CONNECTION_ID}, then
         * {@code AZURESUBSCRIPTION_SERVICE_CONNECTION_ID}.
         */
        public Builder serviceConnectionId(String serviceConnectionId) {
            this.serviceConnectionId = serviceConnectionId;
            return this;
        }

        /** Reads whatever was not set explicitly from this environment. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws ConfigurationException when a required value is missing (with the pipeline YAML that sets it
         *                                when it was to come from the environment) or the URI is not https
         */
        public AzurePipelinesTokenSource build() {
            String uri = HttpTokenSupport.trimToNull(requestUri);
            String token = HttpTokenSupport.trimToNull(accessToken);
            String connection = HttpTokenSupport.trimToNull(serviceConnectionId);
            if (environment != null) {
                uri = uri != null ? uri : environment.get(REQUEST_URI_VARIABLE).map(String::strip).orElse(null);
                token = token != null ? token : environment.get(ACCESS_TOKEN_VARIABLE).map(String::strip).orElse(null);
                if (connection == null) {
                    connection = environment.get(SERVICE_CONNECTION_VARIABLE)
                            .or(() -> environment.get(TASK_SERVICE_CONNECTION_VARIABLE))
                            .map(String::strip).orElse(null);
                }
                if (uri == null) {
                    throw ConfigurationException.badOption("requestUri", REQUEST_URI_VARIABLE + " is not set",
                            "Run on an Azure Pipelines agent that supports OIDC (it sets " + REQUEST_URI_VARIABLE
                                    + "), or pass requestUri(..).");
                }
                if (token == null || connection == null) {
                    throw brokenEnvironment(environment, token == null, connection == null);
                }
            }
            if (uri == null) {
                throw ConfigurationException.badOption("requestUri", "it is not set",
                        "Pass the job's " + REQUEST_URI_VARIABLE + ", or call environment(Environment.system()).");
            }
            if (token == null) {
                throw ConfigurationException.badOption("accessToken", "it is not set",
                        "Pass the job's System.AccessToken, or call environment(Environment.system()).");
            }
            if (connection == null) {
                throw ConfigurationException.badOption("serviceConnectionId", "it is not set",
                        "Pass the id of the workload identity federation service connection.");
            }
            URI parsed = Endpoints.requireSafe(uri, environment != null && requestUri == null ? REQUEST_URI_VARIABLE : "requestUri");
            return new AzurePipelinesTokenSource(parsed, token, connection, http.exchange());
        }
    }
}
