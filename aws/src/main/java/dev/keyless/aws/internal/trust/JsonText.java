package dev.keyless.aws.internal.trust;

import java.util.Collection;
import java.util.Iterator;
import java.util.Map;

/** Writes JSON: pretty (two-space indent, map order kept) for documents, or one line for the fixes we print. */
public final class JsonText {
    private JsonText() {
    }

    public static String pretty(Object value) {
        StringBuilder sb = new StringBuilder();
        write(sb, value, 0);
        return sb.toString();
    }

    /** {@code "key": value} on one line, maps as {@code { "k": "v" }}: how a fix quotes a policy line. */
    public static String member(String key, Object value) {
        StringBuilder sb = new StringBuilder(quote(key)).append(": ");
        inline(sb, value);
        return sb.toString();
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    private static void write(StringBuilder sb, Object v, int indent) {
        if (v instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append("{\n");
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                pad(sb, indent + 1).append(quote(String.valueOf(e.getKey()))).append(": ");
                write(sb, e.getValue(), indent + 1);
                sb.append(it.hasNext() ? ",\n" : "\n");
            }
            pad(sb, indent).append('}');
        } else if (v instanceof Collection<?> list) {
            if (list.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append("[\n");
            Iterator<?> it = list.iterator();
            while (it.hasNext()) {
                pad(sb, indent + 1);
                write(sb, it.next(), indent + 1);
                sb.append(it.hasNext() ? ",\n" : "\n");
            }
            pad(sb, indent).append(']');
        } else {
            scalar(sb, v);
        }
    }

    private static void inline(StringBuilder sb, Object v) {
        if (v instanceof Map<?, ?> map) {
            sb.append("{ ");
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                sb.append(quote(String.valueOf(e.getKey()))).append(": ");
                inline(sb, e.getValue());
                sb.append(it.hasNext() ? ", " : "");
            }
            sb.append(" }");
        } else if (v instanceof Collection<?> list) {
            sb.append('[');
            Iterator<?> it = list.iterator();
            while (it.hasNext()) {
                inline(sb, it.next());
                sb.append(it.hasNext() ? ", " : "");
            }
            sb.append(']');
        } else {
            scalar(sb, v);
        }
    }

    private static void scalar(StringBuilder sb, Object v) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            sb.append(v);
        } else {
            sb.append(quote(String.valueOf(v)));
        }
    }

    private static StringBuilder pad(StringBuilder sb, int indent) {
        return sb.append("  ".repeat(indent));
    }
}
