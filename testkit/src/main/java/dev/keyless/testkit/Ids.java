package dev.keyless.testkit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Stable, realistic-looking identifiers derived from names, so the same repository always has the same id. */
final class Ids {
    private Ids() {
    }

    /** A decimal id of {@code digits} digits (no leading zero) derived from {@code seed}. */
    static String numeric(String seed, int digits) {
        byte[] h = sha256(seed);
        StringBuilder sb = new StringBuilder();
        sb.append((char) ('1' + (h[0] & 0xff) % 9));
        for (int i = 1; i < digits; i++) {
            sb.append((char) ('0' + (h[i % h.length] & 0xff) % 10));
        }
        return sb.toString();
    }

    /** {@code length} lowercase hex digits derived from {@code seed}. */
    static String hex(String seed, int length) {
        String full = HexFormat.of().formatHex(sha256(seed)) + HexFormat.of().formatHex(sha256(seed + "#"));
        return full.substring(0, length);
    }

    /** A UUID-shaped string derived from {@code seed}. */
    static String uuid(String seed) {
        String h = hex(seed, 32);
        return h.substring(0, 8) + "-" + h.substring(8, 12) + "-" + h.substring(12, 16) + "-" + h.substring(16, 20)
                + "-" + h.substring(20);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
