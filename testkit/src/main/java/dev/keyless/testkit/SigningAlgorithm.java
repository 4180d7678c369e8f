package dev.keyless.testkit;

/**
 * The JWS algorithm a {@link LocalIssuer} signs with.
 *
 * <p>By default, {@link #RS256}, as GitHub, GitLab, Kubernetes and Google issuers use.
 */
public enum SigningAlgorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys. */
    RS256,
    /** ECDSA on P-256 with SHA-256. */
    ES256
}
