package dev.keyless.azure;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientAssertionCredential;
import com.azure.identity.ClientAssertionCredentialBuilder;
import com.azure.identity.CredentialUnavailableException;
import dev.keyless.azure.internal.ExchangeFailures;
import dev.keyless.azure.internal.OneExchangeAssertion;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.refresh.RefreshingValue;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.core.source.TokenSources;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * An azure-core {@link TokenCredential} that exchanges an OIDC identity token from any Keyless {@link TokenSource}
 * (GitHub Actions, GitLab, a Kubernetes token file, ...) for an Entra ID access token: workload identity federation
 * with a client assertion, on azure-identity's {@link ClientAssertionCredential}.
 *
 * <p>Contract:
 * <ul>
 *   <li>Every exchange presents a freshly minted token (never one reused from an earlier exchange: GitHub tokens live
 *       five minutes, and reusing one is the classic AADSTS700024 of long jobs).</li>
 *   <li>Access tokens are cached per set of scopes (and tenant, and CAE flag) in Keyless's {@link RefreshingValue}:
 *       exactly one exchange in flight however many threads ask, refreshed in the background before expiry (by default
 *       from 5 minutes before, jittered), and never an expired token. azure-identity's own MSAL cache is not relied on:
 *       each exchange uses a fresh {@code ClientAssertionCredential}, so the refresh engine alone decides when to
 *       exchange. A request with CAE claims (a claims challenge) always exchanges anew and is not cached.</li>
 *   <li>Entra's refusals become {@link EntraExchangeException}s whose diagnosis shows the presented {@code iss},
 *       {@code sub} and {@code aud} beside what must be registered; token source failures keep their own
 *       Keyless exception.</li>
 *   <li>Not configured (no tenant id or client id, no token source found): {@link #create()} returns a credential
 *       whose {@code getToken} throws azure-identity's {@link CredentialUnavailableException}, so a
 *       {@code ChainedTokenCredential} moves on to its next credential; a builder fails fast unless told
 *       {@link Builder#unavailableWhenNotConfigured(boolean)}.</li>
 * </ul>
 *
 * <p>Settings and defaults, explicit options winning over the environment: tenant from {@code AZURE_TENANT_ID}; client id
 * from {@code AZURE_CLIENT_ID}; cloud from {@code AZURE_AUTHORITY_HOST}, else the public cloud; assertion audience the
 * cloud's ({@code api://AzureADTokenExchange}, {@code ...China}, {@code ...USGov}); token source a file at
 * {@code AZURE_FEDERATED_TOKEN_FILE}, else ambient detection ({@link TokenSources#detect(Environment)}). MSAL instance
 * discovery is on for the known clouds and off for a custom authority host. Time from the injected clock (by default the
 * system UTC clock); background refreshes on one daemon thread owned by the credential, stopped by {@link #close()}.
 * Thread-safe. {@link #toString()} shows the configuration, never a token.
 */
public final class FederatedTokenCredential implements TokenCredential, AutoCloseable {
    /** The variables read, in the order azure-identity's WorkloadIdentityCredential reads them. */
    public static final String TENANT_ID = "AZURE_TENANT_ID";
    public static final String CLIENT_ID = "AZURE_CLIENT_ID";
    public static final String AUTHORITY_HOST = "AZURE_AUTHORITY_HOST";
    public static final String FEDERATED_TOKEN_FILE = "AZURE_FEDERATED_TOKEN_FILE";

    private static final Pattern TENANT = Pattern.compile("[A-Za-z0-9.-]+");
    /** The clock azure-identity dates {@link AccessToken#getExpiresAt()} with; converted to the injected clock's time. */
    private static final Clock SDK_CLOCK = Clock.systemUTC();

    private final Settings settings;
    private final Diagnosis unavailable;
    private final Clock clock;
    private final HttpClient httpClient;
    private final RetryOptions retryOptions;
    private final List<String> additionallyAllowedTenants;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;
    private final Map<CacheKey, RefreshingValue<AccessToken>> cache = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private FederatedTokenCredential(Builder b, Settings settings, Diagnosis unavailable) {
        this.settings = settings;
        this.unavailable = unavailable;
        this.clock = b.clock;
        this.httpClient = b.httpClient;
        this.retryOptions = b.retryOptions;
        this.additionallyAllowedTenants = List.copyOf(b.additionallyAllowedTenants);
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownsExecutor = false;
        } else if (settings != null) {
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "keyless-azure-refresh-" + settings.clientId);
                t.setDaemon(true);
                return t;
            });
            this.ownsExecutor = true;
        } else {
            this.executor = null;
            this.ownsExecutor = false;
        }
    }

    /**
     * A credential configured from the process environment ({@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID},
     * {@code AZURE_AUTHORITY_HOST}, {@code AZURE_FEDERATED_TOKEN_FILE}, else ambient detection), that reports
     * {@link CredentialUnavailableException} when not configured, so that it drops into a {@code ChainedTokenCredential}.
     *
     * @throws ConfigurationException when a variable is set but malformed, or the environment is "here but broken"
     *                                (e.g. GitHub Actions without {@code id-token: write})
     */
    public static FederatedTokenCredential create() {
        return builder().unavailableWhenNotConfigured(true).build();
    }

    /** A builder; by default everything comes from {@link Environment#system()}. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Mono<AccessToken> getToken(TokenRequestContext request) {
        // The refresh engine blocks only when there is no valid token; run it off the caller's (event loop) thread.
        return Mono.fromCallable(() -> getTokenSync(request)).subscribeOn(Schedulers.boundedElastic());
    }

    /**
     * Returns a valid access token for the request's scopes, exchanging only when there is none or it is about to expire.
     *
     * @throws CredentialUnavailableException when not configured and built with {@code unavailableWhenNotConfigured}
     * @throws EntraExchangeException         when Entra refuses or cannot be reached
     * @throws dev.keyless.core.KeylessException when the token source fails
     */
    @Override
    public AccessToken getTokenSync(TokenRequestContext request) {
        Objects.requireNonNull(request, "request");
        if (closed) {
            throw new IllegalStateException("FederatedTokenCredential is closed");
        }
        if (settings == null) {
            throw new CredentialUnavailableException(unavailable.render(), new ConfigurationException(unavailable));
        }
        if (request.getScopes() == null || request.getScopes().isEmpty()) {
            throw ConfigurationException.badOption("scopes", "the token request has no scope",
                    "Ask for RESOURCE/.default, e.g. https://storage.azure.com/.default.");
        }
        CacheKey key = CacheKey.of(request);
        if (request.getClaims() != null) {
            return exchange(key, request.getClaims()).value();
        }
        return cache.computeIfAbsent(key, k -> RefreshingValue.builder(
                        "azure-token " + settings.clientId + " " + k.scopes, () -> exchange(k, null))
                .clock(clock)
                .executor(executor)
                .build()).get();
    }

    /** One exchange with a freshly minted assertion, on a fresh ClientAssertionCredential (empty MSAL cache). */
    private Expiring<AccessToken> exchange(CacheKey key, String claims) {
        TokenSource source = settings.source();
        OneExchangeAssertion assertion = new OneExchangeAssertion(source, settings.tokenRequest(source));
        ClientAssertionCredentialBuilder builder = new ClientAssertionCredentialBuilder()
                .tenantId(settings.tenantId)
                .clientId(settings.clientId)
                .clientAssertion(assertion)
                .authorityHost(settings.cloud.authorityHost().toString());
        if (!settings.instanceDiscovery) {
            builder.disableInstanceDiscovery();
        }
        if (httpClient != null) {
            builder.httpClient(httpClient);
        }
        if (retryOptions != null) {
            builder.retryOptions(retryOptions);
        }
        if (!additionallyAllowedTenants.isEmpty()) {
            builder.additionallyAllowedTenants(additionallyAllowedTenants);
        }
        TokenRequestContext context = new TokenRequestContext().setScopes(new ArrayList<>(key.scopes))
                .setTenantId(key.tenantId).setCaeEnabled(key.cae).setClaims(claims);
        AccessToken token;
        try {
            token = builder.build().getTokenSync(context);
        } catch (RuntimeException e) {
            throw ExchangeFailures.translate(e, assertion.presented().orElse(null), settings.tenantId, settings.clientId,
                    settings.cloud.authorityHost());
        }
        // azure-identity dates the expiry by the system clock; what is left of it is what counts on the injected clock.
        Duration remaining = Duration.between(SDK_CLOCK.instant(), token.getExpiresAt().toInstant());
        return Expiring.of(token, clock.instant().plus(remaining));
    }

    /** The tenant id, if configured. */
    public Optional<String> tenantId() {
        return settings == null ? Optional.empty() : Optional.of(settings.tenantId);
    }

    /** The application (client) id, if configured. */
    public Optional<String> clientId() {
        return settings == null ? Optional.empty() : Optional.of(settings.clientId);
    }

    /** The cloud, if configured. */
    public Optional<AzureCloud> cloud() {
        return settings == null ? Optional.empty() : Optional.of(settings.cloud);
    }

    /** The audience assertions are requested with, if configured. */
    public Optional<String> audience() {
        return settings == null ? Optional.empty() : Optional.of(settings.audience);
    }

    /** The token source, if configured. */
    public Optional<TokenSource> tokenSource() {
        return settings == null ? Optional.empty() : Optional.of(settings.source());
    }

    /** Whether this credential will try to exchange at all (false: it reports "unavailable"). */
    public boolean isConfigured() {
        return settings != null;
    }

    /** Why it is not configured, when it is not. */
    public Optional<Diagnosis> unavailableReason() {
        return Optional.ofNullable(unavailable);
    }

    /** Stops background refreshes; later calls throw. Idempotent. Shuts the executor down only if owned. */
    @Override
    public void close() {
        closed = true;
        cache.values().forEach(RefreshingValue::close);
        cache.clear();
        if (ownsExecutor) {
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        if (settings == null) {
            return "FederatedTokenCredential{unavailable: " + unavailable.problem() + "}";
        }
        return "FederatedTokenCredential{tenant=" + settings.tenantId + ", clientId=" + settings.clientId + ", cloud="
                + settings.cloud.name() + ", authorityHost=" + settings.cloud.authorityHost() + ", audience=" + settings.audience
                + ", source=" + settings.source().name() + "}";
    }

    /** The resolved configuration. */
    private static final class Settings {
        final String tenantId;
        final String clientId;
        final AzureCloud cloud;
        final String audience;
        final boolean explicitAudience;
        final boolean instanceDiscovery;
        private final TokenSource source;

        Settings(String tenantId, String clientId, AzureCloud cloud, String audience, boolean explicitAudience,
                boolean instanceDiscovery, TokenSource source) {
            this.tenantId = tenantId;
            this.clientId = clientId;
            this.cloud = cloud;
            this.audience = audience;
            this.explicitAudience = explicitAudience;
            this.instanceDiscovery = instanceDiscovery;
            this.source = source;
        }

        TokenSource source() {
            return source;
        }

        /**
         * The cloud's audience for sources that mint for any audience; a source with a fixed audience (a token file) is
         * asked for it only when set explicitly, otherwise its token goes as it is and Entra's answer says if it is wrong.
         */
        TokenRequest tokenRequest(TokenSource source) {
            return explicitAudience || source.supportsRequestedAudience() ? TokenRequest.forAudience(audience)
                    : TokenRequest.sourceDefault();
        }
    }

    /** What a cached token is for: its scopes (sorted), tenant override and CAE flag. */
    private static final class CacheKey {
        final TreeSet<String> scopes;
        final String tenantId;
        final boolean cae;

        private CacheKey(TreeSet<String> scopes, String tenantId, boolean cae) {
            this.scopes = scopes;
            this.tenantId = tenantId;
            this.cae = cae;
        }

        static CacheKey of(TokenRequestContext request) {
            return new CacheKey(new TreeSet<>(request.getScopes()), request.getTenantId(), request.isCaeEnabled());
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof CacheKey)) {
                return false;
            }
            CacheKey k = (CacheKey) o;
            return scopes.equals(k.scopes) && Objects.equals(tenantId, k.tenantId) && cae == k.cae;
        }

        @Override
        public int hashCode() {
            return Objects.hash(scopes, tenantId, cae);
        }
    }

    /**
     * Configures a {@link FederatedTokenCredential}. Every option not set comes from the environment (see the class
     * documentation); {@link #build()} fails fast, naming the option, when something is missing or malformed.
     */
    public static final class Builder {
        private String tenantId;
        private String clientId;
        private AzureCloud cloud;
        private String audience;
        private TokenSource tokenSource;
        private Environment environment = Environment.system();
        private Clock clock = Clock.systemUTC();
        private HttpClient httpClient;
        private RetryOptions retryOptions;
        private Boolean instanceDiscovery;
        private ScheduledExecutorService executor;
        private boolean unavailableWhenNotConfigured;
        private final List<String> additionallyAllowedTenants = new ArrayList<>();

        private Builder() {
        }

        /** The directory (tenant) id. By default, {@code AZURE_TENANT_ID}. */
        public Builder tenantId(String tenantId) {
            this.tenantId = Objects.requireNonNull(tenantId, "tenantId");
            return this;
        }

        /** The application (client) id of the app registration or user-assigned identity. By default, {@code AZURE_CLIENT_ID}. */
        public Builder clientId(String clientId) {
            this.clientId = Objects.requireNonNull(clientId, "clientId");
            return this;
        }

        /** The cloud. By default, from {@code AZURE_AUTHORITY_HOST}, else {@link AzureCloud#PUBLIC}. */
        public Builder cloud(AzureCloud cloud) {
            this.cloud = Objects.requireNonNull(cloud, "cloud");
            return this;
        }

        /** A custom authority host (shortcut for {@code cloud(AzureCloud.fromAuthorityHost(host))}). */
        public Builder authorityHost(String authorityHost) {
            this.cloud = AzureCloud.fromAuthorityHost(authorityHost);
            return this;
        }

        /** The audience identity tokens are requested with. By default, the cloud's ({@code api://AzureADTokenExchange}...). */
        public Builder audience(String audience) {
            if (audience == null || audience.isBlank()) {
                throw ConfigurationException.badOption("audience", "it is empty",
                        "Pass the audience your federated credential lists, or leave it unset for the cloud's default.");
            }
            this.audience = audience.strip();
            return this;
        }

        /** The identity token source. By default, {@code AZURE_FEDERATED_TOKEN_FILE}, else ambient detection. */
        public Builder tokenSource(TokenSource tokenSource) {
            this.tokenSource = Objects.requireNonNull(tokenSource, "tokenSource");
            return this;
        }

        /** Where settings are read from. By default, {@link Environment#system()}. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /** The time source of the refresh engine. By default, {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The azure-core HTTP client for exchanges (proxies, custom TLS trust). By default, azure-identity's. */
        public Builder httpClient(HttpClient httpClient) {
            this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
            return this;
        }

        /**
         * How the SDK pipeline retries one exchange's HTTP calls (5xx, 429, I/O errors). By default, azure-identity's
         * (3 retries, exponential from 0.8 s). Between exchanges, the refresh engine's backoff applies.
         */
        public Builder retryOptions(RetryOptions retryOptions) {
            this.retryOptions = Objects.requireNonNull(retryOptions, "retryOptions");
            return this;
        }

        /** MSAL instance discovery. By default, on for the known clouds and off for a custom authority host. */
        public Builder instanceDiscovery(boolean enabled) {
            this.instanceDiscovery = enabled;
            return this;
        }

        /** Other tenants a {@link TokenRequestContext#setTenantId(String)} may ask for ({@code *} for any). By default, none. */
        public Builder additionallyAllowedTenants(String... tenants) {
            this.additionallyAllowedTenants.addAll(List.of(tenants));
            return this;
        }

        /** The executor of background refreshes, not shut down by {@code close()}. By default, one owned daemon thread. */
        public Builder executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * When true, a missing tenant id, client id or token source makes {@code getToken} throw
         * {@link CredentialUnavailableException} (a {@code ChainedTokenCredential} then tries its next credential)
         * instead of {@link #build()} failing. By default, false; {@link FederatedTokenCredential#create()} sets it.
         */
        public Builder unavailableWhenNotConfigured(boolean value) {
            this.unavailableWhenNotConfigured = value;
            return this;
        }

        /**
         * Resolves the settings and builds the credential.
         *
         * @throws ConfigurationException naming the missing or malformed option (missing ones only without
         *                                {@code unavailableWhenNotConfigured})
         */
        public FederatedTokenCredential build() {
            String tenant = tenantId != null ? tenantId : environment.get(TENANT_ID).orElse(null);
            String client = clientId != null ? clientId : environment.get(CLIENT_ID).orElse(null);
            AzureCloud resolvedCloud = cloud != null ? cloud
                    : environment.get(AUTHORITY_HOST).map(AzureCloud::fromAuthorityHost).orElse(AzureCloud.PUBLIC);
            List<String> missing = new ArrayList<>();
            if (tenant == null || tenant.isBlank()) {
                missing.add(TENANT_ID + " (or tenantId)");
            } else if (!TENANT.matcher(tenant.strip()).matches()) {
                throw ConfigurationException.badOption(tenantId != null ? "tenantId" : TENANT_ID,
                        "'" + tenant + "' is not a tenant id or domain", "Use the directory (tenant) id, a GUID.");
            }
            if (client == null || client.isBlank()) {
                missing.add(CLIENT_ID + " (or clientId)");
            }
            TokenSource source = tokenSource;
            Diagnosis notFound = null;
            if (source == null) {
                Optional<String> file = environment.get(FEDERATED_TOKEN_FILE);
                if (file.isPresent()) {
                    source = FileTokenSource.builder().path(file.get().strip()).configuredBy(FEDERATED_TOKEN_FILE)
                            .audienceHint("the audience of the projected token (for AKS workload identity, api://AzureADTokenExchange)")
                            .build();
                } else {
                    try {
                        source = TokenSources.detect(environment);
                    } catch (ConfigurationException e) {
                        if (!"detect.nothing-found".equals(e.diagnosis().code())) {
                            throw e; // here but broken: say how to fix it rather than let a chain move on silently
                        }
                        notFound = e.diagnosis();
                    }
                }
            }
            if (!missing.isEmpty() || source == null) {
                Diagnosis.Builder d = Diagnosis.builder("The federated Azure credential is not configured: "
                                + (missing.isEmpty() ? "no identity token source was found." : String.join(" and ", missing)
                                + " " + (missing.size() == 1 ? "is" : "are") + " not set."))
                        .code("azure.not-configured")
                        .likelyCause("This code does not run where workload identity federation is set up (no CI job with an "
                                + "OIDC token, no AZURE_* variables).");
                missing.forEach(m -> d.evidence("missing", m));
                if (notFound != null) {
                    d.evidence("token source", notFound.problem());
                }
                Diagnosis diagnosis = d.fix("Set AZURE_TENANT_ID and AZURE_CLIENT_ID (the app registration or user-assigned "
                        + "identity with a federated credential) and run where an identity token is available (GitHub Actions "
                        + "with `permissions: id-token: write`, AZURE_FEDERATED_TOKEN_FILE, ...), or pass the options to the builder.")
                        .build();
                if (!unavailableWhenNotConfigured) {
                    throw new ConfigurationException(diagnosis);
                }
                return new FederatedTokenCredential(this, null, diagnosis);
            }
            String resolvedAudience = audience != null ? audience : resolvedCloud.tokenExchangeAudience();
            boolean discovery = instanceDiscovery != null ? instanceDiscovery : resolvedCloud.isKnown();
            Settings settings = new Settings(tenant.strip(), client.strip(), resolvedCloud, resolvedAudience, audience != null,
                    discovery, source);
            return new FederatedTokenCredential(this, settings, null);
        }
    }
}
