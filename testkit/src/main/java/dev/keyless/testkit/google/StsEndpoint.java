package dev.keyless.testkit.google;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.google.internal.CelEngine;
import dev.keyless.testkit.google.internal.Jwts;
import dev.keyless.testkit.internal.aws.SigV4;
import dev.keyless.testkit.internal.http.Http;
import dev.keyless.testkit.internal.http.Request;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/token}: RFC 8693 token exchange as Google's Security Token Service does it for OIDC providers.
 *
 * <p>Checks, in order: grant type, requested token type, the audience's shape ({@code invalid_request}), the
 * provider's existence and state ({@code invalid_target}), the subject token type, the token itself (parse, issuer,
 * signature, expiry, audience: {@code invalid_grant}), the mapping ({@code google.subject} within 127 bytes:
 * {@code invalid_request}) and the attribute condition ({@code unauthorized_client}). Every error is HTTP 400 with
 * {@code {"error": ..., "error_description": ...}}, with the messages Google returns.
 */
final class StsEndpoint {
    static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";
    static final String ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token";
    static final String AWS4_REQUEST = "urn:ietf:params:aws:token-type:aws4_request";

    static final String INVALID_AUDIENCE = "Invalid value for \"audience\". This value should be the full resource "
            + "name of the Identity Provider. See https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token"
            + " for the list of possible formats.";
    static final String INVALID_TARGET = "The target service indicated by the \"audience\" parameters is invalid. "
            + "This might either be because the pool or provider is disabled or deleted or because it doesn't exist.";
    static final String CONDITION_REJECTED = "The given credential is rejected by the attribute condition.";

    private static final Pattern WORKLOAD = Pattern.compile(
            "//iam\\.googleapis\\.com/projects/([^/]+)/locations/([^/]+)/workloadIdentityPools/([^/]+)/providers/([^/]+)");
    private static final Pattern WORKFORCE = Pattern.compile(
            "//iam\\.googleapis\\.com/locations/([^/]+)/workforcePools/([^/]+)/providers/([^/]+)");
    private static final int SUBJECT_LIMIT_BYTES = 127;

    private final LocalGoogle google;

    StsEndpoint(LocalGoogle google) {
        this.google = google;
    }

    void handle(Request ex) throws IOException {
        if (!ex.method().equals("POST")) {
            ex.respond(404, "text/html; charset=UTF-8", "<!DOCTYPE html><title>Error 404 (Not Found)</title>");
            return;
        }
        String contentType = ex.header("Content-Type").orElse("");
        Map<String, String> p = params(contentType, ex.bodyText());
        String subjectToken = p.get("subject_token");
        google.record(new RecordedStsRequest(contentType, p.get("grant_type"), p.get("audience"), p.get("scope"),
                p.get("requested_token_type"), p.get("subject_token_type"), p.get("options"),
                subjectToken == null ? 0 : subjectToken.length()));
        Outcome outcome = exchange(p, subjectToken);
        ex.respond(outcome.status, "application/json; charset=utf-8", outcome.body);
    }

