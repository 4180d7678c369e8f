package dev.keyless.aws.trust;

import java.util.Objects;
import java.util.Optional;

/**
 * One problem {@link TrustPolicyLinter} found in a trust policy.
 *
 * @param severity  how bad it is
 * @param code      a stable code such as {@code aws.trust.lint.no-subject-condition}
 * @param statement the statement concerned
 * @param message   what is wrong and why it matters
 * @param fix       what to change, with the corrected JSON line when there is one
 */
public record LintFinding(Severity severity, String code, TrustStatement statement, String message,
                          Optional<String> fix) {

    /** How bad a finding is. */
    public enum Severity {
        /** The policy is unsafe (anyone can assume the role) or a condition can never match. */
        ERROR,
        /** The policy is broader than it probably should be, or a condition may not work as intended. */
        WARNING,
        /** A style improvement with no effect on who can assume the role. */
        INFO
    }

    public LintFinding {
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(fix, "fix");
    }

    @Override
    public String toString() {
        return severity + " " + code + " in " + statement.label() + ": " + message + fix.map(f -> " Fix: " + f).orElse("");
    }
}
