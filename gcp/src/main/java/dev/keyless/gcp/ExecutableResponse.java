package dev.keyless.gcp;

import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The JSON an executable credential source prints for Google's client libraries: what {@code keyless gcp executable}
 * writes to standard output.
 *
 * <p>Success: {@code {"version": 1, "success": true, "token_type": "urn:ietf:params:oauth:token-type:jwt",
 * "id_token": "...", "expiration_time": EPOCH_SECONDS}}; failure: {@code {"version": 1, "success": false,
 * "code": "...", "message": "..."}}. The success form holds the token: print it only to the library's pipe.
 */
public final class ExecutableResponse {
    private ExecutableResponse() {
    }

    /** The success response for a token; {@code expiration_time} is the token's {@code exp} when it has one. */
    public static String success(IdentityToken token, SubjectTokenType type) {
        Objects.requireNonNull(token, "token");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", 1);
        out.put("success", true);
        out.put("token_type", Objects.requireNonNull(type, "type").urn());
        out.put("id_token", token.value());
        token.expiresAt().ifPresent(exp -> out.put("expiration_time", exp.getEpochSecond()));
        return Json.write(out);
    }

    /** The failure response: a short code and a message (never a secret). */
    public static String failure(String code, String message) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("version", 1);
        out.put("success", false);
        out.put("code", Objects.requireNonNull(code, "code"));
        out.put("message", Objects.requireNonNull(message, "message"));
        return Json.write(out);
    }
}
