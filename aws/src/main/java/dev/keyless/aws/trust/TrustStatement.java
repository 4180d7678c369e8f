package dev.keyless.aws.trust;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One statement of a trust policy.
 *
 * @param index      the position in the policy's {@code Statement} list, from 0
 * @param sid        the {@code Sid}, if any
 * @param effect     Allow or Deny
 * @param principals the principal
 * @param actions    the action patterns ({@code sts:AssumeRoleWithWebIdentity}, {@code sts:*}...)
 * @param conditions the conditions, all of which must hold for the statement to apply
 */
public record TrustStatement(int index, Optional<String> sid, Effect effect, TrustPrincipals principals,
                             List<String> actions, List<TrustCondition> conditions) {

    /** A statement's effect. */
    public enum Effect {
        ALLOW("Allow"),
        DENY("Deny");

        private final String policyName;

        Effect(String policyName) {
            this.policyName = policyName;
        }

        /** {@code Allow} or {@code Deny}, as written in a policy. */
        public String policyName() {
            return policyName;
        }
    }

    public TrustStatement {
        Objects.requireNonNull(sid, "sid");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(principals, "principals");
        actions = List.copyOf(actions);
        conditions = List.copyOf(conditions);
    }

    /** How diagnostics name the statement: {@code statement 0 (Sid "Deploy")} or {@code statement 1}. */
    public String label() {
        return "statement " + index + sid.map(s -> " (Sid \"" + s + "\")").orElse("");
    }
}
