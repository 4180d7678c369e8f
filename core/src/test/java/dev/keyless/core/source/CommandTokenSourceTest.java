package dev.keyless.core.source;

import static dev.keyless.core.source.SourceAssertions.assertNoSecret;
import static dev.keyless.core.source.SourceAssertions.code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandTokenSourceTest {
    private static final Instant EXP = Instant.parse("2030-01-01T00:00:00Z");
    private static final String TOKEN = TestTokens.jwt("https://ci.example", "job", "sts.amazonaws.com", EXP);

    @TempDir
    Path dir;

    private static CommandTokenSource.Builder sh(String script, String... args) {
        // sh -c SCRIPT NAME ARGS...: NAME becomes $0, the arguments $1...
        String[] argv = new String[4 + args.length];
        argv[0] = "/bin/sh";
        argv[1] = "-c";
        argv[2] = script;
        argv[3] = "sh";
        System.arraycopy(args, 0, argv, 4, args.length);
        return CommandTokenSource.builder().command(argv).environmentVariable("TOKEN", TOKEN);
    }

    @Test
    void takesTheTokenFromStandardOutputTrimmed() {
        CommandTokenSource source = sh("printf '\\n  %s  \\n' \"$TOKEN\"").build();

        IdentityToken token = source.token(TokenRequest.sourceDefault());

        assertThat(token.value()).isEqualTo(TOKEN);
        assertThat(source.name()).isEqualTo("command:sh");
        assertThat(source.supportsRequestedAudience()).isFalse();
    }

    @Test
    void runsTheProgramAgainOnEveryCallInTheWorkingDirectory() throws IOException {
        String first = TestTokens.jwt("https://ci.example", "first", "a", EXP);
        String second = TestTokens.jwt("https://ci.example", "second", "a", EXP);
        Files.writeString(dir.resolve("token.txt"), first);
        CommandTokenSource source = CommandTokenSource.builder().command("cat", "token.txt").workingDirectory(dir).build();

        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("first");
        Files.writeString(dir.resolve("token.txt"), second);
        assertThat(source.token(TokenRequest.sourceDefault()).subject()).isEqualTo("second");
    }

    @Test
    void readsAJsonFieldWhenConfigured() {
        CommandTokenSource source = sh("printf '{\"value\":\"%s\",\"count\":1}' \"$TOKEN\"").jsonField("value").build();

        assertThat(source.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);
    }

    @Test
    void aMissingJsonFieldListsTheFieldsButNoValue() {
        Throwable e = catchThrowable(() -> sh("printf '{\"token\":\"%s\"}' \"$TOKEN\"").jsonField("value").build()
                .token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("command.json-field-missing");
        assertThat(e.getMessage()).contains("fields present: [token]");
        assertNoSecret(e, TOKEN);
    }

    @Test
    void outputThatIsNotJsonFailsWhenAFieldIsExpected() {
        Throwable e = catchThrowable(() -> sh("printf %s \"$TOKEN\"").jsonField("value").build()
                .token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("command.not-json");
        assertNoSecret(e, TOKEN);
    }

    @Test
    void aNonZeroExitShowsTheExitCodeAndStandardError() {
        Throwable e = catchThrowable(() -> CommandTokenSource.of("sh", "-c", "echo oops >&2; exit 3")
                .token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(TokenException.class);
        assertThat(code(e)).isEqualTo("command.failed");
        assertThat(((KeylessException) e).retryable()).isTrue();
        assertThat(((KeylessException) e).diagnosis().evidence())
                .containsEntry("exit code", "3")
                .containsEntry("stderr (last lines)", "oops");
        assertThat(e.getMessage()).contains("exited with code 3");
    }

    @Test
    void exitCode127IsNotRetryable() {
        Throwable e = catchThrowable(() -> CommandTokenSource.of("sh", "-c", "exit 127").token(TokenRequest.sourceDefault()));

        assertThat(((KeylessException) e).retryable()).isFalse();
        assertThat(e.getMessage()).contains("not found or is not executable");
    }

    @Test
    void standardOutputAndTokensOnStandardErrorNeverAppearInTheError() {
        // The program prints the token, then also echoes it (and a cut-down header.payload) to stderr, then fails.
        String headerAndPayload = TOKEN.substring(0, TOKEN.lastIndexOf('.'));
        CommandTokenSource source = sh("printf %s \"$TOKEN\"; echo \"debug: got $TOKEN\" >&2; "
                + "echo \"partial: $1\" >&2; echo 'request failed' >&2; exit 1", headerAndPayload).build();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("command.failed");
        assertThat(e.getMessage()).contains("debug: got [redacted token]").contains("partial: [redacted token]")
                .contains("request failed");
        assertNoSecret(e, TOKEN);
        assertNoSecret(e, headerAndPayload);
        assertNoSecret(e, TOKEN.substring(TOKEN.lastIndexOf('.') + 1)); // the signature alone
    }

    @Test
    void onlyTheLastTwoKiBOfStandardErrorAreKeptFromALineStart() {
        Throwable e = catchThrowable(() -> CommandTokenSource.of("sh", "-c",
                        "i=0; while [ $i -lt 400 ]; do echo \"noise line $i\"; i=$((i+1)); done >&2; exit 2")
                .token(TokenRequest.sourceDefault()));

        String tail = ((KeylessException) e).diagnosis().evidence().get("stderr (last lines)");
        assertThat(tail).startsWith("[...]\nnoise line ").endsWith("noise line 399").doesNotContain("noise line 0\n");
        assertThat(tail.length()).isLessThanOrEqualTo(CommandTokenSource.STDERR_TAIL + 10);
    }

    @Test
    void aProgramThatRunsTooLongIsKilledAndTheErrorIsRetryable() {
        CommandTokenSource source = CommandTokenSource.builder().command("sleep", "10")
                .timeout(Duration.ofMillis(200)).build();
        long start = System.nanoTime();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.sourceDefault()));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(e).isInstanceOf(TokenException.class);
        assertThat(code(e)).isEqualTo("command.timeout");
        assertThat(((KeylessException) e).retryable()).isTrue();
        assertThat(e.getMessage()).contains("did not finish within 200 ms and was killed");
        assertThat(ProcessHandle.current().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("sleep")).orElse(false))
                .filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void theDescendantsOfATimedOutProgramAreKilledToo() throws IOException {
        Path pidFile = dir.resolve("pid");
        CommandTokenSource source = CommandTokenSource.builder()
                .command("/bin/sh", "-c", "sleep 30 & echo $! > \"$PID_FILE\"; wait")
                .environmentVariable("PID_FILE", pidFile.toString())
                .timeout(Duration.ofSeconds(1)).build();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("command.timeout");
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        assertThat(diesSoon(pid)).as("the shell's background sleep %s was killed", pid).isTrue();
    }

    /** SIGKILL is delivered asynchronously: wait (up to 5 s, far beyond need) for the process to stop running. */
    private static boolean diesSoon(long pid) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (isRunning(pid)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
        return true;
    }

    /** Alive and not a zombie (a killed orphan may wait a moment for init to reap it). */
    private static boolean isRunning(long pid) throws IOException {
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        if (!Files.exists(stat)) {
            return false;
        }
        String s = Files.readString(stat);
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
    }

    @Test
    void aMissingProgramIsAConfigurationErrorNamingIt() {
        Throwable e = catchThrowable(() -> CommandTokenSource.of("keyless-no-such-program-42", "x")
                .token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(code(e)).isEqualTo("command.not-found");
        assertThat(e.getMessage()).contains("'keyless-no-such-program-42' was not found");
    }

    @Test
    void aMissingWorkingDirectoryIsNamed() {
        Throwable e = catchThrowable(() -> CommandTokenSource.builder().command("true").workingDirectory(dir.resolve("nope"))
                .build().token(TokenRequest.sourceDefault()));

        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(e.getMessage()).contains("'workingDirectory'");
    }

    @Test
    void noOutputIsATokenError() {
        Throwable e = catchThrowable(() -> CommandTokenSource.of("true").token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("command.no-output");
    }

    @Test
    void outputOverTheCapIsRefused() {
        Throwable e = catchThrowable(() -> sh("printf %s \"$TOKEN\"").maxOutputSize(100).build()
                .token(TokenRequest.sourceDefault()));

        assertThat(code(e)).isEqualTo("command.output-too-large");
        assertThat(e.getMessage()).contains("more than 100 bytes");
        assertNoSecret(e, TOKEN.substring(0, 100));
    }

    @Test
    void theAudiencePlaceholderIsSubstitutedInsideArguments() throws IOException {
        Path seen = dir.resolve("argument");
        CommandTokenSource source = sh("printf %s \"$1\" > \"$SEEN\"; printf %s \"$TOKEN\"", "{\"aud\":\"{audience}\"}")
                .environmentVariable("SEEN", seen.toString()).build();

        assertThat(source.supportsRequestedAudience()).isTrue();
        assertThat(source.token(TokenRequest.forAudience("sts.amazonaws.com")).value()).isEqualTo(TOKEN);
        assertThat(Files.readString(seen)).isEqualTo("{\"aud\":\"sts.amazonaws.com\"}");
    }

    @Test
    void eachRequestedAudienceGetsItsOwnToken() {
        String forA = TestTokens.jwt("https://ci.example", "job", "aud-a", EXP);
        String forB = TestTokens.jwt("https://ci.example", "job", "aud-b", EXP);
        CommandTokenSource source = CommandTokenSource.builder()
                .command("/bin/sh", "-c", "if [ \"$1\" = aud-a ]; then printf %s \"$A\"; else printf %s \"$B\"; fi",
                        "sh", "{audience}")
                .environmentVariables(Map.of("A", forA, "B", forB)).build();

        assertThat(source.token(TokenRequest.forAudience("aud-a")).audience()).containsExactly("aud-a");
        assertThat(source.token(TokenRequest.forAudience("aud-b")).audience()).containsExactly("aud-b");
    }

    @Test
    void aCommandThatIgnoresTheRequestedAudienceIsCaught() {
        CommandTokenSource source = sh("printf %s \"$TOKEN\"", "{audience}").build();

        Throwable e = catchThrowable(() -> source.token(TokenRequest.forAudience("other")));

        assertThat(code(e)).isEqualTo("command.audience-ignored");
        assertThat(e.getMessage()).contains("'other'").contains("[sts.amazonaws.com]");
    }

    @Test
    void withoutARequestedAudienceTheCommandWithoutAudienceRunsOrTheRequestFails() {
        CommandTokenSource withFallback = sh("printf %s \"$TOKEN\"", "{audience}")
                .commandWithoutAudience("/bin/sh", "-c", "printf %s \"$TOKEN\"").build();
        assertThat(withFallback.token(TokenRequest.sourceDefault()).value()).isEqualTo(TOKEN);

        Throwable e = catchThrowable(() -> sh("printf %s \"$TOKEN\"", "{audience}").build().token(TokenRequest.sourceDefault()));
        assertThat(e).isInstanceOf(ConfigurationException.class);
        assertThat(code(e)).isEqualTo("command.audience-required");
    }

    @Test
    void aFixedAudienceCommandChecksTheRequestedAudience() {
        CommandTokenSource source = sh("printf %s \"$TOKEN\"").audienceHint("Set it in helper.conf.").build();

        assertThat(source.token(TokenRequest.forAudience("sts.amazonaws.com")).value()).isEqualTo(TOKEN);
        Throwable e = catchThrowable(() -> source.token(TokenRequest.forAudience("other")));
        assertThat(code(e)).isEqualTo("token.audience-fixed");
        assertThat(e.getMessage()).contains("Set it in helper.conf.");
    }

    @Test
    void thePresetsRunTheCiHelpersWithTheAudience() {
        CommandTokenSource buildkite = CommandTokenSource.buildkite();
        assertThat(buildkite.command()).containsExactly("buildkite-agent", "oidc", "request-token", "--audience", "{audience}");
        assertThat(buildkite.toBuilder().build().command()).isEqualTo(buildkite.command());
        assertThat(buildkite.name()).isEqualTo("buildkite");
        assertThat(buildkite.supportsRequestedAudience()).isTrue();

        CommandTokenSource circleCi = CommandTokenSource.circleCi();
        assertThat(circleCi.command()).containsExactly("circleci", "run", "oidc", "get", "--claims", "{\"aud\":\"{audience}\"}");
        assertThat(circleCi.supportsRequestedAudience()).isTrue();
        assertThat(circleCi.timeout()).isEqualTo(CommandTokenSource.DEFAULT_TIMEOUT);
    }

    @Test
    void toStringNamesEnvironmentVariablesButNotTheirValues() {
        CommandTokenSource source = sh("printf %s \"$TOKEN\"").build();

        assertThat(source.toString()).contains("TOKEN").doesNotContain(TOKEN);
    }

    @Test
    void theBuilderNamesTheBadOption() {
        assertThat(catchThrowable(() -> CommandTokenSource.builder().build()).getMessage()).contains("'command'");
        assertThat(catchThrowable(() -> CommandTokenSource.builder().command(List.of())).getMessage()).contains("'command'");
        assertThat(catchThrowable(() -> CommandTokenSource.builder().timeout(Duration.ZERO)).getMessage()).contains("'timeout'");
        assertThat(catchThrowable(() -> CommandTokenSource.builder().command("x").commandWithoutAudience("y").build())
                .getMessage()).contains("'commandWithoutAudience'");
        assertThat(catchThrowable(() -> CommandTokenSource.builder().commandWithoutAudience("y", "{audience}"))
                .getMessage()).contains("'commandWithoutAudience'");
    }
}
