package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.ConditionOperator;
import dev.keyless.aws.trust.ConditionOperator.Base;
import dev.keyless.aws.trust.ConditionResult;
import dev.keyless.aws.trust.Mismatch;
import dev.keyless.aws.trust.Mismatch.Kind;
import dev.keyless.aws.trust.TrustRequest;
import dev.keyless.aws.trust.TrustStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Explains why one condition failed, recognising the usual near misses: StringEquals with a wildcard, wrong case,
 * a missing {@code :*}, name-only versus immutable GitHub subjects, a typo in a repository name, an environment
 * job against a ref, another branch, the wrong audience (GitHub's default {@code https://github.com/ORG}, Google's
 * {@code aud}/{@code oaud}), a key without the provider's host, and a missing claim.
 */
final class ConditionExplainer {
    private static final String ABSENT = "(absent)";

    private ConditionExplainer() {
    }

    /** A candidate explanation; the most specific (lowest rank), then nearest, wins. */
    private record Candidate(Kind kind, String expected, String actual, String message, String suggestion,
                             String correctedJson, String fix, int distance) {
        int rank() {
            return switch (kind) {
                case STRING_EQUALS_WITH_WILDCARD -> 0;
                case WRONG_CASE -> 1;
                case MISSING_WILDCARD -> 2;
                case SUBJECT_FORM -> 3;
                case TYPO -> 4;
                case ENVIRONMENT_SUBJECT -> 5;
                case REF_MISMATCH -> 6;
                case WRONG_AUDIENCE -> 7;
                default -> 9;
            };
        }
    }

    static Mismatch explain(TrustStatement statement, ConditionResult cr, TrustRequest request) {
        Candidate c = candidate(cr, request);
        return new Mismatch(c.kind(), statement, Optional.of(cr), c.expected(), c.actual(), c.message(),
                Optional.ofNullable(c.suggestion()), Optional.ofNullable(c.correctedJson()), c.fix());
    }

    private static Candidate candidate(ConditionResult cr, TrustRequest request) {
        ConditionOperator op = cr.operator();
        String key = cr.key();
        String hostPath = request.providerHostPath().orElse(null);
        String expected = String.join(", ", cr.expectedValues());
        if (!cr.keyPresent() && op.base() != Base.NULL) {
            return absent(cr, request, hostPath, expected);
        }
        if (op.base() == Base.NULL || op.base() == Base.BOOL) {
            String actual = cr.keyPresent() ? String.join(", ", cr.actualValues()) : ABSENT;
            return new Candidate(Kind.VALUE_MISMATCH, op.policyName() + " " + expected, actual,
                    "The condition " + op.policyName() + " `" + key + "` expects " + Text.values(cr.expectedValues())
                            + (op.base() == Base.NULL ? " (true: the key must be absent; false: present)" : "")
                            + ", and the request has " + (cr.keyPresent() ? Text.values(cr.actualValues()) : "no value") + ".",
                    null, null, "Make the condition agree with the token, or drop it if it does not express what you meant.",
                    EditDistance.FAR);
        }
        if (op.negated()) {
            return excluded(cr);
        }
        List<String> failing = failingValues(cr);
        Candidate audience = audience(cr, hostPath, request, failing);
        if (audience != null) {
            return audience;
        }
        Candidate best = null;
        for (String v : cr.expectedValues()) {
            for (String a : failing) {
                Candidate c = pair(op, key, v, a, cr.claim().orElse(cr.condition().claimName()));
                if (best == null || c.rank() < best.rank() || c.rank() == best.rank() && c.distance() < best.distance()) {
                    best = c;
                }
            }
        }
        return Objects.requireNonNull(best, "a failing positive condition has a value");
    }

    /** The request values that fail: for ForAllValues those matching no policy value; otherwise all of them. */
    private static List<String> failingValues(ConditionResult cr) {
        if (cr.operator().qualifier() != ConditionOperator.SetQualifier.FOR_ALL_VALUES) {
            return cr.actualValues();
        }
        Base positive = ConditionMatcher.positive(cr.operator().base());
        List<String> out = new ArrayList<>();
        for (String a : cr.actualValues()) {
            if (!ConditionMatcher.matchesSome(positive, a, cr.expectedValues())) {
                out.add(a);
            }
        }
        return out.isEmpty() ? cr.actualValues() : out;
    }

