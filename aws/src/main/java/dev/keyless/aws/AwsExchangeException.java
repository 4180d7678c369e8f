package dev.keyless.aws;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;

/**
 * AWS STS refused or failed an exchange: carries STS's error code beside the diagnosis.
 *
 * <p>Retryable for IDPCommunicationError, throttling, 5xx and the transient "Couldn't retrieve verification
 * key" form of InvalidIdentityToken; not retryable for AccessDenied, validation errors and the like, which
 * need a configuration change (the diagnosis says which).
 */
public class AwsExchangeException extends KeylessException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;

    public AwsExchangeException(String errorCode, Diagnosis diagnosis, boolean retryable, Throwable cause) {
        super(diagnosis, retryable, cause);
        this.errorCode = errorCode;
    }

    /** STS's error code, e.g. {@code AccessDenied}, {@code InvalidIdentityToken}; null when STS was not reached. */
    public String errorCode() {
        return errorCode;
    }
}
