package dev.keyless.gcp;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.AwsCredentials;
import com.google.auth.oauth2.AwsSecurityCredentials;
import com.google.auth.oauth2.AwsSecurityCredentialsSupplier;
import com.google.auth.oauth2.ExternalAccountSupplierContext;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
import dev.keyless.core.internal.Endpoints;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Google credentials for a workload that holds AWS credentials: google-auth-library's {@link AwsCredentials} signs
 * a GetCallerIdentity request with them (the {@code aws4_request} subject token), Google's STS verifies it with AWS
 * and returns a federated token; optionally a service account is impersonated.
 *
 * <p>The AWS side comes through {@link AwsKeysSupplier}, called at every exchange, so keyless-aws or any AWS SDK
 * provider plugs in without keyless-gcp depending on either. The provider must be an AWS provider of a workload
 * identity pool ({@code gcloud iam workload-identity-pools providers create-aws}). By default: no impersonation,
 * scope cloud-platform, 1-hour impersonated tokens, universe googleapis.com.
 */
public final class AwsWorkloadCredentials {
    /** {@code urn:ietf:params:aws:token-type:aws4_request}. */
    public static final String AWS4_REQUEST = "urn:ietf:params:aws:token-type:aws4_request";

    private final WorkloadIdentityProvider provider;
    private final String serviceAccount;
    private final GoogleCredentials credentials;

    private AwsWorkloadCredentials(Builder b) {
        this.provider = b.provider;
        this.serviceAccount = b.serviceAccount;
        AwsCredentials.Builder ab = AwsCredentials.newBuilder()
                .setAudience(provider.stsAudience())
                .setSubjectTokenType(AWS4_REQUEST)
                .setAwsSecurityCredentialsSupplier(new Supplier(b.keys, b.region))
                .setTokenUrl(b.tokenUrl != null ? b.tokenUrl : "https://sts." + b.universeDomain + "/v1/token");
        ab.setUniverseDomain(b.universeDomain);
        if (b.verificationUrl != null) {
            ab.setRegionalCredentialVerificationUrlOverride(b.verificationUrl);
        }
        if (b.transportFactory != null) {
            ab.setHttpTransportFactory(b.transportFactory);
        }
        if (serviceAccount == null) {
            ab.setScopes(b.scopes);
        }
        AwsCredentials federated = ab.build();
        if (serviceAccount == null) {
            this.credentials = federated;
        } else {
            String iam = b.iamCredentialsUrl != null ? b.iamCredentialsUrl : "https://iamcredentials." + b.universeDomain;
            ImpersonatedCredentials.Builder ib = ImpersonatedCredentials.newBuilder()
                    .setSourceCredentials(federated)
                    .setTargetPrincipal(serviceAccount)
                    .setScopes(b.scopes)
                    .setLifetime((int) b.lifetime.getSeconds())
                    .setIamEndpointOverride(iam + "/v1/projects/-/serviceAccounts/" + serviceAccount + ":generateAccessToken");
            if (b.transportFactory != null) {
                ib.setHttpTransportFactory(b.transportFactory);
            }
            ib.setUniverseDomain(b.universeDomain);
            this.credentials = ib.build();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The credentials for Google Cloud clients ({@link AwsCredentials}, or impersonated over them). */
    public GoogleCredentials googleCredentials() {
        return credentials;
    }

    /**
     * A valid access token.
     *
     * @throws KeylessException the AWS supplier's failure, or a {@link GoogleExchangeException} with a diagnosis
     */
    public AccessToken accessToken() {
        try {
            credentials.refreshIfExpired();
            return credentials.getAccessToken();
        } catch (IOException | RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof KeylessException) {
                    throw (KeylessException) t;
                }
            }
            throw new GoogleExchangeException(GoogleFailures.diagnose(e, GoogleFailures.Context.empty()
                    .provider(provider).serviceAccount(serviceAccount)), GoogleFailures.retryable(e), e);
        }
    }

    public WorkloadIdentityProvider provider() {
        return provider;
    }

    public Optional<String> serviceAccount() {
        return Optional.ofNullable(serviceAccount);
    }

    @Override
    public String toString() {
        return "AwsWorkloadCredentials{provider=" + provider + ", serviceAccount="
                + (serviceAccount == null ? "(none)" : serviceAccount) + "}";
    }

    /** google-auth's supplier interface on a Keyless {@link AwsKeysSupplier}. */
    private static final class Supplier implements AwsSecurityCredentialsSupplier {
        private static final long serialVersionUID = 1L;
        private final transient AwsKeysSupplier keys;
        private final String region;

        Supplier(AwsKeysSupplier keys, String region) {
            this.keys = keys;
            this.region = region;
        }

        @Override
        public String getRegion(ExternalAccountSupplierContext context) {
            return region;
        }

