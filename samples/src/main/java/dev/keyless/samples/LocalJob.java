package dev.keyless.samples;

import dev.keyless.core.Environment;
import dev.keyless.testkit.LocalCloud;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The embedded local cloud the samples fall back to: the testkit's emulators on loopback, and the environment of a
 * GitHub Actions job there (with {@code permissions: id-token: write}) plus the variables the samples read.
 */
final class LocalJob {
    private LocalJob() {
    }

    /** The environment of a job of the local cloud: GitHub's variables, AWS_ROLE_ARN, AWS_REGION and the STS endpoint. */
    static Map<String, String> environment(LocalCloud cloud) {
        Map<String, String> env = new LinkedHashMap<>(cloud.githubEnvironment());
        env.put("AWS_ROLE_ARN", cloud.demoRoleArn());
        env.put("AWS_REGION", "us-east-1");
        env.put("KEYLESS_AWS_STS_ENDPOINT", cloud.sts().endpoint().toString());
        return env;
    }

    static Environment with(Map<String, String> env, String name, String value) {
        Map<String, String> copy = new LinkedHashMap<>(env);
        copy.put(name, value);
        return Environment.of(copy);
    }

    static void announce(PrintStream out, String missing) {
        out.println("(" + missing + " is not set: running against the embedded local cloud on loopback; set it to use "
                + "the real cloud)");
    }
}