    private static Candidate absent(ConditionResult cr, TrustRequest request, String hostPath, String expected) {
        String key = cr.key();
        ConditionOperator op = cr.operator();
        int colon = key.lastIndexOf(':');
        String prefix = colon > 0 ? key.substring(0, colon) : "";
        String suffix = colon >= 0 ? key.substring(colon + 1) : key;
        Map<String, Object> claims = request.claims();
        boolean claimExists = claims.keySet().stream().anyMatch(n -> n.equalsIgnoreCase(suffix))
                || Providers.isGoogle(hostPath) && suffix.equalsIgnoreCase("oaud") && claims.get("aud") != null;
        if (hostPath != null && colon > 0 && !prefix.equalsIgnoreCase(hostPath) && claimExists) {
            String corrected = hostPath + ":" + suffix;
            String json = conditionLine(op, corrected, cr.expectedValues());
            String scheme = prefix.toLowerCase(java.util.Locale.ROOT).startsWith("http")
                    ? " Condition keys never include the https:// scheme." : "";
            return new Candidate(Kind.WRONG_KEY_PREFIX, key, corrected,
                    "The condition key `" + key + "` does not start with the provider's host and path `" + hostPath
                            + "`, so IAM has no value for it and " + op.policyName() + " cannot match." + scheme
                            + " Keys are HOST/PATH:claim, the issuer URL without https://.",
                    corrected, json, "Use the key `" + corrected + "`: " + json, EditDistance.FAR);
        }
        String claim = cr.claim().orElse(suffix);
        StringBuilder msg = new StringBuilder();
        String fix;
        if (cr.claim().isEmpty()) {
            msg.append("IAM has no value for the key `").append(key).append("`: it is not a claim key of the provider `")
                    .append(hostPath == null ? "(unknown: the token has no iss)" : hostPath)
                    .append("` nor a key the request carries, so ").append(op.policyName()).append(" cannot match.");
            fix = "Use a key of the form " + (hostPath == null ? "HOST" : hostPath) + ":CLAIM, or drop the condition.";
        } else if (claim.equals("environment")) {
            msg.append("The token has no `environment` claim: the job does not reference a GitHub environment, so ")
                    .append(op.policyName()).append(" `").append(key).append("` cannot match.");
            fix = "Add `environment: " + cr.expectedValues().get(0) + "` to the job in the workflow (jobs.<id>.environment),"
                    + " or drop the condition.";
        } else {
            msg.append("The token has no `").append(claim).append("` claim, so ").append(op.policyName()).append(" `")
                    .append(key).append("` cannot match.");
            fix = "Make the token carry `" + claim + "`, or drop the condition.";
        }
        if (cr.claim().isPresent() && !cr.iamContextKey()) {
            msg.append(" Note that IAM does not document `").append(key).append("` as a condition key: GitHub states "
                    + "that AWS does not support custom claims, so even a token with this claim may not match; "
                    + "restrict the `sub` instead (GitHub can include job_workflow_ref and other claims in a "
                    + "customised sub).");
        }
        return new Candidate(Kind.MISSING_CLAIM, expected, ABSENT, msg.toString(), null, null, fix, EditDistance.FAR);
    }

    private static Candidate excluded(ConditionResult cr) {
        Base positive = ConditionMatcher.positive(cr.operator().base());
        String hitA = cr.actualValues().isEmpty() ? ABSENT : cr.actualValues().get(0);
        String hitV = cr.expectedValues().get(0);
        outer:
        for (String a : cr.actualValues()) {
            for (String v : cr.expectedValues()) {
                if (ConditionMatcher.matchesOne(positive, a, v)) {
                    hitA = a;
                    hitV = v;
                    break outer;
                }
            }
        }
        return new Candidate(Kind.EXCLUDED_VALUE, cr.operator().policyName() + " " + String.join(", ", cr.expectedValues()),
                hitA, "The token's `" + cr.condition().claimName() + "` is `" + hitA + "`, which " + cr.operator().policyName()
                        + " `" + cr.key() + "` excludes (it matches `" + hitV + "`).",
                null, null, "If this token should be allowed, remove `" + hitV + "` from the " + cr.operator().policyName()
                        + " condition; otherwise the denial is intended.", EditDistance.FAR);
    }