    private Outcome exchange(Map<String, String> p, String subjectToken) {
        String grantType = p.get("grant_type");
        if (grantType == null) {
            return error("invalid_request", "Missing required parameter: \"grant_type\".");
        }
        if (!grantType.equals(TOKEN_EXCHANGE)) {
            return error("unsupported_grant_type", "Invalid value for \"grant_type\": \"" + grantType + "\".");
        }
        String requested = p.get("requested_token_type");
        if (requested == null || !requested.equals(ACCESS_TOKEN_TYPE)) {
            return error("invalid_request", "Invalid value for \"requested_token_type\". Expected \"" + ACCESS_TOKEN_TYPE + "\".");
        }
        String audience = p.get("audience");
        if (audience == null || audience.isEmpty()) {
            return error("invalid_request", INVALID_AUDIENCE);
        }
        String resourceName;
        Matcher m = WORKLOAD.matcher(audience);
        Matcher f = WORKFORCE.matcher(audience);
        if (m.matches()) {
            String project = m.group(1);
            if (!project.matches("[0-9]+") || !m.group(2).equals("global")) {
                // A project id where the number belongs names no pool Google can find.
                return error("invalid_target", INVALID_TARGET);
            }
            resourceName = audience.substring("//iam.googleapis.com/".length());
        } else if (f.matches()) {
            resourceName = audience.substring("//iam.googleapis.com/".length());
        } else {
            return error("invalid_request", INVALID_AUDIENCE);
        }
        Optional<WorkloadIdentityPoolProvider> found = google.provider(resourceName);
        if (found.isEmpty() || found.get().isDisabled()) {
            return error("invalid_target", INVALID_TARGET);
        }
        WorkloadIdentityPoolProvider provider = found.get();
        Object assertion = provider.awsAccountId() != null
                ? awsAssertion(p.get("subject_token_type"), subjectToken, provider, audience)
                : oidcAssertion(p.get("subject_token_type"), subjectToken, provider);
        if (assertion instanceof Outcome) {
            return (Outcome) assertion;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> claims = (Map<String, Object>) assertion;
        Instant now = google.now();
        // Attribute mapping.
        String subject = null;
        List<String> groups = List.of();
        Map<String, String> attributes = new LinkedHashMap<>();
        Map<String, Object> vars = Map.of("assertion", claims);
        for (Map.Entry<String, String> e : provider.attributeMapping().entrySet()) {
            Object value;
            try {
                value = CelEngine.evaluate(e.getValue(), vars);
            } catch (CelEngine.CelException ex) {
                if (e.getKey().equals("google.subject")) {
                    return error("invalid_request", "The mapped attribute google.subject could not be computed: "
                            + "the expression " + e.getValue() + " fails on this assertion.");
                }
                continue; // Google leaves an attribute unmapped when its expression has no value.
            }
            if (e.getKey().equals("google.subject")) {
                subject = value == null ? null : String.valueOf(value);
            } else if (e.getKey().equals("google.groups")) {
                groups = value instanceof Collection ? ((Collection<?>) value).stream().map(String::valueOf).toList()
                        : List.of(String.valueOf(value));
            } else if (value != null) {
                attributes.put(e.getKey().substring("attribute.".length()), String.valueOf(value));
            }
        }
        if (subject == null || subject.isEmpty()) {
            return error("invalid_request", "The mapped attribute google.subject must not be empty. Either modify "
                    + "your attribute mapping or the incoming assertion to produce a non-empty google.subject.");
        }
        if (subject.getBytes(StandardCharsets.UTF_8).length > SUBJECT_LIMIT_BYTES) {
            return error("invalid_request", "The size of mapped attribute google.subject exceeds the 127 bytes limit. "
                    + "Either modify your attribute mapping or the incoming assertion to produce a mapped attribute "
                    + "that is less than 127 bytes.");
        }
        String condition = provider.attributeCondition();
        if (condition != null) {
            Map<String, Object> googleVar = new LinkedHashMap<>();
            googleVar.put("subject", subject);
            googleVar.put("groups", groups);
            Object result;
            try {
                result = CelEngine.evaluate(condition, Map.of("assertion", claims, "google", googleVar,
                        "attribute", new LinkedHashMap<String, Object>(attributes)));
            } catch (CelEngine.CelException e) {
                result = Boolean.FALSE;
            }
            if (!Boolean.TRUE.equals(result)) {
                return error("unauthorized_client", CONDITION_REJECTED);
            }
        }
        Set<String> members = new LinkedHashSet<>();
        String pool = provider.poolResourceName();
        members.add("principal://iam.googleapis.com/" + pool + "/subject/" + subject);
        attributes.forEach((k, v) -> members.add("principalSet://iam.googleapis.com/" + pool + "/attribute." + k + "/" + v));
        groups.forEach(g -> members.add("principalSet://iam.googleapis.com/" + pool + "/group/" + g));
        members.add("principalSet://iam.googleapis.com/" + pool + "/*");
        long lifetime = google.federatedTokenLifetime().getSeconds();
        List<String> scopes = p.get("scope") == null ? List.of() : Arrays.asList(p.get("scope").trim().split("\\s+"));
        String token = google.issue(new IssuedToken(true, members, subject, attributes, scopes,
                now.plusSeconds(lifetime)), "ya29.d.");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", token);
        body.put("issued_token_type", ACCESS_TOKEN_TYPE);
        body.put("token_type", "Bearer");
        body.put("expires_in", lifetime);
        return new Outcome(200, Json.write(body));
    }

    /** The claims of a verified OIDC subject token, or the error {@link Outcome}. */
    private Object oidcAssertion(String tokenType, String subjectToken, WorkloadIdentityPoolProvider provider) {
        if (tokenType == null || !(tokenType.equals(JWT_TYPE) || tokenType.equals(ID_TOKEN_TYPE))) {
            return error("invalid_request", "Invalid value for \"subject_token_type\". The subject token type "
                    + "must be \"" + JWT_TYPE + "\" or \"" + ID_TOKEN_TYPE + "\" for an OIDC provider.");
        }
        if (subjectToken == null || subjectToken.isEmpty()) {
            return error("invalid_request", "Missing required parameter: \"subject_token\".");
        }
        Optional<Map<String, Object>> parsed = Jwts.claims(subjectToken);
        if (parsed.isEmpty()) {
            return error("invalid_grant", "Unable to parse the ID Token.");
        }
        Map<String, Object> claims = parsed.get();
        String iss = claims.get("iss") instanceof String ? (String) claims.get("iss") : null;
        if (iss == null || !stripSlash(iss).equals(stripSlash(provider.issuerUri()))) {
            return error("invalid_grant", "The issuer in ID Token " + iss + " does not match the expected ones: "
                    + stripSlash(provider.issuerUri()) + "/");
        }
        if (!Jwts.verifies(subjectToken, provider.jwksJson())) {
            return error("invalid_grant", "Invalid JWT Signature.");
        }
        Instant now = google.now();
        Long exp = seconds(claims.get("exp"));
        if (exp == null || now.getEpochSecond() >= exp) {
            Long iat = seconds(claims.get("iat"));
            return error("invalid_grant", "ID Token issued at " + (iat == null ? "(unknown)" : iat) + " is stale to sign-in.");
        }
        Long nbf = seconds(claims.get("nbf"));
        if (nbf != null && now.getEpochSecond() < nbf) {
            return error("invalid_grant", "The ID Token is not valid yet.");
        }
        List<String> aud = audiences(claims.get("aud"));
        if (aud.stream().noneMatch(provider.allowedAudiences()::contains)) {
            return error("invalid_grant", "The audience in ID Token " + aud + " does not match the expected audience.");
        }
        return claims;
    }

    /**
     * The caller of a signed GetCallerIdentity request ({@code aws4_request}), as AWS would answer it, or the error:
     * {@code {arn, account, userid}}. The signature is checked with the keys registered by {@link LocalGoogle#awsCaller}.
     */
    private Object awsAssertion(String tokenType, String subjectToken, WorkloadIdentityPoolProvider provider, String audience) {
        if (!AWS4_REQUEST.equals(tokenType)) {
            return error("invalid_request", "Invalid value for \"subject_token_type\". The subject token type must be \""
                    + AWS4_REQUEST + "\" for an AWS provider.");
        }
        if (subjectToken == null || subjectToken.isEmpty()) {
            return error("invalid_request", "Missing required parameter: \"subject_token\".");
        }
        Optional<Map<String, Object>> json = Json.object(Http.decode(subjectToken));
        if (json.isEmpty() || !(json.get().get("url") instanceof String) || !(json.get().get("headers") instanceof List)) {
            return error("invalid_grant", "Unable to parse the AWS subject token: expected the serialized, signed "
                    + "GetCallerIdentity request.");
        }
        String method = String.valueOf(json.get().get("method"));
        URI url;
        try {
            url = URI.create((String) json.get().get("url"));
        } catch (IllegalArgumentException e) {
            return error("invalid_grant", "The AWS subject token's url is not a URL.");
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Object h : (List<?>) json.get().get("headers")) {
            if (h instanceof Map) {
                Map<?, ?> m = (Map<?, ?>) h;
                // google-auth lists x-goog-cloud-target-resource twice; a header has one value.
                headers.putIfAbsent(String.valueOf(m.get("key")), List.of(String.valueOf(m.get("value"))));
            }
        }
        String host = url.getHost() == null ? "" : url.getHost();
        if (!method.equals("POST") || !host.matches("sts(\\.[a-z0-9-]+)?\\.amazonaws\\.com")
                || url.getRawQuery() == null || !url.getRawQuery().contains("Action=GetCallerIdentity")) {
            return error("invalid_grant", "The AWS subject token must be a signed POST GetCallerIdentity request to an "
                    + "sts.amazonaws.com endpoint.");
        }
        if (!audience.equals(first(headers, "x-goog-cloud-target-resource"))) {
            return error("invalid_grant", "The x-goog-cloud-target-resource header of the AWS request does not match "
                    + "the audience.");
        }
        SigV4.Authorization auth;
        try {
            auth = SigV4.parse(String.valueOf(first(headers, "Authorization")));
        } catch (Exception e) {
            return error("invalid_grant", "The AWS request is not signed with AWS Signature Version 4.");
        }
        Optional<LocalGoogle.AwsCaller> caller = google.awsCaller(auth.accessKeyId);
        String amzDate = first(headers, "x-amz-date");
        if (caller.isEmpty() || amzDate == null || !SigV4.same(auth.signature, SigV4.expectedSignature(method,
                url.getRawPath() == null ? "/" : url.getRawPath(), url.getRawQuery(), headers, new byte[0], auth,
                amzDate, caller.get().secretAccessKey()))) {
            // What AWS answers Google for unknown keys or a bad signature, relayed as an invalid grant.
            return error("invalid_grant", "The AWS credentials in the subject token could not be verified: "
                    + "GetCallerIdentity was rejected by AWS.");
        }
        String arn = caller.get().arn();
        String account = arn.split(":")[4];
        if (!account.equals(provider.awsAccountId())) {
            return error("invalid_grant", "The AWS account " + account + " of the caller does not match the account "
                    + "configured for the provider.");
        }
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("arn", arn);
        claims.put("account", account);
        claims.put("userid", auth.accessKeyId);
        return claims;
    }

    private static String first(Map<String, List<String>> headers, String name) {
        List<String> v = headers.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Form bodies (what google-auth sends) and JSON bodies (the REST reference; camelCase or snake_case names). */
    private static Map<String, String> params(String contentType, String body) {
        Map<String, String> out = new LinkedHashMap<>();
        if (contentType.toLowerCase().startsWith("application/json")) {
            Json.object(body).ifPresent(json -> json.forEach((k, v) -> {
                if (v != null) {
                    out.put(snake(k), String.valueOf(v));
                }
            }));
        } else {
            Http.parseForm(body).forEach((k, v) -> out.put(k, v.isEmpty() ? null : v.get(0)));
        }
        return out;
    }

    private static String snake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) {
                sb.append('_').append(Character.toLowerCase(c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Long seconds(Object v) {
        return v instanceof Number ? ((Number) v).longValue() : null;
    }

    private static List<String> audiences(Object aud) {
        if (aud instanceof String) {
            return List.of((String) aud);
        }
        List<String> out = new ArrayList<>();
        if (aud instanceof Collection) {
            ((Collection<?>) aud).forEach(a -> out.add(String.valueOf(a)));
        }
        return out;
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private static Outcome error(String error, String description) {
        return new Outcome(400, GoogleErrors.oauth(error, description));
    }

    private record Outcome(int status, String body) {
    }
}
