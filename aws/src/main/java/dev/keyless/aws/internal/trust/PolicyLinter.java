package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.ConditionOperator;
import dev.keyless.aws.trust.ConditionOperator.Base;
import dev.keyless.aws.trust.LintFinding;
import dev.keyless.aws.trust.LintFinding.Severity;
import dev.keyless.aws.trust.TrustCondition;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.aws.trust.TrustRequest;
import dev.keyless.aws.trust.TrustStatement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** The rules behind {@link dev.keyless.aws.trust.TrustPolicyLinter}. */
public final class PolicyLinter {
    private static final String P = "aws.trust.lint.";

    private PolicyLinter() {
    }

    public static List<LintFinding> lint(TrustPolicy policy) {
        List<LintFinding> out = new ArrayList<>();
        for (TrustStatement st : policy.statements()) {
            lintStatement(st, out);
        }
        out.sort(Comparator.comparingInt((LintFinding f) -> f.statement().index()).thenComparing(LintFinding::severity));
        return List.copyOf(out);
    }

    private static void lintStatement(TrustStatement st, List<LintFinding> out) {
        boolean allow = st.effect() == TrustStatement.Effect.ALLOW;
        if (allow && st.principals().wildcard()) {
            out.add(new LintFinding(Severity.ERROR, P + "principal-wildcard", st, "The principal is \"*\": any identity, "
                    + "from any account or provider, that satisfies the conditions can assume the role.",
                    Optional.of("Name the provider: \"Principal\": { \"Federated\": "
                            + "\"arn:aws:iam::ACCOUNT_ID:oidc-provider/HOST\" }.")));
        }
        for (TrustCondition c : st.conditions()) {
            operatorRules(st, c, out);
        }
        boolean webIdentity = PolicyEvaluator.actionMatches(st.actions(), TrustRequest.ASSUME_ROLE_WITH_WEB_IDENTITY);
        if (!allow || !webIdentity || !st.principals().wildcard() && st.principals().federated().isEmpty()) {
            return;
        }
        Set<String> hosts = new LinkedHashSet<>();
        for (String f : st.principals().federated()) {
            hosts.add(Providers.principalHostPath(f));
        }
        String host = hosts.isEmpty() ? keyHost(st) : hosts.iterator().next();

        List<TrustCondition> sub = st.conditions().stream()
                .filter(c -> c.claimName().equalsIgnoreCase("sub") && restricts(c.operator())).toList();
        boolean cognitoOnly = !hosts.isEmpty() && hosts.stream().allMatch(h -> h.equalsIgnoreCase(Providers.COGNITO));
        if (sub.isEmpty() && !cognitoOnly) {
            out.add(new LintFinding(Severity.ERROR, P + "no-subject-condition", st, "The statement allows "
                    + "AssumeRoleWithWebIdentity without a condition on `sub`: any workload that can get a token from `"
                    + host + "` (for GitHub: any repository of anyone) can assume the role.",
                    Optional.of("Add " + ConditionExplainer.conditionLine(ConditionOperator.of(Base.STRING_EQUALS),
                            host + ":sub", List.of(exampleSubject(host))) + ".")));
        }
        for (TrustCondition c : sub) {
            if (c.operator().base() == Base.STRING_LIKE) {
                for (String v : c.values()) {
                    breadth(st, c, v, out);
                }
            }
        }
        boolean hasAudience = st.conditions().stream().anyMatch(c -> restricts(c.operator())
                && (c.claimName().equalsIgnoreCase("aud") || c.claimName().equalsIgnoreCase("oaud")));
        if (!hasAudience) {
            String audKey = Providers.isGoogle(host) ? host + ":oaud" : host + ":aud";
            out.add(new LintFinding(Severity.WARNING, P + "no-audience-condition", st, "The statement does not test the "
                    + "audience, so a token minted for another service by the same provider is accepted too.",
                    Optional.of("Add " + ConditionExplainer.conditionLine(ConditionOperator.of(Base.STRING_EQUALS), audKey,
                            List.of("sts.amazonaws.com")) + ".")));
        }
        for (TrustCondition c : st.conditions()) {
            if (c.operator().qualifier() == ConditionOperator.SetQualifier.FOR_ALL_VALUES
                    && !Providers.multiValuedClaim(c.claimName()) && c.operator().base() != Base.NULL) {
                ConditionOperator plain = new ConditionOperator(c.operator().base(), ConditionOperator.SetQualifier.NONE,
                        c.operator().ifExists());
                out.add(new LintFinding(Severity.ERROR, P + "for-all-values-single-valued", st, c.operator().policyName()
                        + " on `" + c.key() + "`, a single-valued claim: ForAllValues is true when the key is missing or "
                        + "empty, so a token without this claim passes.",
                        Optional.of("Drop the set qualifier: " + ConditionExplainer.conditionLine(plain, c.key(), c.values())
                                + ".")));
            }
            keyRules(st, c, hosts, out);
        }
    }

