package dev.keyless.gcp;

/**
 * Where {@link AwsWorkloadCredentials} gets AWS credentials: called at every exchange, so it should return
 * current credentials (a refreshing provider), not a copy taken once.
 *
 * <p>keyless-gcp does not depend on the AWS SDK; adapt any {@code AwsCredentialsProvider} in one line:
 * <pre>{@code
 * AwsKeysSupplier keys = () -> {
 *     AwsCredentials c = provider.resolveCredentials();
 *     return new AwsKeys(c.accessKeyId(), c.secretAccessKey(),
 *             c instanceof AwsSessionCredentials s ? s.sessionToken() : null);
 * };
 * }</pre>
 */
@FunctionalInterface
public interface AwsKeysSupplier {
    /** Current AWS credentials; throw a {@link dev.keyless.core.KeylessException} when there are none. */
    AwsKeys keys();
}
