package dev.keyless.testkit.google;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An access token the emulator issued: a federated token from STS or a service account token from IAM Credentials.
 *
 * @param federated  true for an STS token
 * @param members    the IAM member names the bearer matches ({@code principal://...}, {@code principalSet://...},
 *                   {@code serviceAccount:EMAIL})
 * @param subject    google.subject (federated) or the service account email
 * @param attributes mapped attributes (federated), by name without the {@code attribute.} prefix
 * @param scopes     granted scopes
 * @param expiresAt  when it stops being accepted
 */
record IssuedToken(boolean federated, Set<String> members, String subject, Map<String, String> attributes,
        List<String> scopes, Instant expiresAt) {
}
