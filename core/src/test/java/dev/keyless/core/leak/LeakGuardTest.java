package dev.keyless.core.leak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The guard itself must be able to fail: a leaked secret is detected, an unrelated line is not. */
class LeakGuardTest {

    @Test
    void detectsASecretInALogLineAndNamesOnlyTheLogger() {
        String secret = LeakGuard.secret("canary-secret-value-7f3a9c");
        LoggerFactory.getLogger("leak.test.clean").warn("nothing to see");
        assertThat(LeakGuard.capturedLines()).isGreaterThan(0);
        assertThat(LeakGuard.leakingLoggers()).isEmpty();

        LoggerFactory.getLogger("leak.test.leaky").debug("oops {}", secret);
        assertThat(LeakGuard.leakingLoggers()).containsExactly("leak.test.leaky");
        LeakGuard.clearLines(); // so the extension does not fail this deliberate leak
    }

    @Test
    void looksIntoExceptionMessagesToo() {
        String secret = LeakGuard.secret("canary-session-token-19be2d");
        LoggerFactory.getLogger("leak.test.exception").warn("failed", new IllegalStateException("bad " + secret));
        assertThat(LeakGuard.leakingLoggers()).containsExactly("leak.test.exception");
        LeakGuard.clearLines();
    }
}
