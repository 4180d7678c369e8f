package dev.keyless.gcp;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.ExternalAccountCredentials;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.internal.Endpoints;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The options that every Keyless builder of a Google token exchange shares, each validated once, here: the workload
 * identity provider, the service account to impersonate and the lifetime of its tokens, the universe domain, and the
 * STS and IAM Credentials endpoints. {@link WorkloadIdentityCredentials.Builder},
 * {@link AwsWorkloadCredentials.Builder} and {@link CredentialConfiguration.Builder} extend it; nothing else can.
 *
 * <p>Every setter checks its value at once and throws a {@link ConfigurationException} naming the option; the
 * provider is required and checked when the product is built. {@link WorkloadIdentityCredentials.Builder} checks
 * three options more strictly: whole-second lifetimes, a universe that is a domain, and https endpoints only (the
 * others accept http on loopback). By default: no impersonation; impersonated tokens live
 * 1 hour (a {@link CredentialConfiguration} leaves the lifetime out of the file, which Google's libraries read as
 * 1 hour); universe {@code googleapis.com}; STS at {@code https://sts.<universe>/v1/token}; IAM Credentials at
 * {@code https://iamcredentials.<universe>}.
 *
 * @param <B> the concrete builder, which every setter returns so that calls chain
 */
public abstract class GoogleExchangeBuilder<B extends GoogleExchangeBuilder<B>> {
    static final String DEFAULT_UNIVERSE_DOMAIN = "googleapis.com";
    private static final String SERVICE_ACCOUNT_EMAIL = "[^@\\s/]+@[^@\\s/]+\\.gserviceaccount\\.com";
    private static final long MIN_LIFETIME_SECONDS = 600;
    private static final long MAX_LIFETIME_SECONDS = 43200;

    WorkloadIdentityProvider provider;
    String serviceAccount;
    Duration lifetime;
    String universeDomain = DEFAULT_UNIVERSE_DOMAIN;
    String tokenUrl;
    String iamCredentialsUrl;

    /** Package-private so that only this package's builders extend it. */
    GoogleExchangeBuilder(Duration defaultLifetime) {
        this.lifetime = defaultLifetime;
    }

    /** The provider's full resource name; validated at once (project number, provider not pool). Required. */
    public B provider(String resourceName) {
        this.provider = WorkloadIdentityProvider.parse(resourceName);
        return self();
    }

    /** The provider, already parsed. Required. */
    public B provider(WorkloadIdentityProvider provider) {
        this.provider = Objects.requireNonNull(provider, "provider");
        return self();
    }

    /**
     * Impersonates this service account ({@code NAME@PROJECT_ID.iam.gserviceaccount.com}) after the exchange. By
     * default, none: the federated token is used directly.
     */
    public B serviceAccount(String email) {
        if (email == null || !email.matches(SERVICE_ACCOUNT_EMAIL)) {
            throw ConfigurationException.badOption("serviceAccount", "'" + email + "' is not a service account email",
                    "Pass NAME@PROJECT_ID.iam.gserviceaccount.com.");
        }
        this.serviceAccount = email;
        return self();
    }

    /**
     * How long impersonated tokens live: 600 to 43200 seconds (over 3600 needs an organization policy). By default,
     * 1 hour (a credential configuration file leaves it out, which Google's libraries read as 1 hour).
     */
    public B lifetime(Duration lifetime) {
        this.lifetime = checkLifetime(lifetime);
        return self();
    }

    /** The universe domain. By default, {@code googleapis.com}. */
    public B universeDomain(String domain) {
        this.universeDomain = checkUniverseDomain(domain);
        return self();
    }

    /** The STS token URL, e.g. a testkit's. By default, {@code https://sts.<universe>/v1/token}. */
    public B tokenUrl(String url) {
        this.tokenUrl = checkEndpoint(url, "tokenUrl").toString();
        return self();
    }

    /** The IAM Credentials API root, e.g. a testkit's. By default, {@code https://iamcredentials.<universe>}. */
    public B iamCredentialsUrl(String url) {
        String u = checkEndpoint(url, "iamCredentialsUrl").toString();
        this.iamCredentialsUrl = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
        return self();
    }

    /** Checks a lifetime: 600 to 43200 seconds. A builder may check more (see its override). */
    Duration checkLifetime(Duration lifetime) {
        long s = lifetime.getSeconds();
        if (!lifetimeInRange(s)) {
            throw ConfigurationException.badOption("lifetime", "must be 600 to 43200 seconds, got " + lifetime,
                    "Pass a lifetime between 10 minutes and 12 hours.");
        }
        return lifetime;
    }

    static boolean lifetimeInRange(long seconds) {
        return seconds >= MIN_LIFETIME_SECONDS && seconds <= MAX_LIFETIME_SECONDS;
    }

    /** Checks a universe domain: set. A builder may check more (see its override). */
    String checkUniverseDomain(String domain) {
        return Objects.requireNonNull(domain, "universeDomain");
    }

    /** Checks an endpoint: https, or http on loopback only. A builder may check more (see its override). */
    URI checkEndpoint(String url, String option) {
        return Endpoints.requireSafe(url, option);
    }

    /** Fails when no provider is set; every product needs one. */
    void requireProvider() {
        if (provider == null) {
            throw ConfigurationException.badOption("provider", "it is not set",
                    "Pass projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER.");
        }
    }

    /** The STS token URL: the one set, else the universe's. */
    String stsTokenUrl() {
        return tokenUrl != null ? tokenUrl : "https://sts." + universeDomain + "/v1/token";
    }

    /** The IAM Credentials {@code generateAccessToken} URL of the service account (which must be set). */
    String impersonationUrl() {
        String iam = iamCredentialsUrl != null ? iamCredentialsUrl : "https://iamcredentials." + universeDomain;
        return iam + "/v1/projects/-/serviceAccounts/" + serviceAccount + ":generateAccessToken";
    }

    /**
     * Sets on google-auth's federated credentials builder what this builder knows: the provider's STS audience, the
     * STS URL, the universe, the transport (when set) and, when no service account is impersonated, the scopes
     * (with impersonation, the scopes belong to the impersonated token).
     */
    <F extends ExternalAccountCredentials.Builder> F federation(F builder, Collection<String> scopes,
                                                                HttpTransportFactory transportFactory) {
        builder.setAudience(provider.stsAudience())
                .setTokenUrl(stsTokenUrl())
                .setUniverseDomain(universeDomain);
        if (transportFactory != null) {
            builder.setHttpTransportFactory(transportFactory);
        }
        if (serviceAccount == null) {
            builder.setScopes(scopes);
        }
        return builder;
    }

    /**
     * {@code federated} itself when no service account is set, else google-auth's {@link ImpersonatedCredentials}
     * over it for the service account, with the delegation chain (emails), scopes, lifetime, transport and quota
     * project (each optional but the scopes).
     */
    GoogleCredentials impersonatedIfSet(GoogleCredentials federated, List<String> scopes, List<String> delegates,
                                        HttpTransportFactory transportFactory, String quotaProject) {
        if (serviceAccount == null) {
            return federated;
        }
        ImpersonatedCredentials.Builder ib = ImpersonatedCredentials.newBuilder()
                .setSourceCredentials(federated)
                .setTargetPrincipal(serviceAccount)
                .setDelegates(delegates.stream().map(d -> "projects/-/serviceAccounts/" + d).toList())
                .setScopes(scopes)
                .setLifetime((int) lifetime.getSeconds())
                .setIamEndpointOverride(impersonationUrl());
        if (transportFactory != null) {
            ib.setHttpTransportFactory(transportFactory);
        }
        if (quotaProject != null) {
            ib.setQuotaProjectId(quotaProject);
        }
        ib.setUniverseDomain(universeDomain);
        return ib.build();
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
