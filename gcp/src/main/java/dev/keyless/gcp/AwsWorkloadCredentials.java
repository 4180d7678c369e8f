package dev.keyless.gcp;

import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.AwsCredentials;
import com.google.auth.oauth2.AwsSecurityCredentials;
import com.google.auth.oauth2.AwsSecurityCredentialsSupplier;
import com.google.auth.oauth2.ExternalAccountSupplierContext;
import com.google.auth.oauth2.GoogleCredentials;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
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
        AwsCredentials.Builder ab = b.federation(AwsCredentials.newBuilder(), b.scopes, b.transportFactory)
                .setSubjectTokenType(AWS4_REQUEST)
                .setAwsSecurityCredentialsSupplier(new Supplier(b.keys, b.region));
        if (b.verificationUrl != null) {
            ab.setRegionalCredentialVerificationUrlOverride(b.verificationUrl);
        }
        this.credentials = b.impersonatedIfSet(ab.build(), b.scopes, List.of(), b.transportFactory, null);
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
            throw GoogleFailures.asKeylessException(e,
                    () -> GoogleFailures.Context.empty().provider(provider).serviceAccount(serviceAccount));
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

    /**
     * Configures {@link AwsWorkloadCredentials}; provider, AWS credentials and region are required. The options it
     * shares with the other Google builders are {@link GoogleExchangeBuilder}'s.
     */
    public static final class Builder extends GoogleExchangeBuilder<Builder> {
        private AwsKeysSupplier keys;
        private String region;
        private List<String> scopes = List.of(WorkloadIdentityCredentials.CLOUD_PLATFORM_SCOPE);
        private String verificationUrl;
        private HttpTransportFactory transportFactory;

        private Builder() {
            super(Duration.ofHours(1));
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

        /** OAuth scopes of the access token. By default, cloud-platform. */
        public Builder scopes(List<String> scopes) {
            if (scopes.isEmpty()) {
                throw ConfigurationException.badOption("scopes", "it is empty", "Pass at least one scope.");
            }
            this.scopes = List.copyOf(scopes);
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

        /** The HTTP transport for STS and IAM calls (proxies, custom trust). By default, google-auth's. */
        public Builder httpTransportFactory(HttpTransportFactory factory) {
            this.transportFactory = Objects.requireNonNull(factory, "httpTransportFactory");
            return this;
        }

        /**
         * Builds the credentials. No network call is made until a token is needed.
         *
         * @throws ConfigurationException for a missing provider, AWS credentials or region
         */
        public AwsWorkloadCredentials build() {
            requireProvider();
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
