package dev.keyless.azure;

import com.microsoft.aad.msal4j.MsalServiceException;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An error answered by Entra ID's token endpoint, parsed from its JSON ({@code error}, {@code error_description},
 * {@code error_codes}, {@code trace_id}, {@code correlation_id}, {@code timestamp}) or from the MSAL exception that
 * carries it, and turned into a {@link Diagnosis}.
 *
 * <p>Diagnosed codes: AADSTS70021, 700211, 700212, 700213 (the presented {@code iss}, {@code sub} and {@code aud}
 * beside what must be registered), 7002138 (the subject differs only in case), 700024 (the assertion expired or is not
 * yet valid: a reused token or clock skew), 70025 (no federated credentials), 700016 (unknown application), 90002
 * (unknown tenant), 50166 and 90061 (the issuer's metadata unreachable), 7000272 (signing key not in the issuer's
 * JWKS), 700027 (bad signature), 1002012 and 28000 (scope), 5xx / 90033 (Entra unavailable); any other code gets a
 * generic diagnosis with the code and Entra's description. Entra never echoes the assertion, so descriptions are safe
 * to show. Immutable.
 */
public final class EntraError {
    private static final Pattern CODE = Pattern.compile("AADSTS(\\d+)");
    private static final Pattern PRESENTED = Pattern.compile("presented assertion (?:issuer|subject|audience) '([^']*)'");
    private static final Pattern TRACE = Pattern.compile("Trace ID: ([0-9a-fA-F-]+)");
    private static final Pattern CORRELATION = Pattern.compile("Correlation ID: ([0-9a-fA-F-]+)");
    private static final Pattern TIMESTAMP = Pattern.compile("Timestamp: (\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ)");
    private static final Pattern TIME_RANGE = Pattern.compile(
            "Current time: ([0-9T:.\\-]+Z), assertion valid from ([0-9T:.\\-]+Z), expiry time of assertion ([0-9T:.\\-]+Z)");
    private static final Pattern FIELD = Pattern.compile("Assertion (Issuer|Subject|Audience): '([^']*)'");

    private final String error;
    private final String description;
    private final List<Long> codes;
    private final String traceId;
    private final String correlationId;
    private final String timestamp;
    private final Integer httpStatus;

    private EntraError(String error, String description, List<Long> codes, String traceId, String correlationId,
            String timestamp, Integer httpStatus) {
        this.error = error;
        this.description = description == null ? "" : description;
        this.codes = List.copyOf(codes);
        this.traceId = traceId;
        this.correlationId = correlationId;
        this.timestamp = timestamp;
        this.httpStatus = httpStatus;
    }

    /** Parses the JSON body of a token endpoint error; empty when it is not one (no {@code error} member). */
    public static Optional<EntraError> parse(String json) {
        return Json.object(json).flatMap(o -> fromJson(o, null));
    }

    /** As {@link #parse(String)}, with the HTTP status of the response. */
    public static Optional<EntraError> parse(String json, int httpStatus) {
        return Json.object(json).flatMap(o -> fromJson(o, httpStatus));
    }

    private static Optional<EntraError> fromJson(Map<String, Object> o, Integer status) {
        Optional<String> error = Json.string(o, "error");
        if (error.isEmpty()) {
            return Optional.empty();
        }
        String description = Json.string(o, "error_description").orElse("");
        List<Long> codes = new ArrayList<>();
        Object raw = o.get("error_codes");
        if (raw instanceof List) {
            for (Object c : (List<?>) raw) {
                if (c instanceof Number) {
                    codes.add(((Number) c).longValue());
                }
            }
        }
        if (codes.isEmpty()) {
            codes.addAll(codesIn(description));
        }
        return Optional.of(new EntraError(error.get(), description, codes,
                Json.string(o, "trace_id").orElseGet(() -> find(TRACE, description)),
                Json.string(o, "correlation_id").orElseGet(() -> find(CORRELATION, description)),
                Json.string(o, "timestamp").orElseGet(() -> find(TIMESTAMP, description)), status));
    }

