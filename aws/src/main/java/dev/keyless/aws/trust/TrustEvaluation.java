package dev.keyless.aws.trust;

import dev.keyless.aws.internal.trust.Explainer;
import dev.keyless.core.Diagnosis;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of evaluating a trust policy for one request, as IAM decides it, with the reasons.
 *
 * <p>IAM's rules: a statement applies when its principal, action and every condition match; an applying Deny
 * wins over everything; otherwise an applying Allow allows; otherwise the request is implicitly denied.
 * {@link #statements()} has the per-statement and per-condition detail; for a denial, {@link #mismatches()} and
 * {@link #explain()} say which statement came closest, what failed and how to fix it.
 */
public final class TrustEvaluation {

    /** How the request was decided. */
    public enum Decision {
        /** An Allow statement applies and no Deny does. */
        ALLOWED,
        /** A Deny statement applies. */
        EXPLICIT_DENY,
        /** No statement applies. */
        IMPLICIT_DENY
    }

    private final TrustPolicy policy;
    private final TrustRequest request;
    private final List<StatementResult> statements;
    private final Decision decision;
    private final StatementResult deciding;
    private volatile List<Mismatch> mismatches;

    private TrustEvaluation(TrustPolicy policy, TrustRequest request, List<StatementResult> statements) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.request = Objects.requireNonNull(request, "request");
        this.statements = List.copyOf(statements);
        StatementResult deny = null;
        StatementResult allow = null;
        for (StatementResult s : this.statements) {
            if (!s.applies()) {
                continue;
            }
            if (s.statement().effect() == TrustStatement.Effect.DENY && deny == null) {
                deny = s;
            } else if (s.statement().effect() == TrustStatement.Effect.ALLOW && allow == null) {
                allow = s;
            }
        }
        if (deny != null) {
            this.decision = Decision.EXPLICIT_DENY;
            this.deciding = deny;
        } else if (allow != null) {
            this.decision = Decision.ALLOWED;
            this.deciding = allow;
        } else {
            this.decision = Decision.IMPLICIT_DENY;
            this.deciding = null;
        }
    }

    /** Combines per-statement results into IAM's decision (explicit deny wins, then allow, else implicit deny). */
    public static TrustEvaluation of(TrustPolicy policy, TrustRequest request, List<StatementResult> statements) {
        return new TrustEvaluation(policy, request, statements);
    }

    /** Whether the token may assume the role. */
    public boolean allowed() {
        return decision == Decision.ALLOWED;
    }

    /** How the request was decided. */
    public Decision decision() {
        return decision;
    }

    /** The statement that decided: the applying Deny, or else the applying Allow; empty for an implicit deny. */
    public Optional<StatementResult> decidingStatement() {
        return Optional.ofNullable(deciding);
    }

    /** Every statement's result, in policy order. */
    public List<StatementResult> statements() {
        return statements;
    }

    /** The policy evaluated. */
    public TrustPolicy policy() {
        return policy;
    }

    /** The request evaluated. */
    public TrustRequest request() {
        return request;
    }

    /**
     * For an implicit deny, the Allow statement that came closest (fewest failing parts, then nearest values);
     * for an explicit deny, the Deny that matched; when allowed, the deciding statement.
     */
    public Optional<StatementResult> closestStatement() {
        return deciding != null ? Optional.of(deciding) : Explainer.closest(this);
    }

    /** Why the request is denied, closest statement first; empty when it is allowed. */
    public List<Mismatch> mismatches() {
        List<Mismatch> m = mismatches;
        if (m == null) {
            m = allowed() ? List.of() : List.copyOf(Explainer.mismatches(this));
            mismatches = m;
        }
        return m;
    }

    /**
     * The decision as a diagnosis: for a denial, which statement came closest, which condition failed, expected
     * versus actual, the likely near miss and the corrected policy line (code {@code aws.trust.*}); when allowed,
     * code {@code aws.trust.allowed} and what else to check if STS still refuses.
     */
    public Diagnosis explain() {
        return Explainer.explain(this);
    }

    @Override
    public String toString() {
        return "TrustEvaluation{" + decision + (deciding != null ? " by " + deciding.statement().label() : "") + "}";
    }
}
