package dev.keyless.aws;

import dev.keyless.aws.internal.sts.RoleArns;
import dev.keyless.aws.internal.sts.SessionNames;
import dev.keyless.aws.internal.sts.StsExchange;
import dev.keyless.core.internal.Backoff;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.refresh.RefreshingValue;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.SdkAutoCloseable;

/**
 * What Keyless's role providers share: the validated role and session name, the STS client (owned or not), the
 * retry rules of {@link StsExchange}, and the refresh engine that keeps the session credentials fresh.
 */
abstract class RoleCredentialsProvider implements AwsCredentialsProvider, SdkAutoCloseable {
    final String roleArn;
    final String sessionName;
    final StsClient sts;
    final StsExchange exchange;
    private final boolean ownsSts;
    private final RefreshingValue<AwsSessionCredentials> credentials;

    /**
     * @param signer what the provider's own STS client signs with (anonymous for web identity, the source
     *               credentials for chaining); wrapped so that closing our client never closes it
     */
    RoleCredentialsProvider(RoleProviderBuilder<?> b, String description, AwsCredentialsProvider signer) {
        this.roleArn = RoleArns.validate(b.roleArn, "roleArn");
        this.sessionName = b.sessionName != null ? SessionNames.validate(b.sessionName, "roleSessionName")
                : SessionNames.derive(b.environment, b.clock);
        if (b.stsClient != null) {
            this.sts = b.stsClient;
            this.ownsSts = false;
        } else {
            Region region = b.region != null ? b.region
                    : StsExchange.defaultRegion(() -> DefaultAwsRegionProviderChain.builder().build().getRegion());
            AwsCredentialsProvider unclosable = signer::resolveCredentials;
            this.sts = StsExchange.client(region, Optional.ofNullable(b.endpoint), unclosable);
            this.ownsSts = true;
        }
        this.exchange = new StsExchange(b.maxAttempts, new Backoff(Duration.ofMillis(200), Duration.ofSeconds(3)));
        RefreshingValue.Builder<AwsSessionCredentials> rb = RefreshingValue
                .builder("AWS credentials for " + roleArn + description, this::assumeRole)
                .clock(b.clock);
        if (b.executor != null) {
            rb.executor(b.executor);
        }
        if (b.prefetch != null) {
            rb.prefetch(b.prefetch);
        }
        if (b.stale != null) {
            rb.stale(b.stale);
        }
        this.credentials = rb.build();
    }

    /** One STS call that returns fresh session credentials; called by the refresh engine, one at a time. */
    abstract Expiring<AwsSessionCredentials> assumeRole();

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

    /** The role this provider assumes. */
    public String roleArn() {
        return roleArn;
    }

    /** The role session name sent to STS (visible in CloudTrail). */
    public String sessionName() {
        return sessionName;
    }

    /** Stops background refreshes and closes the STS client if the provider built it. */
    @Override
    public void close() {
        credentials.close();
        if (ownsSts) {
            sts.close();
        }
    }
}