    /**
     * Finds Entra's error in a failure thrown by azure-identity or MSAL: an {@code MsalServiceException} anywhere in
     * the cause chain, or an error JSON or {@code AADSTS} code in a message. Empty when Entra did not answer one.
     */
    public static Optional<EntraError> from(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MsalServiceException) {
                MsalServiceException m = (MsalServiceException) t;
                String description = m.getMessage() == null ? "" : m.getMessage();
                Integer status = m.statusCode() != null && m.statusCode() > 0 ? m.statusCode() : null;
                Optional<EntraError> embedded = embeddedJson(description, status);
                if (embedded.isPresent()) {
                    return embedded;
                }
                return Optional.of(new EntraError(m.errorCode(), description, codesIn(description), find(TRACE, description),
                        m.correlationId() != null ? m.correlationId() : find(CORRELATION, description),
                        find(TIMESTAMP, description), status));
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            if (message == null) {
                continue;
            }
            Optional<EntraError> embedded = embeddedJson(message, null);
            if (embedded.isPresent()) {
                return embedded;
            }
            int at = message.indexOf("AADSTS");
            if (at >= 0) {
                String description = message.substring(at);
                return Optional.of(new EntraError(null, description, codesIn(description), find(TRACE, description),
                        find(CORRELATION, description), find(TIMESTAMP, description), null));
            }
        }
        return Optional.empty();
    }

    private static Optional<EntraError> embeddedJson(String text, Integer status) {
        int start = text.indexOf("{\"error\"");
        int end = text.lastIndexOf('}');
        return start >= 0 && end > start ? parse(text.substring(start, end + 1)).map(e -> e.withStatus(status)) : Optional.empty();
    }

    private EntraError withStatus(Integer status) {
        return status == null || httpStatus != null ? this
                : new EntraError(error, description, codes, traceId, correlationId, timestamp, status);
    }

    private static List<Long> codesIn(String text) {
        List<Long> codes = new ArrayList<>();
        Matcher m = CODE.matcher(text);
        if (m.find()) {
            codes.add(Long.parseLong(m.group(1)));
        }
        return codes;
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** The OAuth {@code error}, e.g. {@code invalid_client}; may be null when only a message was available. */
    public String error() {
        return error;
    }

    /** Entra's {@code error_description}, with the trace id, correlation id and timestamp Entra appends. */
    public String description() {
        return description;
    }

    /** The primary AADSTS code (first of {@code error_codes}), or 0 when there is none. */
    public long code() {
        return codes.isEmpty() ? 0 : codes.get(0);
    }

    /** All {@code error_codes}. */
    public List<Long> codes() {
        return codes;
    }

    public Optional<String> traceId() {
        return Optional.ofNullable(traceId);
    }

    /** The correlation id: what Microsoft support asks for. */
    public Optional<String> correlationId() {
        return Optional.ofNullable(correlationId);
    }

    /** Entra's {@code timestamp}, e.g. {@code 2025-07-07 10:30:48Z}. */
    public Optional<String> timestamp() {
        return Optional.ofNullable(timestamp);
    }

    public Optional<Integer> httpStatus() {
        return Optional.ofNullable(httpStatus);
    }

    /** The value Entra quotes for AADSTS700211, 700212, 700213 and 7002138: the presented issuer, audience or subject. */
    public Optional<String> presentedValue() {
        return Optional.ofNullable(find(PRESENTED, description));
    }

    /**
     * Whether trying again later, with a fresh assertion, can succeed without a configuration change: Entra
     * unavailable (5xx, AADSTS90033), the issuer's metadata unreachable (AADSTS50166, 90061), the assertion outside its
     * time range (AADSTS700024).
     */
    public boolean retryable() {
        long c = code();
        return (httpStatus != null && httpStatus >= 500) || "temporarily_unavailable".equals(error)
                || c == 90033 || c == 50166 || c == 90061 || c == 700024;
    }

    /** A diagnosis from the error alone. */
    public Diagnosis diagnosis() {
        return diagnosis(null, null, null);
    }

    /**
     * A diagnosis that shows the presented token's claims beside what must be registered.
     *
     * @param presented the assertion that was sent (its claims only are shown), or null when unknown
     * @param tenantId  the tenant of the exchange, or null
     * @param clientId  the application (client) id of the exchange, or null
     */
    public Diagnosis diagnosis(IdentityToken presented, String tenantId, String clientId) {
        long c = code();
        Diagnosis.Builder d;
        switch ((int) c) {
            case 700211:
                d = Diagnosis.builder("Entra ID found no federated identity credential for the token's issuer (AADSTS700211).")
                        .code("azure.issuer-mismatch")
                        .likelyCause("No federated credential on the application has this issuer, or it differs in a detail "
                                + "(a trailing slash, http vs https, an enterprise-specific GitHub issuer).");
                presented(d, presented, "iss", presentedValue().orElse(null));
                d.evidence("must be registered: issuer", presented != null ? presented.issuer() : presentedValue().orElse("(the token's iss)"));
                d.fix(registerFix(presented, clientId, "a federated credential whose issuer is exactly the token's iss"));
                break;
            case 700213:
                d = Diagnosis.builder("Entra ID found no federated identity credential for the token's subject (AADSTS700213).")
                        .code("azure.subject-mismatch")
                        .likelyCause("The credential's subject is for another branch, tag, environment or event than this job "
                                + "(a job with `environment:` gets an environment subject), or the repository was renamed.");
                presented(d, presented, "sub", presentedValue().orElse(null));
                d.evidence("must be registered: subject (exact, case-sensitive)",
                        presented != null ? presented.subject() : presentedValue().orElse("(the token's sub)"));
                d.fix(registerFix(presented, clientId, "a federated credential whose subject is exactly the token's sub"));
                break;
            case 7002138:
                d = Diagnosis.builder("The token's subject matches a federated identity credential only when case is ignored "
                                + "(AADSTS7002138).")
                        .code("azure.subject-case-mismatch")
                        .likelyCause("Entra compares subjects case-sensitively since 2024: the credential was registered with "
                                + "another capitalisation of the organisation, repository or environment than the token has.");
                presented(d, presented, "sub", presentedValue().orElse(null));
                d.evidence("must be registered: subject (exact, case-sensitive)",
                        presented != null ? presented.subject() : presentedValue().orElse("(the token's sub)"));
                d.fix("Change the credential's subject to the token's sub with exactly its capitalisation (GitHub subjects use "
                        + "the names as GitHub spells them).\n" + registerFix(presented, clientId, "the corrected credential"));
                break;
            case 700212:
                d = Diagnosis.builder("Entra ID found no federated identity credential for the token's audience (AADSTS700212).")
                        .code("azure.audience-mismatch")
                        .likelyCause("The token was requested with another audience than the credential lists: Entra expects "
                                + "api://AzureADTokenExchange in the public cloud (…China, …USGov in sovereign clouds).");
                presented(d, presented, "aud", presentedValue().orElse(null));
                d.evidence("must be registered: audience", "one of the token's aud values (recommended: api://AzureADTokenExchange)");
                d.fix("Request the identity token with audience api://AzureADTokenExchange (Keyless does so by default; check "
                        + "an explicit audience option or the audience of a token file), or register the token's audience on the "
                        + "credential.");
                break;
            case 70021:
                d = Diagnosis.builder("Entra ID found no federated identity credential matching the token (AADSTS70021).")
                        .code("azure.no-matching-federated-credential")
                        .likelyCause("No credential matches issuer, subject (or flexible expression) and audience together.");
                presented(d, presented, "iss", find(FIELD, description, "Issuer"));
                if (presented == null) {
                    d.evidence("presented sub", find(FIELD, description, "Subject"));
                    d.evidence("presented aud", find(FIELD, description, "Audience"));
                }
                d.fix(registerFix(presented, clientId, "a federated credential for exactly these claims (or a flexible "
                        + "expression that matches them)"));
                break;
            case 700024:
                d = timeRange(presented);
                break;
            case 70025:
                d = Diagnosis.builder("The application has no federated identity credentials (AADSTS70025).")
                        .code("azure.no-federated-credentials")
                        .likelyCause("Workload identity federation was never set up on this application or managed identity, or "
                                + "the client id names another application.")
                        .fix(registerFix(presented, clientId, "a federated credential"));
                break;
            case 700016:
                d = Diagnosis.builder("Entra ID does not know the application (client) id in this tenant (AADSTS700016).")
                        .code("azure.application-not-found")
                        .likelyCause("AZURE_CLIENT_ID (or clientId) holds an object id, a deleted application's id, or an id "
                                + "from another tenant.")
                        .fix("Use the application (client) id of the app registration or user-assigned managed identity, from the "
                                + "tenant you authenticate against (az ad app show / az identity show).");
                break;
            case 90002:
                d = Diagnosis.builder("Entra ID does not know the tenant (AADSTS90002).")
                        .code("azure.tenant-not-found")
                        .likelyCause("AZURE_TENANT_ID (or tenantId) is mistyped, or belongs to another cloud than the authority "
                                + "host (public, China, US Government).")
                        .fix("Use the directory (tenant) id from `az account show --query tenantId`, and the matching cloud.");
                break;
            case 50166:
            case 90061:
                d = Diagnosis.builder("Entra ID could not fetch the token issuer's OpenID metadata or keys (AADSTS" + c + ").")
                        .code("azure.issuer-unreachable")
                        .likelyCause("The issuer's /.well-known/openid-configuration or its jwks_uri is not publicly reachable "
                                + "over https (a private cluster issuer, a storage account with network rules), or was briefly "
                                + "down.");
                presented(d, presented, "iss", null);
                d.fix("Make <iss>/.well-known/openid-configuration and its jwks_uri reachable from the internet; retry "
                        + "if it was a transient outage.");
                break;
            case 7000272:
                d = Diagnosis.builder("The key that signed the token is not in the issuer's published keys (AADSTS7000272).")
                        .code("azure.signing-key-not-found")
                        .likelyCause("The issuer rotated its signing key and its JWKS is stale (or Entra cached the old one), e.g. "
                                + "a recreated cluster whose service-account key changed.");
                presented(d, presented, "iss", null);
                d.fix("Publish the current signing key in the issuer's JWKS and wait for Entra to refresh its cache.");
                break;
            case 700027:
                d = Diagnosis.builder("The token's signature does not verify with the issuer's published keys (AADSTS700027).")
                        .code("azure.invalid-signature")
                        .likelyCause("The token was signed with a key the issuer does not publish, or was altered.")
                        .fix("Check that the token comes from the issuer its iss claims, unmodified.");
                break;
            case 1002012:
            case 28000:
            case 70011:
                d = Diagnosis.builder("Entra ID rejected the requested scope (AADSTS" + c + ").")
                        .code("azure.invalid-scope")
                        .likelyCause("Client credential requests take exactly one resource with /.default, e.g. "
                                + "https://storage.azure.com/.default.")
                        .fix("Request RESOURCE/.default for one resource per token request.");
                break;
            default:
                if (retryable()) {
                    d = Diagnosis.builder("Entra ID is temporarily unavailable" + (c == 0 ? "." : " (AADSTS" + c + ")."))
                            .code("azure.entra-unavailable")
                            .likelyCause("A transient outage or throttling at Entra ID.")
                            .fix("Nothing to change: Keyless retries with backoff.");
                } else {
                    d = Diagnosis.builder("Entra ID refused the token exchange" + (c == 0 ? "." : " (AADSTS" + c + ")."))
                            .code("azure.exchange-failed")
                            .likelyCause(description.isEmpty() ? null : description)
                            .fix("Look up the code at https://login.microsoftonline.com/error?code=" + c + ".");
                }
        }
        d.evidence("AADSTS code", c == 0 ? null : c);
        if (error != null) {
            d.evidence("error", error);
        }
        if (tenantId != null) {
            d.evidence("tenant", tenantId);
        }
        if (clientId != null) {
            d.evidence("client id", clientId);
        }
        correlationId().ifPresent(v -> d.evidence("correlation id", v));
        traceId().ifPresent(v -> d.evidence("trace id", v));
        timestamp().ifPresent(v -> d.evidence("Entra timestamp", v));
        return d.build();
    }

    private Diagnosis.Builder timeRange(IdentityToken presented) {
        Matcher m = TIME_RANGE.matcher(description);
        Instant entraNow = null;
        Instant exp = presented == null ? null : presented.expiresAt().orElse(null);
        Instant nbf = presented == null ? null : presented.notBefore().orElse(null);
        if (m.find()) {
            entraNow = instant(m.group(1));
            if (exp == null) {
                exp = instant(m.group(3));
            }
            if (nbf == null) {
                Instant from = instant(m.group(2));
                nbf = from == null || from.equals(Instant.EPOCH) ? null : from;
            }
        }
        boolean early = entraNow != null && nbf != null && entraNow.isBefore(nbf);
        String cause;
        if (early) {
            cause = "The token is not valid yet at Entra's time: the issuer's clock runs ahead, or the token was minted for later.";
        } else if (presented != null && presented.issuedAt().isPresent() && exp != null && entraNow != null
                && Duration.between(presented.issuedAt().get(), entraNow).compareTo(Duration.between(presented.issuedAt().get(), exp)) > 0) {
            cause = "The token had expired when it was presented: a token reused after its lifetime (GitHub tokens live 5 "
                    + "minutes), a token file that is no longer rotated, or a clock that runs behind.";
        } else {
            cause = "The token had expired or was not yet valid when Entra checked it: a reused or cached token, or clock skew "
                    + "between the issuer, this machine and Entra.";
        }
        Diagnosis.Builder d = Diagnosis.builder("The client assertion was not within its valid time range (AADSTS700024).")
                .code("azure.assertion-time-range")
                .likelyCause(cause)
                .evidence("Entra's time", entraNow)
                .evidence("assertion not before", nbf)
                .evidence("assertion expires", exp);
        if (presented != null) {
            d.evidence("assertion issued at", presented.issuedAt().orElse(null));
            d.evidence("assertion fingerprint", presented.fingerprint());
        }
        return d.fix("Mint a fresh token for every exchange (Keyless's credential does; a static token or an env var holding "
                + "one does not), keep a rotating token file fresh, and sync the machine's clock (NTP).");
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String find(Pattern p, String text, String field) {
        Matcher m = p.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(field)) {
                return m.group(2);
            }
        }
        return null;
    }

    /**
     * The presented claims: all of iss, sub and aud when the token is known, else the one value Entra quoted (under
     * {@code claim}), so the diagnosis shows them beside what must be registered.
     */
    private static void presented(Diagnosis.Builder d, IdentityToken token, String claim, String quoted) {
        if (token != null) {
            d.evidence("presented iss", token.issuer());
            d.evidence("presented sub", token.subject());
            d.evidence("presented aud", String.join(",", token.audience()));
        } else if (quoted != null) {
            d.evidence("presented " + claim, quoted);
        }
    }

    private static String registerFix(IdentityToken presented, String clientId, String what) {
        String target = clientId == null ? "the application (or user-assigned identity)" : "application " + clientId;
        if (presented == null || presented.issuer() == null || presented.subject() == null) {
            return "Register " + what + " on " + target + " (az ad app federated-credential create, or the portal's "
                    + "Certificates & secrets > Federated credentials).";
        }
        FederatedCredentialSpec spec;
        try {
            spec = FederatedCredentialSpec.fromToken(presented);
        } catch (ConfigurationException e) {
            // A token Graph would not register (say, an http issuer): the AADSTS diagnosis still stands, without a command.
            return "Register " + what + " on " + target + ". Note: " + e.diagnosis().problem();
        }
        return "Register " + what + " on " + target + ", e.g.:\n"
                + spec.azAppCommand(clientId == null ? "<APPLICATION_CLIENT_ID>" : clientId);
    }

    @Override
    public String toString() {
        return "EntraError{" + (code() == 0 ? "" : "AADSTS" + code() + ", ") + "error=" + error
                + (httpStatus == null ? "" : ", status=" + httpStatus) + (correlationId == null ? "" : ", correlationId=" + correlationId)
                + "}";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EntraError)) {
            return false;
        }
        EntraError e = (EntraError) o;
        return Objects.equals(error, e.error) && description.equals(e.description) && codes.equals(e.codes)
                && Objects.equals(httpStatus, e.httpStatus);
    }

    @Override
    public int hashCode() {
        return Objects.hash(error, description, codes, httpStatus);
    }
}
