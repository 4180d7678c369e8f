package dev.keyless.testkit.internal.aws;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An IAM policy document, parsed and checked: a role trust policy (with Principal) or a session policy (with
 * Resource). Evaluates trust policies as IAM does for sts:AssumeRole and sts:AssumeRoleWithWebIdentity:
 * an explicit Deny wins, then any Allow, else an implicit deny.
 */
public final class PolicyDocument {
    private final List<Statement> statements;

    private PolicyDocument(List<Statement> statements) {
        this.statements = statements;
    }

    /** Parses a role trust policy; an {@link IllegalArgumentException} says what is wrong. */
    public static PolicyDocument trustPolicy(String json) {
        try {
            return parse(json, true);
        } catch (PolicyException e) {
            throw new IllegalArgumentException("MalformedPolicyDocument: " + e.getMessage());
        }
    }

    /** Checks a session policy; throws MalformedPolicyDocument as STS does. */
    public static PolicyDocument sessionPolicy(String json) throws StsError {
        try {
            return parse(json, false);
        } catch (PolicyException e) {
            throw new StsError("MalformedPolicyDocument", e.getMessage(), 400);
        }
    }

    private static PolicyDocument parse(String json, boolean trust) throws PolicyException {
        Map<String, Object> doc;
        try {
            doc = JSONObjectUtils.parse(json);
        } catch (ParseException | RuntimeException e) {
            throw new PolicyException("This policy contains invalid Json");
        }
        Object version = doc.get("Version");
        if (version != null && !"2012-10-17".equals(version) && !"2008-10-17".equals(version)) {
            throw new PolicyException("The policy must contain a valid version string");
        }
        Object st = doc.get("Statement");
        if (st == null) {
            throw new PolicyException("Syntax errors in policy.");
        }
        List<Object> raw = st instanceof List ? castList(st) : List.of(st);
        if (raw.isEmpty()) {
            throw new PolicyException("Syntax errors in policy.");
        }
        List<Statement> out = new ArrayList<>();
        for (Object o : raw) {
            if (!(o instanceof Map)) {
                throw new PolicyException("Syntax errors in policy.");
            }
            out.add(Statement.parse(castMap(o), trust));
        }
        return new PolicyDocument(out);
    }

    /**
     * Evaluates this trust policy for a request. Returns true when an Allow statement matches and no Deny
     * statement does.
     */
    public boolean allows(TrustRequest request) {
        boolean allowed = false;
        for (Statement s : statements) {
            if (s.matches(request)) {
                if (s.deny) {
                    return false;
                }
                allowed = true;
            }
        }
        return allowed;
    }

    @SuppressWarnings("unchecked")
    static List<Object> castList(Object o) {
        return (List<Object>) o;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }

    /** String or list of strings (numbers and booleans as text), as IAM accepts condition and principal values. */
    static List<String> strings(Object o) throws PolicyException {
        List<String> out = new ArrayList<>();
        if (o instanceof Collection) {
            for (Object e : (Collection<?>) o) {
                out.add(scalar(e));
            }
        } else {
            out.add(scalar(o));
        }
        return out;
    }

    private static String scalar(Object o) throws PolicyException {
        if (o instanceof String || o instanceof Number || o instanceof Boolean) {
            return String.valueOf(o);
        }
        throw new PolicyException("Syntax errors in policy.");
    }

