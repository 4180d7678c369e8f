package dev.keyless.core;

import java.util.Objects;

/**
 * The root of every exception Keyless throws: unchecked, with a {@link Diagnosis} and a retry hint.
 *
 * <p>The message is the rendered diagnosis, so a log line or a stack trace already says what to do.
 * {@link #retryable()} tells the refresh engine whether trying again later can help (a 503, a timeout)
 * or not (a configuration error, which must surface at once).
 */
public class KeylessException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Diagnosis diagnosis;
    private final boolean retryable;

    public KeylessException(Diagnosis diagnosis, boolean retryable) {
        this(diagnosis, retryable, null);
    }

    public KeylessException(Diagnosis diagnosis, boolean retryable, Throwable cause) {
        super(Objects.requireNonNull(diagnosis, "diagnosis").render(), cause);
        this.diagnosis = diagnosis;
        this.retryable = retryable;
    }

    /** What went wrong and how to fix it. */
    public Diagnosis diagnosis() {
        return diagnosis;
    }

    /** Whether the same call may succeed later without any change of configuration. */
    public boolean retryable() {
        return retryable;
    }
}