    private static Candidate audience(ConditionResult cr, String hostPath, TrustRequest request, List<String> failing) {
        String suffix = cr.condition().claimName().toLowerCase(java.util.Locale.ROOT);
        ConditionOperator op = cr.operator();
        boolean google = Providers.isGoogle(hostPath);
        if (google && suffix.equals("aud")) {
            // Google: IAM's :aud is the azp (the numeric unique id of the service account or client), :oaud the aud.
            List<String> tokenAud = Text.claimValues(request.claims().get("aud"));
            for (String v : cr.expectedValues()) {
                if (tokenAud.contains(v) || !v.chars().allMatch(Character::isDigit)) {
                    String oaudKey = hostPath + ":oaud";
                    String json = conditionLine(op, oaudKey, List.of(v));
                    String azp = String.join(", ", cr.actualValues());
                    return new Candidate(Kind.WRONG_AUDIENCE, v, azp,
                            "For Google tokens IAM's `accounts.google.com:aud` is the token's azp (the numeric unique id "
                                    + "of the service account or OAuth client, here `" + azp + "`) and "
                                    + "`accounts.google.com:oaud` is the token's aud. The policy puts the audience `" + v
                                    + "` under `:aud`.",
                            oaudKey, json, "Test the audience with " + json + " and the client with "
                                    + conditionLine(op, cr.key(), List.of(azp.isEmpty() ? "NUMERIC_ID" : cr.actualValues().get(0))),
                            EditDistance.FAR);
                }
            }
            return null;
        }
        boolean isAud = suffix.equals("aud") || google && suffix.equals("oaud");
        if (!isAud || failing.isEmpty()) {
            return null;
        }
        for (String v : cr.expectedValues()) {
            for (String a : failing) {
                if (v.equalsIgnoreCase(a) || op.base() == Base.STRING_LIKE && Wildcards.like(v, a, true)
                        || EditDistance.near(v, a)) {
                    return null; // a case or typo near miss: the generic analysis explains it better
                }
            }
        }
        String a = failing.get(0);
        String v = cr.expectedValues().get(0);
        String json = conditionLine(op, cr.key(), List.of(a));
        boolean githubDefault = a.matches("https://github\\.com/[^/]+/?") || a.matches("https://[^/]+/[^/]+/?")
                && hostPath != null && hostPath.contains("/_services/token");
        String message;
        String fix;
        if (githubDefault) {
            message = "The token's audience is `" + a + "`, GitHub's default when a job requests its token without "
                    + "an audience; the policy expects " + Text.values(cr.expectedValues()) + ".";
            fix = "Request the token with the audience `" + v + "` (with Keyless, the audience of the token request; "
                    + "aws-actions/configure-aws-credentials does this by default). Accepting `" + a + "` instead would "
                    + "need " + json + " and the same value in the IAM OIDC provider's audiences.";
        } else {
            message = "The token's audience is `" + a + "`; the policy expects " + Text.values(cr.expectedValues())
                    + ". The audience is chosen by whoever requests the token (the token request's audience; for "
                    + "GitLab the `aud` of `id_tokens` in .gitlab-ci.yml; for Kubernetes the projected token's "
                    + "`audience`).";
            fix = "Request the token with the audience `" + v + "`, or, if `" + a + "` is intended, accept it with "
                    + json + " and add it to the IAM OIDC provider's audiences.";
        }
        return new Candidate(Kind.WRONG_AUDIENCE, v, a, message, v, json, fix, EditDistance.between(v, a));
    }

