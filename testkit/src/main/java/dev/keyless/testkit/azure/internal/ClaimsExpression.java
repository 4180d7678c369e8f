package dev.keyless.testkit.azure.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The restricted expression language of Entra's flexible federated identity credentials
 * ({@code claimsMatchingExpression}, languageVersion 1): terms {@code claims['NAME'] OPERATOR 'COMPARAND'} joined by
 * {@code and}, where OPERATOR is {@code eq} (exact, case-sensitive) or {@code matches} (wildcards {@code *} for any
 * run of characters and {@code ?} for one character).
 */
public final class ClaimsExpression {
    private static final Pattern TERM = Pattern.compile(
            "claims\\['([A-Za-z0-9_.:-]+)'\\] (eq|matches) '((?:[^'\\\\]|\\\\.)*)'");
    private static final Pattern AND = Pattern.compile(" and ");

    private final String text;
    private final List<Term> terms;

    private ClaimsExpression(String text, List<Term> terms) {
        this.text = text;
        this.terms = terms;
    }

    /**
     * Parses an expression.
     *
     * @throws IllegalArgumentException naming what is wrong, as Graph rejects such a credential
     */
    public static ClaimsExpression parse(String text) {
        Objects.requireNonNull(text, "claimsMatchingExpression");
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("claimsMatchingExpression is empty");
        }
        List<Term> terms = new ArrayList<>();
        for (String part : AND.split(trimmed)) {
            Matcher m = TERM.matcher(part.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException("claimsMatchingExpression term is not of the form "
                        + "claims['name'] eq|matches 'value': " + part.strip());
            }
            terms.add(new Term(m.group(1), m.group(2), m.group(3).replace("\\'", "'")));
        }
        return new ClaimsExpression(trimmed, List.copyOf(terms));
    }

    /** Whether the claims satisfy every term; a missing or non-string claim fails its term. */
    public boolean matches(Map<String, Object> claims) {
        for (Term t : terms) {
            Object v = claims.get(t.claim);
            if (!(v instanceof String)) {
                return false;
            }
            String value = (String) v;
            boolean ok = t.operator.equals("eq") ? value.equals(t.comparand) : wildcard(t.comparand).matcher(value).matches();
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** The claim names the expression reads. */
    public List<String> claimNames() {
        return terms.stream().map(t -> t.claim).toList();
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

    @Override
    public String toString() {
        return text;
    }

    private static final class Term {
        final String claim;
        final String operator;
        final String comparand;

        Term(String claim, String operator, String comparand) {
            this.claim = claim;
            this.operator = operator;
            this.comparand = comparand;
        }
    }
}
