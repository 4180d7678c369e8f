package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.ConditionResult;
import dev.keyless.aws.trust.StatementResult;
import dev.keyless.aws.trust.TrustCondition;
import dev.keyless.aws.trust.TrustEvaluation;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.aws.trust.TrustPrincipals;
import dev.keyless.aws.trust.TrustRequest;
import dev.keyless.aws.trust.TrustStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Evaluates every statement of a policy against a request; {@link TrustEvaluation} combines the results. */
public final class PolicyEvaluator {
    private PolicyEvaluator() {
    }

    public static TrustEvaluation evaluate(TrustPolicy policy, TrustRequest request) {
        List<StatementResult> results = new ArrayList<>();
        for (TrustStatement s : policy.statements()) {
            results.add(statement(s, request));
        }
        return TrustEvaluation.of(policy, request, results);
    }

    private static StatementResult statement(TrustStatement s, TrustRequest request) {
        List<ConditionResult> conditions = new ArrayList<>();
        for (TrustCondition c : s.conditions()) {
            ContextKeys.Resolved r = ContextKeys.resolve(request, c.key());
            boolean matched = ConditionMatcher.matches(c.operator(), c.values(), r.values());
            conditions.add(new ConditionResult(c, r.claim(), r.present(), r.values(), r.iamDocumented(), matched));
        }
        return new StatementResult(s, principalMatches(s.principals(), request), actionMatches(s.actions(), request.action()),
                conditions);
    }

    public static boolean actionMatches(List<String> patterns, String action) {
        for (String p : patterns) {
            if (Wildcards.like(p, action, true)) {
                return true;
            }
        }
        return false;
    }

    public static boolean principalMatches(TrustPrincipals p, TrustRequest request) {
        if (p.wildcard()) {
            return true;
        }
        for (String f : p.federated()) {
            if (federatedMatches(f, request)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a Federated principal names the request's provider: the same ARN (partition, account, host and
     * path) when the request names an ARN; otherwise the same host and path, in the request's account if known.
     * A built-in provider (accounts.google.com...) is written as its bare host.
     */
    public static boolean federatedMatches(String federated, TrustRequest request) {
        if (federated.equals("*")) {
            return true;
        }
        Optional<String> hostPath = request.providerHostPath();
        if (hostPath.isEmpty()) {
            return false;
        }
        Optional<Providers.ProviderArn> arn = Providers.parseArn(federated);
        if (arn.isPresent()) {
            Providers.ProviderArn a = arn.get();
            if (!a.hostPath().equals(hostPath.get())) {
                return false;
            }
            if (request.accountId().isPresent() && !request.accountId().get().equals(a.accountId())) {
                return false;
            }
            Optional<Providers.ProviderArn> requested = request.providerArn().flatMap(Providers::parseArn);
            return requested.isEmpty() || requested.get().partition().equals(a.partition());
        }
        return Providers.normalizeHostPath(federated).equals(hostPath.get());
    }
}
