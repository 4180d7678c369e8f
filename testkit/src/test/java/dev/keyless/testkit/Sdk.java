package dev.keyless.testkit;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.Credentials;

/** Official AWS SDK v2 clients pointed at the emulator. */
final class Sdk {
    private Sdk() {
    }

    /** An anonymous client for AssumeRoleWithWebIdentity, without retries so each call is one request. */
    static StsClient anonymous(URI endpoint) {
        return client(endpoint, AnonymousCredentialsProvider.create(), false);
    }

    /** An anonymous client with the SDK's default retry strategy. */
    static StsClient anonymousWithRetries(URI endpoint) {
        return client(endpoint, AnonymousCredentialsProvider.create(), true);
    }

    /** A client signing with session credentials. */
    static StsClient signed(URI endpoint, String accessKeyId, String secret, String sessionToken) {
        return client(endpoint, StaticCredentialsProvider.create(
                AwsSessionCredentials.create(accessKeyId, secret, sessionToken)), false);
    }

    static StsClient signed(URI endpoint, Credentials c) {
        return signed(endpoint, c.accessKeyId(), c.secretAccessKey(), c.sessionToken());
    }

    private static StsClient client(URI endpoint, AwsCredentialsProvider credentials, boolean retries) {
        var b = StsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(credentials);
        if (!retries) {
            b.overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()));
        }
        return b.build();
    }
}
