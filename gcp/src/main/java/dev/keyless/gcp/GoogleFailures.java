package dev.keyless.gcp;

import com.google.api.client.http.HttpResponseException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import dev.keyless.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a failure of Google's STS or IAM Credentials, as google-auth-library reports it, into a {@link Diagnosis}.
 *
 * <p>It reads the OAuth error of STS ({@code Error code invalid_grant: ...}, or the JSON {@code error} and
 * {@code error_description}) and the {@code google.rpc.Status} error of IAM ({@code PERMISSION_DENIED ...}), and
 * explains: {@code invalid_target} (project id or wrong/disabled provider), an invalid audience (a pool in place
 * of a provider), an audience mismatch (expected against the token's {@code aud}), an issuer mismatch, a bad
 * signature, a stale token, the 127-byte limit on {@code google.subject}, a rejection by the attribute condition
 * (evaluated locally, clause by clause, when the condition is known) and a missing
 * {@code iam.serviceAccounts.getAccessToken} (which principal needs {@code roles/iam.workloadIdentityUser} on which
 * service account). The {@link Context} supplies what the error does not say: the provider, the service account,
 * the claims of the token that was sent (never its value) and the condition.
 */
public final class GoogleFailures {
    private static final Pattern OAUTH_MESSAGE = Pattern.compile("Error code ([a-z_]+): (.*?)(?: - .*)?", Pattern.DOTALL);
    private static final Pattern JSON_IN_TEXT = Pattern.compile("\\{.*\\}", Pattern.DOTALL);

    private GoogleFailures() {
    }

    /** What is known about the exchange that failed; every part is optional. */
    public static final class Context {
        private WorkloadIdentityProvider provider;
        private String serviceAccount;
        private String tokenAudience;
        private Map<String, Object> claims;
        private String attributeCondition;
        private Map<String, String> attributeMapping = Map.of();
        private String sourceName;

        /** An empty context. */
        public static Context empty() {
            return new Context();
        }

        public Context provider(WorkloadIdentityProvider provider) {
            this.provider = provider;
            return this;
        }

        public Context serviceAccount(String email) {
            this.serviceAccount = email;
            return this;
        }

        /** The audience requested for the identity token. */
        public Context tokenAudience(String audience) {
            this.tokenAudience = audience;
            return this;
        }

        /** The claims of the token sent to STS (never the token itself). */
        public Context claims(Map<String, Object> claims) {
            this.claims = claims;
            return this;
        }

        /** The provider's attribute condition, to evaluate it locally. */
        public Context attributeCondition(String condition) {
            this.attributeCondition = condition;
            return this;
        }

        /** The provider's attribute mapping ({@code google.subject} → {@code assertion.sub}...). */
        public Context attributeMapping(Map<String, String> mapping) {
            this.attributeMapping = Map.copyOf(Objects.requireNonNull(mapping, "mapping"));
            return this;
        }

        /** The token source's name, for the evidence. */
        public Context sourceName(String name) {
            this.sourceName = name;
            return this;
        }
    }

    /** The error Google returned, as parsed from an exception chain. */
    record GoogleError(int httpStatus, String code, String message, boolean oauth) {
    }

    /** Diagnoses a failure without context. */
    public static Diagnosis diagnose(Throwable failure) {
        return diagnose(failure, Context.empty());
    }

    /** Diagnoses a failure of an exchange or an impersonation. */
    public static Diagnosis diagnose(Throwable failure, Context context) {
        Objects.requireNonNull(failure, "failure");
        Objects.requireNonNull(context, "context");
        Optional<KeylessException> keyless = keylessCause(failure);
        if (keyless.isPresent()) {
            return keyless.get().diagnosis();
        }
        Optional<GoogleError> error = parse(failure);
        if (error.isEmpty()) {
            return Diagnosis.builder("The exchange with Google failed before Google answered: "
                            + failure.getClass().getSimpleName() + ".")
                    .code("gcp.unreachable")
                    .likelyCause("No network path to sts.googleapis.com or iamcredentials.googleapis.com (proxy, "
                            + "firewall, DNS), or a TLS problem.")
                    .evidence("error", summary(failure))
                    .fix("Check that the job can reach https://sts.googleapis.com; set HTTPS_PROXY if it needs a proxy.")
                    .build();
        }
        return explain(error.get(), context);
    }

    /** Whether trying again later can help: 5xx, throttling, or no answer at all. */
    public static boolean retryable(Throwable failure) {
        Optional<KeylessException> keyless = keylessCause(failure);
        if (keyless.isPresent()) {
            return keyless.get().retryable();
        }
        Optional<GoogleError> e = parse(failure);
        if (e.isEmpty()) {
            return true;
        }
        GoogleError g = e.get();
        return g.httpStatus() >= 500 || g.httpStatus() == 429
                || List.of("temporarily_unavailable", "server_error", "quota_exceeded", "UNAVAILABLE", "INTERNAL",
                "RESOURCE_EXHAUSTED").contains(g.code());
    }

    /**
     * {@code failure} as a Keyless exception: the first one in its cause chain (a token source's or supplier's failure,
     * which explains itself), else a {@link GoogleExchangeException} diagnosed in the context (built only then).
     */
    static KeylessException asKeylessException(Throwable failure, Supplier<Context> context) {
        return keylessCause(failure).orElseGet(
                () -> new GoogleExchangeException(diagnose(failure, context.get()), retryable(failure), failure));
    }

    /** The first {@link KeylessException} in the cause chain of {@code failure}, itself included. */
    private static Optional<KeylessException> keylessCause(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof KeylessException) {
                return Optional.of((KeylessException) t);
            }
        }
        return Optional.empty();
    }

    static Optional<GoogleError> parse(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof HttpResponseException) {
                HttpResponseException h = (HttpResponseException) t;
                Optional<GoogleError> fromJson = fromJson(h.getStatusCode(), h.getContent());
                if (fromJson.isPresent()) {
                    return fromJson;
                }
            }
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            Matcher m = OAUTH_MESSAGE.matcher(message.strip());
            if (m.matches()) {
                return Optional.of(new GoogleError(400, m.group(1), m.group(2).strip(), true));
            }
            Matcher j = JSON_IN_TEXT.matcher(message);
            if (j.find()) {
                Optional<GoogleError> fromJson = fromJson(0, j.group());
                if (fromJson.isPresent()) {
                    return fromJson;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<GoogleError> fromJson(int status, String content) {
        Optional<Map<String, Object>> json = Json.object(content);
        if (json.isEmpty()) {
            return Optional.empty();
        }
        Object error = json.get().get("error");
        if (error instanceof String) {
            String description = Json.string(json.get(), "error_description").orElse("");
            return Optional.of(new GoogleError(status == 0 ? 400 : status, (String) error, description, true));
        }
        if (error instanceof Map) {
            @SuppressWarnings("unchecked")
            Map<String, Object> e = (Map<String, Object>) error;
            int code = e.get("code") instanceof Number ? ((Number) e.get("code")).intValue() : status;
            String st = Json.string(e, "status").orElse(String.valueOf(code));
            return Optional.of(new GoogleError(code, st, Json.string(e, "message").orElse(""), false));
        }
        return Optional.empty();
    }

    private static Diagnosis explain(GoogleError e, Context c) {
        String desc = e.message();
        String provider = c.provider == null ? null : c.provider.resourceName();
        List<String> aud = audiences(c.claims);
        if (e.oauth()) {
            switch (e.code()) {
                case "invalid_target":
                    return base("Google's STS does not know the workload identity provider "
                                    + (provider == null ? "" : provider + " ") + "(invalid_target).", "gcp.sts.invalid-target", e, c)
                            .likelyCause("The provider name uses a project id instead of the project number, names a "
                                    + "pool or provider that does not exist, or the pool or provider is disabled or deleted.")
                            .fix("Copy the provider's name from `gcloud iam workload-identity-pools providers describe "
                                    + "PROVIDER --workload-identity-pool=POOL --location=global --project=PROJECT "
                                    + "--format='value(name,state)'`: it starts with projects/NUMBER and its state "
                                    + "must be ACTIVE.")
                            .build();
                case "invalid_request":
                    if (desc.contains("127 bytes")) {
                        Diagnosis.Builder b = base("Google's STS rejected the token: the mapped google.subject is "
                                + "longer than 127 bytes.", "gcp.sts.subject-too-long", e, c);
                        if (c.claims != null && c.claims.get("sub") != null) {
                            String sub = String.valueOf(c.claims.get("sub"));
                            b.evidence("sub length (bytes)", sub.getBytes(StandardCharsets.UTF_8).length);
                        }
                        return b.likelyCause("google.subject is mapped from a long claim, typically assertion.sub of a "
                                        + "GitHub token with a long repository, branch or environment name.")
                                .fix("Map google.subject to something shorter, e.g. "
                                        + "google.subject=assertion.sub.extract('repo:{repo}:') or a numeric claim "
                                        + "(assertion.repository_id), and grant access with principalSet attributes.")
                                .build();
                    }
                    if (desc.contains("\"audience\"")) {
                        return base("Google's STS rejected the audience: it is not a provider's full resource name.",
                                "gcp.sts.invalid-audience", e, c)
                                .likelyCause("The configured provider is a pool without /providers/PROVIDER, or has an "
                                        + "https: prefix where //iam.googleapis.com/ belongs.")
                                .fix("Use projects/NUMBER/locations/global/workloadIdentityPools/POOL/providers/PROVIDER; "
                                        + "WorkloadIdentityProvider.parse(...) checks it before any call.")
                                .build();
                    }
                    break;
                case "invalid_grant":
                    if (desc.startsWith("The audience in ID Token")) {
                        Diagnosis.Builder b = base("Google's STS rejected the token's audience.", "gcp.sts.audience-mismatch", e, c)
                                .evidence("token aud", aud.isEmpty() ? bracketed(desc) : aud.toString())
                                .evidence("requested audience", c.tokenAudience)
                                .evidence("accepted by default", c.provider == null ? "https://iam.googleapis.com/<provider>"
                                        : c.provider.defaultTokenAudience() + " or " + c.provider.stsAudience());
                        return b.likelyCause("The token was minted for another audience (e.g. GitHub's default "
                                        + "https://github.com/OWNER), or the provider has allowed audiences that do not "
                                        + "include it.")
                                .fix("Request the token with the audience the provider accepts (by default "
                                        + (c.provider == null ? "https://iam.googleapis.com/<provider>" : c.provider.defaultTokenAudience())
                                        + "), or add the token's aud to the provider: gcloud iam workload-identity-pools "
                                        + "providers update-oidc PROVIDER --allowed-audiences=AUDIENCE ...")
                                .build();
                    }
                    if (desc.startsWith("The issuer in ID Token")) {
                        return base("Google's STS rejected the token's issuer.", "gcp.sts.issuer-mismatch", e, c)
                                .evidence("token iss", c.claims == null ? null : c.claims.get("iss"))
                                .likelyCause("The provider's issuer URI differs from the token's iss: a typo, a trailing "
                                        + "slash, or GitHub Enterprise's unique issuer (https://token.actions."
                                        + "githubusercontent.com/ENTERPRISE).")
                                .fix("Set the provider's issuer to the token's iss exactly: gcloud iam "
                                        + "workload-identity-pools providers update-oidc PROVIDER --issuer-uri=ISS ...")
                                .build();
                    }
                    if (desc.contains("stale to sign-in") || desc.contains("expired")) {
                        return base("Google's STS rejected the token as stale.", "gcp.sts.stale-token", e, c)
                                .evidence("token exp", c.claims == null ? null : c.claims.get("exp"))
                                .evidence("token iat", c.claims == null ? null : c.claims.get("iat"))
                                .likelyCause("The token was issued too long ago or has expired: a token file no longer "
                                        + "rotated, a token cached by the caller, or a clock far off.")
                                .fix("Give the exchange a freshly minted token (Keyless asks the source for a new one "
                                        + "at every exchange) and check the machine's clock.")
                                .build();
                    }
                    if (desc.toLowerCase().contains("signature")) {
                        return base("Google's STS could not verify the token's signature.", "gcp.sts.invalid-signature", e, c)
                                .likelyCause("The issuer rotated its keys and the provider holds an uploaded JWKS, or "
                                        + "the token was not signed by the provider's issuer.")
                                .fix("If the provider uses an uploaded JWKS (--jwk-json-path), upload the issuer's "
                                        + "current keys; otherwise check that the token comes from the configured issuer.")
                                .build();
                    }
                    break;
                case "unauthorized_client":
                    return conditionRejected(e, c);
                default:
                    break;
            }
        } else if (e.httpStatus() == 403 || "PERMISSION_DENIED".equals(e.code())) {
            return permissionDenied(e, c);
        } else if (e.httpStatus() == 401 || "UNAUTHENTICATED".equals(e.code())) {
            return base("IAM Credentials did not accept the federated token.", "gcp.iam.unauthenticated", e, c)
                    .likelyCause("The STS token expired or was not sent; or the API does not accept federated tokens.")
                    .fix("Let google-auth refresh the token (do not cache access tokens yourself).")
                    .build();
        }
        boolean transient5xx = e.httpStatus() >= 500 || e.httpStatus() == 429
                || List.of("temporarily_unavailable", "server_error", "quota_exceeded", "UNAVAILABLE").contains(e.code());
        return base("Google answered " + e.code() + (desc.isEmpty() ? "." : ": " + desc),
                transient5xx ? "gcp.unavailable" : "gcp.exchange-failed", e, c)
                .likelyCause(transient5xx ? "A transient failure or throttling at Google." : null)
                .fix(transient5xx ? "Retry later; Keyless backs off and retries background refreshes." : null)
                .build();
    }

    private static Diagnosis conditionRejected(GoogleError e, Context c) {
        Diagnosis.Builder b = base("Google's STS rejected the token: the provider's attribute condition is false for it.",
                "gcp.sts.attribute-condition", e, c);
        b.evidence("condition", c.attributeCondition == null ? "(not given to Keyless)" : c.attributeCondition);
        if (c.attributeCondition != null && c.claims != null) {
            AttributeConditionCheck.Result r = AttributeConditionCheck.evaluate(c.attributeCondition, c.claims, c.attributeMapping);
            if (r.celAvailable()) {
                List<AttributeConditionCheck.Clause> failing = r.failing();
                for (int i = 0; i < failing.size(); i++) {
                    b.evidence(failing.size() == 1 ? "failing clause" : "failing clause " + (i + 1), failing.get(i).toString());
                }
                for (String claim : referencedClaims(c.attributeCondition)) {
                    b.evidence("assertion." + claim, c.claims.get(claim));
                }
            } else {
                b.evidence("local evaluation", "unavailable: add dev.cel:cel to evaluate the condition locally");
            }
        } else if (c.claims != null) {
            b.evidence("token sub", c.claims.get("sub"));
        }
        return b.likelyCause("The token comes from a repository, branch, environment or workflow the condition does "
                        + "not allow; or the condition compares with different capitalization.")
                .fix("Compare the condition with the token's claims (`keyless token` shows them) and either run from an "
                        + "allowed place or change the condition: gcloud iam workload-identity-pools providers "
                        + "update-oidc PROVIDER --attribute-condition=...")
                .build();
    }

    private static Diagnosis permissionDenied(GoogleError e, Context c) {
        String permission = e.message().contains("getOpenIdToken") ? "iam.serviceAccounts.getOpenIdToken"
                : "iam.serviceAccounts.getAccessToken";
        String sa = c.serviceAccount == null ? "SERVICE_ACCOUNT" : c.serviceAccount;
        Diagnosis.Builder b = base("IAM denied " + permission + " on " + sa + ".", "gcp.iam.permission-denied", e, c)
                .evidence("service account", sa);
        String member = null;
        if (c.provider != null && c.claims != null) {
            Object repository = c.claims.get("repository");
            String principal = c.claims.get("sub") == null ? null : c.provider.principal(String.valueOf(c.claims.get("sub")));
            b.evidence("principal (google.subject=assertion.sub)", principal);
            if (repository != null) {
                member = c.provider.principalSet("repository", String.valueOf(repository));
                b.evidence("principal set (attribute.repository)", member);
            } else {
                member = principal;
            }
        }
        String memberText = member == null ? "principalSet://iam.googleapis.com/" + (c.provider == null
                ? "projects/NUMBER/locations/global/workloadIdentityPools/POOL" : c.provider.poolResourceName())
                + "/attribute.NAME/VALUE" : member;
        return b.likelyCause("The federated principal has no roles/iam.workloadIdentityUser binding on the service "
                        + "account (or the account does not exist, or the binding is still propagating: up to 5 minutes).")
                .fix("Grant it: gcloud iam service-accounts add-iam-policy-binding " + sa
                        + " --role=roles/iam.workloadIdentityUser --member=\"" + memberText + "\""
                        + " (for attribute.* members, the provider must map that attribute).")
                .build();
    }

    private static Diagnosis.Builder base(String problem, String code, GoogleError e, Context c) {
        Diagnosis.Builder b = Diagnosis.builder(problem).code(code)
                .evidence("error", e.code() + (e.message().isEmpty() ? "" : ": " + e.message()));
        if (c.provider != null) {
            b.evidence("provider", c.provider.resourceName());
        }
        if (c.sourceName != null) {
            b.evidence("token source", c.sourceName);
        }
        return b;
    }

    private static List<String> audiences(Map<String, Object> claims) {
        if (claims == null) {
            return List.of();
        }
        Object aud = claims.get("aud");
        if (aud instanceof String) {
            return List.of((String) aud);
        }
        if (aud instanceof Collection) {
            return ((Collection<?>) aud).stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    private static String bracketed(String s) {
        int open = s.indexOf('[');
        int close = s.indexOf(']', open + 1);
        return open < 0 || close < 0 ? null : s.substring(open, close + 1);
    }

    /** The {@code assertion.NAME} claims a condition refers to, in order. */
    private static List<String> referencedClaims(String condition) {
        Map<String, Boolean> names = new LinkedHashMap<>();
        Matcher m = Pattern.compile("assertion\\.([A-Za-z_][A-Za-z0-9_]*)").matcher(condition);
        while (m.find()) {
            names.put(m.group(1), Boolean.TRUE);
        }
        Matcher q = Pattern.compile("assertion\\[['\"]([^'\"]+)['\"]\\]").matcher(condition);
        while (q.find()) {
            names.put(q.group(1), Boolean.TRUE);
        }
        return List.copyOf(names.keySet());
    }

    private static String summary(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 200 ? m.substring(0, 200) + "..." : m));
    }
}
