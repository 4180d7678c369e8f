package dev.keyless.aws.reliability;

import static dev.keyless.core.reliability.FaultAssertions.assertDiagnosed;
import static dev.keyless.core.reliability.FaultAssertions.throwsWithin;
import static dev.keyless.core.reliability.FaultAssertions.within;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.aws.AwsExchangeException;
import dev.keyless.aws.WebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.reliability.FaultServer;
import dev.keyless.core.source.GitHubActionsTokenSource;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.StsSession;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * The fault matrix for AWS STS behind {@link WebIdentityCredentialsProvider}: the testkit's STS, reached through a
 * {@link FaultServer} that forwards to it or misbehaves, plus the emulator's own fault switches for STS's error
 * documents (500, 503, Throttling, IDPCommunicationError) and for a stall.
 *
 * <p>For every fault: cached credentials keep being served through the refresh window and up to their expiry; no
 * caller is held longer than the configured attempt timeout (on the STS client, 500 ms, 2 attempts) allows; the
 * failure is an {@link AwsExchangeException} with a diagnosis and no secret; expired credentials are never
 * returned; and the first refresh after the fault clears succeeds.
 */
class StsFaultMatrixTest {
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofMillis(500);
    private static final int ATTEMPTS = 2;
    /** Attempts × timeout, Keyless's backoff between them (at most 200 ms), and slack for a loaded machine. */
    private static final Duration CALLER_BOUND = ATTEMPT_TIMEOUT.multipliedBy(ATTEMPTS).plusMillis(200).plusMillis(1500);
    private static final Duration CACHED_BOUND = Duration.ofMillis(250);

    private static final String XML = "text/xml";
    private static final String VALID_RESPONSE_PREFIX = "<AssumeRoleWithWebIdentityResponse "
            + "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials>"
            + "<AccessKeyId>ASIACANARY";

    private static final MutableClock CLOCK = MutableClock.startingAt(Instant.parse("2026-05-04T10:00:00Z"));
    private static LocalCloud cloud;
    private static FaultServer proxy;
    private static StsClient sts;

    private ScheduledThreadPoolExecutor executor;

    enum StsFault {
        CONNECTION_REFUSED("aws.sts.unreachable"),
        CONNECTION_RESET("aws.sts.unreachable"),
        /** The SDK reads the cut-off body as a broken document: "cut short" is among the diagnosis's causes. */
        RESET_MID_RESPONSE("aws.sts.malformed-response"),
        STALL_PAST_TIMEOUT("aws.sts.unreachable"),
        STALL_MID_BODY("aws.sts.unreachable"),
        HTTP_500_INTERNAL_FAILURE("aws.sts.transient"),
        HTTP_503_SERVICE_UNAVAILABLE("aws.sts.transient"),
        THROTTLING("aws.sts.transient"),
        IDP_COMMUNICATION_ERROR("aws.sts.idp-communication"),
        TRUNCATED_XML("aws.sts.malformed-response"),
        HTML_ERROR_PAGE("aws.sts.malformed-response"),
        WRONG_CONTENT_TYPE("aws.sts.malformed-response");

        final String code;

        StsFault(String code) {
            this.code = code;
        }
    }

