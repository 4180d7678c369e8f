package dev.keyless.gcp;

import java.util.Objects;

/**
 * AWS credentials handed to Google's STS through a signed GetCallerIdentity request: an access key id, its secret,
 * and the session token of temporary credentials (null for long-term keys).
 *
 * <p>{@link #toString()} shows the access key id only.
 */
public record AwsKeys(String accessKeyId, String secretAccessKey, String sessionToken) {
    public AwsKeys {
        Objects.requireNonNull(accessKeyId, "accessKeyId");
        Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    }

    @Override
    public String toString() {
        return "AwsKeys{accessKeyId=" + accessKeyId + ", secretAccessKey=(hidden), sessionToken="
                + (sessionToken == null ? "(none)" : "(hidden)") + "}";
    }
}
