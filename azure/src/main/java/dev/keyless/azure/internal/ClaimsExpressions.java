package dev.keyless.azure.internal;

import dev.keyless.core.ConfigurationException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Entra's flexible federated identity credential expressions (languageVersion 1): terms
 * {@code claims['NAME'] eq|matches 'VALUE'} joined by {@code and}; {@code matches} takes {@code *} and {@code ?}
 * wildcards.
 */
public final class ClaimsExpressions {
    private static final Pattern TERM = Pattern.compile("claims\\['([A-Za-z0-9_.:-]+)'\\] (eq|matches) '((?:[^'\\\\]|\\\\.)*)'");

    private ClaimsExpressions() {
    }

    /** @throws ConfigurationException naming the term that is not of the supported form */
    public static void validate(String expression) {
        terms(expression);
    }

    /** Whether string claims satisfy every term; a missing claim fails its term. */
    public static boolean matches(String expression, Map<String, Object> claims) {
        for (String[] t : terms(expression)) {
            Object v = claims.get(t[0]);
            if (!(v instanceof String)) {
                return false;
            }
            boolean ok = t[1].equals("eq") ? v.equals(t[2]) : wildcard(t[2]).matcher((String) v).matches();
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static List<String[]> terms(String expression) {
        if (expression == null || expression.isBlank()) {
            throw ConfigurationException.badOption("claimsMatchingExpression", "it is empty",
                    "Write claims['sub'] matches 'repo:ORG/REPO:ref:refs/heads/*' or similar.");
        }
        List<String[]> out = new ArrayList<>();
        for (String part : expression.strip().split(" and ")) {
            Matcher m = TERM.matcher(part.strip());
            if (!m.matches()) {
                throw ConfigurationException.badOption("claimsMatchingExpression", "the term '" + part.strip()
                        + "' is not claims['NAME'] eq|matches 'VALUE'",
                        "Use terms of the form claims['sub'] matches 'repo:ORG/REPO:ref:refs/heads/*', joined by ' and '.");
            }
            out.add(new String[] {m.group(1), m.group(2), m.group(3).replace("\\'", "'")});
        }
        return out;
    }

    private static Pattern wildcard(String comparand) {
        StringBuilder regex = new StringBuilder();
        StringBuilder literal = new StringBuilder();
        for (char c : comparand.toCharArray()) {
            if (c == '*' || c == '?') {
                regex.append(Pattern.quote(literal.toString()));
                literal.setLength(0);
                regex.append(c == '*' ? ".*" : ".");
            } else {
                literal.append(c);
            }
        }
        regex.append(Pattern.quote(literal.toString()));
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
