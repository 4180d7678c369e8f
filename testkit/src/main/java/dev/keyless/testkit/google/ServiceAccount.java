package dev.keyless.testkit.google;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A service account of a {@link LocalGoogle} and its IAM policy: who may impersonate it.
 *
 * <p>{@link #grant(String, String)} adds a binding such as
 * {@code grant(provider.principalSet("repository", "acme/app"), LocalGoogle.WORKLOAD_IDENTITY_USER)}. Both
 * {@code roles/iam.workloadIdentityUser} and {@code roles/iam.serviceAccountTokenCreator} allow
 * generateAccessToken and generateIdToken, as on Google Cloud.
 */
public final class ServiceAccount {
    private final String email;
    private final String uniqueId;
    private final Map<String, Set<String>> bindings = new ConcurrentHashMap<>();

    ServiceAccount(String email) {
        if (!email.matches("[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9.-]+\\.iam\\.gserviceaccount\\.com")
                && !email.matches("[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com")) {
            throw new IllegalArgumentException("Not a service account email: " + email
                    + " (expected NAME@PROJECT.iam.gserviceaccount.com)");
        }
        this.email = email;
        this.uniqueId = numericId(email);
    }

    public String email() {
        return email;
    }

    /** The 21-digit unique id ({@code sub} of its ID tokens), stable for an email. */
    public String uniqueId() {
        return uniqueId;
    }

    /** {@code serviceAccount:EMAIL}, this account as an IAM member. */
    public String member() {
        return "serviceAccount:" + email;
    }

    /** Adds an IAM binding on this service account. */
    public ServiceAccount grant(String member, String role) {
        bindings.computeIfAbsent(Objects.requireNonNull(role, "role"), r -> ConcurrentHashMap.newKeySet())
                .add(Objects.requireNonNull(member, "member"));
        return this;
    }

    /** Removes an IAM binding. */
    public ServiceAccount revoke(String member, String role) {
        Set<String> members = bindings.get(role);
        if (members != null) {
            members.remove(member);
        }
        return this;
    }

    /** Whether any of the caller's member names holds a role that allows minting tokens for this account. */
    boolean allowsImpersonationBy(Set<String> callerMembers) {
        for (String role : Set.of(LocalGoogle.WORKLOAD_IDENTITY_USER, LocalGoogle.TOKEN_CREATOR)) {
            Set<String> members = bindings.get(role);
            if (members != null && callerMembers.stream().anyMatch(members::contains)) {
                return true;
            }
        }
        return false;
    }

    private static String numericId(String seed) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(("sa:" + seed).getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder("1");
            for (int i = 1; i < 21; i++) {
                sb.append((char) ('0' + (h[i] & 0xff) % 10));
            }
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ServiceAccount{" + email + "}";
    }
}