    private static Candidate pair(ConditionOperator op, String key, String v, String a, String claim) {
        Base base = op.base();
        boolean like = base == Base.STRING_LIKE;
        boolean ignoreCase = base == Base.STRING_EQUALS_IGNORE_CASE;
        int distance = EditDistance.between(v, a);

        if (!like && Wildcards.hasWildcard(v) && Wildcards.like(v, a, ignoreCase)) {
            ConditionOperator likeOp = new ConditionOperator(Base.STRING_LIKE, op.qualifier(), op.ifExists());
            String json = conditionLine(likeOp, key, List.of(v));
            return new Candidate(Kind.STRING_EQUALS_WITH_WILDCARD, v, a, "`" + v + "` contains a wildcard, but "
                    + op.policyName() + " compares literally, so it only matches the exact text `" + v
                    + "`. Wildcards need StringLike.", likeOp.policyName(), json,
                    "Use StringLike for this value: " + json, distance);
        }
        if (!ignoreCase && (like ? Wildcards.like(v, a, true) : v.equalsIgnoreCase(a))) {
            String corrected = like ? Wildcards.recase(v, a).orElse(a) : a;
            String json = conditionLine(op, key, List.of(corrected));
            String github = GitHubSubject.parse(a) != null
                    ? " GitHub writes the organisation and repository names in the sub exactly as they are on GitHub."
                    : "";
            return new Candidate(Kind.WRONG_CASE, v, a, op.policyName() + " is case-sensitive: the policy has `" + v
                    + "` but the token has `" + a + "`." + github, corrected, json, "Use the token's case: " + json, distance);
        }
        String withStar = v.endsWith(":") ? v + "*" : v + ":*";
        boolean missingStar = like ? !Wildcards.hasWildcard(v.substring(Math.max(0, v.length() - 1)))
                && Wildcards.like(withStar, a, false) : a.startsWith(v.endsWith(":") ? v : v + ":");
        if (missingStar) {
            ConditionOperator likeOp = new ConditionOperator(Base.STRING_LIKE, op.qualifier(), op.ifExists());
            String json = conditionLine(likeOp, key, List.of(withStar));
            String exact = conditionLine(new ConditionOperator(Base.STRING_EQUALS, op.qualifier(), op.ifExists()), key,
                    List.of(a));
            return new Candidate(Kind.MISSING_WILDCARD, v, a, "The policy value `" + v + "` is the start of the token's `"
                    + a + "` but lacks `:*`: " + op.policyName() + " compares the whole value, so the part after it "
                    + "(the ref, environment or event) must be matched too.", withStar, json,
                    "Match any ref with " + json + ", or, narrower, only this one with " + exact, distance);
        }
        GitHubSubject pv = GitHubSubject.parse(v);
        GitHubSubject pa = GitHubSubject.parse(a);
        if (pv != null && pa != null) {
            Candidate c = gitHub(op, key, v, a, pv, pa, distance);
            if (c != null) {
                return c;
            }
        }
        if (!Wildcards.hasWildcard(v) && EditDistance.near(v, a)) {
            String json = conditionLine(op, key, List.of(a));
            return new Candidate(Kind.TYPO, v, a, "The policy expects `" + v + "` and the token has `" + a + "`: "
                    + distance + (distance == 1 ? " character" : " characters") + " apart, probably a typo.", a, json,
                    "If `" + a + "` is what you mean to trust, use " + json, distance);
        }
        String json = conditionLine(op, key, List.of(a));
        return new Candidate(Kind.VALUE_MISMATCH, v, a, "The token's `" + claim + "` is `" + a + "`; " + op.policyName()
                + " `" + key + "` expects `" + v + "`.", null, json,
                "If this token should be allowed (check it is the job you mean to trust), add its value: " + json, distance);
    }

