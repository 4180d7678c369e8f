package dev.keyless.testkit.internal.http;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small helpers for reading form and query parameters. */
public final class Http {
    private Http() {
    }

    /**
     * Decodes {@code application/x-www-form-urlencoded} text (also a query string) into name → values, in order.
     * Malformed escapes are kept as they are rather than failing the request.
     */
    public static Map<String, List<String>> parseForm(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String[] pair : rawPairs(text)) {
            out.computeIfAbsent(decode(pair[0]), k -> new ArrayList<>()).add(decode(pair[1]));
        }
        return out;
    }

    /** Splits form text into raw (still encoded) name/value pairs; a name without '=' has an empty value. */
    public static List<String[]> rawPairs(String text) {
        List<String[]> out = new ArrayList<>();
        if (text == null || text.isEmpty()) {
            return out;
        }
        for (String part : text.split("&")) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            out.add(eq < 0 ? new String[] {part, ""} : new String[] {part.substring(0, eq), part.substring(eq + 1)});
        }
        return out;
    }

    /** Percent-decodes form text ('+' is a space). */
    public static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** The first value of a parameter, or null. */
    public static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }
}
