package dev.keyless.aws.trust;

import java.util.List;
import java.util.Objects;

/**
 * How one statement fared against a request: principal, action and every condition.
 *
 * @param statement        the statement
 * @param principalMatched whether the principal covers the request's provider
 * @param actionMatched    whether an action pattern covers the request's action
 * @param conditions       one result per condition, in policy order
 */
public record StatementResult(TrustStatement statement, boolean principalMatched, boolean actionMatched,
                              List<ConditionResult> conditions) {

    public StatementResult {
        Objects.requireNonNull(statement, "statement");
        conditions = List.copyOf(conditions);
    }

    /** Whether the statement applies: principal, action and all conditions match. */
    public boolean applies() {
        return principalMatched && actionMatched && conditions.stream().allMatch(ConditionResult::matched);
    }

    /** The conditions that do not hold. */
    public List<ConditionResult> failedConditions() {
        return conditions.stream().filter(c -> !c.matched()).toList();
    }

    /** Principal, action and failed conditions: how many parts of the statement keep it from applying. */
    public int failures() {
        return (principalMatched ? 0 : 1) + (actionMatched ? 0 : 1) + failedConditions().size();
    }
}
