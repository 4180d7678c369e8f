package dev.keyless.benchmarks;

/** The AWS credential providers compared: Keyless's and the AWS SDK v2's own web-identity providers. */
public enum AwsImpl {
    /** {@code dev.keyless.aws.WebIdentityCredentialsProvider}, tokens from the GitHub Actions token endpoint. */
    KEYLESS("Keyless WebIdentityCredentialsProvider (GitHub source)"),
    /** {@code dev.keyless.aws.WebIdentityCredentialsProvider}, tokens from a file (as the SDK's token-file provider). */
    KEYLESS_FILE("Keyless WebIdentityCredentialsProvider (file source)"),
    /** {@code StsAssumeRoleWithWebIdentityCredentialsProvider}, default settings, a fresh GitHub token per refresh. */
    SDK_WEB_IDENTITY("SDK StsAssumeRoleWithWebIdentityCredentialsProvider"),
    /** As {@link #SDK_WEB_IDENTITY} with {@code asyncCredentialUpdateEnabled(true)}. */
    SDK_WEB_IDENTITY_ASYNC("SDK StsAssumeRoleWithWebIdentityCredentialsProvider, async refresh"),
    /** {@code StsWebIdentityTokenFileCredentialsProvider}, default settings. */
    SDK_TOKEN_FILE("SDK StsWebIdentityTokenFileCredentialsProvider");

    private final String label;

    AwsImpl(String label) {
        this.label = label;
    }

    /** A human-readable name for the results table. */
    public String label() {
        return label;
    }

    /** Whether this is one of Keyless's providers. */
    public boolean keyless() {
        return this == KEYLESS || this == KEYLESS_FILE;
    }
}
