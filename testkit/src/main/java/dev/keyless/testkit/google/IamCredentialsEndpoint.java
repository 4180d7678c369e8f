package dev.keyless.testkit.google;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.internal.http.Http;
import dev.keyless.testkit.internal.http.Request;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * IAM Credentials {@code projects.serviceAccounts.generateAccessToken} and {@code generateIdToken}.
 *
 * <p>The caller is the bearer of a token this emulator issued (a federated STS token or a service account token).
 * It must hold {@code roles/iam.workloadIdentityUser} or {@code roles/iam.serviceAccountTokenCreator} on the first
 * account of the chain ({@code delegates} then the target), and each account on the next one. A missing grant and a
 * missing account get the same 403, as on Google Cloud.
 */
final class IamCredentialsEndpoint {
    private static final Pattern PATH = Pattern.compile("/v1/projects/([^/]+)/serviceAccounts/([^/:]+):(generateAccessToken|generateIdToken)");
    private static final Pattern DELEGATE = Pattern.compile("projects/[^/]+/serviceAccounts/(.+)");
    private static final Pattern LIFETIME = Pattern.compile("([0-9]+)(\\.[0-9]+)?s");
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private final LocalGoogle google;

    IamCredentialsEndpoint(LocalGoogle google) {
        this.google = google;
    }

    void handle(Request ex) throws IOException {
        Matcher m = PATH.matcher(ex.rawPath());
        if (!m.matches() || !ex.method().equals("POST")) {
            ex.respond(404, "application/json; charset=UTF-8", GoogleErrors.rpc(404,
                    "Method not found.", "NOT_FOUND"));
            return;
        }
        String email = Http.decode(m.group(2));
        boolean accessToken = m.group(3).equals("generateAccessToken");
        String permission = accessToken ? "iam.serviceAccounts.getAccessToken" : "iam.serviceAccounts.getOpenIdToken";
        Optional<IssuedToken> caller = ex.header("Authorization")
                .filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7))
                .map(h -> h.substring(7).trim())
                .flatMap(google::validToken);
        if (caller.isEmpty()) {
            ex.respond(401, "application/json; charset=UTF-8", GoogleErrors.unauthenticated(),
                    Map.of("WWW-Authenticate", "Bearer realm=\"https://accounts.google.com/\""));
            return;
        }
        Optional<Map<String, Object>> body = Json.object(ex.bodyText());
        if (body.isEmpty()) {
            invalidArgument(ex, "Invalid JSON payload received. Expected an object.");
            return;
        }
        List<String> chain = new ArrayList<>();
        Object delegates = body.get().get("delegates");
        if (delegates instanceof List) {
            for (Object d : (List<?>) delegates) {
                Matcher dm = DELEGATE.matcher(String.valueOf(d));
                if (!dm.matches()) {
                    invalidArgument(ex, "Invalid form of delegate: " + d
                            + ". Expected projects/-/serviceAccounts/{ACCOUNT_EMAIL_OR_UNIQUEID}.");
                    return;
                }
                chain.add(dm.group(1));
            }
        }
        chain.add(email);
        Set<String> members = caller.get().members();
        ServiceAccount target = null;
        for (String account : chain) {
            Optional<ServiceAccount> sa = google.existingServiceAccount(account);
            if (sa.isEmpty() || !sa.get().allowsImpersonationBy(members)) {
                ex.respond(403, "application/json; charset=UTF-8", GoogleErrors.permissionDenied(permission));
                return;
            }
            target = sa.get();
            members = Set.of(target.member());
        }
        if (accessToken) {
            generateAccessToken(ex, body.get(), target);
        } else {
            generateIdToken(ex, body.get(), target);
        }
    }

    private void generateAccessToken(Request ex, Map<String, Object> body, ServiceAccount sa) throws IOException {
        List<String> scopes = new ArrayList<>();
        if (body.get("scope") instanceof List) {
            ((List<?>) body.get("scope")).forEach(s -> scopes.add(String.valueOf(s)));
        }
        if (scopes.isEmpty()) {
            invalidArgument(ex, "Scope required.");
            return;
        }
        long lifetime = 3600;
        Object requested = body.get("lifetime");
        if (requested != null) {
            Matcher lm = LIFETIME.matcher(String.valueOf(requested));
            if (!lm.matches()) {
                invalidArgument(ex, "Invalid value at 'lifetime' (type.googleapis.com/google.protobuf.Duration), "
                        + "Field 'lifetime', Illegal duration format; duration must end with 's'");
                return;
            }
            lifetime = Long.parseLong(lm.group(1));
            long max = google.extendedLifetimeAllowed() ? 43200 : 3600;
            if (lifetime <= 0 || lifetime > max) {
                invalidArgument(ex, "The lifetime of the requested access token must be between 1 and " + max
                        + " seconds" + (max == 3600 ? "; longer lifetimes need the organization policy "
                        + "constraints/iam.allowServiceAccountCredentialLifetimeExtension." : "."));
                return;
            }
        }
        Instant expires = google.now().plusSeconds(lifetime);
        String token = google.issue(new IssuedToken(false, Set.of(sa.member()), sa.email(), Map.of(), scopes, expires),
                "ya29.c.");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("accessToken", token);
        out.put("expireTime", RFC3339.format(expires));
        ex.respond(200, "application/json; charset=UTF-8", Json.write(out));
    }

    private void generateIdToken(Request ex, Map<String, Object> body, ServiceAccount sa) throws IOException {
        Object audience = body.get("audience");
        if (!(audience instanceof String) || ((String) audience).isEmpty()) {
            invalidArgument(ex, "Audience required.");
            return;
        }
        long now = google.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("aud", audience);
        claims.put("azp", sa.uniqueId());
        if (Boolean.TRUE.equals(body.get("includeEmail"))) {
            claims.put("email", sa.email());
            claims.put("email_verified", Boolean.TRUE);
        }
        claims.put("exp", now + 3600);
        claims.put("iat", now);
        claims.put("iss", "https://accounts.google.com");
        claims.put("sub", sa.uniqueId());
        ex.respond(200, "application/json; charset=UTF-8", Json.write(Map.of("token", google.signIdToken(claims))));
    }

    private static void invalidArgument(Request ex, String message) throws IOException {
        ex.respond(400, "application/json; charset=UTF-8", GoogleErrors.rpc(400, message, "INVALID_ARGUMENT"));
    }
}
