package dev.keyless.gcp;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;

/**
 * Google's STS or IAM Credentials refused or failed an exchange: the diagnosis says which check failed and how to fix it.
 *
 * <p>Retryable for transient failures (5xx, throttling, network); not for configuration errors such as an audience
 * mismatch or a missing IAM grant.
 */
public class GoogleExchangeException extends KeylessException {
    private static final long serialVersionUID = 1L;

    public GoogleExchangeException(Diagnosis diagnosis, boolean retryable, Throwable cause) {
        super(diagnosis, retryable, cause);
    }
}
