package dev.keyless.testkit.google;

import dev.keyless.core.internal.Json;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Google's two error shapes: OAuth ({@code error}, {@code error_description}) for STS, and google.rpc.Status for the APIs. */
final class GoogleErrors {
    private GoogleErrors() {
    }

    static String oauth(String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", description);
        return Json.write(body);
    }

    /** {@code {"error": {"code": 403, "message": "...", "status": "PERMISSION_DENIED"}}}. */
    static String rpc(int code, String message, String status) {
        return rpc(code, message, status, null);
    }

    static String rpc(int code, String message, String status, Map<String, Object> detail) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("status", status);
        if (detail != null) {
            error.put("details", List.of(detail));
        }
        return Json.write(Map.of("error", error));
    }

    /** IAM's answer to a caller without a permission, or for a resource that does not exist (Google does not say which). */
    static String permissionDenied(String permission) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("@type", "type.googleapis.com/google.rpc.ErrorInfo");
        info.put("reason", "IAM_PERMISSION_DENIED");
        info.put("domain", "iam.googleapis.com");
        info.put("metadata", Map.of("permission", permission));
        return rpc(403, "Permission '" + permission + "' denied on resource (or it may not exist).",
                "PERMISSION_DENIED", info);
    }

    /** The answer to a missing, unknown or expired bearer token. */
    static String unauthenticated() {
        return rpc(401, "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie "
                + "or other valid authentication credential. See "
                + "https://developers.google.com/identity/sign-in/web/devconsole-project.", "UNAUTHENTICATED");
    }
}
