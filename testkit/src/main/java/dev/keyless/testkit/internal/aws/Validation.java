package dev.keyless.testkit.internal.aws;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Collects parameter constraint violations and reports them as STS does:
 * {@code 1 validation error detected: Value 'x' at 'roleSessionName' failed to satisfy constraint: ...}.
 */
final class Validation {
    static final Pattern SESSION_NAME = Pattern.compile("[\\w+=,.@-]*");
    static final Pattern EXTERNAL_ID = Pattern.compile("[\\w+=,.@:/-]*");
    static final Pattern POLICY_CHARS = Pattern.compile("[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+");

    private final List<String> errors = new ArrayList<>();

    private void add(String shown, String member, String constraint) {
        errors.add("Value " + shown + " at '" + member + "' failed to satisfy constraint: " + constraint);
    }

    private static String quote(String v) {
        return "'" + v + "'";
    }

    String required(String member, String value) {
        if (value == null) {
            add("null", member, "Member must not be null");
        }
        return value;
    }

    void length(String member, String value, int min, int max, boolean secret) {
        if (value == null) {
            return;
        }
        String shown = secret ? "'****'" : quote(value);
        if (value.length() < min) {
            add(shown, member, "Member must have length greater than or equal to " + min);
        } else if (value.length() > max) {
            add(shown, member, "Member must have length less than or equal to " + max);
        }
    }

    void pattern(String member, String value, Pattern pattern, String patternText) {
        if (value != null && !pattern.matcher(value).matches()) {
            add(quote(value), member, "Member must satisfy regular expression pattern: " + patternText);
        }
    }

    /** DurationSeconds: an integer in [900, 43200]; returns null when absent or invalid. */
    Integer duration(String value) throws StsError {
        if (value == null) {
            return null;
        }
        int seconds;
        try {
            seconds = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            // The Query API's deserializer rejects a non-integer before any constraint is checked.
            throw StsError.validation("1 validation error detected: Value '" + value
                    + "' at 'durationSeconds' failed to satisfy constraint: Member must be an integer");
        }
        if (seconds < 900) {
            add(quote(value), "durationSeconds", "Member must have value greater than or equal to 900");
        } else if (seconds > 43200) {
            add(quote(value), "durationSeconds", "Member must have value less than or equal to 43200");
        }
        return seconds;
    }

    void listSize(String member, List<String> values, int max) {
        if (values.size() > max) {
            add("'" + values + "'", member, "Member must have length less than or equal to " + max);
        }
    }

    void throwIfAny() throws StsError {
        if (!errors.isEmpty()) {
            String head = errors.size() == 1 ? "1 validation error detected: "
                    : errors.size() + " validation errors detected: ";
            throw StsError.validation(head + String.join("; ", errors));
        }
    }
}
