package dev.keyless.aws.internal.sts;

import dev.keyless.aws.AwsExchangeException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.Backoff;
import dev.keyless.core.refresh.Expiring;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;
import software.amazon.awssdk.services.sts.model.Credentials;

/**
 * One STS call with Keyless's retry rules: transient failures (IDPCommunicationError, throttling, 5xx, the JWKS
 * form of InvalidIdentityToken) are retried a bounded number of times with jitter, ExpiredToken once with a fresh
 * token, and everything else fails at once with a diagnosis. The SDK's own retries are off so the two do not multiply.
 */
public final class StsExchange {
    private static final Logger LOG = LoggerFactory.getLogger(StsExchange.class);

    private final int maxAttempts;
    private final Backoff backoff;

    public StsExchange(int maxAttempts, Backoff backoff) {
        this.maxAttempts = maxAttempts;
        this.backoff = backoff;
    }

    /** A call that mints what it needs (a fresh token, say) and returns STS's credentials. */
    @FunctionalInterface
    public interface Call {
        Credentials call(Attempt attempt);
    }

    /** Lets a call record the token it used so a failure can show its claims. */
    public static final class Attempt {
        private IdentityToken token;

        public void usedToken(IdentityToken token) {
            this.token = token;
        }

        IdentityToken token() {
            return token;
        }
    }

    /**
     * Runs the call with retries and returns session credentials with their expiry.
     *
     * @param context what to put in a diagnosis besides the token (role, action, duration, trust explainer)
     */
    public Expiring<AwsSessionCredentials> run(Call call, Function<IdentityToken, StsFailures.Attempt> context) {
        boolean freshTokenTried = false;
        for (int attempt = 1; ; attempt++) {
            Attempt a = new Attempt();
            try {
                Credentials c = call.call(a);
                if (c == null || blank(c.accessKeyId()) || blank(c.secretAccessKey()) || blank(c.sessionToken())
                        || c.expiration() == null) {
                    // The SDK's lenient XML reading turns an HTML page or another document into an empty result.
                    throw StsFailures.malformed(context.apply(a.token()),
                            "the response has no complete Credentials element", null);
                }
                AwsSessionCredentials credentials = AwsSessionCredentials.builder()
                        .accessKeyId(c.accessKeyId())
                        .secretAccessKey(c.secretAccessKey())
                        .sessionToken(c.sessionToken())
                        .expirationTime(c.expiration())
                        .providerName("Keyless")
                        .build();
                return Expiring.of(credentials, c.expiration());
            } catch (SdkException e) {
                AwsExchangeException failure = StsFailures.diagnose(e, context.apply(a.token()));
                String code = failure.errorCode() == null ? "" : failure.errorCode();
                if (code.startsWith("ExpiredToken") && !freshTokenTried) {
                    freshTokenTried = true;
                    LOG.debug("STS said the token expired; retrying once with a fresh token");
                    continue;
                }
                if (!failure.retryable() || attempt >= maxAttempts) {
                    throw failure;
                }
                Duration wait = backoff.delay(attempt - 1);
                LOG.debug("STS call failed with {} (attempt {}/{}); retrying in {} ms", code, attempt, maxAttempts, wait.toMillis());
                sleep(wait);
            }
        }
    }

    /** How long one STS attempt may take, as core's token sources allow an HTTP attempt. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * An STS client that never signs with ambient credentials, never retries on its own, and gives up an attempt
     * after {@link #ATTEMPT_TIMEOUT} (the SDK's default would let a stalled STS hold a caller for its 30-second
     * socket timeout on every attempt).
     */
    public static StsClient client(Region region, Optional<URI> endpoint, AwsCredentialsProvider credentials) {
        StsClientBuilder b = StsClient.builder()
                .region(region)
                .credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())
                        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT));
        endpoint.ifPresent(b::endpointOverride);
        return b.build();
    }

    /** The region from the SDK's default region chain, else us-east-1 (whose endpoint is then the regional one). */
    public static Region defaultRegion(Supplier<Region> chain) {
        try {
            return chain.get();
        } catch (RuntimeException e) {
            return Region.US_EAST_1;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AwsExchangeException(null, Diagnosis.builder("Interrupted while waiting to retry STS.")
                    .code("aws.sts.interrupted").build(), true, e);
        }
    }
}
