package dev.keyless.azure;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.aad.msal4j.MsalServiceException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.IdentityToken;
import org.junit.jupiter.api.Test;

/** Parsing Entra's real error JSON (shapes as published in GitHub issues) and the diagnosis of each code. */
class EntraErrorTest {
    static final String ISSUER_700211 = "{\"error\":\"invalid_client\",\"error_description\":\"AADSTS700211: No matching "
            + "federated identity record found for presented assertion issuer 'https://eastus2.oic.prod-aks.azure.com/abc/def/'. "
            + "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion. "
            + "https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation Trace ID: "
            + "93eb6af6-43b5-4b16-ad6e-63cf2a050b00 Correlation ID: 8f043819-8577-46b9-b330-a72e2e114665 Timestamp: "
            + "2024-03-01 07:41:07Z\",\"error_codes\":[700211],\"timestamp\":\"2024-03-01 07:41:07Z\",\"trace_id\":"
            + "\"93eb6af6-43b5-4b16-ad6e-63cf2a050b00\",\"correlation_id\":\"8f043819-8577-46b9-b330-a72e2e114665\"}";

    static final String GENERIC_70021 = "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS70021: No matching "
            + "federated identity record found for presented assertion. Assertion Issuer: 'https://kubernetes.default.svc.cluster.local'. "
            + "Assertion Subject: 'system:serviceaccount:default:workload-identity-sa'. Assertion Audience: "
            + "'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation"
            + "\\r\\nTrace ID: 30b6df93-efd2-459c-ae6a-bad0838f6f00\\r\\nCorrelation ID: dffc6012-a4af-4f00-80ab-3e831069b3cc\\r\\n"
            + "Timestamp: 2022-10-27 23:39:22Z\",\"error_codes\":[70021],\"timestamp\":\"2022-10-27 23:39:22Z\",\"trace_id\":"
            + "\"30b6df93-efd2-459c-ae6a-bad0838f6f00\",\"correlation_id\":\"dffc6012-a4af-4f00-80ab-3e831069b3cc\",\"error_uri\":"
            + "\"https://login.microsoftonline.com/error?code=70021\"}";

    static final String OIDC_50166 = "{\"error\":\"invalid_request\",\"error_description\":\"AADSTS50166: Request to External "
            + "OIDC endpoint failed.\\r\\nTrace ID: ce5b401b-7beb-4757-81ed-7d476f5a1300\\r\\nCorrelation ID: "
            + "cb69fd74-8049-4507-a6af-694c53b7af86\\r\\nTimestamp: 2022-11-16 12:01:14Z\",\"error_codes\":[50166],"
            + "\"timestamp\":\"2022-11-16 12:01:14Z\",\"trace_id\":\"ce5b401b-7beb-4757-81ed-7d476f5a1300\",\"correlation_id\":"
            + "\"cb69fd74-8049-4507-a6af-694c53b7af86\"}";

    static final String EXPIRED_700024 = "AADSTS700024: Client assertion is not within its valid time range. Current time: "
            + "2025-08-29T05:47:32.1501147Z, assertion valid from 1970-01-01T00:00:00.0000000Z, expiry time of assertion "
            + "2025-08-29T00:30:05.0000000Z. Review the documentation at "
            + "https://learn.microsoft.com/entra/identity-platform/certificate-credentials . Trace ID: "
            + "7a84b74b-1889-494f-b408-66e8b36c7400 Correlation ID: d75bd923-d9ca-4d18-b80e-b13851840fa9 Timestamp: 2025-08-29 05:47:32Z";

    static final String CASE_7002138 = "AADSTS7002138: No matching federated identity record found for presented assertion "
            + "subject 'repo:CODfreak/Dashboard:environment:Production'. The subject matches with case-insensitive comparison, "
            + "but not with case-sensitive comparison.";

    @Test
    void aPresentedTokenThatGraphCouldNotRegisterStillGetsTheEntraDiagnosis() {
        IdentityToken httpIssuer = IdentityToken.parse(new com.nimbusds.jwt.PlainJWT(new com.nimbusds.jwt.JWTClaimsSet.Builder()
                .issuer("http://127.0.0.1:8080").subject("repo:acme/app:ref:refs/heads/main")
                .audience("api://AzureADTokenExchange").build()).serialize());
        Diagnosis d = EntraError.parse(ISSUER_700211, 401).orElseThrow().diagnosis(httpIssuer, "tenant", "client");

        assertThat(d.code()).isEqualTo("azure.issuer-mismatch");
        assertThat(d.evidence()).containsEntry("presented iss", "http://127.0.0.1:8080");
        assertThat(d.fix()).contains("is not https");
    }

