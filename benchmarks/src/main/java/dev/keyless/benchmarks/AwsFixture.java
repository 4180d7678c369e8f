package dev.keyless.benchmarks;

import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.core.source.GitHubActionsTokenSource;
import dev.keyless.testkit.LocalCloud;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleWithWebIdentityCredentialsProvider;
import software.amazon.awssdk.services.sts.auth.StsWebIdentityTokenFileCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleWithWebIdentityRequest;

/**
 * The local cloud every AWS benchmark runs against, and the providers under test built on it the same way:
 * the same emulated STS on loopback, the same {@link StsClient} (so that no provider pays for building a client
 * inside a measurement), the same token endpoint or token file.
 */
final class AwsFixture implements AutoCloseable {
    static final String AUDIENCE = WebIdentityCredentialsProvider.DEFAULT_AUDIENCE;
    static final String SESSION_NAME = "keyless-bench";

    final LocalCloud cloud;
    final GitHubActionsTokenSource github;
    final Path tokenFile;
    final StsClient sts;

    private AwsFixture(Clock clock) {
        this.cloud = LocalCloud.builder().clock(clock).defaultSetup(true).start();
        this.github = GitHubActionsTokenSource.builder().environment(Environment.of(cloud.githubEnvironment())).build();
        try {
            this.tokenFile = Files.createTempFile("keyless-bench-token", ".jwt");
            tokenFile.toFile().deleteOnExit();
            // A token that outlives the run: the file providers read it again on every refresh.
            Files.writeString(tokenFile, cloud.issuer().github().repository(LocalCloud.DEMO_REPOSITORY)
                    .audience(AUDIENCE).lifetime(Duration.ofHours(12)).mintValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // What a user of either library would write: anonymous (the call is authenticated by the token), the
        // region, the endpoint. One client, shared, so that client construction is never measured.
        this.sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sts().endpoint())
                .credentialsProvider(AnonymousCredentialsProvider.create()).build();
    }

    /** The local cloud on the system clock. */
    static AwsFixture start() {
        return new AwsFixture(Clock.systemUTC());
    }

    /** The local cloud on another clock (e.g. offset, so that STS issues credentials that expire soon). */
    static AwsFixture start(Clock cloudClock) {
        return new AwsFixture(cloudClock);
    }

    /** How many AssumeRoleWithWebIdentity requests reached STS so far. */
    int stsCalls() {
        return cloud.sts().calls("AssumeRoleWithWebIdentity");
    }

    /** A new provider of that kind with every default, as its documentation shows it. */
    AwsCredentialsProvider provider(AwsImpl impl) {
        return provider(impl, null, null, null);
    }

    /**
     * A new provider of that kind; {@code prefetch} and {@code stale} (both or neither) override the defaults of
     * the refresh points, and {@code duration} (or null for the default, one hour) the session duration asked of
     * STS, for scenarios that need a refresh within seconds.
     */
    AwsCredentialsProvider provider(AwsImpl impl, Duration prefetch, Duration stale, Duration duration) {
        String role = cloud.demoRoleArn();
        switch (impl) {
            case KEYLESS:
            case KEYLESS_FILE: {
                WebIdentityCredentialsProvider.Builder b = WebIdentityCredentialsProvider.builder()
                        .roleArn(role)
                        .roleSessionName(SESSION_NAME)
                        .tokenSource(impl == AwsImpl.KEYLESS ? github : FileTokenSource.of(tokenFile))
                        .stsClient(sts);
                if (prefetch != null) {
                    b.prefetch(prefetch).stale(stale);
                }
                if (duration != null) {
                    b.duration(duration);
                }
                return b.build();
            }
            case SDK_WEB_IDENTITY:
            case SDK_WEB_IDENTITY_ASYNC: {
                StsAssumeRoleWithWebIdentityCredentialsProvider.Builder b = StsAssumeRoleWithWebIdentityCredentialsProvider
                        .builder()
                        .stsClient(sts)
                        // A fresh GitHub token for every refresh, as Keyless does (a GitHub token lives 5 minutes).
                        .refreshRequest(() -> AssumeRoleWithWebIdentityRequest.builder()
                                .roleArn(role)
                                .roleSessionName(SESSION_NAME)
                                .webIdentityToken(github.token(TokenRequest.forAudience(AUDIENCE)).value())
                                .durationSeconds(duration == null ? null : (int) duration.toSeconds())
                                .build())
                        .asyncCredentialUpdateEnabled(impl == AwsImpl.SDK_WEB_IDENTITY_ASYNC);
                if (prefetch != null) {
                    b.prefetchTime(prefetch).staleTime(stale);
                }
                return b.build();
            }
            case SDK_TOKEN_FILE: {
                StsWebIdentityTokenFileCredentialsProvider.Builder b = StsWebIdentityTokenFileCredentialsProvider.builder()
                        .stsClient(sts)
                        .roleArn(role)
                        .roleSessionName(SESSION_NAME)
                        .webIdentityTokenFile(tokenFile);
                if (prefetch != null) {
                    b.prefetchTime(prefetch).staleTime(stale);
                }
                return b.build();
            }
            default:
                throw new IllegalArgumentException(String.valueOf(impl));
        }
    }

    /** Closes a provider of any kind (both libraries' providers are AutoCloseable). */
    static void close(AwsCredentialsProvider provider) {
        if (provider instanceof AutoCloseable) {
            try {
                ((AutoCloseable) provider).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        sts.close();
        cloud.close();
        try {
            Files.deleteIfExists(tokenFile);
        } catch (IOException ignored) {
            // deleteOnExit is the fallback
        }
    }
}