        @Override
        public AwsSecurityCredentials getCredentials(ExternalAccountSupplierContext context) throws IOException {
            AwsKeys k;
            try {
                k = keys.keys();
            } catch (KeylessException e) {
                throw new IOException(e.diagnosis().problem(), e);
            } catch (RuntimeException e) {
                throw new IOException("The AWS credentials supplier failed", new TokenException(Diagnosis.builder(
                                "The AWS credentials supplier failed: " + e.getClass().getSimpleName())
                        .code("gcp.aws-credentials-failed").build(), true, e));
            }
            if (k == null) {
                throw new IOException("The AWS credentials supplier returned nothing");
            }
            return new AwsSecurityCredentials(k.accessKeyId(), k.secretAccessKey(), k.sessionToken());
        }
    }

    /** Configures {@link AwsWorkloadCredentials}; provider, AWS credentials and region are required. */
    public static final class Builder {
        private WorkloadIdentityProvider provider;
        private AwsKeysSupplier keys;
        private String region;
        private String serviceAccount;
        private Duration lifetime = Duration.ofHours(1);
        private List<String> scopes = List.of(WorkloadIdentityCredentials.CLOUD_PLATFORM_SCOPE);
        private String universeDomain = "googleapis.com";
        private String tokenUrl;
        private String iamCredentialsUrl;
        private String verificationUrl;
        private HttpTransportFactory transportFactory;

        private Builder() {
        }

        public Builder provider(String resourceName) {
            this.provider = WorkloadIdentityProvider.parse(resourceName);
            return this;
        }

        public Builder provider(WorkloadIdentityProvider provider) {
            this.provider = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** The AWS credentials, asked at every exchange. */
        public Builder awsCredentials(AwsKeysSupplier keys) {
            this.keys = Objects.requireNonNull(keys, "awsCredentials");
            return this;
        }

        /** The AWS region whose STS endpoint is signed for, e.g. {@code us-east-1}. */
        public Builder region(String region) {
            if (region == null || !region.matches("[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]")) {
                throw ConfigurationException.badOption("region", "'" + region + "' is not an AWS region",
                        "Pass a region such as us-east-1.");
            }
            this.region = region;
            return this;
        }

        /** Impersonates this service account. By default, none. */
        public Builder serviceAccount(String email) {
            if (email == null || !email.matches("[^@\\s/]+@[^@\\s/]+\\.gserviceaccount\\.com")) {
                throw ConfigurationException.badOption("serviceAccount", "'" + email + "' is not a service account email",
                        "Pass NAME@PROJECT_ID.iam.gserviceaccount.com.");
            }
            this.serviceAccount = email;
            return this;
        }

        /** Impersonated token lifetime, 600 to 43200 s. By default, 1 hour. */
        public Builder lifetime(Duration lifetime) {
            long s = lifetime.getSeconds();
            if (s < 600 || s > 43200) {
                throw ConfigurationException.badOption("lifetime", "must be 600 to 43200 seconds, got " + lifetime,
                        "Pass a lifetime between 10 minutes and 12 hours.");
            }
            this.lifetime = lifetime;
            return this;
        }

        /** By default, cloud-platform. */
        public Builder scopes(List<String> scopes) {
            if (scopes.isEmpty()) {
                throw ConfigurationException.badOption("scopes", "it is empty", "Pass at least one scope.");
            }
            this.scopes = List.copyOf(scopes);
            return this;
        }

        /** By default, googleapis.com. */
        public Builder universeDomain(String domain) {
            this.universeDomain = Objects.requireNonNull(domain, "universeDomain");
            return this;
        }

        /** The STS token URL (https). By default, {@code https://sts.<universe>/v1/token}. */
        public Builder tokenUrl(String url) {
            this.tokenUrl = Endpoints.requireSafe(url, "tokenUrl").toString();
            return this;
        }

        /** The IAM Credentials root. By default, {@code https://iamcredentials.<universe>}. */
        public Builder iamCredentialsUrl(String url) {
            String u = Endpoints.requireSafe(url, "iamCredentialsUrl").toString();
            this.iamCredentialsUrl = u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
            return this;
        }

        /**
         * The GetCallerIdentity URL that is signed (Google calls it). By default,
         * {@code https://sts.<region>.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15}.
         */
        public Builder regionalCredentialVerificationUrl(String url) {
            this.verificationUrl = Objects.requireNonNull(url, "url");
            return this;
        }

        public Builder httpTransportFactory(HttpTransportFactory factory) {
            this.transportFactory = Objects.requireNonNull(factory, "httpTransportFactory");
            return this;
        }

        public AwsWorkloadCredentials build() {
            if (provider == null) {
                throw ConfigurationException.badOption("provider", "it is not set",
                        "Pass projects/PROJECT_NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER.");
            }
            if (keys == null) {
                throw ConfigurationException.badOption("awsCredentials", "it is not set",
                        "Pass an AwsKeysSupplier, e.g. one over keyless-aws's WebIdentityCredentialsProvider.");
            }
            if (region == null) {
                throw ConfigurationException.badOption("region", "it is not set", "Pass the AWS region, e.g. us-east-1.");
            }
            return new AwsWorkloadCredentials(this);
        }
    }
}
