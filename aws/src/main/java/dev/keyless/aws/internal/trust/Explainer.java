package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.ConditionResult;
import dev.keyless.aws.trust.Mismatch;
import dev.keyless.aws.trust.Mismatch.Kind;
import dev.keyless.aws.trust.StatementResult;
import dev.keyless.aws.trust.TrustEvaluation;
import dev.keyless.aws.trust.TrustRequest;
import dev.keyless.aws.trust.TrustStatement;
import dev.keyless.core.Diagnosis;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** Turns an evaluation into mismatches and a diagnosis: the closest statement, what failed, and the fix. */
public final class Explainer {
    private Explainer() {
    }

    /**
     * The Allow statement that came closest: fewest failing parts (principal, action, conditions), then the
     * smallest edit distance between expected and actual values of the failing conditions, then document order.
     */
    public static Optional<StatementResult> closest(TrustEvaluation e) {
        return e.statements().stream()
                .filter(s -> s.statement().effect() == TrustStatement.Effect.ALLOW)
                .min(Comparator.comparingInt(StatementResult::failures)
                        .thenComparingLong(Explainer::distance)
                        .thenComparingInt(s -> s.statement().index()));
    }

    private static long distance(StatementResult s) {
        long total = 0;
        for (ConditionResult c : s.failedConditions()) {
            int best = 1000;
            for (String v : c.expectedValues()) {
                for (String a : c.actualValues()) {
                    best = Math.min(best, EditDistance.between(v, a));
                }
            }
            total += best;
        }
        return total;
    }

    public static List<Mismatch> mismatches(TrustEvaluation e) {
        TrustRequest request = e.request();
        if (e.decision() == TrustEvaluation.Decision.EXPLICIT_DENY) {
            return List.of(explicitDeny(e.decidingStatement().orElseThrow()));
        }
        Optional<StatementResult> closest = closest(e);
        if (closest.isEmpty()) {
            TrustStatement first = e.policy().statements().get(0);
            return List.of(new Mismatch(Kind.NO_ALLOW_STATEMENT, first, Optional.empty(), "an Allow statement",
                    "only Deny statements", "The policy has no Allow statement, so every request is implicitly denied.",
                    Optional.empty(), Optional.empty(),
                    "Add an Allow statement for sts:AssumeRoleWithWebIdentity (TrustPolicies can generate one)."));
        }
        StatementResult s = closest.get();
        List<Mismatch> out = new ArrayList<>();
        if (!s.principalMatched()) {
            out.add(principal(s.statement(), request));
        }
        if (!s.actionMatched()) {
            out.add(action(s.statement(), request));
        }
        for (ConditionResult c : s.failedConditions()) {
            out.add(ConditionExplainer.explain(s.statement(), c, request));
        }
        return out;
    }

    private static Mismatch explicitDeny(StatementResult deny) {
        TrustStatement st = deny.statement();
        StringBuilder held = new StringBuilder();
        for (ConditionResult c : deny.conditions()) {
            held.append(held.length() == 0 ? "" : "; ").append(c.operator().policyName()).append(' ').append(c.key())
                    .append(" = ").append(c.keyPresent() ? String.join(", ", c.actualValues()) : "(absent)");
        }
        String conditions = held.length() == 0 ? "it has no conditions" : "its conditions hold: " + held;
        return new Mismatch(Kind.EXPLICIT_DENY, st, deny.conditions().stream().findFirst(), "no Deny to apply",
                st.label() + " applies", "The Deny " + st.label() + " applies to this token (" + conditions
                + "), and an explicit Deny wins over any Allow.", Optional.empty(), Optional.empty(),
                "If this job should assume the role, narrow or remove the Deny " + st.label() + "; otherwise the denial "
                        + "is intended.");
    }

