package dev.keyless.aws.internal.trust;

import java.util.Optional;

/**
 * IAM's StringLike matching: {@code *} matches any run of characters (also none, also across {@code :} and
 * {@code /}), {@code ?} exactly one. Linear-time backtracking (no regular expressions, so no blow-up on
 * hostile patterns). Policy variables such as {@code ${aws:username}} are not expanded.
 */
public final class Wildcards {
    private Wildcards() {
    }

    public static boolean hasWildcard(String s) {
        return s.indexOf('*') >= 0 || s.indexOf('?') >= 0;
    }

    public static boolean like(String pattern, String value, boolean ignoreCase) {
        return align(pattern, value, ignoreCase) != null;
    }

    /**
     * When {@code pattern} matches {@code value} ignoring case, the pattern with each literal character
     * replaced by the value's character it matched: the pattern with the value's case.
     */
    public static Optional<String> recase(String pattern, String value) {
        int[] map = align(pattern, value, true);
        if (map == null) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(pattern.length());
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            sb.append(c == '*' || c == '?' ? c : value.charAt(map[i]));
        }
        return Optional.of(sb.toString());
    }

    /**
     * Matches and records, for every non-{@code *} pattern position, the value position it matched; null when
     * the pattern does not match. The classic greedy algorithm commits everything before the last {@code *}, so
     * the recorded positions form one consistent alignment.
     */
    private static int[] align(String p, String s, boolean ignoreCase) {
        int[] map = new int[p.length()];
        int pi = 0;
        int si = 0;
        int star = -1;
        int mark = 0;
        while (si < s.length()) {
            if (pi < p.length() && p.charAt(pi) != '*' && (p.charAt(pi) == '?' || same(p.charAt(pi), s.charAt(si), ignoreCase))) {
                map[pi] = si;
                pi++;
                si++;
            } else if (pi < p.length() && p.charAt(pi) == '*') {
                star = pi++;
                mark = si;
            } else if (star >= 0) {
                pi = star + 1;
                si = ++mark;
            } else {
                return null;
            }
        }
        while (pi < p.length() && p.charAt(pi) == '*') {
            pi++;
        }
        return pi == p.length() ? map : null;
    }

    private static boolean same(char a, char b, boolean ignoreCase) {
        if (a == b) {
            return true;
        }
        return ignoreCase && (Character.toLowerCase(a) == Character.toLowerCase(b)
                || Character.toUpperCase(a) == Character.toUpperCase(b));
    }
}
