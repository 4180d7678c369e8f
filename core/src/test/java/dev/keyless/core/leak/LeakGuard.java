package dev.keyless.core.leak;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Captures every log line of the test suite and the secrets the tests handed out, so that
 * {@link LeakGuardExtension} can fail any test whose logs contain a token, secret or assertion.
 *
 * <p>Tests register each secret value they create with {@link #secret(String)}; the shared JWT helper does so
 * for every token it mints. Registered in {@code logback-test.xml} as an appender on the root logger.
 */
public final class LeakGuard extends AppenderBase<ILoggingEvent> {
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    /** Registers a value that must never appear in a log line; returns it, for inline use. */
    public static String secret(String value) {
        if (value != null && value.length() >= 8) {
            SECRETS.add(value);
        }
        return value;
    }

    /** Whether some captured line contains a registered secret; the secret itself is never returned. */
    static List<String> leakingLoggers() {
        return LINES.stream().filter(line -> SECRETS.stream().anyMatch(line::contains))
                .map(line -> line.substring(0, line.indexOf('|')))
                .distinct()
                .toList();
    }

    static void clearLines() {
        LINES.clear();
    }

    static int capturedLines() {
        return LINES.size();
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(event.getLoggerName()).append('|').append(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            sb.append('|').append(t.getClassName()).append(": ").append(t.getMessage());
        }
        LINES.add(sb.toString());
    }
}
