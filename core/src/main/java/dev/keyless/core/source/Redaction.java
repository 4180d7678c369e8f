package dev.keyless.core.source;

import java.util.regex.Pattern;

/** Removes anything token-shaped from text that is about to be shown (a command's stderr). */
final class Redaction {
    static final String REDACTED = "[redacted token]";

    // A JWT starts with a base64url JSON header ("eyJ"): hide it and whatever dot-separated parts follow,
    // even a lone header or header+payload. Also hide three long base64url parts without that prefix
    // (a JWE, or a JWT printed oddly), but not two, which would eat class and host names in ordinary errors.
    private static final Pattern JWT_LIKE = Pattern.compile(
            "eyJ[A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]*)*"
                    + "|[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}");

    private Redaction() {
    }

    /** The text with every JWT-looking run, and the given known secret if any, replaced by a marker. */
    static String scrub(String text, String knownSecret) {
        String out = text;
        if (knownSecret != null && knownSecret.length() >= 8) {
            out = out.replace(knownSecret, REDACTED);
        }
        return JWT_LIKE.matcher(out).replaceAll(REDACTED);
    }
}
