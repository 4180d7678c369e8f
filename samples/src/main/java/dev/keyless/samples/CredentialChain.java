package dev.keyless.samples;

import dev.keyless.aws.EnvironmentWebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.testkit.LocalCloud;
import java.io.PrintStream;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProviderChain;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.services.sts.StsClient;

/**
 * An application whose AWS client tries Keyless first and falls back to the SDK's default chain: in CI (where
 * {@code AWS_ROLE_ARN} is set) it is keyless; on a laptop it uses the developer's profile or SSO session, with no
 * code change. (The client here is STS, to stay dependency-light; an S3Client takes the same provider.)
 *
 * <p>Keyless says "not configured" when {@code AWS_ROLE_ARN} is unset, which makes the chain move on. An SDK client
 * closes the provider it is given when it is closed: clients that share one provider should be given
 * {@code provider.borrowed()} (see {@link dev.keyless.aws.WebIdentityCredentialsProvider#borrowed()}), and the provider
 * closed once at the end. Without {@code AWS_ROLE_ARN} and without {@code --fallback-only}, it runs against the
 * embedded local cloud.
 */
public final class CredentialChain {
    private CredentialChain() {
    }

    public static void main(String[] args) {
        Environment env = Environment.system();
        boolean fallbackOnly = args.length > 0 && args[0].equals("--fallback-only");
        if (env.has("AWS_ROLE_ARN") || fallbackOnly) {
            System.exit(run(env, DefaultCredentialsProvider.builder().build(), System.out));
        }
        LocalJob.announce(System.out, "AWS_ROLE_ARN");
        try (LocalCloud cloud = LocalCloud.startDefault()) {
            System.exit(run(Environment.of(LocalJob.environment(cloud)), DefaultCredentialsProvider.builder().build(), System.out));
        }
    }

    /** Calls GetCallerIdentity with the chain Keyless → {@code fallback}, and says which one answered. */
    public static int run(Environment env, AwsCredentialsProvider fallback, PrintStream out) {
        EnvironmentWebIdentityCredentialsProvider keyless = EnvironmentWebIdentityCredentialsProvider.create(env, name -> null);
        AwsCredentialsProviderChain chain = AwsCredentialsProviderChain.builder()
                .credentialsProviders(keyless, fallback)
                .reuseLastProviderEnabled(true)
                .build();
        // The client owns the chain (and closes it, and through it Keyless's provider).
        try (StsClient sts = Aws.sts(env, chain)) {
            AwsCredentials used = chain.resolveCredentials();
            String from = keyless.isConfigured() ? "Keyless (web identity, " + env.get("AWS_ROLE_ARN").orElse("") + ")"
                    : "the fallback chain (" + used.providerName().orElse(fallback.getClass().getSimpleName()) + ")";
            out.println("Credentials from " + from);
            out.println("Caller: " + sts.getCallerIdentity().arn());
            return 0;
        }
    }
}