    @Test
    void parsesTheRealJsonShape() {
        EntraError e = EntraError.parse(ISSUER_700211, 401).orElseThrow();

        assertThat(e.code()).isEqualTo(700211);
        assertThat(e.error()).isEqualTo("invalid_client");
        assertThat(e.correlationId()).contains("8f043819-8577-46b9-b330-a72e2e114665");
        assertThat(e.traceId()).contains("93eb6af6-43b5-4b16-ad6e-63cf2a050b00");
        assertThat(e.timestamp()).contains("2024-03-01 07:41:07Z");
        assertThat(e.httpStatus()).contains(401);
        assertThat(e.presentedValue()).contains("https://eastus2.oic.prod-aks.azure.com/abc/def/");
        Diagnosis d = e.diagnosis();
        assertThat(d.code()).isEqualTo("azure.issuer-mismatch");
        assertThat(d.evidence()).containsEntry("presented iss", "https://eastus2.oic.prod-aks.azure.com/abc/def/")
                .containsEntry("must be registered: issuer", "https://eastus2.oic.prod-aks.azure.com/abc/def/")
                .containsEntry("AADSTS code", "700211")
                .containsEntry("correlation id", "8f043819-8577-46b9-b330-a72e2e114665");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void theGenericFormShowsAllThreeClaims() {
        Diagnosis d = EntraError.parse(GENERIC_70021).orElseThrow().diagnosis();

        assertThat(d.code()).isEqualTo("azure.no-matching-federated-credential");
        assertThat(d.evidence()).containsEntry("presented iss", "https://kubernetes.default.svc.cluster.local")
                .containsEntry("presented sub", "system:serviceaccount:default:workload-identity-sa")
                .containsEntry("presented aud", "api://AzureADTokenExchange");
    }

    @Test
    void issuerUnreachableIsRetryable() {
        EntraError e = EntraError.parse(OIDC_50166).orElseThrow();

        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("azure.issuer-unreachable");
        assertThat(e.correlationId()).contains("cb69fd74-8049-4507-a6af-694c53b7af86");
    }

    @Test
    void readsTheMsalExceptionOfAzureIdentity() {
        MsalServiceException msal = new MsalServiceException(EXPIRED_700024, "invalid_client");
        RuntimeException wrapped = new RuntimeException(new java.util.concurrent.ExecutionException(msal));

        EntraError e = EntraError.from(wrapped).orElseThrow();

        assertThat(e.code()).isEqualTo(700024);
        assertThat(e.error()).isEqualTo("invalid_client");
        assertThat(e.correlationId()).contains("d75bd923-d9ca-4d18-b80e-b13851840fa9");
        Diagnosis d = e.diagnosis();
        assertThat(d.code()).isEqualTo("azure.assertion-time-range");
        assertThat(d.evidence()).containsEntry("Entra's time", "2025-08-29T05:47:32.150114700Z")
                .containsEntry("assertion expires", "2025-08-29T00:30:05Z")
                .containsEntry("assertion not before", "(none)");
        assertThat(d.fix()).contains("fresh token for every exchange");
    }

    @Test
    void caseOnlyMismatchHasItsOwnDiagnosis() {
        EntraError e = EntraError.from(new IllegalStateException("login failed: " + CASE_7002138)).orElseThrow();

        assertThat(e.code()).isEqualTo(7002138);
        assertThat(e.presentedValue()).contains("repo:CODfreak/Dashboard:environment:Production");
        assertThat(e.diagnosis().code()).isEqualTo("azure.subject-case-mismatch");
        assertThat(e.diagnosis().fix()).contains("capitalisation");
    }

    @Test
    void eachListedCodeHasASpecificDiagnosis() {
        assertThat(codeOf(700212, "invalid_client")).isEqualTo("azure.audience-mismatch");
        assertThat(codeOf(700213, "invalid_client")).isEqualTo("azure.subject-mismatch");
        assertThat(codeOf(70025, "invalid_client")).isEqualTo("azure.no-federated-credentials");
        assertThat(codeOf(700016, "unauthorized_client")).isEqualTo("azure.application-not-found");
        assertThat(codeOf(90002, "invalid_request")).isEqualTo("azure.tenant-not-found");
        assertThat(codeOf(90061, "invalid_request")).isEqualTo("azure.issuer-unreachable");
        assertThat(codeOf(7000272, "invalid_client")).isEqualTo("azure.signing-key-not-found");
        assertThat(codeOf(700027, "invalid_client")).isEqualTo("azure.invalid-signature");
        assertThat(codeOf(1002012, "invalid_scope")).isEqualTo("azure.invalid-scope");
        assertThat(codeOf(90033, "temporarily_unavailable")).isEqualTo("azure.entra-unavailable");
        assertThat(codeOf(12345, "invalid_request")).isEqualTo("azure.exchange-failed");
    }

    private static String codeOf(long code, String error) {
        String json = "{\"error\":\"" + error + "\",\"error_description\":\"AADSTS" + code + ": something.\",\"error_codes\":["
                + code + "]}";
        return EntraError.parse(json).orElseThrow().diagnosis().code();
    }

    @Test
    void notAnEntraErrorIsEmpty() {
        assertThat(EntraError.parse("<html>502 Bad Gateway</html>")).isEmpty();
        assertThat(EntraError.parse("{\"value\":\"x\"}")).isEmpty();
        assertThat(EntraError.from(new java.io.IOException("connection reset"))).isEmpty();
    }
}
