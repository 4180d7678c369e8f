package dev.keyless.aws;

import dev.keyless.aws.internal.sts.StsFailures;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.refresh.Expiring;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * Credentials for a further role, assumed (STS AssumeRole) with credentials from another provider, typically a
 * {@link WebIdentityCredentialsProvider}: role chaining, each link refreshed on its own.
 *
 * <p>AWS limits chained sessions to 1 hour, so the duration is 900 to 3600 seconds. Defaults: duration 1 hour,
 * session name derived from the job, region from the SDK's chain (else us-east-1). The source provider is not
 * closed by this one. A caller-supplied {@code stsClient} must sign with the source credentials.
 */
public final class ChainedRoleCredentialsProvider extends RoleCredentialsProvider {
    private final Duration duration;
    private final String externalId;

    private ChainedRoleCredentialsProvider(Builder b) {
        super(b, " (chained)", b.source);
        this.duration = b.duration;
        this.externalId = b.externalId;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    Expiring<AwsSessionCredentials> assumeRole() {
        return exchange.run(attempt -> {
            AssumeRoleRequest.Builder r = AssumeRoleRequest.builder().roleArn(roleArn).roleSessionName(sessionName)
                    .durationSeconds((int) duration.toSeconds());
            if (externalId != null) {
                r.externalId(externalId);
            }
            return sts.assumeRole(r.build()).credentials();
        }, token -> new StsFailures.Attempt("AssumeRole", roleArn, null, null, duration, null));
    }

    @Override
    public String toString() {
        return "ChainedRoleCredentialsProvider{role=" + roleArn + ", session=" + sessionName + "}";
    }

    /** Configures a {@link ChainedRoleCredentialsProvider}; the source provider and role ARN are required. */
    public static final class Builder extends RoleProviderBuilder<Builder> {
        private AwsCredentialsProvider source;
        private String externalId;
        private Duration duration = Duration.ofHours(1);

        private Builder() {
        }

        /** The credentials that call AssumeRole. Required. */
        public Builder source(AwsCredentialsProvider source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The external id the role's trust policy may require. By default, none. */
        public Builder externalId(String externalId) {
            this.externalId = externalId;
            return this;
        }

        /** 900 to 3600 seconds: AWS caps chained sessions at 1 hour. By default, 1 hour. */
        public Builder duration(Duration duration) {
            this.duration = checkDuration(duration, 3600, "AWS limits role chaining to 1 hour: pass at most Duration.ofHours(1).");
            return this;
        }

        public ChainedRoleCredentialsProvider build() {
            if (source == null) {
                throw ConfigurationException.badOption("source", "it is not set",
                        "Pass the provider whose credentials assume this role, e.g. a WebIdentityCredentialsProvider.");
            }
            return new ChainedRoleCredentialsProvider(this);
        }
    }
}
