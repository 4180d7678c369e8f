package dev.keyless.aws.internal.trust;

import dev.keyless.aws.trust.ConditionOperator;
import dev.keyless.aws.trust.TrustCondition;
import dev.keyless.aws.trust.TrustPolicy;
import dev.keyless.aws.trust.TrustPolicyException;
import dev.keyless.aws.trust.TrustPrincipals;
import dev.keyless.aws.trust.TrustStatement;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.internal.Json;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses a trust policy document into the model, checking its shape the way IAM does and naming the place of
 * every problem. Anything wrong becomes a {@link TrustPolicyException}; no other exception escapes.
 */
public final class PolicyParser {
    private static final String INVALID_JSON = "aws.trust.invalid-json";
    private static final String INVALID_POLICY = "aws.trust.invalid-policy";
    private static final String UNSUPPORTED = "aws.trust.unsupported";
    private static final int MAX_DEPTH = 32;

    private static final List<String> TOP_FIELDS = List.of("Version", "Id", "Statement");
    private static final List<String> STATEMENT_FIELDS = List.of("Sid", "Effect", "Principal", "NotPrincipal",
            "Action", "NotAction", "Resource", "NotResource", "Condition");
    private static final List<String> PRINCIPAL_TYPES = List.of("Federated", "AWS", "Service", "CanonicalUser");
    private static final Set<String> VERSIONS = Set.of("2012-10-17", "2008-10-17");
    private static final List<String> UNSUPPORTED_OPERATOR_FAMILIES = List.of("Numeric", "Date", "Arn",
            "IpAddress", "NotIpAddress", "BinaryEquals");

    private PolicyParser() {
    }

    public static TrustPolicy parse(String json) {
        try {
            return parseDocument(json);
        } catch (TrustPolicyException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            // A defect of ours must not surface as something else than the documented exception.
            throw new TrustPolicyException("$", Diagnosis.builder("The trust policy could not be read.")
                    .code(INVALID_POLICY)
                    .evidence("error", e.getClass().getSimpleName())
                    .fix("Check that the document is a JSON object with Version and Statement, as IAM shows it.")
                    .build());
        }
    }

