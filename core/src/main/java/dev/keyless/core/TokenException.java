package dev.keyless.core;

/**
 * A token source could not produce a usable identity token: the endpoint failed, the command
 * exited non-zero, the file was empty, or what came back was not a valid JWT.
 *
 * <p>Retryable when the cause is transient (5xx, timeouts, GitHub's 403 "pending"); otherwise not.
 */
public class TokenException extends KeylessException {
    private static final long serialVersionUID = 1L;

    public TokenException(Diagnosis diagnosis, boolean retryable) {
        super(diagnosis, retryable);
    }

    public TokenException(Diagnosis diagnosis, boolean retryable, Throwable cause) {
        super(diagnosis, retryable, cause);
    }
}