    /** IAM wildcard match: {@code *} any run of characters, {@code ?} one character. */
    static boolean like(String pattern, String value, boolean ignoreCase) {
        String p = ignoreCase ? pattern.toLowerCase(Locale.ROOT) : pattern;
        String v = ignoreCase ? value.toLowerCase(Locale.ROOT) : value;
        int pi = 0;
        int vi = 0;
        int star = -1;
        int mark = 0;
        while (vi < v.length()) {
            if (pi < p.length() && (p.charAt(pi) == '?' || p.charAt(pi) == v.charAt(vi))) {
                pi++;
                vi++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = vi;
            } else if (star >= 0) {
                pi = star + 1;
                vi = ++mark;
            } else {
                return false;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length();
    }

    static final class PolicyException extends Exception {
        private static final long serialVersionUID = 1L;

        PolicyException(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Statement {
        final boolean deny;
        final Map<String, List<String>> principal; // null = any ("*"); type → values
        final boolean notPrincipal;
        final List<String> actions;
        final boolean notAction;
        final List<Condition> conditions;

        private Statement(boolean deny, Map<String, List<String>> principal, boolean notPrincipal,
                List<String> actions, boolean notAction, List<Condition> conditions) {
            this.deny = deny;
            this.principal = principal;
            this.notPrincipal = notPrincipal;
            this.actions = actions;
            this.notAction = notAction;
            this.conditions = conditions;
        }

        static Statement parse(Map<String, Object> s, boolean trust) throws PolicyException {
            Object effect = s.get("Effect");
            if (!"Allow".equals(effect) && !"Deny".equals(effect)) {
                throw new PolicyException("Syntax errors in policy.");
            }
            boolean hasPrincipal = s.containsKey("Principal") || s.containsKey("NotPrincipal");
            if (trust && !hasPrincipal) {
                throw new PolicyException("Missing required field Principal");
            }
            if (!trust && hasPrincipal) {
                throw new PolicyException("Policy document should not specify a principal.");
            }
            if (!trust && !s.containsKey("Resource") && !s.containsKey("NotResource")) {
                throw new PolicyException("Syntax errors in policy.");
            }
            Object actionValue = s.containsKey("Action") ? s.get("Action") : s.get("NotAction");
            if (actionValue == null) {
                throw new PolicyException("Syntax errors in policy.");
            }
            Map<String, List<String>> principal = null;
            boolean notPrincipal = false;
            if (hasPrincipal) {
                notPrincipal = !s.containsKey("Principal");
                principal = parsePrincipal(notPrincipal ? s.get("NotPrincipal") : s.get("Principal"));
            }
            List<Condition> conditions = new ArrayList<>();
            Object cond = s.get("Condition");
            if (cond != null) {
                if (!(cond instanceof Map)) {
                    throw new PolicyException("Syntax errors in policy.");
                }
                for (Map.Entry<String, Object> op : castMap(cond).entrySet()) {
                    if (!(op.getValue() instanceof Map)) {
                        throw new PolicyException("Syntax errors in policy.");
                    }
                    Operator operator = Operator.parse(op.getKey());
                    for (Map.Entry<String, Object> kv : castMap(op.getValue()).entrySet()) {
                        conditions.add(new Condition(operator, kv.getKey(), strings(kv.getValue())));
                    }
                }
            }
            return new Statement("Deny".equals(effect), principal, notPrincipal, strings(actionValue),
                    !s.containsKey("Action"), conditions);
        }

        private static Map<String, List<String>> parsePrincipal(Object p) throws PolicyException {
            if ("*".equals(p)) {
                return null;
            }
            if (!(p instanceof Map)) {
                throw new PolicyException("Invalid principal in policy");
            }
            Map<String, List<String>> out = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Object> e : castMap(p).entrySet()) {
                out.put(e.getKey(), strings(e.getValue()));
            }
            return out;
        }

        boolean matches(TrustRequest r) {
            boolean principalMatch = principal == null || principalMatches(r);
            if (notPrincipal ? principalMatch : !principalMatch) {
                return false;
            }
            boolean actionMatch = false;
            for (String a : actions) {
                if (like(a, r.action(), true)) {
                    actionMatch = true;
                    break;
                }
            }
            if (notAction == actionMatch) {
                return false;
            }
            for (Condition c : conditions) {
                if (!c.holds(r)) {
                    return false;
                }
            }
            return true;
        }

        private boolean principalMatches(TrustRequest r) {
            List<String> listed = principal.get(r.principalType());
            if (listed == null) {
                return false;
            }
            for (String l : listed) {
                if (r.principalValues().contains(l)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** A condition operator: base, set prefix (ForAnyValue/ForAllValues), IfExists. */
    private static final class Operator {
        enum Base { STRING_EQUALS, STRING_EQUALS_IGNORE_CASE, STRING_LIKE, BOOL, NULL }

        final Base base;
        final boolean negated;
        final String set; // null, "ForAnyValue", "ForAllValues"
        final boolean ifExists;

        private Operator(Base base, boolean negated, String set, boolean ifExists) {
            this.base = base;
            this.negated = negated;
            this.set = set;
            this.ifExists = ifExists;
        }

        static Operator parse(String text) throws PolicyException {
            String name = text;
            String set = null;
            int colon = name.indexOf(':');
            if (colon >= 0) {
                set = name.substring(0, colon);
                if (!set.equals("ForAnyValue") && !set.equals("ForAllValues")) {
                    throw new PolicyException("Invalid Condition type : " + text);
                }
                name = name.substring(colon + 1);
            }
            boolean ifExists = name.endsWith("IfExists");
            if (ifExists) {
                name = name.substring(0, name.length() - "IfExists".length());
            }
            switch (name) {
                case "StringEquals": case "ArnEquals":
                    return new Operator(Base.STRING_EQUALS, false, set, ifExists);
                case "StringNotEquals": case "ArnNotEquals":
                    return new Operator(Base.STRING_EQUALS, true, set, ifExists);
                case "StringEqualsIgnoreCase":
                    return new Operator(Base.STRING_EQUALS_IGNORE_CASE, false, set, ifExists);
                case "StringNotEqualsIgnoreCase":
                    return new Operator(Base.STRING_EQUALS_IGNORE_CASE, true, set, ifExists);
                case "StringLike": case "ArnLike":
                    return new Operator(Base.STRING_LIKE, false, set, ifExists);
                case "StringNotLike": case "ArnNotLike":
                    return new Operator(Base.STRING_LIKE, true, set, ifExists);
                case "Bool":
                    return new Operator(Base.BOOL, false, set, ifExists);
                case "Null":
                    if (ifExists || set != null) {
                        throw new PolicyException("Invalid Condition type : " + text);
                    }
                    return new Operator(Base.NULL, false, null, false);
                default:
                    throw new PolicyException("Invalid Condition type : " + text);
            }
        }

        boolean positive(String conditionValue, String requestValue) {
            switch (base) {
                case STRING_EQUALS: return conditionValue.equals(requestValue);
                case STRING_EQUALS_IGNORE_CASE: case BOOL: return conditionValue.equalsIgnoreCase(requestValue);
                case STRING_LIKE: return like(conditionValue, requestValue, false);
                default: throw new IllegalStateException(base.name());
            }
        }
    }

    private static final class Condition {
        final Operator op;
        final String key;
        final List<String> values;

        Condition(Operator op, String key, List<String> values) {
            this.op = op;
            this.key = key;
            this.values = values;
        }

        boolean holds(TrustRequest r) {
            List<String> actual = r.contextValues(key);
            boolean absent = actual == null || actual.isEmpty();
            if (op.base == Operator.Base.NULL) {
                // "Null": "true" asks for the key to be absent; OR across the listed values.
                for (String v : values) {
                    if (Boolean.parseBoolean(v) == absent) {
                        return true;
                    }
                }
                return false;
            }
            if (absent) {
                if (op.ifExists || "ForAllValues".equals(op.set)) {
                    return true;
                }
                if ("ForAnyValue".equals(op.set)) {
                    return false;
                }
                // Negated operators match a missing key; positive ones do not.
                return op.negated;
            }
            if ("ForAnyValue".equals(op.set)) {
                for (String a : actual) {
                    if (matchesOne(a) != op.negated) {
                        return true;
                    }
                }
                return false;
            }
            if ("ForAllValues".equals(op.set)) {
                for (String a : actual) {
                    if (matchesOne(a) == op.negated) {
                        return false;
                    }
                }
                return true;
            }
            // A single-valued operator on a multi-valued key matches when any request value matches; a
            // negated one when none does.
            boolean any = false;
            for (String a : actual) {
                if (matchesOne(a)) {
                    any = true;
                    break;
                }
            }
            return any != op.negated;
        }

        /** Whether a request value matches any condition value (OR within a key). */
        private boolean matchesOne(String requestValue) {
            for (String v : values) {
                if (op.positive(v, requestValue)) {
                    return true;
                }
            }
            return false;
        }
    }
}
