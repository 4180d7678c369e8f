package dev.keyless.testkit.azure.internal;

import dev.keyless.core.internal.Json;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One Entra ID token endpoint error, rendered in the real JSON shape:
 * {@code {"error", "error_description": "AADSTSnnn: ... Trace ID: ... Correlation ID: ... Timestamp: ...",
 * "error_codes": [nnn], "timestamp", "trace_id", "correlation_id", "error_uri"}}.
 *
 * <p>Messages follow the wording Entra uses for each code; where Microsoft does not publish one (noted in the
 * factory's comment), the message is an approximation and only the code and {@code error} are relied on.
 */
public final class EntraError {
    private static final DateTimeFormatter TIMESTAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);
    static final String FIC_DOCS = "https://learn.microsoft.com/entra/workload-id/workload-identity-federation";
    static final String CHECK = "Check your federated identity credential Subject, Audience and Issuer against the presented assertion. ";

    private final int status;
    private final String error;
    private final long code;
    private final String message;

    private EntraError(int status, String error, long code, String message) {
        this.status = status;
        this.error = error;
        this.code = code;
        this.message = message;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    public long code() {
        return code;
    }

    /** The description without the Trace ID / Correlation ID / Timestamp suffix. */
    public String message() {
        return message;
    }

    /** The response body; {@code correlationId} echoes the client's {@code client-request-id} as Entra does. */
    public String toJson(Clock clock, String correlationId) {
        String traceId = UUID.randomUUID().toString();
        String corr = correlationId != null && !correlationId.isBlank() ? correlationId : UUID.randomUUID().toString();
        String ts = TIMESTAMP.format(clock.instant());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", message + " Trace ID: " + traceId + " Correlation ID: " + corr + " Timestamp: " + ts);
        body.put("error_codes", List.of(code));
        body.put("timestamp", ts);
        body.put("trace_id", traceId);
        body.put("correlation_id", corr);
        body.put("error_uri", "https://login.microsoftonline.com/error?code=" + code);
        return Json.write(body);
    }

    private static EntraError of(int status, String error, long code, String text) {
        return new EntraError(status, error, code, "AADSTS" + code + ": " + text);
    }

    public static EntraError tenantNotFound(String tenant) {
        return of(400, "invalid_request", 90002, "Tenant '" + tenant + "' not found. Check to make sure you have the correct "
                + "tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may "
                + "happen if there are no active subscriptions for the tenant.");
    }

    public static EntraError unsupportedGrantType(String grantType) {
        return of(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '" + grantType + "'.");
    }

    public static EntraError missingParameter(String parameter) {
        return of(400, "invalid_request", 900144, "The request body must contain the following parameter: '" + parameter + "'.");
    }

    public static EntraError missingClientCredential() {
        return of(401, "invalid_client", 7000218,
                "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
    }

    /** Approximated wording: Microsoft does not publish the message for a wrong client_assertion_type. */
    public static EntraError badAssertionType(String type) {
        return of(400, "invalid_request", 7000219, "'client_assertion_type' must be "
                + "'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', not '" + type + "'.");
    }

    public static EntraError applicationNotFound(String clientId, String tenant) {
        return of(400, "unauthorized_client", 700016, "Application with identifier '" + clientId + "' was not found in the "
                + "directory '" + tenant + "'. This can happen if the application has not been installed by the administrator "
                + "of the tenant or consented to by any user in the tenant. You may have sent your authentication request "
                + "to the wrong tenant.");
    }

    public static EntraError malformedAssertion() {
        return of(400, "invalid_request", 50027, "JWT token is invalid or malformed.");
    }

    public static EntraError noFederatedCredentials(String clientId, String displayName) {
        return of(401, "invalid_client", 70025, "The client '" + clientId + "'(" + displayName
                + ") has no configured federated identity credentials.");
    }

    public static EntraError noMatchingIssuer(String issuer) {
        return of(401, "invalid_client", 700211, "No matching federated identity record found for presented assertion issuer '"
                + issuer + "'. Please check your federated identity credential Subject, Audience and Issuer against the "
                + "presented assertion. " + FIC_DOCS);
    }

    public static EntraError noMatchingSubject(String subject) {
        return of(401, "invalid_client", 700213, "No matching federated identity record found for presented assertion subject '"
                + subject + "'. " + CHECK + FIC_DOCS);
    }

    public static EntraError subjectCaseMismatch(String subject) {
        return of(401, "invalid_client", 7002138, "No matching federated identity record found for presented assertion subject '"
                + subject + "'. The subject matches with case-insensitive comparison, but not with case-sensitive comparison. "
                + CHECK + "See documentation at: " + FIC_DOCS + ". See breaking change notification and remediation at: "
                + "https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes#august-2024.");
    }

    public static EntraError noMatchingAudience(String audience) {
        return of(401, "invalid_client", 700212, "No matching federated identity record found for presented assertion audience '"
                + audience + "'. " + CHECK + FIC_DOCS);
    }

    /** The generic form, used when only flexible (claimsMatchingExpression) credentials could have matched. */
    public static EntraError noMatchingRecord(String issuer, String subject, String audience) {
        return of(400, "invalid_request", 70021, "No matching federated identity record found for presented assertion. "
                + "Assertion Issuer: '" + issuer + "'. Assertion Subject: '" + subject + "'. Assertion Audience: '" + audience
                + "'. " + FIC_DOCS);
    }

    public static EntraError notWithinValidTimeRange(String now, String validFrom, String expiry) {
        return of(401, "invalid_client", 700024, "Client assertion is not within its valid time range. Current time: " + now
                + ", assertion valid from " + validFrom + ", expiry time of assertion " + expiry
                + ". Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .");
    }

    /** The issuer's discovery document could not be fetched. */
    public static EntraError issuerDiscoveryFailed() {
        return of(400, "invalid_request", 50166, "Request to External OIDC endpoint failed.");
    }

    /** The issuer's JWKS could not be fetched or read. */
    public static EntraError issuerKeysFailed() {
        return of(400, "invalid_request", 90061, "Request to External OIDC endpoint failed.");
    }

    /** Approximated wording (the code is the one Entra returns when the assertion's key is not in the issuer's JWKS). */
    public static EntraError signingKeyNotFound(String keyId, String issuer) {
        return of(401, "invalid_client", 7000272, "The certificate with identifier '" + keyId + "' used to sign the federated "
                + "credential could not be found in the metadata of identity provider '" + issuer + "'.");
    }

    public static EntraError invalidSignature() {
        return of(401, "invalid_client", 700027, "Client assertion failed signature validation.");
    }

    public static EntraError scopeWithoutDefault(String scope) {
        return of(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid. Client credential "
                + "flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
    }

    public static EntraError scopeWithSeveralResources(String scope) {
        return of(400, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it contains "
                + "more than one resource. Scope " + scope + " is not valid.");
    }

    /** A switchable fault: what Entra answers when it is briefly unavailable. */
    public static EntraError transientFailure(int status) {
        return of(status, "temporarily_unavailable", 90033, "A transient error has occurred. Please try again.");
    }
}
