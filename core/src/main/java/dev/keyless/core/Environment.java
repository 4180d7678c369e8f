package dev.keyless.core;

import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Read access to environment variables, injected so that detection and configuration are testable.
 *
 * <p>{@link #system()} is the one place that reads the process environment; tests use {@link #of(Map)}.
 * Blank values count as absent, as CI systems often export empty variables.
 */
@FunctionalInterface
public interface Environment {

    /** The raw value of a variable, or null when unset. */
    String raw(String name);

    /** The value of a variable, empty when unset or blank. */
    default Optional<String> get(String name) {
        String v = raw(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v);
    }

    /** Whether the variable is set to a non-blank value. */
    default boolean has(String name) {
        return get(name).isPresent();
    }

    /** Whether the variable equals {@code true}, ignoring case (CI flags such as GITHUB_ACTIONS, TF_BUILD=True). */
    default boolean isTrue(String name) {
        return get(name).map(v -> v.strip().equalsIgnoreCase("true")).orElse(false);
    }

    /** The process environment. */
    static Environment system() {
        return SystemEnvironment.INSTANCE;
    }

    /** A fixed environment, for tests and explicit configuration. */
    static Environment of(Map<String, String> variables) {
        Map<String, String> copy = Map.copyOf(Objects.requireNonNull(variables, "variables"));
        return copy::get;
    }
}