    private static Candidate gitHub(ConditionOperator op, String key, String v, String a, GitHubSubject pv,
                                    GitHubSubject pa, int distance) {
        boolean like = op.base() == Base.STRING_LIKE;
        boolean ownerSame = same(pv.owner(), pa.owner(), like);
        boolean repoSame = same(pv.repo(), pa.repo(), like);
        boolean formDiffers = (pv.ownerId() == null) != (pa.ownerId() == null) || (pv.repoId() == null) != (pa.repoId() == null);
        if (ownerSame && repoSame) {
            if (formDiffers) {
                String corrected = pa.prefix() + pv.rest();
                String why = pa.immutableForm()
                        ? "The token uses GitHub's immutable subject form `" + pa.prefix() + "` (organisation and "
                        + "repository ids after the names: repositories created or renamed after 15 July 2026, or "
                        + "opted in), but the policy uses the name-only form `" + pv.prefix() + "`."
                        : "The policy uses GitHub's immutable subject form `" + pv.prefix() + "`, but this repository "
                        + "still issues the name-only form `" + pa.prefix() + "`.";
                return withContext(Kind.SUBJECT_FORM, op, key, v, a, corrected, why,
                        pa.immutableForm() ? "Use the immutable form, which also survives a rename of the organisation"
                                + " or repository name by someone else: " : "Use the name-only form (or opt the repository "
                                + "in to immutable subject claims): ", distance);
            }
            if (!same(nullToEmpty(pv.ownerId()), nullToEmpty(pa.ownerId()), like)
                    || !same(nullToEmpty(pv.repoId()), nullToEmpty(pa.repoId()), like)) {
                String corrected = pa.prefix() + pv.rest();
                return withContext(Kind.SUBJECT_FORM, op, key, v, a, corrected,
                        "The names match but the ids differ: the policy trusts `" + pv.prefix() + "` and the token comes "
                                + "from `" + pa.prefix() + "`. Ids change when an organisation or repository is deleted and "
                                + "re-created under the same name, which is exactly what immutable subjects guard against.",
                        "Only if the repository with the new ids is yours, use ", distance);
            }
            return context(op, key, v, a, pv, pa, distance);
        }
        boolean ownerNear = ownerSame || !Wildcards.hasWildcard(pv.owner()) && EditDistance.near(pv.owner(), pa.owner());
        boolean repoNear = repoSame || !Wildcards.hasWildcard(pv.repo()) && EditDistance.near(pv.repo(), pa.repo());
        if (ownerNear && repoNear) {
            String prefix = formDiffers || pv.immutableForm() ? pa.prefix() : "repo:" + pa.owner() + "/" + pa.repo();
            String corrected = prefix + pv.rest();
            String part = !repoSame && !ownerSame ? "organisation and repository names" : !repoSame ? "repository name"
                    : "organisation name";
            int d = EditDistance.between(pv.names(), pa.names());
            String why = "The policy names the repository `" + pv.names() + "` but the token comes from `" + pa.names()
                    + "`: the " + part + " " + (d == 1 ? "differs by one character" : "differ by " + d + " characters")
                    + ", a typo in the policy or a job in another repository than intended.";
            return withContext(Kind.TYPO, op, key, v, a, corrected, why,
                    "If `" + pa.names() + "` is the repository you mean to trust, use ", distance);
        }
        return null;
    }

    /**
     * A subject-level finding (form or typo): when fixing the prefix alone does not make the value match, the
     * context (ref/environment) differs too, and the fix uses the token's full subject.
     */
    private static Candidate withContext(Kind kind, ConditionOperator op, String key, String v, String a,
                                         String corrected, String why, String fixLead, int distance) {
        String message = why;
        String value = corrected;
        if (!matches(op, corrected, a)) {
            GitHubSubject pc = GitHubSubject.parse(corrected);
            GitHubSubject pa = GitHubSubject.parse(a);
            Candidate inner = pc == null || pa == null ? null : context(op, key, corrected, a, pc, pa, distance);
            if (inner != null) {
                // The inner analysis compared the prefix-corrected value; quote the policy's own value instead.
                message = why + " " + inner.message().replace("`" + corrected + "`", "`" + v + "`");
                value = inner.suggestion() != null ? inner.suggestion() : a;
            } else {
                message = why + " The rest of the value differs too: the token's sub is `" + a + "`.";
                value = a;
            }
        }
        String json = conditionLine(op, key, List.of(value));
        return new Candidate(kind, v, a, message, value, json, fixLead + json, distance);
    }

