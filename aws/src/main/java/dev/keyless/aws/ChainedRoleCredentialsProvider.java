package dev.keyless.aws;

import dev.keyless.aws.internal.sts.RoleArns;
import dev.keyless.aws.internal.sts.SessionNames;
import dev.keyless.aws.internal.sts.StsExchange;
import dev.keyless.aws.internal.sts.StsFailures;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.internal.Backoff;
import dev.keyless.core.internal.Endpoints;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.refresh.RefreshingValue;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * Credentials for a further role, assumed (STS AssumeRole) with credentials from another provider, typically a
 * {@link WebIdentityCredentialsProvider}: role chaining, each link refreshed on its own.
 *
 * <p>AWS limits chained sessions to 1 hour, so the duration is 900 to 3600 seconds. Defaults: duration 1 hour,
 * session name derived from the job, region from the SDK's chain (else us-east-1). The source provider is not
 * closed by this one.
 */
public final class ChainedRoleCredentialsProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    private final String roleArn;
    private final String sessionName;
    private final Duration duration;
    private final String externalId;
    private final StsClient sts;
    private final boolean ownsSts;
    private final StsExchange exchange;
    private final RefreshingValue<AwsSessionCredentials> credentials;

    private ChainedRoleCredentialsProvider(Builder b) {
        if (b.source == null) {
            throw ConfigurationException.badOption("source", "it is not set",
                    "Pass the provider whose credentials assume this role, e.g. a WebIdentityCredentialsProvider.");
        }
        this.roleArn = RoleArns.validate(b.roleArn, "roleArn");
        this.sessionName = b.sessionName != null ? SessionNames.validate(b.sessionName, "roleSessionName")
                : SessionNames.derive(b.environment, b.clock);
        this.duration = b.duration;
        this.externalId = b.externalId;
        if (b.stsClient != null) {
            this.sts = b.stsClient;
            this.ownsSts = false;
        } else {
            Region region = b.region != null ? b.region : StsExchange.defaultRegion(() -> DefaultAwsRegionProviderChain.builder().build().getRegion());
            // A non-closeable view: closing our STS client must not close the caller's source provider.
            AwsCredentialsProvider source = b.source::resolveCredentials;
            this.sts = StsExchange.client(region, Optional.ofNullable(b.endpoint), source);
            this.ownsSts = true;
        }
        this.exchange = new StsExchange(3, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(3)));
        RefreshingValue.Builder<AwsSessionCredentials> rb = RefreshingValue
                .builder("AWS credentials for " + roleArn + " (chained)", this::assumeRole).clock(b.clock);
        if (b.executor != null) {
            rb.executor(b.executor);
        }
        this.credentials = rb.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public AwsCredentials resolveCredentials() {
        return credentials.get();
    }

    /**
     * A view of this provider that SDK clients cannot close. AWS SDK v2 clients close the credentials provider
     * they were built with when they are closed; pass {@code borrowed()} to clients that share this provider and
     * are closed on their own, and close the provider itself once, at the end.
     */
    public AwsCredentialsProvider borrowed() {
        return this::resolveCredentials;
    }

    private Expiring<AwsSessionCredentials> assumeRole() {
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
    public void close() {
        credentials.close();
        if (ownsSts) {
            sts.close();
        }
    }

    @Override
    public String toString() {
        return "ChainedRoleCredentialsProvider{role=" + roleArn + ", session=" + sessionName + "}";
    }

    /** Configures a {@link ChainedRoleCredentialsProvider}; the source provider and role ARN are required. */
    public static final class Builder {
        private AwsCredentialsProvider source;
        private String roleArn;
        private String sessionName;
        private String externalId;
        private Duration duration = Duration.ofHours(1);
        private Region region;
        private URI endpoint;
        private StsClient stsClient;
        private Clock clock = Clock.systemUTC();
        private Environment environment = Environment.system();
        private ScheduledExecutorService executor;

        private Builder() {
        }

        /** The credentials that call AssumeRole. Required. */
        public Builder source(AwsCredentialsProvider source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /** The role to assume next. Required. */
        public Builder roleArn(String roleArn) {
            this.roleArn = roleArn;
            return this;
        }

        /** The role session name. By default, derived from the job. */
        public Builder roleSessionName(String sessionName) {
            this.sessionName = sessionName;
            return this;
        }

        /** The external id the role's trust policy may require. By default, none. */
        public Builder externalId(String externalId) {
            this.externalId = externalId;
            return this;
        }

        /** 900 to 3600 seconds: AWS caps chained sessions at 1 hour. By default, 1 hour. */
        public Builder duration(Duration duration) {
            long s = duration.toSeconds();
            if (s < 900 || s > 3600) {
                throw ConfigurationException.badOption("duration", "a chained role session lasts 900 to 3600 seconds, got " + s,
                        "AWS limits role chaining to 1 hour: pass at most Duration.ofHours(1).");
            }
            this.duration = duration;
            return this;
        }

        /** The STS region. By default, the SDK's region chain, else us-east-1. */
        public Builder region(Region region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** An STS endpoint override: https, or http on loopback only. */
        public Builder stsEndpoint(URI endpoint) {
            this.endpoint = Endpoints.requireSafe(endpoint, "stsEndpoint");
            return this;
        }

        /** A caller-supplied STS client, which must sign with the source credentials; not closed by the provider. */
        public Builder stsClient(StsClient client) {
            this.stsClient = Objects.requireNonNull(client, "stsClient");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Builder environment(Environment environment) {
            this.environment = Objects.requireNonNull(environment, "environment");
            return this;
        }

        public Builder executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public ChainedRoleCredentialsProvider build() {
            return new ChainedRoleCredentialsProvider(this);
        }
    }
}
