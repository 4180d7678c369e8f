package dev.keyless.aws.trust;

import dev.keyless.aws.internal.trust.PolicyLinter;
import java.util.List;
import java.util.Objects;

/**
 * Finds the mistakes that make a web identity trust policy unsafe or broken.
 *
 * <p>Checks, for Allow statements on {@code sts:AssumeRoleWithWebIdentity}: no {@code sub} condition (ERROR:
 * anyone using the provider could assume the role), a {@code sub} wildcard that admits other organisations
 * (ERROR) or every repository of one (WARNING), no audience condition (WARNING), {@code ForAllValues} on a
 * single-valued claim (ERROR: it holds when the claim is missing), condition keys that do not start with the
 * provider's host (WARNING: never present) and claims IAM does not document as condition keys (WARNING). For
 * every statement: {@code StringEquals} with a wildcard (ERROR: taken literally), {@code StringLike} without one
 * (INFO) and {@code Principal "*"} on an Allow (ERROR). Findings are ordered by statement, then severity.
 */
public final class TrustPolicyLinter {
    private TrustPolicyLinter() {
    }

    /** Lints the policy; an empty list means nothing was found. */
    public static List<LintFinding> lint(TrustPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        return PolicyLinter.lint(policy);
    }
}
