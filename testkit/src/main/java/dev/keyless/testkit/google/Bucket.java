package dev.keyless.testkit.google;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Cloud Storage bucket of a {@link LocalGoogle}: objects in memory and an IAM policy.
 *
 * <p>{@code roles/storage.objectViewer} allows list and download, {@code roles/storage.objectAdmin} also upload.
 * By default nobody has access.
 */
public final class Bucket {
    private final String name;
    private final Map<String, byte[]> objects = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> bindings = new ConcurrentHashMap<>();

    Bucket(String name) {
        if (!name.matches("[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]")) {
            throw new IllegalArgumentException("Not a bucket name: " + name);
        }
        this.name = name;
    }

    public String name() {
        return name;
    }

    /** Adds an IAM binding, e.g. {@code grant("serviceAccount:x@p.iam.gserviceaccount.com", LocalGoogle.STORAGE_OBJECT_ADMIN)}. */
    public Bucket grant(String member, String role) {
        bindings.computeIfAbsent(Objects.requireNonNull(role, "role"), r -> ConcurrentHashMap.newKeySet())
                .add(Objects.requireNonNull(member, "member"));
        return this;
    }

    /** Stores an object directly (test setup). */
    public Bucket put(String objectName, byte[] content) {
        objects.put(Objects.requireNonNull(objectName, "objectName"), content.clone());
        return this;
    }

    /** A snapshot of the objects, by name. */
    public Map<String, byte[]> objects() {
        Map<String, byte[]> copy = new TreeMap<>();
        objects.forEach((k, v) -> copy.put(k, v.clone()));
        return copy;
    }

    Map<String, byte[]> live() {
        return objects;
    }

    boolean allows(Set<String> callerMembers, boolean write) {
        Set<String> roles = write ? Set.of(LocalGoogle.STORAGE_OBJECT_ADMIN)
                : Set.of(LocalGoogle.STORAGE_OBJECT_ADMIN, LocalGoogle.STORAGE_OBJECT_VIEWER);
        for (String role : roles) {
            Set<String> members = bindings.get(role);
            if (members != null && callerMembers.stream().anyMatch(members::contains)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "Bucket{" + name + ", objects=" + objects.size() + "}";
    }
}
