package dev.keyless.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What went wrong, why it most likely did, the evidence, and how to fix it.
 *
 * <p>Every failure a user can cause carries one. The evidence holds only values that are safe to show
 * (claims, error codes, the failing condition): never a token, secret, session token or assertion.
 * {@link #render()} gives the multi-line text used by exception messages and the {@code doctor} command.
 */
public final class Diagnosis {
    private final String code;
    private final String problem;
    private final String likelyCause;
    private final Map<String, String> evidence;
    private final String fix;

    private Diagnosis(Builder b) {
        this.code = b.code;
        this.problem = Objects.requireNonNull(b.problem, "problem");
        this.likelyCause = b.likelyCause;
        this.evidence = Collections.unmodifiableMap(new LinkedHashMap<>(b.evidence));
        this.fix = b.fix;
    }

    /** Starts a diagnosis for the given problem (one sentence: what happened). */
    public static Builder builder(String problem) {
        return new Builder(problem);
    }

    /** A short, stable identifier such as {@code github.missing-id-token-permission}; may be null. */
    public String code() {
        return code;
    }

    /** What happened, in one sentence. */
    public String problem() {
        return problem;
    }

    /** The most likely cause; may be null when nothing more can be said. */
    public String likelyCause() {
        return likelyCause;
    }

    /** Facts that support the diagnosis, in the order they were added: claims, error codes, conditions. */
    public Map<String, String> evidence() {
        return evidence;
    }

    /** What to do about it; may be null when there is nothing the user can do. */
    public String fix() {
        return fix;
    }

    /** Returns a builder pre-filled with this diagnosis, to add evidence or refine the fix. */
    public Builder toBuilder() {
        Builder b = new Builder(problem).code(code).likelyCause(likelyCause).fix(fix);
        b.evidence.putAll(evidence);
        return b;
    }

    /** The diagnosis as readable text: problem, cause, evidence and fix on their own lines. */
    public String render() {
        StringBuilder sb = new StringBuilder(problem);
        if (likelyCause != null) {
            sb.append("\n  Likely cause: ").append(likelyCause);
        }
        if (!evidence.isEmpty()) {
            sb.append("\n  Evidence:");
            evidence.forEach((k, v) -> sb.append("\n    ").append(k).append(": ").append(v));
        }
        if (fix != null) {
            sb.append("\n  Fix: ").append(fix.replace("\n", "\n    "));
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return render();
    }

    /** Builds a {@link Diagnosis}; only the problem is required. */
    public static final class Builder {
        private String code;
        private final String problem;
        private String likelyCause;
        private final Map<String, String> evidence = new LinkedHashMap<>();
        private String fix;

        private Builder(String problem) {
            this.problem = Objects.requireNonNull(problem, "problem");
        }

        public Builder code(String code) {
            this.code = code;
            return this;
        }

        public Builder likelyCause(String likelyCause) {
            this.likelyCause = likelyCause;
            return this;
        }

        /** Adds one fact; a null value is shown as {@code (none)}. Never pass a secret here. */
        public Builder evidence(String name, Object value) {
            evidence.put(Objects.requireNonNull(name, "name"), value == null ? "(none)" : String.valueOf(value));
            return this;
        }

        public Builder fix(String fix) {
            this.fix = fix;
            return this;
        }

        public Diagnosis build() {
            return new Diagnosis(this);
        }
    }
}
