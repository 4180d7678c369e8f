package dev.keyless.testkit.azure;

import dev.keyless.core.IdentityToken;
import java.util.Optional;

/**
 * One request to a {@link LocalEntra} token endpoint, as the emulator saw and answered it. Holds the parsed client
 * assertion (whose {@code toString()} shows claims and a fingerprint, never the value), not the raw value.
 */
public final class RecordedTokenRequest {
    private final String tenant;
    private final String clientId;
    private final String grantType;
    private final String scope;
    private final IdentityToken assertion;
    private final int status;
    private final Long errorCode;

    RecordedTokenRequest(String tenant, String clientId, String grantType, String scope, IdentityToken assertion, int status,
            Long errorCode) {
        this.tenant = tenant;
        this.clientId = clientId;
        this.grantType = grantType;
        this.scope = scope;
        this.assertion = assertion;
        this.status = status;
        this.errorCode = errorCode;
    }

    /** The tenant segment of the path. */
    public String tenant() {
        return tenant;
    }

    /** {@code client_id}, or null when absent. */
    public String clientId() {
        return clientId;
    }

    /** {@code grant_type}, or null when absent. */
    public String grantType() {
        return grantType;
    }

    /** {@code scope} as sent (MSAL adds {@code openid profile offline_access}), or null. */
    public String scope() {
        return scope;
    }

    /** The client assertion, parsed; empty when absent or not a JWT. */
    public Optional<IdentityToken> assertion() {
        return Optional.ofNullable(assertion);
    }

    /** The HTTP status answered. */
    public int status() {
        return status;
    }

    /** The AADSTS code answered, empty on success. */
    public Optional<Long> errorCode() {
        return Optional.ofNullable(errorCode);
    }

    @Override
    public String toString() {
        return "RecordedTokenRequest{tenant=" + tenant + ", clientId=" + clientId + ", scope=" + scope + ", status=" + status
                + (errorCode == null ? "" : ", AADSTS" + errorCode) + ", assertion=" + assertion + "}";
    }
}
