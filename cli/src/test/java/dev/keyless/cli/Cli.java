package dev.keyless.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.Environment;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.StsSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.util.Map;
import java.util.regex.Pattern;

/** Runs the {@code keyless} command in-process with an injected environment and clock, and captures its output. */
final class Cli {
    /** Anything shaped like a JWT: a base64url JSON header and at least one more part. */
    static final Pattern JWT = Pattern.compile("eyJ[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    private Cli() {
    }

    /** What a run printed and returned. */
    record Result(int exitCode, String out, String err) {
        String all() {
            return out + err;
        }
    }

    static Result run(Map<String, String> env, Clock clock, String... args) {
        return run(Environment.of(env), clock, args);
    }

    static Result run(Environment env, Clock clock, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(env, clock, new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    static Result run(String... args) {
        return run(Map.of(), Clock.systemUTC(), args);
    }

    /** Asserts that no token, request token or issued AWS secret appears in the output. */
    static void assertNoSecrets(Result r, LocalCloud cloud) {
        assertThat(r.all()).doesNotContainPattern(JWT);
        assertThat(r.all()).doesNotContain(cloud.github().requestToken());
        for (StsSession s : cloud.sts().sessions()) {
            assertThat(r.all()).doesNotContain(s.secretAccessKey()).doesNotContain(s.sessionToken())
                    .doesNotContain(s.accessKeyId());
        }
    }
}
