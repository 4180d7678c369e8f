package dev.keyless.aws.internal.trust;

import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;

/** Small text helpers: describing JSON values in errors, and turning claim values into strings safely. */
public final class Text {
    private static final int MAX_SHOWN = 120;
    private static final int MAX_DEPTH = 8;

    private Text() {
    }

    /** {@code a string "allow"}, {@code a number 1}, {@code a list of 2 values}: for "found" evidence. */
    public static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof String s) {
            return "the string " + quoteShort(s);
        }
        if (v instanceof Boolean) {
            return "the boolean " + v;
        }
        if (v instanceof Number) {
            return "the number " + v;
        }
        if (v instanceof Map<?, ?> m) {
            return "an object with " + m.size() + (m.size() == 1 ? " field" : " fields");
        }
        if (v instanceof Collection<?> c) {
            return "a list of " + c.size() + (c.size() == 1 ? " value" : " values");
        }
        return "a " + v.getClass().getSimpleName();
    }

    public static String quoteShort(String s) {
        String shown = s.length() > MAX_SHOWN ? s.substring(0, MAX_SHOWN) + "..." : s;
        return JsonText.quote(shown);
    }

    /** Renders a list of values the way an explanation quotes them: {@code `a`} or {@code one of `a`, `b`}. */
    public static String values(List<String> values) {
        if (values.size() == 1) {
            return "`" + values.get(0) + "`";
        }
        StringBuilder sb = new StringBuilder("one of ");
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append('`').append(values.get(i)).append('`');
        }
        return sb.toString();
    }

    /**
     * A claim value as the string(s) IAM would compare: a string as is, each element of a list, numbers and
     * booleans in text form, dates as epoch seconds, objects as JSON-ish text. Never throws, even for cyclic or
     * hostile values.
     */
    public static List<String> claimValues(Object v) {
        if (v == null) {
            return List.of();
        }
        if (v instanceof Collection<?> c) {
            try {
                return c.stream().filter(x -> x != null).map(x -> scalarText(x, 0)).toList();
            } catch (RuntimeException e) {
                return List.of("?");
            }
        }
        if (v instanceof Object[] array) {
            return claimValues(java.util.Arrays.asList(array));
        }
        return List.of(scalarText(v, 0));
    }

    private static String scalarText(Object v, int depth) {
        try {
            if (v == null) {
                return "null";
            }
            if (v instanceof String s) {
                return s;
            }
            if (v instanceof Number || v instanceof Boolean || v instanceof Character) {
                return String.valueOf(v);
            }
            if (v instanceof Date d) {
                return String.valueOf(d.getTime() / 1000);
            }
            if (depth >= MAX_DEPTH) {
                return "...";
            }
            if (v instanceof Map<?, ?> m) {
                StringBuilder sb = new StringBuilder("{");
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    sb.append(sb.length() > 1 ? "," : "").append(JsonText.quote(String.valueOf(e.getKey()))).append(':');
                    Object val = e.getValue();
                    sb.append(val instanceof String s ? JsonText.quote(s) : scalarText(val, depth + 1));
                }
                return sb.append('}').toString();
            }
            if (v instanceof Collection<?> c) {
                StringBuilder sb = new StringBuilder("[");
                for (Object o : c) {
                    sb.append(sb.length() > 1 ? "," : "").append(o instanceof String s ? JsonText.quote(s) : scalarText(o, depth + 1));
                }
                return sb.append(']').toString();
            }
            return String.valueOf(v);
        } catch (RuntimeException | StackOverflowError e) {
            return "?";
        }
    }
}
