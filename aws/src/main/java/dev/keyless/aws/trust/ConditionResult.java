package dev.keyless.aws.trust;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one condition fared against a request.
 *
 * @param condition      the condition (operator, key, expected values)
 * @param claim          the claim the key resolved to ({@code sub}; {@code azp} for Google's {@code :aud}), empty
 *                       when the key is not a claim of the request's provider
 * @param keyPresent     whether the request has a value for the key
 * @param actualValues   the request's values for the key (empty when absent)
 * @param iamContextKey  whether IAM documents the key as part of the AssumeRoleWithWebIdentity request context;
 *                       false for arbitrary claims such as {@code job_workflow_ref}, which IAM may not provide
 * @param matched        whether the condition holds
 */
public record ConditionResult(TrustCondition condition, Optional<String> claim, boolean keyPresent,
                              List<String> actualValues, boolean iamContextKey, boolean matched) {

    public ConditionResult {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(claim, "claim");
        actualValues = List.copyOf(actualValues);
    }

    /** The operator. */
    public ConditionOperator operator() {
        return condition.operator();
    }

    /** The context key. */
    public String key() {
        return condition.key();
    }

    /** The values the policy accepts. */
    public List<String> expectedValues() {
        return condition.values();
    }
}
