package dev.keyless.core.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.Map;
import java.util.Optional;

/** Minimal JSON reading for token endpoint responses, on the JSON support nimbus-jose-jwt already brings. */
public final class Json {
    private Json() {
    }

    /** Parses a JSON object, or returns empty when the text is not one (HTML error pages, truncated bodies). */
    public static Optional<Map<String, Object>> object(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(JSONObjectUtils.parse(text));
        } catch (ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A string member of a JSON object, if present and a string. */
    public static Optional<String> string(Map<String, Object> object, String name) {
        Object v = object.get(name);
        return v instanceof String ? Optional.of((String) v) : Optional.empty();
    }

    /** Serialises a flat map of strings (and nested maps/lists) to JSON. */
    public static String write(Map<String, ?> object) {
        return JSONObjectUtils.toJSONString(object);
    }
}