    private static Mismatch principal(TrustStatement st, TrustRequest request) {
        String hostPath = request.providerHostPath().orElse(null);
        String account = request.accountId().orElse(null);
        List<String> federated = st.principals().federated();
        String requested = request.providerArn().orElse(hostPath == null ? "(unknown)" : hostPath);
        if (federated.isEmpty()) {
            String arn = hostPath == null ? "arn:aws:iam::ACCOUNT_ID:oidc-provider/HOST"
                    : Providers.isBuiltIn(hostPath) ? hostPath
                    : "arn:aws:iam::" + (account == null ? "ACCOUNT_ID" : account) + ":oidc-provider/" + hostPath;
            String json = JsonText.member("Principal", java.util.Map.of("Federated", arn));
            List<String> others = new ArrayList<>(st.principals().aws());
            others.addAll(st.principals().service());
            return new Mismatch(Kind.NOT_FEDERATED, st, Optional.empty(), "a Federated principal",
                    String.join(", ", others), "The statement trusts " + (others.isEmpty() ? "no principal that applies"
                    : "`" + String.join("`, `", others) + "`") + ", not an identity provider: a web identity token "
                    + "needs a Federated principal.", Optional.of(arn), Optional.of(json), "Trust the provider: " + json);
        }
        if (hostPath == null) {
            return new Mismatch(Kind.WRONG_PROVIDER, st, Optional.empty(), String.join(", ", federated), "(unknown)",
                    "The token has no iss claim and no provider was given, so no Federated principal can match.",
                    Optional.empty(), Optional.empty(), "Evaluate a token with an iss claim, or name the provider.");
        }
        String f = federated.stream()
                .min(Comparator.comparingInt(x -> EditDistance.between(Providers.principalHostPath(x), hostPath)))
                .orElseThrow();
        Optional<Providers.ProviderArn> arn = Providers.parseArn(f);
        String fHost = Providers.principalHostPath(f);
        if (fHost.equals(hostPath) && arn.isPresent() && account != null && !account.equals(arn.get().accountId())) {
            String corrected = new Providers.ProviderArn(arn.get().partition(), account, hostPath).arn();
            String json = JsonText.member("Federated", corrected);
            return new Mismatch(Kind.WRONG_PROVIDER, st, Optional.empty(), f, requested, "The statement trusts the "
                    + "provider in account " + arn.get().accountId() + ", but the role is in account " + account
                    + ": a role can only trust an IAM OIDC provider of its own account.", Optional.of(corrected),
                    Optional.of(json), "Use the provider of the role's account: " + json);
        }
        String corrected = arn.map(a -> new Providers.ProviderArn(a.partition(), account != null ? account : a.accountId(),
                hostPath).arn()).orElseGet(() -> Providers.isBuiltIn(hostPath) ? hostPath
                : "arn:aws:iam::" + (account == null ? "ACCOUNT_ID" : account) + ":oidc-provider/" + hostPath);
        String json = JsonText.member("Federated", corrected);
        boolean near = EditDistance.near(fHost, hostPath);
        String message = "The token was issued by `" + hostPath + "` (its iss), but the statement trusts the provider `"
                + fHost + "`" + (near ? " (a typo?)" : "") + ". STS looks up the IAM OIDC provider of the token's issuer "
                + "and the Federated principal must name that provider.";
        if (hostPath.contains("/_services/token") || fHost.startsWith("token.actions.githubusercontent.com")
                && !fHost.equals(hostPath)) {
            message += " GitHub Enterprise Server and enterprises with a custom issuer have their own issuer, and need "
                    + "their own IAM OIDC provider and condition keys.";
        }
        return new Mismatch(Kind.WRONG_PROVIDER, st, Optional.empty(), f, requested, message, Optional.of(corrected),
                Optional.of(json), "Trust the provider of the token's issuer: " + json + " (create the IAM OIDC provider "
                + "for https://" + hostPath + " first if the account has none), and prefix the condition keys with `"
                + hostPath + ":`.");
    }

    private static Mismatch action(TrustStatement st, TrustRequest request) {
        String json = JsonText.member("Action", TrustRequest.ASSUME_ROLE_WITH_WEB_IDENTITY);
        boolean assumeRole = st.actions().stream().anyMatch(a -> a.equalsIgnoreCase("sts:AssumeRole"));
        return new Mismatch(Kind.WRONG_ACTION, st, Optional.empty(), String.join(", ", st.actions()), request.action(),
                "No action of the statement (" + String.join(", ", st.actions()) + ") covers " + request.action() + "."
                        + (assumeRole ? " sts:AssumeRole is for IAM users and roles; a web identity token is exchanged "
                        + "with sts:AssumeRoleWithWebIdentity." : ""),
                Optional.of(TrustRequest.ASSUME_ROLE_WITH_WEB_IDENTITY), Optional.of(json), "Use " + json);
    }