    /** Whether a condition can narrow who gets in: a positive string operator that is not ForAllValues. */
    private static boolean restricts(ConditionOperator op) {
        return op.base().isString() && !op.negated() && op.qualifier() != ConditionOperator.SetQualifier.FOR_ALL_VALUES;
    }

    private static void operatorRules(TrustStatement st, TrustCondition c, List<LintFinding> out) {
        Base base = c.operator().base();
        boolean equalsFamily = base == Base.STRING_EQUALS || base == Base.STRING_NOT_EQUALS
                || base == Base.STRING_EQUALS_IGNORE_CASE || base == Base.STRING_NOT_EQUALS_IGNORE_CASE;
        List<String> wild = c.values().stream().filter(Wildcards::hasWildcard).toList();
        if (equalsFamily && !wild.isEmpty()) {
            Base likeBase = base.negated() ? Base.STRING_NOT_LIKE : Base.STRING_LIKE;
            ConditionOperator like = new ConditionOperator(likeBase, c.operator().qualifier(), c.operator().ifExists());
            out.add(new LintFinding(Severity.ERROR, P + "string-equals-with-wildcard", st, c.operator().policyName()
                    + " compares literally, so `" + wild.get(0) + "` only matches that exact text, wildcard included: "
                    + (base.negated() ? "the condition excludes almost nothing." : "the condition never matches a real token."),
                    Optional.of("Use " + ConditionExplainer.conditionLine(like, c.key(), c.values()) + ".")));
        }
        if ((base == Base.STRING_LIKE || base == Base.STRING_NOT_LIKE) && wild.isEmpty()) {
            Base eqBase = base.negated() ? Base.STRING_NOT_EQUALS : Base.STRING_EQUALS;
            ConditionOperator eq = new ConditionOperator(eqBase, c.operator().qualifier(), c.operator().ifExists());
            out.add(new LintFinding(Severity.INFO, P + "string-like-without-wildcard", st, c.operator().policyName()
                    + " on `" + c.key() + "` has no wildcard, so it is an exact comparison: "
                    + eqBase.policyName() + " says so.",
                    Optional.of("Use " + ConditionExplainer.conditionLine(eq, c.key(), c.values())
                            + " (or add the `:*` you meant).")));
        }
    }

    /** Flags sub wildcards that let other organisations (ERROR) or every repository of one (WARNING) in. */
    private static void breadth(TrustStatement st, TrustCondition c, String v, List<LintFinding> out) {
        if (!Wildcards.hasWildcard(v)) {
            return;
        }
        Severity severity = null;
        String who = null;
        if (v.chars().allMatch(ch -> ch == '*' || ch == '?') || v.charAt(0) == '*' || v.charAt(0) == '?') {
            severity = Severity.ERROR;
            who = "any subject of the provider";
        } else if (v.startsWith("repo:")) {
            GitHubSubject s = GitHubSubject.parse(v);
            if (s == null || Wildcards.hasWildcard(s.owner()) || s.ownerId() != null && Wildcards.hasWildcard(s.ownerId())) {
                severity = Severity.ERROR;
                who = "repositories of other organisations and users";
            } else if (Wildcards.hasWildcard(s.repo()) || s.repoId() != null && Wildcards.hasWildcard(s.repoId())) {
                severity = Severity.WARNING;
                who = "every repository of `" + s.owner() + "` that matches `" + s.repo() + "`, including ones created "
                        + "later";
            }
        } else if (v.startsWith("project_path:")) {
            String path = v.substring("project_path:".length());
            int end = path.indexOf(':');
            path = end < 0 ? path : path.substring(0, end);
            int slash = path.indexOf('/');
            String group = slash < 0 ? path : path.substring(0, slash);
            if (Wildcards.hasWildcard(group) || slash < 0 && Wildcards.hasWildcard(path)) {
                severity = Severity.ERROR;
                who = "projects of other groups";
            } else if (Wildcards.hasWildcard(path)) {
                severity = Severity.WARNING;
                who = "every project of the group `" + group + "`";
            }
        } else if (v.startsWith("system:serviceaccount:")) {
            String[] parts = v.substring("system:serviceaccount:".length()).split(":", 2);
            if (Wildcards.hasWildcard(parts[0])) {
                severity = Severity.ERROR;
                who = "service accounts of any namespace";
            } else if (parts.length > 1 && Wildcards.hasWildcard(parts[1])) {
                severity = Severity.WARNING;
                who = "every service account of the namespace `" + parts[0] + "`";
            }
        }
        if (severity == null) {
            return;
        }
        out.add(new LintFinding(severity, severity == Severity.ERROR ? P + "subject-wildcard-any-owner"
                : P + "subject-wildcard-owner-wide", st, "The sub pattern `" + v + "` lets in " + who + ".",
                Optional.of("Name the repository (or project, or service account) in full, e.g. "
                        + ConditionExplainer.conditionLine(c.operator(), c.key(), List.of(exampleSubject(c.key()))) + ".")));
    }

