package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.ConditionOperator;
import dev.keyless.aws.trust.ConditionOperator.Base;
import java.util.List;

/**
 * IAM's condition semantics for the operators Keyless evaluates.
 *
 * <p>Values listed for one key are OR-ed (NOR for negated operators). An absent key (no value, or an empty
 * list) satisfies {@code IfExists}, {@code ForAllValues:} and the negated operators, and fails the others.
 * {@code ForAnyValue:} holds when at least one request value matches (for a negated operator: fails to match
 * every policy value); {@code ForAllValues:} when every request value does. A plain operator on a request key
 * with several values (an aud list) holds when any value matches, and a plain negated operator when none does:
 * IAM's documentation asks for a set operator on multivalued keys and does not spell out the plain case, and this
 * is the reading consistent with its OR/NOR rule and with how STS treats a single-valued aud.
 */
public final class ConditionMatcher {
    private ConditionMatcher() {
    }

    public static boolean matches(ConditionOperator op, List<String> policyValues, List<String> actual) {
        boolean present = !actual.isEmpty();
        if (op.base() == Base.NULL) {
            for (String v : policyValues) {
                if (v.equalsIgnoreCase("true") && !present || v.equalsIgnoreCase("false") && present) {
                    return true;
                }
            }
            return false;
        }
        if (!present) {
            if (op.ifExists()) {
                return true;
            }
            return switch (op.qualifier()) {
                case FOR_ALL_VALUES -> true;
                case FOR_ANY_VALUE -> false;
                case NONE -> op.negated();
            };
        }
        Base positive = positive(op.base());
        boolean negated = op.negated();
        return switch (op.qualifier()) {
            case NONE -> {
                boolean any = actual.stream().anyMatch(a -> matchesSome(positive, a, policyValues));
                yield negated != any;
            }
            case FOR_ANY_VALUE -> actual.stream().anyMatch(a -> negated != matchesSome(positive, a, policyValues));
            case FOR_ALL_VALUES -> actual.stream().allMatch(a -> negated != matchesSome(positive, a, policyValues));
        };
    }

    /** Whether one request value matches at least one policy value under the (non-negated) operator. */
    public static boolean matchesSome(Base positive, String actual, List<String> policyValues) {
        for (String v : policyValues) {
            if (matchesOne(positive, actual, v)) {
                return true;
            }
        }
        return false;
    }

    public static boolean matchesOne(Base positive, String actual, String policyValue) {
        return switch (positive) {
            case STRING_EQUALS -> actual.equals(policyValue);
            case STRING_EQUALS_IGNORE_CASE -> actual.equalsIgnoreCase(policyValue);
            case STRING_LIKE -> Wildcards.like(policyValue, actual, false);
            case BOOL -> (actual.equalsIgnoreCase("true") || actual.equalsIgnoreCase("false"))
                    && actual.equalsIgnoreCase(policyValue);
            default -> false;
        };
    }

    /** The non-negated counterpart of an operator. */
    public static Base positive(Base base) {
        return switch (base) {
            case STRING_NOT_EQUALS -> Base.STRING_EQUALS;
            case STRING_NOT_EQUALS_IGNORE_CASE -> Base.STRING_EQUALS_IGNORE_CASE;
            case STRING_NOT_LIKE -> Base.STRING_LIKE;
            default -> base;
        };
    }
}
