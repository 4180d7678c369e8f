package dev.keyless.aws.trust;

import dev.keyless.core.Diagnosis;
import java.util.Objects;
import java.util.Optional;

/**
 * One reason a trust policy denies a token, with the near miss it most likely is and how to fix it.
 *
 * @param kind          what kind of miss
 * @param statement     the statement concerned (the closest Allow, or the Deny that matched)
 * @param condition     the failing condition, when the miss is a condition
 * @param expected      what the policy expects (a value, a provider, an action)
 * @param actual        what the request has ({@code (absent)} when the claim is missing)
 * @param message       the explanation, in a sentence or three
 * @param suggestion    the "did you mean" value, when there is a near miss
 * @param correctedJson the corrected policy line, e.g. {@code "StringLike": { "...:sub": "repo:acme/app:*" }}
 * @param fix           what to do, as text
 */
public record Mismatch(Kind kind, TrustStatement statement, Optional<ConditionResult> condition, String expected,
                       String actual, String message, Optional<String> suggestion, Optional<String> correctedJson,
                       String fix) {

    /** The kinds of miss Keyless recognises; each has a stable diagnosis code. */
    public enum Kind {
        /** The statement trusts another identity provider (or account) than the one that issued the token. */
        WRONG_PROVIDER("aws.trust.wrong-provider"),
        /** The statement trusts AWS or service principals, not a federated provider. */
        NOT_FEDERATED("aws.trust.not-federated"),
        /** No action pattern covers sts:AssumeRoleWithWebIdentity. */
        WRONG_ACTION("aws.trust.wrong-action"),
        /** A condition key is not prefixed with the provider's host and path, so IAM never has a value for it. */
        WRONG_KEY_PREFIX("aws.trust.wrong-key-prefix"),
        /** The token lacks the claim the condition tests. */
        MISSING_CLAIM("aws.trust.missing-claim"),
        /** StringEquals with a wildcard, which StringEquals takes literally. */
        STRING_EQUALS_WITH_WILDCARD("aws.trust.string-equals-wildcard"),
        /** The values differ only in case, and the operator is case-sensitive. */
        WRONG_CASE("aws.trust.wrong-case"),
        /** The policy value lacks the {@code :*} that would cover the rest of the subject. */
        MISSING_WILDCARD("aws.trust.missing-wildcard"),
        /** Name-only subject against the immutable {@code repo:ORG@ID/REPO@ID} form, or the reverse. */
        SUBJECT_FORM("aws.trust.subject-form"),
        /** A name a few characters away from the token's. */
        TYPO("aws.trust.typo"),
        /** A GitHub environment job (sub {@code ...:environment:NAME}) against a ref, or the reverse. */
        ENVIRONMENT_SUBJECT("aws.trust.environment-subject"),
        /** Same repository, another branch, tag, environment or event. */
        REF_MISMATCH("aws.trust.ref-mismatch"),
        /** The token's audience is not the one the policy expects. */
        WRONG_AUDIENCE("aws.trust.wrong-audience"),
        /** A negated operator (StringNotEquals...) excludes the token's value. */
        EXCLUDED_VALUE("aws.trust.excluded-value"),
        /** Some other value mismatch. */
        VALUE_MISMATCH("aws.trust.condition-mismatch"),
        /** A Deny statement matched: explicit deny wins over any Allow. */
        EXPLICIT_DENY("aws.trust.explicit-deny"),
        /** The policy has no Allow statement at all. */
        NO_ALLOW_STATEMENT("aws.trust.no-allow-statement");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        /** The stable diagnosis code, e.g. {@code aws.trust.typo}. */
        public String code() {
            return code;
        }
    }

    public Mismatch {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(actual, "actual");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(suggestion, "suggestion");
        Objects.requireNonNull(correctedJson, "correctedJson");
        Objects.requireNonNull(fix, "fix");
    }

    /** This miss alone as a diagnosis: code, explanation, evidence (condition, expected, actual) and fix. */
    public Diagnosis diagnosis() {
        Diagnosis.Builder b = Diagnosis.builder("The trust policy's " + statement.label() + " does not match the token: "
                        + firstSentence(message))
                .code(kind.code())
                .likelyCause(message)
                .evidence("statement", statement.label());
        condition.ifPresent(c -> b.evidence("condition", c.operator().policyName() + " " + c.key()));
        b.evidence("expected", expected).evidence("actual", actual);
        suggestion.ifPresent(s -> b.evidence("did you mean", s));
        return b.fix(fix).build();
    }

    private static String firstSentence(String text) {
        int end = text.indexOf(". ");
        return end < 0 ? text : text.substring(0, end + 1);
    }
}
