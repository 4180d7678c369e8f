package dev.keyless.aws.trust;

import java.util.List;
import java.util.Objects;

/**
 * One condition of a statement: an operator, a context key and the values it accepts (OR-ed).
 *
 * <p>A policy block {@code "StringEquals": {"k1": "a", "k2": ["b", "c"]}} yields two conditions,
 * {@code StringEquals k1 [a]} and {@code StringEquals k2 [b, c]}; all conditions of a statement must hold.
 *
 * @param operator the operator
 * @param key      the context key as written, e.g. {@code token.actions.githubusercontent.com:sub}
 * @param values   the policy values, never empty; numbers and booleans in the document appear in text form
 */
public record TrustCondition(ConditionOperator operator, String key, List<String> values) {

    public TrustCondition {
        Objects.requireNonNull(operator, "operator");
        Objects.requireNonNull(key, "key");
        values = List.copyOf(values);
        if (values.isEmpty()) {
            throw new IllegalArgumentException("a condition needs at least one value");
        }
    }

    /** The claim part of the key: the text after the last {@code :}, e.g. {@code sub}; the whole key if none. */
    public String claimName() {
        int colon = key.lastIndexOf(':');
        return colon < 0 ? key : key.substring(colon + 1);
    }

    @Override
    public String toString() {
        return operator.policyName() + " " + key + " " + values;
    }
}
