package dev.keyless.gcp;

import dev.keyless.gcp.internal.CelSupport;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Evaluates a provider's attribute condition against a token's claims locally, clause by clause, to show which
 * part rejects the token ({@code unauthorized_client: The given credential is rejected by the attribute condition.}).
 *
 * <p>The condition is split at its top-level {@code &&} (or, when there is none, {@code ||}) and each clause is
 * evaluated with the reference CEL implementation over {@code assertion} (the claims), {@code google} and
 * {@code attribute} (computed from the attribute mapping when given). It needs {@code dev.cel:cel} on the class path;
 * without it, {@link Result#celAvailable()} is false and no clause is evaluated. By default the mapping is
 * {@code google.subject=assertion.sub}.
 */
public final class AttributeConditionCheck {
    private AttributeConditionCheck() {
    }

    /** One clause and what it evaluated to: {@code true}, {@code false}, or an error (an unmapped attribute...). */
    public record Clause(String expression, Optional<Boolean> value, Optional<String> error) {
        /** Whether this clause rejects the token (false, or not computable, which Google treats as a rejection). */
        public boolean rejects() {
            return value.map(v -> !v).orElse(true);
        }

        @Override
        public String toString() {
            return expression + " => " + value.map(String::valueOf).orElseGet(() -> "error: " + error.orElse("?"));
        }
    }

    /**
     * The outcome of a local evaluation.
     *
     * @param celAvailable whether CEL was on the class path (nothing is evaluated otherwise)
     * @param passed       whether the whole condition is true (empty when CEL is absent or it cannot be computed)
     * @param clauses      the clauses, in order, with their values
     * @param joiner       {@code &&} or {@code ||}: how the clauses combine
     */
    public record Result(boolean celAvailable, Optional<Boolean> passed, List<Clause> clauses, String joiner) {
        /** The clauses that reject the token (for {@code ||}, all of them when the condition is false). */
        public List<Clause> failing() {
            return clauses.stream().filter(Clause::rejects).toList();
        }
    }

    /**
     * Evaluates {@code condition} for a token with {@code claims}.
     *
     * @param attributeMapping Google's mapping ({@code google.subject} → {@code assertion.sub}...), or empty for the
     *                         default {@code google.subject=assertion.sub}
     */
    public static Result evaluate(String condition, Map<String, Object> claims, Map<String, String> attributeMapping) {
        Objects.requireNonNull(condition, "condition");
        Objects.requireNonNull(claims, "claims");
        List<String> parts = split(strip(condition), "&&");
        String joiner = "&&";
        if (parts.size() == 1) {
            List<String> or = split(strip(condition), "||");
            if (or.size() > 1) {
                parts = or;
                joiner = "||";
            }
        }
        if (!CelSupport.available()) {
            List<Clause> clauses = parts.stream()
                    .map(p -> new Clause(p, Optional.<Boolean>empty(), Optional.of("CEL is not on the class path (add dev.cel:cel)")))
                    .toList();
            return new Result(false, Optional.empty(), clauses, joiner);
        }
        Map<String, Object> vars = variables(claims, attributeMapping.isEmpty()
                ? Map.of("google.subject", "assertion.sub") : attributeMapping);
        List<Clause> clauses = new ArrayList<>();
        for (String p : parts) {
            clauses.add(clause(p, vars));
        }
        Clause whole = clause(condition, vars);
        return new Result(true, whole.value(), List.copyOf(clauses), joiner);
    }

    private static Clause clause(String expression, Map<String, Object> vars) {
        Object v = CelSupport.evaluate(expression, vars).orElse(null);
        if (v instanceof Boolean) {
            return new Clause(expression, Optional.of((Boolean) v), Optional.empty());
        }
        if (v instanceof CelSupport.CelError) {
            return new Clause(expression, Optional.empty(), Optional.of(firstLine(((CelSupport.CelError) v).message())));
        }
        return new Clause(expression, Optional.empty(), Optional.of("not a boolean: " + v));
    }

    /** assertion, google {subject, groups} and attribute {name: value}, as Google computes them from the mapping. */
    private static Map<String, Object> variables(Map<String, Object> claims, Map<String, String> mapping) {
        Map<String, Object> assertion = Map.of("assertion", claims);
        Map<String, Object> google = new LinkedHashMap<>();
        Map<String, Object> attribute = new LinkedHashMap<>();
        mapping.forEach((key, expr) -> {
            Object v = CelSupport.evaluate(expr, assertion).orElse(null);
            if (v == null || v instanceof CelSupport.CelError) {
                return;
            }
            if (key.startsWith("google.")) {
                google.put(key.substring("google.".length()), v instanceof Collection ? List.copyOf((Collection<?>) v) : v);
            } else if (key.startsWith("attribute.")) {
                attribute.put(key.substring("attribute.".length()), String.valueOf(v));
            }
        });
        google.putIfAbsent("groups", List.of());
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("assertion", claims);
        vars.put("google", google);
        vars.put("attribute", attribute);
        return vars;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Removes parentheses that enclose the whole expression. */
    private static String strip(String s) {
        String t = s.strip();
        while (t.startsWith("(") && t.endsWith(")") && closingParen(t) == t.length() - 1) {
            t = t.substring(1, t.length() - 1).strip();
        }
        return t;
    }

    private static int closingParen(String s) {
        int depth = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isQuote(c)) {
                i = endOfQuoted(s, i);
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isQuote(char c) {
        return c == '\'' || c == '"';
    }

    /**
     * The index of the quote that closes the string literal opening at {@code open} (a backslash escapes the next
     * character), or the length of {@code s} when it is not closed: operators and brackets inside literals do not count.
     */
    private static int endOfQuoted(String s, int open) {
        char quote = s.charAt(open);
        for (int i = open + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote) {
                return i;
            }
        }
        return s.length();
    }

    /** Splits at top-level occurrences of {@code op}, outside quotes, parentheses and brackets. */
    static List<String> split(String s, String op) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isQuote(c)) {
                i = endOfQuoted(s, i);
            } else if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                depth--;
            } else if (depth == 0 && s.startsWith(op, i)) {
                out.add(strip(s.substring(start, i)));
                start = i + op.length();
                i += op.length() - 1;
            }
        }
        out.add(strip(s.substring(start)));
        return out;
    }
}
