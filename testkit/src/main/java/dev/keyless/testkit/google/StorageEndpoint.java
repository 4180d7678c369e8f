package dev.keyless.testkit.google;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.internal.http.Http;
import dev.keyless.testkit.internal.http.Request;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Cloud Storage JSON API subset that checks bearer tokens: {@code GET /storage/v1/b/BUCKET/o} (list, with
 * {@code prefix}), {@code GET /storage/v1/b/BUCKET/o/OBJECT?alt=media} (download, or metadata without alt),
 * {@code POST /upload/storage/v1/b/BUCKET/o?uploadType=media&name=NAME} (upload); and {@code tokeninfo}.
 */
final class StorageEndpoint {
    private static final Pattern LIST = Pattern.compile("/storage/v1/b/([^/]+)/o");
    private static final Pattern OBJECT = Pattern.compile("/storage/v1/b/([^/]+)/o/(.+)");
    private static final Pattern UPLOAD = Pattern.compile("/upload/storage/v1/b/([^/]+)/o");
    private static final String JSON = "application/json; charset=UTF-8";

    private final LocalGoogle google;

    StorageEndpoint(LocalGoogle google) {
        this.google = google;
    }

    void handle(Request ex) throws IOException {
        Optional<IssuedToken> caller = ex.header("Authorization")
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .flatMap(google::validToken);
        if (caller.isEmpty()) {
            ex.respond(401, JSON, storageError(401, "Invalid Credentials", "authError"),
                    Map.of("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\""));
            return;
        }
        Map<String, List<String>> query = Http.parseForm(ex.rawQuery());
        String path = ex.rawPath();
        Matcher list = LIST.matcher(path);
        Matcher object = OBJECT.matcher(path);
        Matcher upload = UPLOAD.matcher(path);
        if (ex.method().equals("GET") && list.matches()) {
            Bucket b = bucketOr404(ex, list.group(1), caller.get(), false, "storage.objects.list");
            if (b != null) {
                list(ex, b, Http.first(query, "prefix"));
            }
        } else if (ex.method().equals("GET") && object.matches()) {
            Bucket b = bucketOr404(ex, object.group(1), caller.get(), false, "storage.objects.get");
            if (b != null) {
                String name = Http.decode(object.group(2));
                byte[] content = b.live().get(name);
                if (content == null) {
                    ex.respond(404, JSON, storageError(404, "No such object: " + b.name() + "/" + name, "notFound"));
                } else if ("media".equals(Http.first(query, "alt"))) {
                    ex.respond(200, "application/octet-stream", content, Map.of());
                } else {
                    ex.respond(200, JSON, Json.write(metadata(b, name, content)));
                }
            }
        } else if (ex.method().equals("POST") && upload.matches()) {
            Bucket b = bucketOr404(ex, upload.group(1), caller.get(), true, "storage.objects.create");
            if (b != null) {
                String name = Http.first(query, "name");
                if (name == null || name.isEmpty()) {
                    ex.respond(400, JSON, storageError(400, "Required parameter: name", "required"));
                    return;
                }
                byte[] content = ex.body();
                b.live().put(name, content);
                ex.respond(200, JSON, Json.write(metadata(b, name, content)));
            }
        } else {
            ex.respond(404, "text/html; charset=UTF-8", "Not Found");
        }
    }

    private Bucket bucketOr404(Request ex, String bucketName, IssuedToken caller, boolean write,
            String permission) throws IOException {
        Optional<Bucket> b = google.existingBucket(bucketName);
        if (b.isEmpty()) {
            ex.respond(404, JSON, storageError(404, "The specified bucket does not exist.", "notFound"));
            return null;
        }
        if (!b.get().allows(caller.members(), write)) {
            String who = caller.federated() ? caller.members().iterator().next() : caller.subject();
            ex.respond(403, JSON, storageError(403, who + " does not have " + permission + " access to the Google "
                    + "Cloud Storage " + (write ? "object" : "bucket") + ". Permission '" + permission
                    + "' denied on resource (or it may not exist).", "forbidden"));
            return null;
        }
        return b.get();
    }

    private static void list(Request ex, Bucket b, String prefix) throws IOException {
        List<Object> items = new ArrayList<>();
        new TreeMap<>(b.live()).forEach((name, content) -> {
            if (prefix == null || name.startsWith(prefix)) {
                items.add(metadata(b, name, content));
            }
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("kind", "storage#objects");
        if (!items.isEmpty()) {
            out.put("items", items);
        }
        ex.respond(200, JSON, Json.write(out));
    }

    private static Map<String, Object> metadata(Bucket b, String name, byte[] content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", "storage#object");
        m.put("id", b.name() + "/" + name);
        m.put("name", name);
        m.put("bucket", b.name());
        m.put("size", String.valueOf(content.length));
        m.put("md5Hash", md5(content));
        m.put("contentType", "application/octet-stream");
        return m;
    }

    private static String md5(byte[] content) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("MD5").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Cloud Storage's JSON error: {@code {"error": {"code", "message", "errors": [{"message", "domain", "reason"}]}}}. */
    private static String storageError(int code, String message, String reason) {
        Map<String, Object> detail = new LinkedHashMap<>();
        detail.put("message", message);
        detail.put("domain", "global");
        detail.put("reason", reason);
        if (code == 401) {
            detail.put("locationType", "header");
            detail.put("location", "Authorization");
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        error.put("errors", List.of(detail));
        return Json.write(Map.of("error", error));
    }

    /** {@code GET /oauth2/v3/tokeninfo?access_token=...}: who a token belongs to, or 400 invalid_token. */
    void tokenInfo(Request ex) throws IOException {
        String token = Http.first(Http.parseForm(ex.rawQuery()), "access_token");
        if (token == null && ex.method().equals("POST")) {
            token = Http.first(Http.parseForm(new String(ex.body(), StandardCharsets.UTF_8)), "access_token");
        }
        Optional<IssuedToken> t = Optional.ofNullable(token).flatMap(google::validToken);
        if (t.isEmpty()) {
            ex.respond(400, JSON, GoogleErrors.oauth("invalid_token", "Invalid Value"));
            return;
        }
        IssuedToken it = t.get();
        long expiresIn = Math.max(0, it.expiresAt().getEpochSecond() - google.now().getEpochSecond());
        Map<String, Object> out = new LinkedHashMap<>();
        if (it.federated()) {
            out.put("sub", it.subject());
            out.put("principal", it.members().iterator().next());
        } else {
            String uniqueId = google.existingServiceAccount(it.subject()).map(ServiceAccount::uniqueId).orElse("");
            out.put("azp", uniqueId);
            out.put("aud", uniqueId);
            out.put("sub", uniqueId);
            out.put("email", it.subject());
            out.put("email_verified", "true");
        }
        out.put("scope", String.join(" ", it.scopes()));
        out.put("exp", String.valueOf(it.expiresAt().getEpochSecond()));
        out.put("expires_in", String.valueOf(expiresIn));
        out.put("access_type", "online");
        ex.respond(200, JSON, Json.write(out));
    }
}