    @BeforeAll
    static void startCloud() {
        cloud = LocalCloud.builder().clock(CLOCK).defaultSetup(true).start();
        proxy = FaultServer.forwardingTo(cloud.sts().endpoint());
        // The caller's STS client carries the timeout: Keyless accepts it as is and adds its own bounded retries.
        sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(proxy.uri())
                .credentialsProvider(AnonymousCredentialsProvider.create())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT))
                .build();
    }

    @AfterAll
    static void stopCloud() {
        sts.close();
        proxy.close();
        cloud.close();
    }

    @BeforeEach
    void setUp() {
        healthy();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "sts-matrix-refresh");
            t.setDaemon(true);
            return t;
        });
    }

    @AfterEach
    void tearDown() {
        executor.shutdownNow();
        healthy();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(StsFault.class)
    void aFaultIsContainedDiagnosedAndRecoveredFrom(StsFault fault) {
        WebIdentityCredentialsProvider provider = WebIdentityCredentialsProvider.builder()
                .roleArn(cloud.demoRoleArn())
                .tokenSource(GitHubActionsTokenSource.builder().environment(Environment.of(cloud.githubEnvironment())).build())
                .roleSessionName("fault-matrix")
                .stsClient(sts)
                .maxAttempts(ATTEMPTS)
                .clock(CLOCK)
                .executor(executor)
                .build();
        AwsCredentials first = provider.resolveCredentials();
        Instant expiry = ((AwsSessionCredentials) first).expirationTime().orElseThrow();

        inject(fault);

        // The refresh window (its jittered point lies between half the lifetime and 5 minutes before expiry).
        CLOCK.set(expiry.minus(Duration.ofMinutes(4)));
        assertThat(within(CACHED_BOUND, provider::resolveCredentials)).isSameAs(first);
        within(CALLER_BOUND, () -> drain(executor));
        // Past the stale point (1 minute before expiry): the caller tries itself, bounded, and keeps the valid value.
        CLOCK.set(expiry.minusSeconds(30));
        assertThat(within(CALLER_BOUND, provider::resolveCredentials)).isSameAs(first);

        // Expired: never served; the caller gets the diagnosed failure.
        CLOCK.set(expiry.plusSeconds(1));
        Throwable failure = throwsWithin(CALLER_BOUND, provider::resolveCredentials);
        KeylessException e = assertDiagnosed(failure, secrets());
        assertThat(e).isInstanceOf(AwsExchangeException.class);
        assertThat(e.diagnosis().code()).as(e.diagnosis().render()).isEqualTo(fault.code);
        assertThat(e.retryable()).as("every STS fault here is transient").isTrue();

        // The fault clears: after the backoff (at most a minute) the next call gets new credentials.
        healthy();
        CLOCK.set(expiry.plus(Duration.ofMinutes(2)));
        AwsCredentials recovered = within(CALLER_BOUND, provider::resolveCredentials);
        assertThat(recovered.accessKeyId()).isNotEqualTo(first.accessKeyId());
        assertThat(((AwsSessionCredentials) recovered).expirationTime().orElseThrow()).isAfter(CLOCK.instant());
        provider.close();
    }

    private static void healthy() {
        cloud.sts().resetFaults();
        proxy.behave(FaultServer.forward(cloud.sts().endpoint()));
    }

    private static void inject(StsFault fault) {
        switch (fault) {
            case CONNECTION_REFUSED -> proxy.refuseConnections();
            case CONNECTION_RESET -> proxy.behave(FaultServer.reset());
            case RESET_MID_RESPONSE -> proxy.behave(FaultServer.resetMidBody(200, XML,
                    VALID_RESPONSE_PREFIX + "</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult>"
                            + "</AssumeRoleWithWebIdentityResponse>", 60));
            case STALL_PAST_TIMEOUT -> cloud.sts().delay(ATTEMPT_TIMEOUT.multipliedBy(4));
            case STALL_MID_BODY -> proxy.behave(FaultServer.stallMidBody(200, XML, VALID_RESPONSE_PREFIX
                    + "</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>",
                    ATTEMPT_TIMEOUT.multipliedBy(4)));
            case HTTP_500_INTERNAL_FAILURE -> cloud.sts().failNext(1000, "InternalFailure");
            case HTTP_503_SERVICE_UNAVAILABLE -> cloud.sts().failNext(1000, "ServiceUnavailable");
            case THROTTLING -> cloud.sts().failNext(1000, "Throttling");
            case IDP_COMMUNICATION_ERROR -> cloud.sts().failNext(1000, "IDPCommunicationError");
            case TRUNCATED_XML -> proxy.behave(FaultServer.respond(200, XML, VALID_RESPONSE_PREFIX));
            case HTML_ERROR_PAGE -> proxy.behave(FaultServer.respond(200, "text/html; charset=utf-8",
                    "<!DOCTYPE html><html><head><title>Proxy Authentication Required</title></head>"
                            + "<body><h1>Sign in to continue</h1></body></html>"));
            case WRONG_CONTENT_TYPE -> proxy.behave(FaultServer.respond(200, "application/json",
                    "{\"AssumeRoleWithWebIdentityResponse\":{\"AssumeRoleWithWebIdentityResult\":null}}"));
        }
    }

    private static String[] secrets() {
        List<String> all = new ArrayList<>();
        for (StsSession s : cloud.sts().sessions()) {
            all.add(LeakGuard.secret(s.secretAccessKey()));
            all.add(LeakGuard.secret(s.sessionToken()));
        }
        all.add(LeakGuard.secret(cloud.github().requestToken()));
        return all.toArray(String[]::new);
    }

    private static Void drain(ScheduledThreadPoolExecutor executor) {
        try {
            executor.submit(() -> { }).get(30, TimeUnit.SECONDS);
            return null;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