    private static TrustPolicy parseDocument(String json) {
        if (json == null || json.isBlank()) {
            throw invalidJson("the text is empty", null);
        }
        String trimmed = json.strip();
        if (trimmed.charAt(0) != '{') {
            throw invalidJson("a policy is a JSON object and starts with '{'", "text starting with "
                    + Text.quoteShort(trimmed.substring(0, Math.min(20, trimmed.length()))));
        }
        if (nestingDepth(trimmed) > MAX_DEPTH) {
            throw invalidJson("it is nested more than " + MAX_DEPTH + " levels deep", null);
        }
        Map<String, Object> root = Json.object(trimmed).orElseThrow(() -> invalidJson(
                "it is not valid JSON (check quotes, commas and brackets; duplicate keys are not allowed)", null));
        Optional<String> duplicate = DuplicateKeys.find(trimmed);
        if (duplicate.isPresent()) {
            String path = duplicate.get();
            String key = path.substring(path.lastIndexOf('.') + 1);
            throw shape(path, "the key \"" + key + "\" appears twice in the same object (at " + path
                    + "), and JSON keeps only the last one", "Merge the two into one \"" + key + "\" object, e.g. one "
                    + "\"StringEquals\" block holding both the aud and the sub keys.", null);
        }

        for (String key : root.keySet()) {
            if (!TOP_FIELDS.contains(key)) {
                throw shape(key, "the document has the unknown field \"" + key + "\"",
                        "A policy has only Version, Id and Statement" + didYouMean(key, TOP_FIELDS) + ".", null);
            }
        }
        String version = null;
        if (root.containsKey("Version")) {
            Object v = root.get("Version");
            if (!(v instanceof String s) || !VERSIONS.contains(s)) {
                throw shape("Version", "field \"Version\" must be \"2012-10-17\"",
                        "Use \"Version\": \"2012-10-17\" (the date of the policy language, not of your policy).", v);
            }
            version = s;
        }
        String id = null;
        if (root.containsKey("Id")) {
            Object v = root.get("Id");
            if (!(v instanceof String s)) {
                throw shape("Id", "field \"Id\" must be a string", "Remove Id or make it a string.", v);
            }
            id = s;
        }
        if (!root.containsKey("Statement")) {
            throw shape("Statement", "the document has no \"Statement\"",
                    "Add \"Statement\": [ { \"Effect\": \"Allow\", \"Principal\": {...}, \"Action\": "
                            + "\"sts:AssumeRoleWithWebIdentity\", \"Condition\": {...} } ].", null);
        }
        Object st = root.get("Statement");
        List<TrustStatement> statements = new ArrayList<>();
        if (st instanceof Map<?, ?> single) {
            statements.add(statement(0, "Statement", single));
        } else if (st instanceof List<?> list) {
            if (list.isEmpty()) {
                throw shape("Statement", "\"Statement\" is an empty list", "Add at least one statement.", null);
            }
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                String loc = "Statement[" + i + "]";
                if (!(item instanceof Map<?, ?> m)) {
                    throw shape(loc, "statement " + i + " must be a JSON object", "Write each statement as { ... }.", item);
                }
                statements.add(statement(i, loc, m));
            }
        } else {
            throw shape("Statement", "\"Statement\" must be an object or a list of objects",
                    "Write \"Statement\": [ { ... } ].", st);
        }
        return TrustPolicy.of(version, id, statements);
    }

    private static TrustStatement statement(int index, String loc, Map<?, ?> m) {
        Optional<String> sid = Optional.empty();
        if (m.containsKey("Sid")) {
            Object s = m.get("Sid");
            if (!(s instanceof String str)) {
                throw shape(loc + ".Sid", "statement " + index + ": field \"Sid\" must be a string",
                        "Use a short alphanumeric Sid such as \"GitHubDeploy\", or remove it.", s);
            }
            sid = Optional.of(str);
        }
        String label = "statement " + index + sid.map(s -> " (Sid \"" + s + "\")").orElse("");
        for (Object k : m.keySet()) {
            String key = String.valueOf(k);
            if (!STATEMENT_FIELDS.contains(key)) {
                throw shape(loc + "." + key, label + " has the unknown field \"" + key + "\"",
                        "A statement has Sid, Effect, Principal, Action and Condition" + didYouMean(key, STATEMENT_FIELDS)
                                + ".", null);
            }
        }
        if (m.containsKey("NotPrincipal")) {
            throw unsupported(loc + ".NotPrincipal", label + " uses NotPrincipal, which Keyless does not evaluate",
                    "Use Principal with the provider to trust; IAM itself recommends against NotPrincipal with Allow.");
        }
        if (m.containsKey("NotAction")) {
            throw unsupported(loc + ".NotAction", label + " uses NotAction, which Keyless does not evaluate",
                    "Use \"Action\": \"sts:AssumeRoleWithWebIdentity\".");
        }
        if (m.containsKey("Resource") || m.containsKey("NotResource")) {
            String f = m.containsKey("Resource") ? "Resource" : "NotResource";
            throw shape(loc + "." + f, label + " has \"" + f + "\", which a role trust policy must not have "
                            + "(IAM rejects it: the resource is the role itself)", "Remove \"" + f + "\".", null);
        }

        if (!m.containsKey("Effect")) {
            throw shape(loc + ".Effect", label + " has no \"Effect\"", "Add \"Effect\": \"Allow\".", null);
        }
        Object e = m.get("Effect");
        TrustStatement.Effect effect;
        if ("Allow".equals(e)) {
            effect = TrustStatement.Effect.ALLOW;
        } else if ("Deny".equals(e)) {
            effect = TrustStatement.Effect.DENY;
        } else {
            String hint = e instanceof String s && (s.equalsIgnoreCase("allow") || s.equalsIgnoreCase("deny"))
                    ? " (it is case-sensitive: \"" + Character.toUpperCase(s.charAt(0)) + s.substring(1).toLowerCase(java.util.Locale.ROOT) + "\")"
                    : "";
            throw shape(loc + ".Effect", label + ": field \"Effect\" must be \"Allow\" or \"Deny\"" + hint,
                    "Use \"Effect\": \"Allow\" or \"Effect\": \"Deny\".", e);
        }

        if (!m.containsKey("Principal")) {
            throw shape(loc + ".Principal", label + " has no \"Principal\"",
                    "A trust policy says who may assume the role: add \"Principal\": { \"Federated\": "
                            + "\"arn:aws:iam::ACCOUNT_ID:oidc-provider/HOST\" }.", null);
        }
        TrustPrincipals principals = principals(loc + ".Principal", label, m.get("Principal"));

        if (!m.containsKey("Action")) {
            throw shape(loc + ".Action", label + " has no \"Action\"",
                    "Add \"Action\": \"sts:AssumeRoleWithWebIdentity\".", null);
        }
        List<String> actions = strings(loc + ".Action", label + ": field \"Action\"", m.get("Action"),
                "Use \"Action\": \"sts:AssumeRoleWithWebIdentity\" (a string or a list of strings).");

        List<TrustCondition> conditions = new ArrayList<>();
        if (m.containsKey("Condition")) {
            conditions(loc + ".Condition", label, m.get("Condition"), conditions);
        }
        return new TrustStatement(index, sid, effect, principals, actions, conditions);
    }

    private static TrustPrincipals principals(String loc, String label, Object p) {
        String example = "Use \"Principal\": \"*\" or an object such as { \"Federated\": "
                + "\"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com\" }.";
        if (p instanceof String s) {
            if (s.equals("*")) {
                return TrustPrincipals.anyone();
            }
            throw shape(loc, label + ": a string \"Principal\" can only be \"*\"", example, p);
        }
        if (!(p instanceof Map<?, ?> m) || m.isEmpty()) {
            throw shape(loc, label + ": field \"Principal\" must be \"*\" or a non-empty object", example, p);
        }
        List<String> federated = List.of();
        List<String> aws = List.of();
        List<String> service = List.of();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            String type = String.valueOf(e.getKey());
            if (!PRINCIPAL_TYPES.contains(type)) {
                throw shape(loc + "." + type, label + ": unknown principal type \"" + type + "\"",
                        "Principal types are Federated, AWS, Service and CanonicalUser" + didYouMean(type, PRINCIPAL_TYPES)
                                + ".", null);
            }
            List<String> values = strings(loc + "." + type, label + ": principal \"" + type + "\"", e.getValue(),
                    "Write the " + type + " principal as a string or a list of strings.");
            switch (type) {
                case "Federated" -> federated = values;
                case "AWS" -> aws = values;
                case "Service" -> service = values;
                default -> {
                    // CanonicalUser principals never match a web identity request; they are only checked for shape.
                }
            }
        }
        return new TrustPrincipals(aws.contains("*"), federated, aws, service);
    }

    private static void conditions(String loc, String label, Object c, List<TrustCondition> out) {
        if (!(c instanceof Map<?, ?> block)) {
            throw shape(loc, label + ": field \"Condition\" must be an object of operators",
                    "Write \"Condition\": { \"StringEquals\": { \"HOST:aud\": \"sts.amazonaws.com\" } }.", c);
        }
        for (Map.Entry<?, ?> e : block.entrySet()) {
            String opName = String.valueOf(e.getKey());
            String opLoc = loc + "." + opName;
            ConditionOperator op = operator(opLoc, label, opName);
            if (!(e.getValue() instanceof Map<?, ?> keys) || keys.isEmpty()) {
                throw shape(opLoc, label + ": operator \"" + opName + "\" must map to a non-empty object of keys",
                        "Write \"" + opName + "\": { \"token.actions.githubusercontent.com:sub\": \"repo:ORG/REPO:ref:refs/heads/main\" }.",
                        e.getValue());
            }
            for (Map.Entry<?, ?> k : keys.entrySet()) {
                String key = String.valueOf(k.getKey());
                String keyLoc = opLoc + "." + key;
                if (key.isBlank()) {
                    throw shape(keyLoc, label + ": an empty condition key under \"" + opName + "\"",
                            "Use a key such as token.actions.githubusercontent.com:sub.", null);
                }
                List<String> values = conditionValues(keyLoc, label + ": condition " + opName + " \"" + key + "\"",
                        k.getValue());
                if (op.base() == ConditionOperator.Base.NULL) {
                    for (String v : values) {
                        if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                            throw shape(keyLoc, label + ": the Null operator takes \"true\" (key absent) or \"false\" "
                                    + "(key present)", "Use \"Null\": { \"" + key + "\": \"false\" }.", v);
                        }
                    }
                }
                out.add(new TrustCondition(op, key, values));
            }
        }
    }

    private static ConditionOperator operator(String loc, String label, String name) {
        String rest = name;
        ConditionOperator.SetQualifier qualifier = ConditionOperator.SetQualifier.NONE;
        for (ConditionOperator.SetQualifier q : ConditionOperator.SetQualifier.values()) {
            if (q != ConditionOperator.SetQualifier.NONE && rest.startsWith(q.prefix())) {
                qualifier = q;
                rest = rest.substring(q.prefix().length());
            }
        }
        boolean ifExists = rest.endsWith("IfExists") && rest.length() > "IfExists".length();
        if (ifExists) {
            rest = rest.substring(0, rest.length() - "IfExists".length());
        }
        for (ConditionOperator.Base b : ConditionOperator.Base.values()) {
            if (b.policyName().equals(rest)) {
                if (b == ConditionOperator.Base.NULL && (ifExists || qualifier != ConditionOperator.SetQualifier.NONE)) {
                    throw shape(loc, label + ": \"" + name + "\" is not an operator: Null takes neither a set "
                            + "qualifier nor IfExists", "Use \"Null\".", null);
                }
                return new ConditionOperator(b, qualifier, ifExists);
            }
        }
        final String base = rest;
        if (UNSUPPORTED_OPERATOR_FAMILIES.stream().anyMatch(base::startsWith)) {
            throw unsupported(loc, label + ": the operator \"" + name + "\" is valid in IAM but Keyless only "
                    + "evaluates the String operators, Null and Bool", "Web identity conditions test claims, which "
                    + "are strings: use StringEquals or StringLike.");
        }
        List<String> known = new ArrayList<>();
        for (ConditionOperator.Base b : ConditionOperator.Base.values()) {
            known.add(b.policyName());
        }
        throw shape(loc, label + ": unknown condition operator \"" + name + "\"",
                "Operators are StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, "
                        + "StringLike, StringNotLike, Null and Bool, optionally prefixed with ForAnyValue: or "
                        + "ForAllValues: and suffixed with IfExists" + didYouMean(base, known) + ".", null);
    }

    private static List<String> conditionValues(String loc, String what, Object v) {
        String fix = "Write the value as a string or a non-empty list of strings.";
        if (v instanceof List<?> list) {
            if (list.isEmpty()) {
                throw shape(loc, what + " has an empty list of values", fix, null);
            }
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                out.add(scalar(loc, what, item, fix));
            }
            return out;
        }
        return List.of(scalar(loc, what, v, fix));
    }

    private static String scalar(String loc, String what, Object v, String fix) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Boolean || v instanceof Long || v instanceof Integer) {
            return String.valueOf(v);
        }
        if (v instanceof Double d && !d.isNaN() && !d.isInfinite()) {
            return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf(d.longValue()) : String.valueOf(d);
        }
        if (v instanceof Number n) {
            return String.valueOf(n);
        }
        throw shape(loc, what + " must be a string, number or boolean", fix, v);
    }

    private static List<String> strings(String loc, String what, Object v, String fix) {
        if (v instanceof String s) {
            if (s.isBlank()) {
                throw shape(loc, what + " is empty", fix, v);
            }
            return List.of(s);
        }
        if (v instanceof List<?> list && !list.isEmpty()) {
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String s) || s.isBlank()) {
                    throw shape(loc, what + " must hold non-empty strings", fix, item);
                }
                out.add(s);
            }
            return out;
        }
        throw shape(loc, what + " must be a string or a non-empty list of strings", fix, v);
    }

    private static int nestingDepth(String s) {
        int depth = 0;
        int max = 0;
        boolean inString = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                max = Math.max(max, ++depth);
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return max;
    }

    private static String didYouMean(String name, List<String> candidates) {
        return candidates.stream()
                .filter(c -> c.equalsIgnoreCase(name) || EditDistance.between(c.toLowerCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT)) <= 2)
                .min(Comparator.comparingInt(c -> EditDistance.between(c.toLowerCase(java.util.Locale.ROOT), name.toLowerCase(java.util.Locale.ROOT))))
                .map(c -> " (did you mean \"" + c + "\"?)")
                .orElse("");
    }

    private static TrustPolicyException invalidJson(String problem, String found) {
        Diagnosis.Builder b = Diagnosis.builder("The trust policy is not valid JSON: " + problem + ".")
                .code(INVALID_JSON)
                .likelyCause("The text is not the policy document itself: a truncated copy, YAML, a Terraform or "
                        + "CloudFormation wrapper, or JSON with a syntax error.")
                .evidence("location", "$");
        if (found != null) {
            b.evidence("found", found);
        }
        return new TrustPolicyException("$", b.fix("Pass the role's trust policy document as JSON, e.g. the output of "
                + "`aws iam get-role --role-name ROLE --query Role.AssumeRolePolicyDocument`.").build());
    }

    private static TrustPolicyException shape(String location, String problem, String fix, Object found) {
        Diagnosis.Builder b = Diagnosis.builder("Invalid trust policy: " + problem + ".")
                .code(INVALID_POLICY)
                .evidence("location", location);
        if (found != null) {
            b.evidence("found", Text.describe(found));
        }
        return new TrustPolicyException(location, b.fix(fix).build());
    }

    private static TrustPolicyException unsupported(String location, String problem, String fix) {
        return new TrustPolicyException(location, Diagnosis.builder("Unsupported trust policy: " + problem + ".")
                .code(UNSUPPORTED)
                .evidence("location", location)
                .fix(fix)
                .build());
    }
}
