package dev.keyless.samples;

import dev.keyless.core.Environment;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.StsClientBuilder;

/** The STS client the AWS samples call GetCallerIdentity with: the region and endpoint of the environment. */
final class Aws {
    private Aws() {
    }

    /** A client signing with {@code credentials}; it closes them when it is closed (pass a borrowed view to share). */
    static StsClient sts(Environment env, AwsCredentialsProvider credentials) {
        StsClientBuilder b = StsClient.builder()
                .region(Region.of(env.get("AWS_REGION").orElse("us-east-1")))
                .credentialsProvider(credentials);
        env.get("KEYLESS_AWS_STS_ENDPOINT").ifPresent(e -> b.endpointOverride(URI.create(e)));
        return b.build();
    }
}
