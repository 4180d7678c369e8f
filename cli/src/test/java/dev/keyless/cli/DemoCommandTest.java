package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code keyless demo}, in-process: the story's key lines, in order, and no secret. */
class DemoCommandTest {

    @Test
    void theDemoTellsTheWholeStoryAndExitsZero() {
        long start = System.nanoTime();
        Cli.Result r = Cli.run(Map.of(), Clock.systemUTC(), "demo");
        long seconds = (System.nanoTime() - start) / 1_000_000_000L;

        assertThat(r.exitCode()).as(r.all()).isZero();
        assertThat(r.out()).containsSubsequence(
                "1. A GitHub Actions job of keyless-dev/demo with `permissions: id-token: write`",
                "token source detected  github-actions",
                "sub=repo:keyless-dev/demo:ref:refs/heads/main  aud=[sts.amazonaws.com]",
                "2. AWS: AssumeRoleWithWebIdentity",
                "caller identity        arn:aws:sts::123456789012:assumed-role/keyless-demo/",
                "3. Google:",
                "access token           for keyless-deploy@keyless-local.iam.gserviceaccount.com",
                "4. Azure:",
                "access token           for app " + LocalSetup.ENTRA_CLIENT + " in tenant " + LocalSetup.ENTRA_TENANT,
                "5. Refresh:",
                "STS calls / tokens     2 exchanges; the refresh used 1 new GitHub token",
                "6. Mistake 1: a one-character typo",
                "AWS says               AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
                "did you mean: repo:keyless-dev/demo:*",
                "7. Mistake 2: a job without `permissions: id-token: write`",
                "id-token: write",
                "Done:");
        assertThat(r.all()).doesNotContainPattern(Cli.JWT).doesNotContain("SecretAccessKey");
        assertThat(r.out()).doesNotContainPattern("ASIA[A-Z0-9]{16}");
        assertThat(seconds).as("the demo finishes in seconds").isLessThan(60);
    }
}
