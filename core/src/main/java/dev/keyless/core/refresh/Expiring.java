package dev.keyless.core.refresh;

import java.time.Instant;
import java.util.Objects;

/**
 * A value and the instant it stops being usable: what a {@link RefreshingValue} loader returns.
 *
 * <p>{@link #toString()} shows the expiry and the value's type only: values are usually credentials.
 */
public final class Expiring<T> {
    private final T value;
    private final Instant expiresAt;

    private Expiring(T value, Instant expiresAt) {
        this.value = Objects.requireNonNull(value, "value");
        this.expiresAt = Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** A value that expires at the given instant. */
    public static <T> Expiring<T> of(T value, Instant expiresAt) {
        return new Expiring<>(value, expiresAt);
    }

    public T value() {
        return value;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public String toString() {
        return "Expiring{" + value.getClass().getSimpleName() + ", expiresAt=" + expiresAt + "}";
    }
}
