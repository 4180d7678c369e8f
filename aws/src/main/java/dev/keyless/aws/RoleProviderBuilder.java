package dev.keyless.aws;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.internal.Endpoints;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The options every Keyless role credentials provider shares: the role, its session, where STS is, and how the
 * credentials are kept fresh.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class RoleProviderBuilder<B extends RoleProviderBuilder<B>> {
    String roleArn;
    String sessionName;
    Region region;
    URI endpoint;
    StsClient stsClient;
    Clock clock = Clock.systemUTC();
    Environment environment = Environment.system();
    ScheduledExecutorService executor;
    Duration prefetch;
    Duration stale;
    int maxAttempts = 3;

    RoleProviderBuilder() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** The role to assume, {@code arn:aws:iam::ACCOUNT:role/NAME}. Required. */
    public B roleArn(String roleArn) {
        this.roleArn = roleArn;
        return self();
    }

    /** The role session name, 2 to 64 characters of {@code [\w+=,.@-]}. By default, derived from the job. */
    public B roleSessionName(String sessionName) {
        this.sessionName = sessionName;
        return self();
    }

    /** The STS region. By default, the SDK's region chain (AWS_REGION, profile...), else us-east-1. */
    public B region(Region region) {
        this.region = Objects.requireNonNull(region, "region");
        return self();
    }

    /** An STS endpoint override (FIPS, VPC endpoint, the testkit): https, or http on loopback only. By default, the region's. */
    public B stsEndpoint(URI endpoint) {
        this.endpoint = Endpoints.requireSafe(endpoint, "stsEndpoint");
        return self();
    }

    /** A caller-supplied STS client, not closed by the provider. By default, the provider builds and owns one. */
    public B stsClient(StsClient client) {
        this.stsClient = Objects.requireNonNull(client, "stsClient");
        return self();
    }

    /** Attempts for transient STS failures, 1 to 10. By default, 3. */
    public B maxAttempts(int maxAttempts) {
        if (maxAttempts < 1 || maxAttempts > 10) {
            throw ConfigurationException.badOption("maxAttempts", "must be between 1 and 10, got " + maxAttempts, "Pass 1 to 10.");
        }
        this.maxAttempts = maxAttempts;
        return self();
    }

    /** The environment used for detection and the default session name. By default, the process environment. */
    public B environment(Environment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        return self();
    }

    /** The clock. By default, the system UTC clock. */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    /** The executor for background refreshes, not shut down by the provider. By default, one daemon thread owned by the provider. */
    public B executor(ScheduledExecutorService executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
        return self();
    }

    /** How long before expiry to refresh in the background. By default, 5 minutes. */
    public B prefetch(Duration prefetch) {
        this.prefetch = Objects.requireNonNull(prefetch, "prefetch");
        return self();
    }

    /** How long before expiry callers wait for new credentials. By default, 1 minute. */
    public B stale(Duration stale) {
        this.stale = Objects.requireNonNull(stale, "stale");
        return self();
    }

    static Duration checkDuration(Duration duration, long maxSeconds, String fix) {
        long s = duration.toSeconds();
        if (s < 900 || s > maxSeconds) {
            throw ConfigurationException.badOption("duration", "must be between 900 and " + maxSeconds + " seconds, got " + s, fix);
        }
        return duration;
    }
}