    /** Same repository, different context: environment versus ref, another branch, tag, environment or event. */
    private static Candidate context(ConditionOperator op, String key, String v, String a, GitHubSubject pv,
                                     GitHubSubject pa, int distance) {
        String vc = pv.context();
        String ac = pa.context();
        if (vc == null || ac == null) {
            return null;
        }
        ConditionOperator exactOp = new ConditionOperator(Base.STRING_EQUALS, op.qualifier(), op.ifExists());
        String exact = conditionLine(exactOp, key, List.of(a));
        boolean vEnv = vc.startsWith("environment:");
        boolean aEnv = ac.startsWith("environment:");
        boolean vRef = vc.startsWith("ref:");
        boolean aRef = ac.startsWith("ref:");
        if (!vEnv && aEnv) {
            String env = ac.substring("environment:".length());
            return new Candidate(Kind.ENVIRONMENT_SUBJECT, v, a, "The job uses the GitHub environment `" + env
                    + "`, so its sub is `" + a + "`: when a job references an environment, GitHub puts `environment:NAME` "
                    + "in the sub instead of the ref. The policy expects `" + v + "`.", a, exact,
                    "Trust the environment with " + exact + " and let the environment's deployment branch rules decide "
                            + "which branches may deploy" + (vRef ? " (e.g. only " + describeRef(vc.substring(4)) + ")" : "")
                            + "; or remove `environment:` from the job.", distance);
        }
        if (vEnv && !aEnv) {
            String env = vc.substring("environment:".length());
            return new Candidate(Kind.ENVIRONMENT_SUBJECT, v, a, "The policy expects a job that uses the GitHub "
                    + "environment `" + env + "` (sub `" + v + "`), but this job references no environment, so its sub "
                    + "names " + (aRef ? "the ref: `" + a + "`." : "the event: `" + a + "`."), "environment: " + env, exact,
                    "Add `environment: " + env + "` to the job in the workflow (jobs.<id>.environment); or, to trust "
                            + (aRef ? describeRef(ac.substring(4)) : "this event") + " without an environment, use " + exact,
                    distance);
        }
        String prefix = pa.prefix() + ":";
        if (vEnv) {
            String ve = vc.substring("environment:".length());
            String ae = ac.substring("environment:".length());
            boolean typo = !Wildcards.hasWildcard(ve) && EditDistance.near(ve, ae);
            return new Candidate(typo ? Kind.TYPO : Kind.REF_MISMATCH, v, a, "The job uses the environment `" + ae
                    + "`; the policy allows the environment `" + ve + "`" + (typo ? " (a typo?)" : "") + ".",
                    prefix + "environment:" + ae, exact, "If jobs of the environment `" + ae + "` should assume the role, use "
                    + exact, distance);
        }
        if (vRef && aRef) {
            String vr = vc.substring(4);
            String ar = ac.substring(4);
            if (!vr.startsWith("refs/") && (ar.equals("refs/heads/" + vr) || ar.equals("refs/tags/" + vr))) {
                String corrected = prefix + "ref:" + ar;
                String json = conditionLine(op, key, List.of(corrected));
                return new Candidate(Kind.REF_MISMATCH, v, a, "The sub names refs in full: `ref:" + ar + "`, not `ref:"
                        + vr + "`.", corrected, json, "Use the full ref: " + json, distance);
            }
            return new Candidate(Kind.REF_MISMATCH, v, a, "The job ran on " + describeRef(ar) + "; the policy allows "
                    + describeRef(vr) + ".", a, exact, "Run the job from " + describeRef(vr) + ", or, if "
                    + describeRef(ar) + " should assume the role too, add " + exact, distance);
        }
        return new Candidate(Kind.REF_MISMATCH, v, a, "The job's sub context is `" + ac + "` ("
                + (ac.equals("pull_request") ? "a pull_request event, whose sub names no ref" : describeContext(ac))
                + "); the policy allows `" + vc + "`.", a, exact,
                "If this " + (ac.equals("pull_request") ? "pull request workflow" : "job") + " should assume the role, add "
                        + exact + (ac.equals("pull_request") ? " (pull request workflows run code from the pull request: "
                        + "think twice)" : ""), distance);
    }

    private static String describeContext(String context) {
        return context.startsWith("ref:") ? describeRef(context.substring(4)) : "`" + context + "`";
    }

    static String describeRef(String ref) {
        if (ref.startsWith("refs/heads/")) {
            return "branch `" + ref.substring("refs/heads/".length()) + "`";
        }
        if (ref.startsWith("refs/tags/")) {
            return "tag `" + ref.substring("refs/tags/".length()) + "`";
        }
        return "`" + ref + "`";
    }

    private static boolean same(String pattern, String actual, boolean like) {
        return like ? Wildcards.like(pattern, actual, false) : pattern.equals(actual);
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }

    private static boolean matches(ConditionOperator op, String policyValue, String actual) {
        return ConditionMatcher.matchesOne(ConditionMatcher.positive(op.base()), actual, policyValue);
    }

    /** {@code "StringLike": { "KEY": "VALUE" }}: one condition as a policy line. */
    static String conditionLine(ConditionOperator op, String key, List<String> values) {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put(key, PolicyJson.oneOrMany(values));
        return JsonText.member(op.policyName(), inner);
    }
}
