package dev.keyless.aws.trust;

import dev.keyless.aws.internal.trust.PolicyEvaluator;
import dev.keyless.aws.internal.trust.PolicyJson;
import dev.keyless.aws.internal.trust.PolicyParser;
import dev.keyless.core.IdentityToken;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An IAM role trust policy (the role's assume-role policy document), parsed and immutable.
 *
 * <p>{@link #parse(String)} accepts what IAM accepts for web identity trust: {@code Version}, {@code Id},
 * {@code Statement} (one object or a list) with {@code Sid}, {@code Effect}, {@code Principal} ({@code "*"} or
 * {@code Federated}/{@code AWS}/{@code Service}/{@code CanonicalUser}, each a string or a list), {@code Action}
 * (a string or a list, wildcards allowed) and {@code Condition} with the String operators, {@code Null} and
 * {@code Bool}, {@code ForAnyValue:}/{@code ForAllValues:} and {@code IfExists}. {@code NotPrincipal},
 * {@code NotAction}, other operator families and {@code Resource} (forbidden in trust policies) are rejected
 * with a {@link TrustPolicyException} that says so. {@link #toJson()} writes the policy pretty-printed in a
 * stable key order.
 */
public final class TrustPolicy {
    /** The current IAM policy language version. */
    public static final String VERSION_2012_10_17 = "2012-10-17";

    private final String version;
    private final String id;
    private final List<TrustStatement> statements;

    private TrustPolicy(String version, String id, List<TrustStatement> statements) {
        this.version = version;
        this.id = id;
        this.statements = List.copyOf(statements);
    }

    /**
     * Parses a trust policy document.
     *
     * @throws TrustPolicyException for any text that is not a valid trust policy (never another exception,
     *                              whatever the input); the diagnosis names the statement and field
     */
    public static TrustPolicy parse(String json) {
        return PolicyParser.parse(json);
    }

    /**
     * A policy of these statements.
     *
     * @param version the {@code Version}, or null for none (IAM then assumes 2008-10-17)
     * @param id      the {@code Id}, or null
     */
    public static TrustPolicy of(String version, String id, List<TrustStatement> statements) {
        Objects.requireNonNull(statements, "statements");
        if (statements.isEmpty()) {
            throw new IllegalArgumentException("a policy needs at least one statement");
        }
        return new TrustPolicy(version, id, statements);
    }

    /** The {@code Version}, if present. */
    public Optional<String> version() {
        return Optional.ofNullable(version);
    }

    /** The {@code Id}, if present. */
    public Optional<String> id() {
        return Optional.ofNullable(id);
    }

    /** The statements, in document order. */
    public List<TrustStatement> statements() {
        return statements;
    }

    /**
     * The policy as JSON: two-space indentation, keys in the order Version, Id, Statement and, per statement,
     * Sid, Effect, Principal, Action, Condition; one-element lists written as a plain value.
     */
    public String toJson() {
        return PolicyJson.write(this);
    }

    /** Evaluates the policy for this token, as STS does when it presents the token for this role. */
    public TrustEvaluation evaluate(IdentityToken token) {
        return evaluate(TrustRequest.of(token));
    }

    /** Evaluates the policy for these claims (as decoded from a JWT); never throws for any claim map. */
    public TrustEvaluation evaluate(Map<String, ?> claims) {
        return evaluate(TrustRequest.of(claims));
    }

    /** Evaluates the policy for the request. */
    public TrustEvaluation evaluate(TrustRequest request) {
        Objects.requireNonNull(request, "request");
        return PolicyEvaluator.evaluate(this, request);
    }

    /** Shorthand for {@link TrustPolicyLinter#lint(TrustPolicy)}. */
    public List<LintFinding> lint() {
        return TrustPolicyLinter.lint(this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustPolicy other && Objects.equals(version, other.version)
                && Objects.equals(id, other.id) && statements.equals(other.statements);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, id, statements);
    }

    /** The JSON text, as {@link #toJson()}. */
    @Override
    public String toString() {
        return toJson();
    }
}
