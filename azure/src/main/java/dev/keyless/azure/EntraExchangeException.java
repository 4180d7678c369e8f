package dev.keyless.azure;

import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import java.util.Optional;

/**
 * Entra ID refused or failed a token exchange: carries Entra's parsed error (AADSTS code, trace and correlation ids)
 * beside the diagnosis.
 *
 * <p>Retryable when trying again can help without a configuration change: Entra or the network briefly unavailable,
 * the issuer's metadata unreachable (AADSTS50166, 90061), an assertion outside its time range (AADSTS700024, as the
 * next exchange mints a fresh one). Not retryable for registration mismatches (AADSTS700211, 700212, 700213,
 * 7002138, 70021, 70025, 700016, 90002...), which the diagnosis explains.
 */
public class EntraExchangeException extends KeylessException {
    private static final long serialVersionUID = 1L;

    private final transient EntraError error;

    public EntraExchangeException(EntraError error, Diagnosis diagnosis, boolean retryable, Throwable cause) {
        super(diagnosis, retryable, cause);
        this.error = error;
    }

    /** Entra's error, empty when Entra was not reached (network, TLS). */
    public Optional<EntraError> entraError() {
        return Optional.ofNullable(error);
    }

    /** The primary AADSTS code, or 0 when Entra was not reached or gave none. */
    public long errorCode() {
        return error == null ? 0 : error.code();
    }
}
