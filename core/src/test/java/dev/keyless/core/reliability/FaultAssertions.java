package dev.keyless.core.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keyless.core.KeylessException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** What every failure in the fault matrices must satisfy, and a timer for "no caller hangs". */
public final class FaultAssertions {
    private FaultAssertions() {
    }

    /**
     * The failure is a {@link KeylessException} whose diagnosis names a code, the problem and a fix, and neither
     * its message, its diagnosis nor any cause's message or toString contains one of the secrets.
     */
    public static KeylessException assertDiagnosed(Throwable failure, String... secrets) {
        assertThat(failure).isInstanceOf(KeylessException.class);
        KeylessException e = (KeylessException) failure;
        assertThat(e.diagnosis()).isNotNull();
        assertThat(e.diagnosis().code()).as("diagnosis code").isNotBlank();
        assertThat(e.diagnosis().problem()).as("diagnosis problem").isNotBlank();
        assertThat(e.diagnosis().fix()).as("diagnosis fix of %s", e.diagnosis().code()).isNotBlank();
        assertNoSecrets(e, secrets);
        return e;
    }

    /** No secret in the message, toString or diagnosis of the throwable or of any cause or suppressed exception. */
    public static void assertNoSecrets(Throwable failure, String... secrets) {
        for (String text : texts(failure)) {
            for (String secret : secrets) {
                if (secret != null && text.contains(secret)) {
                    // Never print the secret itself: say where it was.
                    throw new AssertionError("A secret appeared in the text of " + failure.getClass().getName()
                            + " or one of its causes");
                }
            }
        }
    }

    private static List<String> texts(Throwable t) {
        List<String> out = new ArrayList<>();
        List<Throwable> seen = new ArrayList<>();
        collect(t, out, seen);
        return out;
    }

    private static void collect(Throwable t, List<String> out, List<Throwable> seen) {
        if (t == null || seen.contains(t)) {
            return;
        }
        seen.add(t);
        out.add(String.valueOf(t.getMessage()));
        out.add(t.toString());
        if (t instanceof KeylessException && ((KeylessException) t).diagnosis() != null) {
            out.add(((KeylessException) t).diagnosis().render());
        }
        collect(t.getCause(), out, seen);
        for (Throwable s : t.getSuppressed()) {
            collect(s, out, seen);
        }
    }

    /** Runs the call and fails if it took longer than {@code bound}; returns what it returned. */
    public static <T> T within(Duration bound, Supplier<T> call) {
        long start = System.nanoTime();
        try {
            return call.get();
        } finally {
            assertElapsed(start, bound);
        }
    }

    /** Runs the call, expecting it to throw within {@code bound}; returns the throwable. */
    public static Throwable throwsWithin(Duration bound, Runnable call) {
        long start = System.nanoTime();
        try {
            call.run();
        } catch (Throwable t) {
            assertElapsed(start, bound);
            return t;
        }
        throw new AssertionError("expected the call to fail");
    }

    private static void assertElapsed(long startNanos, Duration bound) {
        Duration took = Duration.ofNanos(System.nanoTime() - startNanos);
        assertThat(took).as("time the caller was held (bound %s ms)", bound.toMillis()).isLessThanOrEqualTo(bound);
    }
}
