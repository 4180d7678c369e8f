package dev.keyless.aws.trust;

import java.util.Objects;

/**
 * One IAM condition operator as written in a policy, such as {@code ForAnyValue:StringLikeIfExists}: a base
 * operator, an optional set qualifier and an optional {@code IfExists} suffix.
 *
 * @param base      the comparison (StringEquals, StringLike, Null, Bool...)
 * @param qualifier how a multi-valued claim is compared: {@link SetQualifier#NONE} unless the operator starts
 *                  with {@code ForAnyValue:} or {@code ForAllValues:}
 * @param ifExists  whether the operator ends with {@code IfExists} (an absent key then satisfies it)
 */
public record ConditionOperator(Base base, SetQualifier qualifier, boolean ifExists) {

    /** The comparisons Keyless evaluates. */
    public enum Base {
        STRING_EQUALS("StringEquals", false),
        STRING_NOT_EQUALS("StringNotEquals", true),
        STRING_EQUALS_IGNORE_CASE("StringEqualsIgnoreCase", false),
        STRING_NOT_EQUALS_IGNORE_CASE("StringNotEqualsIgnoreCase", true),
        STRING_LIKE("StringLike", false),
        STRING_NOT_LIKE("StringNotLike", true),
        NULL("Null", false),
        BOOL("Bool", false);

        private final String policyName;
        private final boolean negated;

        Base(String policyName, boolean negated) {
            this.policyName = policyName;
            this.negated = negated;
        }

        /** The name as written in a policy, e.g. {@code StringEquals}. */
        public String policyName() {
            return policyName;
        }

        /** Whether this is a negated operator (StringNotEquals, StringNotEqualsIgnoreCase, StringNotLike). */
        public boolean negated() {
            return negated;
        }

        /** Whether values are compared as text (every operator but Null and Bool). */
        public boolean isString() {
            return this != NULL && this != BOOL;
        }
    }

    /** The set qualifier of an operator. */
    public enum SetQualifier {
        NONE(""),
        FOR_ANY_VALUE("ForAnyValue:"),
        FOR_ALL_VALUES("ForAllValues:");

        private final String prefix;

        SetQualifier(String prefix) {
            this.prefix = prefix;
        }

        /** The prefix as written in a policy ({@code ForAnyValue:}), empty for {@link #NONE}. */
        public String prefix() {
            return prefix;
        }
    }

    public ConditionOperator {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(qualifier, "qualifier");
    }

    /** A plain operator: no set qualifier, no IfExists. */
    public static ConditionOperator of(Base base) {
        return new ConditionOperator(base, SetQualifier.NONE, false);
    }

    /** Whether the base operator is negated. */
    public boolean negated() {
        return base.negated();
    }

    /** The operator as written in a policy, e.g. {@code ForAllValues:StringNotLikeIfExists}. */
    public String policyName() {
        return qualifier.prefix() + base.policyName() + (ifExists ? "IfExists" : "");
    }

    @Override
    public String toString() {
        return policyName();
    }
}
