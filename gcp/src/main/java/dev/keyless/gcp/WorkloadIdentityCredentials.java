package dev.keyless.gcp;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdentityPoolCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.TokenSources;
import dev.keyless.gcp.internal.TokenSourceSupplier;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Google credentials for a workload that holds an OIDC identity token: workload identity federation through
 * Google's STS, optionally followed by service account impersonation, as a {@link GoogleCredentials} that every
 * Google Cloud client library accepts ({@link #googleCredentials()}).
 *
 * <p>It is google-auth-library's own {@link IdentityPoolCredentials} with a programmatic subject-token supplier that
 * asks the Keyless {@link TokenSource} for a fresh token at every exchange (and refuses an expired one), wrapped in
 * google-auth's {@link ImpersonatedCredentials} when a service account is set. google-auth caches the access token,
 * refreshes it before it expires (asynchronously from 6 minutes 45 seconds before, blocking from 3 minutes 45
 * seconds before) and runs one refresh at a time however many threads ask; Keyless adds no second cache.
 *
 * <p>By default: the token source is detected from the environment ({@link TokenSources#detect(Environment)}); the
 * token is requested for {@code https://iam.googleapis.com/<provider>} ({@link WorkloadIdentityProvider#defaultTokenAudience()});
 * subject token type {@link SubjectTokenType#JWT}; scope {@code https://www.googleapis.com/auth/cloud-platform};
 * no impersonation; impersonated tokens live 1 hour; universe {@code googleapis.com}, so STS at
 * {@code https://sts.googleapis.com/v1/token} and IAM Credentials at {@code https://iamcredentials.googleapis.com}.
 * A failure is explained by {@link #diagnose(Throwable)}; {@link #accessToken()} throws it as a
 * {@link GoogleExchangeException}.
 */
public final class WorkloadIdentityCredentials {
    /** {@code https://www.googleapis.com/auth/cloud-platform}. */
    public static final String CLOUD_PLATFORM_SCOPE = "https://www.googleapis.com/auth/cloud-platform";

    private final WorkloadIdentityProvider provider;
    private final String serviceAccount;
    private final String tokenAudience;
    private final String attributeCondition;
    private final Map<String, String> attributeMapping;
    private final TokenSourceSupplier supplier;
    private final IdentityPoolCredentials federated;
    private final GoogleCredentials credentials;

    private WorkloadIdentityCredentials(Builder b, TokenSource source) {
        this.provider = b.provider;
        this.serviceAccount = b.serviceAccount;
        this.tokenAudience = b.tokenAudience != null ? b.tokenAudience : b.provider.defaultTokenAudience();
        this.attributeCondition = b.attributeCondition;
        this.attributeMapping = b.attributeMapping;
        TokenRequest request = source.supportsRequestedAudience() || b.tokenAudience != null
                ? TokenRequest.forAudience(tokenAudience) : TokenRequest.sourceDefault();
        this.supplier = new TokenSourceSupplier(source, request, b.clock);
        IdentityPoolCredentials.Builder fb = b.federation(IdentityPoolCredentials.newBuilder(), b.scopes, b.transportFactory)
                .setSubjectTokenType(b.subjectTokenType.urn())
                .setSubjectTokenSupplier(supplier);
        if (b.workforceUserProject != null) {
            fb.setWorkforcePoolUserProject(b.workforceUserProject);
        }
        if (b.quotaProject != null) {
            fb.setQuotaProjectId(b.quotaProject);
        }
        this.federated = fb.build();
        this.credentials = b.impersonatedIfSet(federated, b.scopes, b.delegates, b.transportFactory, b.quotaProject);
    }

    /** Starts a builder; {@link Builder#provider(String)} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The credentials to hand to Google Cloud clients: {@link IdentityPoolCredentials}, or
     * {@link ImpersonatedCredentials} over them when a service account is set. The same instance every time.
     */
    public GoogleCredentials googleCredentials() {
        return credentials;
    }

    /**
     * A valid access token, exchanging (and impersonating) only when the cached one is missing or near expiry.
     *
     * @throws KeylessException the token source's failure, or a {@link GoogleExchangeException} with a diagnosis
     */
    public AccessToken accessToken() {
        try {
            credentials.refreshIfExpired();
            AccessToken token = credentials.getAccessToken();
            if (token == null) {
                throw new IOException("google-auth returned no access token");
            }
            return token;
        } catch (IOException | RuntimeException e) {
            throw asKeylessException(e);
        }
    }

    /** Converts a failure of google-auth into the Keyless exception that explains it. */
    public KeylessException asKeylessException(Throwable failure) {
        return GoogleFailures.asKeylessException(failure, this::context);
    }

    /** Explains a failure of these credentials (from google-auth or from a client library that used them). */
    public Diagnosis diagnose(Throwable failure) {
        return GoogleFailures.diagnose(failure, context());
    }

    private GoogleFailures.Context context() {
        return GoogleFailures.Context.empty()
                .provider(provider)
                .serviceAccount(serviceAccount)
                .tokenAudience(tokenAudience)
                .claims(supplier.lastClaims())
                .attributeCondition(attributeCondition)
                .attributeMapping(attributeMapping)
                .sourceName(supplier.sourceName());
    }

    public WorkloadIdentityProvider provider() {
        return provider;
    }

    /** The impersonated service account, if any. */
    public Optional<String> serviceAccount() {
        return Optional.ofNullable(serviceAccount);
    }

    /** The audience requested from the token source. */
    public String tokenAudience() {
        return tokenAudience;
    }

    /** How many identity tokens were taken from the source (one per STS exchange). */
    public int subjectTokensRequested() {
        return supplier.calls();
    }

    @Override
    public String toString() {
        return "WorkloadIdentityCredentials{provider=" + provider + ", source=" + supplier.sourceName()
                + ", serviceAccount=" + (serviceAccount == null ? "(none)" : serviceAccount) + "}";
    }

    /**
     * Configures {@link WorkloadIdentityCredentials}. The options it shares with the other Google builders (provider,
     * service account, lifetime, universe, endpoints) are {@link GoogleExchangeBuilder}'s; here they are checked more
     * strictly: whole-second lifetimes, a universe that is a domain, and https endpoints only.
     */
    public static final class Builder extends GoogleExchangeBuilder<Builder> {
        private static final String DOMAIN = "[a-z0-9.-]+\\.[a-z]{2,}";

        private TokenSource tokenSource;
        private Environment environment = Environment.system();
        private String tokenAudience;
        private SubjectTokenType subjectTokenType = SubjectTokenType.JWT;
        private List<String> delegates = List.of();
        private List<String> scopes = List.of(CLOUD_PLATFORM_SCOPE);
        private String workforceUserProject;
        private String quotaProject;
        private HttpTransportFactory transportFactory;
        private String attributeCondition;
        private Map<String, String> attributeMapping = Map.of();
        private Clock clock = Clock.systemUTC();

        private Builder() {
            super(Duration.ofHours(1));
        }

        /** Where identity tokens come from. By default, detected from the environment when {@link #build()} runs. */
        public Builder tokenSource(TokenSource source) {
            this.tokenSource = Objects.requireNonNull(source, "tokenSource");
            return this;
        }

        /** The environment for token source detection. By default, {@link Environment#system()}. */
        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        /**
         * The audience to request from the token source. By default {@code https://iam.googleapis.com/<provider>},
         * which the provider accepts unless its allowed audiences say otherwise.
         */
        public Builder tokenAudience(String audience) {
            if (audience == null || audience.isBlank()) {
                throw ConfigurationException.badOption("tokenAudience", "it is empty",
                        "Pass one of the provider's allowed audiences, or leave it unset for https://iam.googleapis.com/<provider>.");
            }
            this.tokenAudience = audience;
            return this;
        }

        /** The {@code subject_token_type}. By default, {@link SubjectTokenType#JWT}. */
        public Builder subjectTokenType(SubjectTokenType type) {
            this.subjectTokenType = Objects.requireNonNull(type, "subjectTokenType");
            return this;
        }

        /** Service accounts in a delegation chain, each allowed to impersonate the next (emails). By default, none. */
        public Builder delegates(List<String> delegates) {
            for (String d : delegates) {
                if (d == null || !d.contains("@")) {
                    throw ConfigurationException.badOption("delegates", "'" + d + "' is not a service account email",
                            "Pass service account emails, in chain order.");
                }
            }
            this.delegates = List.copyOf(delegates);
            return this;
        }

        /** OAuth scopes of the access token. By default, {@code cloud-platform}. */
        public Builder scopes(Collection<String> scopes) {
            if (scopes.isEmpty()) {
                throw ConfigurationException.badOption("scopes", "it is empty", "Pass at least one scope, e.g. " + CLOUD_PLATFORM_SCOPE);
            }
            this.scopes = new ArrayList<>(scopes);
            return this;
        }

        /** The user project of a workforce pool provider (billing and quota). Only for workforce providers. */
        public Builder workforceUserProject(String project) {
            this.workforceUserProject = Objects.requireNonNull(project, "workforceUserProject");
            return this;
        }

        /** The quota project sent with requests ({@code x-goog-user-project}). By default, none. */
        public Builder quotaProject(String project) {
            this.quotaProject = Objects.requireNonNull(project, "quotaProject");
            return this;
        }

        /** The HTTP transport for STS and IAM calls (proxies, custom trust). By default, google-auth's. */
        public Builder httpTransportFactory(HttpTransportFactory factory) {
            this.transportFactory = Objects.requireNonNull(factory, "httpTransportFactory");
            return this;
        }

        /**
         * The provider's attribute condition, if you know it: used only to explain a rejection clause by clause.
         * By default, unknown.
         */
        public Builder attributeCondition(String condition) {
            this.attributeCondition = Objects.requireNonNull(condition, "attributeCondition");
            return this;
        }

        /** The provider's attribute mapping, to explain rejections and grants. By default, google.subject=assertion.sub. */
        public Builder attributeMapping(Map<String, String> mapping) {
            this.attributeMapping = Map.copyOf(mapping);
            return this;
        }

        /** The clock used to refuse expired identity tokens. By default, {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the credentials. No network call is made until a token is needed.
         *
         * @throws ConfigurationException for a missing provider, a workforce user project on a workload provider, or
         *                                no detectable token source
         */
        public WorkloadIdentityCredentials build() {
            requireProvider();
            if (workforceUserProject != null && !provider.isWorkforce()) {
                throw ConfigurationException.badOption("workforceUserProject", "the provider " + provider
                                + " is a workload identity pool provider; a user project belongs to workforce pools only",
                        "Remove workforceUserProject, or use a locations/global/workforcePools/... provider.");
            }
            if (!delegates.isEmpty() && serviceAccount == null) {
                throw ConfigurationException.badOption("delegates", "delegates are set without a service account",
                        "Set serviceAccount(...) to the account at the end of the delegation chain.");
            }
            TokenSource source = tokenSource != null ? tokenSource : TokenSources.detect(environment);
            return new WorkloadIdentityCredentials(this, source);
        }

        /** Also whole seconds: google-auth takes the lifetime in seconds, and a fraction would be dropped silently. */
        @Override
        Duration checkLifetime(Duration lifetime) {
            Objects.requireNonNull(lifetime, "lifetime");
            if (!lifetimeInRange(lifetime.getSeconds()) || lifetime.getNano() != 0) {
                throw ConfigurationException.badOption("lifetime", "must be whole seconds from 600 (10 minutes) to "
                                + "43200 (12 hours), got " + lifetime,
                        "Pass a lifetime between 10 minutes and 12 hours; more than 1 hour needs the organization policy "
                                + "constraints/iam.allowServiceAccountCredentialLifetimeExtension.");
            }
            return lifetime;
        }

        /** Also a domain: it becomes the host of the default STS and IAM Credentials URLs. */
        @Override
        String checkUniverseDomain(String domain) {
            if (domain == null || !domain.matches(DOMAIN)) {
                throw ConfigurationException.badOption("universeDomain", "'" + domain + "' is not a domain",
                        "Pass a domain such as googleapis.com.");
            }
            return domain;
        }

        /** Also https only, even on loopback: google-auth-library accepts nothing else. */
        @Override
        URI checkEndpoint(String url, String option) {
            URI uri = super.checkEndpoint(url, option);
            if (!"https".equalsIgnoreCase(uri.getScheme())) {
                throw new ConfigurationException(Diagnosis.builder("google-auth-library accepts only https URLs for "
                                + option + ": " + url)
                        .code("config.invalid-option")
                        .evidence("option", option)
                        .fix("Use https:// (the Keyless testkit's LocalGoogle serves https on loopback).")
                        .build());
            }
            return uri;
        }
    }
}
