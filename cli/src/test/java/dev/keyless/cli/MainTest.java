package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.Environment;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Exit codes and the shape of errors: a diagnosis paragraph, no stack trace unless --verbose. */
class MainTest {
    private static final Map<String, String> NO_PERMISSION = Map.of("GITHUB_ACTIONS", "true",
            "GITHUB_REPOSITORY", "acme/app", "GITHUB_EVENT_NAME", "push");

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Cli.Result r = Cli.run("--help");

        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("doctor", "token", "aws", "local-cloud", "demo")
                .contains("1   a diagnosed failure");
    }

    @Test
    void aDiagnosedFailureIsOneParagraphOnStderrWithoutStackTraceAndExits1() {
        Cli.Result r = Cli.run(NO_PERMISSION, Clock.systemUTC(), "token");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("keyless: This is a GitHub Actions job, but it cannot request an OIDC token")
                .contains("Likely cause:").contains("Fix:").contains("id-token: write")
                .contains("(run with --verbose for the stack trace)")
                .doesNotContain("\tat ").doesNotContain("Exception");
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli.Result r = Cli.run(NO_PERMISSION, Clock.systemUTC(), "--verbose", "token");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.err()).contains("id-token: write").contains("ConfigurationException").contains("\tat ")
                .doesNotContain("run with --verbose");
    }

    @Test
    void badUsageExits2WithTheUsage() {
        Cli.Result unknown = Cli.run("doctor", "aws", "--rolearn", "x");
        assertThat(unknown.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(unknown.err()).contains("Unknown options: '--rolearn'").contains("Possible solutions: --role-arn");

        Cli.Result notANumber = Cli.run("doctor", "aws", "--duration-seconds", "an hour");
        assertThat(notANumber.exitCode()).isEqualTo(Main.EXIT_USAGE);

        Cli.Result missing = Cli.run("aws", "lint-trust-policy");
        assertThat(missing.exitCode()).isEqualTo(Main.EXIT_USAGE);
        assertThat(missing.err()).contains("Missing required parameter: 'FILE'");
    }

    @Test
    void anUnexpectedErrorExits3AndSaysSo() {
        Environment broken = name -> {
            throw new IllegalStateException("environment unavailable");
        };

        Cli.Result r = Cli.run(broken, Clock.systemUTC(), "token");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_UNEXPECTED);
        assertThat(r.err()).startsWith("keyless: unexpected error: java.lang.IllegalStateException: environment unavailable")
                .doesNotContain("\tat ");
    }

    @Test
    void aMalformedEndpointVariableIsADiagnosisNotACrash() {
        Cli.Result r = Cli.run(Map.of("KEYLESS_TOKEN_FILE", "/nonexistent/token", "KEYLESS_AWS_STS_ENDPOINT", "::not a url::",
                "AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/x"), Clock.systemUTC(), "doctor", "aws");

        assertThat(r.exitCode()).isEqualTo(Main.EXIT_DIAGNOSED);
        assertThat(r.out()).contains("[file.missing]");
    }
}