    public static Diagnosis explain(TrustEvaluation e) {
        TrustRequest request = e.request();
        String provider = request.providerArn().orElse(request.providerHostPath().orElse("(unknown)"));
        if (e.allowed()) {
            StatementResult s = e.decidingStatement().orElseThrow();
            List<String> undocumented = s.conditions().stream()
                    .filter(c -> c.claim().isPresent() && !c.iamContextKey())
                    .map(ConditionResult::key).distinct().toList();
            Diagnosis.Builder b = Diagnosis.builder("The trust policy allows this token: " + s.statement().label()
                    + " grants " + request.action() + ".").code("aws.trust.allowed");
            if (!undocumented.isEmpty()) {
                b.likelyCause("The statement tests " + String.join(", ", undocumented) + ", which IAM does not document "
                        + "as condition keys for web identity (GitHub states that AWS does not support custom claims). "
                        + "If STS refuses this token, IAM probably has no value for these keys.");
                b.fix("Restrict with the sub claim instead: GitHub can include job_workflow_ref and other claims in a "
                        + "customised sub (PUT /repos/ORG/REPO/actions/oidc/customization/sub).");
            } else {
                b.likelyCause("If STS still answers \"Not authorized to perform sts:AssumeRoleWithWebIdentity\", it "
                        + "evaluated another role or token: check the role ARN, that this is the role's current trust "
                        + "policy, and that the token is the one the job sent (a GitHub Actions job without "
                        + "`permissions: id-token: write` gets no token at all).");
            }
            b.evidence("statement", s.statement().label()).evidence("provider", provider);
            claimEvidence(b, request);
            return b.build();
        }
        List<Mismatch> ms = e.mismatches();
        Mismatch first = ms.get(0);
        String problem;
        if (e.decision() == TrustEvaluation.Decision.EXPLICIT_DENY) {
            problem = "An explicit Deny in the trust policy refuses this token (" + first.statement().label() + ").";
        } else if (first.kind() == Kind.NO_ALLOW_STATEMENT) {
            problem = "The trust policy has no Allow statement, so it refuses every token.";
        } else {
            problem = "The trust policy does not allow this token to assume the role: " + first.statement().label()
                    + " came closest, and " + (ms.size() == 1 ? "one part of it does not match" : ms.size()
                    + " parts of it do not match") + ".";
        }
        StringBuilder cause = new StringBuilder(first.message());
        for (int i = 1; i < ms.size(); i++) {
            cause.append(" Also: ").append(ms.get(i).message());
        }
        Diagnosis.Builder b = Diagnosis.builder(problem).code(first.kind().code()).likelyCause(cause.toString())
                .evidence("closest statement", first.statement().label())
                .evidence("provider", provider);
        StringBuilder fix = new StringBuilder();
        for (int i = 0; i < ms.size(); i++) {
            Mismatch m = ms.get(i);
            String n = ms.size() == 1 ? "" : " #" + (i + 1);
            b.evidence("failed" + n, m.condition().map(c -> c.operator().policyName() + " " + c.key())
                    .orElse(switch (m.kind()) {
                        case WRONG_PROVIDER, NOT_FEDERATED -> "Principal";
                        case WRONG_ACTION -> "Action";
                        default -> m.kind().code();
                    }));
            b.evidence("expected" + n, m.expected());
            b.evidence("actual" + n, m.actual());
            m.suggestion().ifPresent(s -> b.evidence("did you mean" + n, s));
            fix.append(fix.length() == 0 ? "" : "\n").append(ms.size() == 1 ? "" : (i + 1) + ". ").append(m.fix());
        }
        return b.fix(fix.toString()).build();
    }

    private static void claimEvidence(Diagnosis.Builder b, TrustRequest request) {
        Object sub = request.claims().get("sub");
        if (sub != null) {
            b.evidence("token sub", String.join(", ", Text.claimValues(sub)));
        }
        Object aud = request.claims().get("aud");
        if (aud != null) {
            b.evidence("token aud", String.join(", ", Text.claimValues(aud)));
        }
    }
}
