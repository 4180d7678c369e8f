package dev.keyless.samples;

import dev.keyless.aws.EnvironmentWebIdentityCredentialsProvider;
import dev.keyless.core.Environment;
import dev.keyless.core.KeylessException;
import dev.keyless.testkit.LocalCloud;
import java.io.PrintStream;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.model.GetCallerIdentityResponse;

/**
 * GitHub Actions deploy preflight: before deploying, assume the deploy role with the job's OIDC token and print who
 * the job is in AWS. A wrong trust policy or a missing {@code id-token: write} fails here, with the fix, instead of
 * half-way through the deployment.
 *
 * <p>Real cloud: run it in a GitHub Actions job with {@code permissions: id-token: write} and {@code AWS_ROLE_ARN}
 * (and {@code AWS_REGION}) set; see {@code samples/.github/workflows/deploy.yml}. Without {@code AWS_ROLE_ARN} it
 * runs against the embedded local cloud. Exit code 0 when the role was assumed, 1 with the diagnosis otherwise.
 */
public final class DeployPreflight {
    private DeployPreflight() {
    }

    public static void main(String[] args) {
        System.exit(run(Environment.system(), System.out));
    }

    /** Runs the preflight in this environment, printing to {@code out}; returns the exit code. */
    public static int run(Environment env, PrintStream out) {
        if (env.has("AWS_ROLE_ARN")) {
            return preflight(env, out);
        }
        LocalJob.announce(out, "AWS_ROLE_ARN");
        try (LocalCloud cloud = LocalCloud.startDefault()) {
            return preflight(Environment.of(LocalJob.environment(cloud)), out);
        }
    }

    static int preflight(Environment env, PrintStream out) {
        // The role, region and STS endpoint come from the environment (AWS_ROLE_ARN, AWS_REGION, KEYLESS_AWS_*);
        // the token source is detected: here, the GitHub Actions job.
        try (StsClient sts = Aws.sts(env, EnvironmentWebIdentityCredentialsProvider.create(env, name -> null))) {
            GetCallerIdentityResponse who = sts.getCallerIdentity();
            out.println("Preflight OK: this job deploys as " + who.arn() + " (account " + who.account() + ")");
            return 0;
        } catch (KeylessException e) {
            out.println("Preflight FAILED: " + e.diagnosis().render());
            out.println("(`keyless doctor aws --role-arn " + env.get("AWS_ROLE_ARN").orElse("ARN") + "` checks each step)");
            return 1;
        }
    }
}
