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
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Mints a fresh Google-signed identity token on every call from the Google Compute Engine metadata server
 * (GCE, GKE, Cloud Run, Cloud Functions, Cloud Build), for the instance's service account and the requested audience.
 *
 * <p>The metadata server speaks plain http by design, so http is allowed here, and only here, for
 * {@code metadata.google.internal}, {@code 169.254.169.254} and loopback addresses (emulators); no other
 * host is accepted. A request must name an audience. By default: host {@value #DEFAULT_HOST} (or
 * {@code GCE_METADATA_HOST}, as in Google's own libraries), the {@code default} service account,
 * {@code format=full}, connect timeout 1 s, 3 s per attempt, 3 attempts, retrying 5xx, 429 and timeouts with
 * jittered backoff from 100 ms up to 1 s. Immutable and thread-safe.
 */
public final class GoogleMetadataTokenSource implements TokenSource {
    /** The metadata server's DNS name. */
    public static final String DEFAULT_HOST = "metadata.google.internal";
    /** Overrides the metadata host (host or host:port), as Google's client libraries do. */
    public static final String HOST_VARIABLE = "GCE_METADATA_HOST";
    /** Set to {@code true} to have detection use the metadata server without {@code GCE_METADATA_HOST}. */
    public static final String ENABLE_VARIABLE = "KEYLESS_GOOGLE_METADATA";

    /**
     * The only non-loopback hosts plain http may go to: the metadata server's name and its link-local address,
     * which are reachable only from inside the VM or pod. This exception is deliberately not part of
     * {@link Endpoints}, which allows http on loopback only.
     */
    private static final Set<String> METADATA_HOSTS = Set.of(DEFAULT_HOST, "169.254.169.254");

    static final String WHAT = "the Google metadata server";

    private final URI baseUri;
    private final String serviceAccount;
    private final HttpExchange exchange;

    private GoogleMetadataTokenSource(URI baseUri, String serviceAccount, HttpExchange exchange) {
        this.baseUri = baseUri;
        this.serviceAccount = serviceAccount;
        this.exchange = exchange;
    }

    /** A builder with the defaults above. */
    public static Builder builder() {
        return new Builder();
    }

    /** A source for the default host and service account, with default timeouts. */
    public static GoogleMetadataTokenSource create() {
        return builder().build();
    }

    /**
     * The metadata-server source, if the environment asks for it: {@code GCE_METADATA_HOST} is set, or
     * {@code KEYLESS_GOOGLE_METADATA=true}. Detection never probes the network.
     *
     * @return empty when neither variable is set
     * @throws ConfigurationException when {@code GCE_METADATA_HOST} names a host that is not a metadata server
     */
    public static Optional<GoogleMetadataTokenSource> fromEnvironment(Environment env) {
        Objects.requireNonNull(env, "env");
        if (!env.has(HOST_VARIABLE) && !env.isTrue(ENABLE_VARIABLE)) {
            return Optional.empty();
        }
        return Optional.of(builder().environment(env).build());
    }

    @Override
    public IdentityToken token(TokenRequest request) {
        Objects.requireNonNull(request, "request");
        String audience = request.audience().orElseThrow(() -> new ConfigurationException(Diagnosis.builder(
                        "The Google metadata server needs an audience to mint an identity token, and the request has none.")
                .code("google.metadata-audience-required")
                .likelyCause("The caller asked for the source's default audience, but the metadata server has none.")
                .evidence("source", name())
                .fix("Request the audience the receiving service expects, e.g. TokenRequest.forAudience(\"sts.amazonaws.com\") "
                        + "for AWS or the workload identity provider's audience.")
                .build()));
        URI uri = HttpTokenSupport.withQueryParameter(
                HttpTokenSupport.withQueryParameter(baseUri, "audience", audience), "format", "full");
        HttpRequest.Builder http = HttpRequest.newBuilder(uri)
                .header("Metadata-Flavor", "Google")
                .GET();
        HttpExchange.Response response = exchange.send(http, WHAT, HttpExchange::isTransientStatus);
        if (!response.ok()) {
            if (HttpExchange.isTransientStatus(response)) {
                throw HttpTokenSupport.unavailable(WHAT, "google.metadata-unavailable", response, baseUri,
                        "Retried automatically on the next refresh; the metadata server is usually back within seconds.");
            }
            throw failure(response);
        }
        IdentityToken token;
        try {
            token = HttpTokenSupport.parseToken(response.body(), WHAT, response);
        } catch (TokenException e) {
            boolean google = response.headers().firstValue("Metadata-Flavor").map("Google"::equalsIgnoreCase).orElse(false);
            throw new TokenException(e.diagnosis().toBuilder()
                    .evidence("Metadata-Flavor header", google ? "Google" : "(absent: the answer did not come from a metadata server)")
                    .build(), false);
        }
        return token;
    }

    private TokenException failure(HttpExchange.Response response) {
        int status = response.status();
        return new TokenException(Diagnosis.builder(HttpTokenSupport.capitalize(WHAT) + " answered HTTP " + status
                        + " for an identity token of service account '" + serviceAccount + "'.")
                .code("google.metadata-error")
                .likelyCause(status == 404
                        ? "No service account '" + serviceAccount + "' is attached to this VM, node or workload "
                                + "(on GKE: Workload Identity is not bound for the Kubernetes service account)."
                        : status == 403
                        ? "The metadata server refused the request (a missing Metadata-Flavor header through a proxy, "
                                + "or a GKE metadata server policy)."
                        : "The metadata server refused the request.")
                .evidence("endpoint", HttpTokenSupport.describe(baseUri))
                .evidence("HTTP status", status)
                .evidence("response", response.bodyShape())
                .fix("Attach a service account to the workload (or bind Workload Identity on GKE), or name an attached "
                        + "one with serviceAccount(..).")
                .build(), false);
    }

    @Override
    public String name() {
        return "google-metadata";
    }

    @Override
    public String toString() {
        return "GoogleMetadataTokenSource{endpoint=" + HttpTokenSupport.describe(baseUri)
                + ", attemptTimeout=" + exchange.attemptTimeout() + ", maxAttempts=" + exchange.maxAttempts() + "}";
    }

    /** Builds a {@link GoogleMetadataTokenSource}. */
    public static final class Builder extends HttpSourceBuilder<Builder> {
        private String host;
        private String serviceAccount = "default";
        private Environment environment;

        private Builder() {
            super(Duration.ofSeconds(1), Duration.ofSeconds(3), 3, Duration.ofMillis(100), Duration.ofSeconds(1));
        }

        /**
         * The metadata host, {@code host} or {@code host:port}: {@code metadata.google.internal},
         * {@code 169.254.169.254} or a loopback address. By default, {@code GCE_METADATA_HOST} when an
         * environment is set and has it, else {@value #DEFAULT_HOST}.
         */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The service account, by email or {@code default}. By default, {@code default}. */
        public Builder serviceAccount(String serviceAccount) {
            if (serviceAccount == null || serviceAccount.isBlank() || !serviceAccount.strip().matches("[A-Za-z0-9@._-]+")) {
                throw ConfigurationException.badOption("serviceAccount", "it is '" + serviceAccount + "'",
                        "Pass `default` or a service account email such as app@project.iam.gserviceaccount.com.");
            }
            this.serviceAccount = serviceAccount.strip();
            return this;
        }

        /** Reads {@code GCE_METADATA_HOST} from this environment when no host is set explicitly. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * Builds the source.
         *
         * @throws ConfigurationException when the host is not a metadata server or loopback address
         */
        public GoogleMetadataTokenSource build() {
            String option = "host";
            String h = HttpTokenSupport.trimToNull(host);
            if (h == null && environment != null) {
                h = environment.get(HOST_VARIABLE).map(String::strip).orElse(null);
                option = HOST_VARIABLE;
            }
            if (h == null) {
                h = DEFAULT_HOST;
            }
            URI base = metadataUri(h, option, serviceAccount);
            return new GoogleMetadataTokenSource(base, serviceAccount, http.exchange());
        }

        private static URI metadataUri(String host, String option, String serviceAccount) {
            URI uri = null;
            if (host.matches("[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?")) {
                try {
                    uri = new URI("http://" + host + "/computeMetadata/v1/instance/service-accounts/" + serviceAccount + "/identity");
                } catch (URISyntaxException e) {
                    uri = null;
                }
            }
            if (uri == null || uri.getHost() == null) {
                throw ConfigurationException.badOption(option, "'" + host + "' is not a host or host:port",
                        "Set it to " + DEFAULT_HOST + ", 169.254.169.254, or a loopback host:port for an emulator.");
            }
            String name = uri.getHost().toLowerCase(Locale.ROOT);
            if (!METADATA_HOSTS.contains(name) && !Endpoints.isLoopback(name)) {
                throw new ConfigurationException(Diagnosis.builder("Refusing to ask " + uri.getHost()
                                + " for identity tokens: it is not the Google metadata server (" + option + ").")
                        .code("google.metadata-host-not-allowed")
                        .likelyCause("The metadata server is reached over plain http, which is safe only for its own "
                                + "addresses inside the VM or pod; any other host could read the request.")
                        .evidence("option", option)
                        .evidence("host", uri.getHost())
                        .fix("Set " + option + " to " + DEFAULT_HOST + " or 169.254.169.254 (or a loopback host:port "
                                + "for an emulator), or unset it to use the default.")
                        .build());
            }
            return uri;
        }
    }
}