    private static void keyRules(TrustStatement st, TrustCondition c, Set<String> hosts, List<LintFinding> out) {
        int colon = c.key().lastIndexOf(':');
        if (colon <= 0 || hosts.isEmpty()) {
            return;
        }
        String prefix = c.key().substring(0, colon);
        String suffix = c.key().substring(colon + 1);
        String lower = prefix.toLowerCase(Locale.ROOT);
        if (lower.equals("aws") || lower.equals("sts") || lower.equals("iam")) {
            return;
        }
        Optional<String> host = hosts.stream().filter(h -> h.equalsIgnoreCase(prefix)).findFirst();
        if (host.isEmpty()) {
            String corrected = hosts.iterator().next() + ":" + suffix;
            out.add(new LintFinding(Severity.WARNING, P + "key-prefix-mismatch", st, "The key `" + c.key()
                    + "` does not start with the trusted provider's host and path (" + String.join(", ", hosts)
                    + "), so IAM never has a value for it" + (lower.startsWith("http") ? " (keys never include https://)" : "")
                    + ".", Optional.of("Use " + ConditionExplainer.conditionLine(c.operator(), corrected, c.values()) + ".")));
        } else if (!Providers.documentedKey(host.get(), suffix)) {
            out.add(new LintFinding(Severity.WARNING, P + "undocumented-claim-key", st, "IAM does not document `" + c.key()
                    + "` as a condition key for web identity (GitHub states that AWS does not support custom claims), so "
                    + "IAM may have no value for it: " + (restricts(c.operator()) ? "the condition would then never match."
                    : "the condition would then not restrict anything."),
                    Optional.of("Restrict with the sub claim instead; GitHub can include job_workflow_ref and other claims "
                            + "in a customised sub (PUT /repos/ORG/REPO/actions/oidc/customization/sub).")));
        }
    }

    /** With no Federated principal to go by (Principal "*"), the provider host the condition keys use. */
    private static String keyHost(TrustStatement st) {
        for (TrustCondition c : st.conditions()) {
            int colon = c.key().lastIndexOf(':');
            String prefix = colon > 0 ? c.key().substring(0, colon).toLowerCase(Locale.ROOT) : "";
            if (!prefix.isEmpty() && !prefix.equals("aws") && !prefix.equals("sts") && !prefix.startsWith("http")) {
                return c.key().substring(0, colon);
            }
        }
        return "HOST";
    }

    private static String exampleSubject(String hostOrKey) {
        String h = hostOrKey.toLowerCase(Locale.ROOT);
        if (h.contains("token.actions.githubusercontent.com") || h.contains("/_services/token")) {
            return "repo:ORG/REPO:ref:refs/heads/main";
        }
        if (h.contains("gitlab")) {
            return "project_path:GROUP/PROJECT:ref_type:branch:ref:main";
        }
        if (h.contains("oidc.eks.") || h.contains("kubernetes")) {
            return "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT";
        }
        return "SUBJECT";
    }
}
