package dev.keyless.aws.internal.trust;

/** Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), to spot typos. */
public final class EditDistance {
    /** Returned for inputs too long to compare cheaply. */
    public static final int FAR = Integer.MAX_VALUE / 2;
    private static final int MAX_LENGTH = 512;

    private EditDistance() {
    }

    public static int between(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.length() > MAX_LENGTH || b.length() > MAX_LENGTH) {
            return FAR;
        }
        int n = a.length();
        int m = b.length();
        int[][] d = new int[n + 1][m + 1];
        for (int i = 0; i <= n; i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= m; j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= n; i++) {
            for (int j = 1; j <= m; j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int v = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    v = Math.min(v, d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        return d[n][m];
    }

    /** Whether two names are close enough to be a typo of each other: 1 edit for short names, up to 3 for long. */
    public static boolean near(String expected, String actual) {
        int d = between(expected, actual);
        int allowed = Math.max(1, Math.min(3, Math.max(expected.length(), actual.length()) / 4));
        return d > 0 && d <= allowed;
    }
}
