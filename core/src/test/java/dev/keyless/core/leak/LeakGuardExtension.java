package dev.keyless.core.leak;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test whose log output contains a registered secret. Auto-registered for the whole core suite
 * (META-INF/services + junit-platform.properties), so no test can forget it.
 */
public final class LeakGuardExtension implements BeforeEachCallback, AfterEachCallback {

    @Override
    public void beforeEach(ExtensionContext context) {
        LeakGuard.clearLines();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        var leaking = LeakGuard.leakingLoggers();
        if (!leaking.isEmpty()) {
            // Name the loggers, never the value.
            throw new AssertionError("A token or secret used by this test appeared in log output from " + leaking);
        }
    }
}
