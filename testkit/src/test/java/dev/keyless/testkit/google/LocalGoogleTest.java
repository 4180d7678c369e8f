package dev.keyless.testkit.google;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.auth.http.HttpTransportFactory;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.IdentityPoolCredentials;
import com.google.auth.oauth2.IdentityPoolSubjectTokenSupplier;
import dev.keyless.core.internal.Json;
import dev.keyless.testkit.GitHubTokenBuilder;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.google.internal.Jwts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Google emulation against the real google-auth-library: exchange, impersonation, storage access, and each
 * error with Google's code and message.
 */
class LocalGoogleTest {
    static final String PROJECT_NUMBER = "123456789012";
    static final String SA = "deployer@keyless-dev.iam.gserviceaccount.com";

    static MutableClock clock;
    static LocalIssuer issuer;
    static LocalGoogle google;
    static WorkloadIdentityPoolProvider provider;
    static HttpTransportFactory transport;
    static HttpClient http;

    @BeforeAll
    static void start() throws GeneralSecurityException {
        clock = MutableClock.create();
        issuer = LocalIssuer.builder().clock(clock).start();
        google = LocalGoogle.builder().clock(clock).start();
        google.project("keyless-dev", PROJECT_NUMBER);
        provider = google.workloadIdentityPoolProvider(PROJECT_NUMBER, "ci-pool", "github")
                .issuer(issuer)
                .attributeMapping("google.subject", "assertion.sub")
                .attributeMapping("attribute.repository", "assertion.repository")
                .attributeMapping("attribute.owner", "assertion.sub.extract('repo:{owner}/')")
                .attributeCondition("assertion.repository_owner == 'acme' && attribute.repository != 'acme/forbidden'")
                .create();
        NetHttpTransport net = new NetHttpTransport.Builder().trustCertificates(google.trustStore()).build();
        transport = () -> net;
        http = HttpClient.newBuilder().sslContext(google.sslContext()).build();
    }

    @AfterAll
    static void stop() {
        google.close();
        issuer.close();
    }

    @BeforeEach
    void reset() {
        google.delay(LocalGoogle.Service.STS, Duration.ZERO);
    }

    private static GitHubTokenBuilder acme() {
        return issuer.github().repository("acme/app").branch("main").audience(provider.defaultTokenAudience());
    }

    private static IdentityPoolCredentials credentials(IdentityPoolSubjectTokenSupplier supplier, String audience,
            String impersonate) {
        IdentityPoolCredentials.Builder b = IdentityPoolCredentials.newBuilder()
                .setHttpTransportFactory(transport)
                .setAudience(audience)
                .setSubjectTokenType("urn:ietf:params:oauth:token-type:jwt")
                .setTokenUrl(google.stsUrl())
                .setSubjectTokenSupplier(supplier);
        if (impersonate != null) {
            b.setServiceAccountImpersonationUrl(google.impersonationUrl(impersonate));
        }
        return b.build();
    }

    private static IdentityPoolCredentials credentials(Function<LocalIssuer, String> token) {
        return credentials(ctx -> token.apply(issuer), provider.stsAudience(), null);
    }

    private static HttpResponse<String> get(String url, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).GET();
        if (bearer != null) {
            r.header("Authorization", "Bearer " + bearer);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(String url, String bearer, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (bearer != null) {
            r.header("Authorization", "Bearer " + bearer);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void exchangesAGitHubTokenAndTheFederatedTokenReadsABucket() throws Exception {
        google.bucket("acme-artifacts").put("build/app.jar", new byte[] {1, 2, 3})
                .grant(provider.principalSet("repository", "acme/app"), LocalGoogle.STORAGE_OBJECT_VIEWER);
        IdentityPoolCredentials creds = credentials(i -> acme().mintValue());
        creds.refresh();
        AccessToken token = creds.getAccessToken();

        assertThat(token.getTokenValue()).startsWith("ya29.");
        assertThat(token.getExpirationTime()).isNotNull();
        RecordedStsRequest last = google.stsRequests().get(google.stsRequests().size() - 1);
        assertThat(last.contentType()).startsWith("application/x-www-form-urlencoded");
        assertThat(last.audience()).isEqualTo(provider.stsAudience());
        assertThat(last.subjectTokenType()).isEqualTo("urn:ietf:params:oauth:token-type:jwt");
        assertThat(last.scope()).contains("https://www.googleapis.com/auth/cloud-platform");

        HttpResponse<String> list = get(google.storageUrl() + "/b/acme-artifacts/o", token.getTokenValue());
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"name\":\"build/app.jar\"").contains("\"kind\":\"storage#objects\"");
        assertThat(get(google.storageUrl() + "/b/acme-artifacts/o", "ya29.forged").statusCode()).isEqualTo(401);
    }

    @Test
    void acceptsJsonBodiesAsTheRestReferenceShowsThem() throws Exception {
        String body = Json.write(Map.of(
                "grantType", "urn:ietf:params:oauth:grant-type:token-exchange",
                "audience", provider.stsAudience(),
                "scope", "https://www.googleapis.com/auth/cloud-platform",
                "requestedTokenType", "urn:ietf:params:oauth:token-type:access_token",
                "subjectToken", acme().mintValue(),
                "subjectTokenType", "urn:ietf:params:oauth:token-type:id_token"));
        HttpResponse<String> r = post(google.stsUrl(), null, "application/json", body);

        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> json = Json.object(r.body()).orElseThrow();
        assertThat(json).containsEntry("issued_token_type", "urn:ietf:params:oauth:token-type:access_token")
                .containsEntry("token_type", "Bearer").containsEntry("expires_in", 3600L);
        assertThat(google.accepts((String) json.get("access_token"))).isTrue();
    }

    @Test
    void impersonatesAServiceAccountGrantedToThePrincipalSet() throws Exception {
        google.serviceAccount(SA).grant(provider.principalSet("repository", "acme/app"), LocalGoogle.WORKLOAD_IDENTITY_USER);
        google.bucket("acme-deploy").grant("serviceAccount:" + SA, LocalGoogle.STORAGE_OBJECT_ADMIN);
        int iamBefore = google.calls(LocalGoogle.Service.IAM_CREDENTIALS);

        IdentityPoolCredentials creds = credentials(ctx -> acme().mintValue(), provider.stsAudience(), SA);
        creds.refresh();
        String token = creds.getAccessToken().getTokenValue();

        assertThat(google.calls(LocalGoogle.Service.IAM_CREDENTIALS)).isEqualTo(iamBefore + 1);
        HttpResponse<String> info = get(google.tokenInfoUrl() + "?access_token=" + token, null);
        assertThat(info.body()).contains("\"email\":\"" + SA + "\"");
        HttpResponse<String> upload = post(google.baseUrl() + "/upload/storage/v1/b/acme-deploy/o?uploadType=media&name=hello.txt",
                token, "text/plain", "hello");
        assertThat(upload.statusCode()).isEqualTo(200);
        assertThat(google.bucket("acme-deploy").objects()).containsKey("hello.txt");
    }

    @Test
    void impersonationWithoutTheGrantIsPermissionDenied() {
        google.serviceAccount("other-sa@keyless-dev.iam.gserviceaccount.com");
        IdentityPoolCredentials creds = credentials(ctx -> acme().mintValue(), provider.stsAudience(),
                "other-sa@keyless-dev.iam.gserviceaccount.com");

        assertThatThrownBy(creds::refresh).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(causes(e)).contains(
                        "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).")
                        .contains("PERMISSION_DENIED"));
    }

    @Test
    void generateIdTokenMintsAGoogleSignedToken() throws Exception {
        google.serviceAccount(SA).grant(provider.principal(acme().claims().get("sub").toString()), LocalGoogle.WORKLOAD_IDENTITY_USER);
        IdentityPoolCredentials creds = credentials(i -> acme().mintValue());
        creds.refresh();
        HttpResponse<String> r = post(google.iamCredentialsUrl() + "/v1/projects/-/serviceAccounts/" + SA + ":generateIdToken",
                creds.getAccessToken().getTokenValue(), "application/json",
                "{\"audience\":\"https://run.example\",\"includeEmail\":true}");

        assertThat(r.statusCode()).isEqualTo(200);
        String jwt = (String) Json.object(r.body()).orElseThrow().get("token");
        assertThat(Jwts.verifies(jwt, google.idTokenJwksJson())).isTrue();
        assertThat(Jwts.claims(jwt).orElseThrow()).containsEntry("aud", "https://run.example")
                .containsEntry("email", SA).containsEntry("iss", "https://accounts.google.com");
    }

    @Test
    void wrongAudienceIsInvalidGrantWithTheTokensAudience() {
        IdentityPoolCredentials creds = credentials(i -> acme().audience("https://github.com/acme").mintValue());
        assertStsError(creds, "invalid_grant",
                "The audience in ID Token [https://github.com/acme] does not match the expected audience.");
    }

    @Test
    void wrongIssuerIsInvalidGrant() {
        IdentityPoolCredentials creds = credentials(i -> acme().issuer("https://evil.example").mintValue());
        assertStsError(creds, "invalid_grant", "The issuer in ID Token https://evil.example does not match the expected ones: "
                + issuer.issuerUrl() + "/");
    }

    @Test
    void forgedSignatureIsInvalidGrant() {
        assertStsError(credentials(i -> acme().signedWithForeignKey().mintValue()), "invalid_grant", "Invalid JWT Signature.");
    }

    @Test
    void expiredTokenIsStale() {
        String token = acme().expiredSince(Duration.ofMinutes(1)).mintValue();
        long iat = ((Number) Jwts.claims(token).orElseThrow().get("iat")).longValue();
        assertStsError(credentials(i -> token), "invalid_grant", "ID Token issued at " + iat + " is stale to sign-in.");
    }

    @Test
    void projectIdInsteadOfNumberIsInvalidTarget() {
        IdentityPoolCredentials creds = credentials(ctx -> acme().mintValue(),
                provider.stsAudience().replace(PROJECT_NUMBER, "keyless-dev"), null);
        assertStsError(creds, "invalid_target", StsEndpoint.INVALID_TARGET);
    }

    @Test
    void poolWithoutProviderIsAnInvalidAudience() {
        IdentityPoolCredentials creds = credentials(ctx -> acme().mintValue(),
                "//iam.googleapis.com/" + provider.poolResourceName(), null);
        assertStsError(creds, "invalid_request", StsEndpoint.INVALID_AUDIENCE);
    }

    @Test
    void unknownOrDisabledProviderIsInvalidTarget() {
        assertStsError(credentials(ctx -> acme().mintValue(), provider.stsAudience().replace("/github", "/gitlab"), null),
                "invalid_target", StsEndpoint.INVALID_TARGET);
        provider.disabled(true);
        try {
            assertStsError(credentials(i -> acme().mintValue()), "invalid_target", StsEndpoint.INVALID_TARGET);
        } finally {
            provider.disabled(false);
        }
    }

    @Test
    void subjectOver127BytesIsRejected() {
        String longBranch = "feature/" + "x".repeat(120);
        assertStsError(credentials(i -> acme().branch(longBranch).mintValue()), "invalid_request",
                "The size of mapped attribute google.subject exceeds the 127 bytes limit. Either modify your attribute "
                        + "mapping or the incoming assertion to produce a mapped attribute that is less than 127 bytes.");
    }

    @Test
    void attributeConditionIsEvaluatedWithCel() throws IOException {
        assertStsError(credentials(i -> issuer.github().repository("evil/app").audience(provider.defaultTokenAudience()).mintValue()),
                "unauthorized_client", "The given credential is rejected by the attribute condition.");
        assertStsError(credentials(i -> issuer.github().repository("acme/forbidden").audience(provider.defaultTokenAudience()).mintValue()),
                "unauthorized_client", "The given credential is rejected by the attribute condition.");
        credentials(i -> acme().mintValue()).refresh();
    }

    @Test
    void extractMapsPartOfAClaim() throws IOException {
        google.bucket("acme-owner").grant(provider.principalSet("owner", "acme"), LocalGoogle.STORAGE_OBJECT_VIEWER);
        IdentityPoolCredentials creds = credentials(i -> acme().mintValue());
        creds.refresh();
        assertThat(google.accepts(creds.getAccessToken().getTokenValue())).isTrue();
        try {
            assertThat(get(google.storageUrl() + "/b/acme-owner/o", creds.getAccessToken().getTokenValue()).statusCode())
                    .isEqualTo(200);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void failNextAnswersTheServiceErrorThenRecovers() throws IOException {
        int before = google.calls(LocalGoogle.Service.STS);
        google.failNext(LocalGoogle.Service.STS, 1, 503);
        IdentityPoolCredentials creds = credentials(i -> acme().mintValue());

        assertThatThrownBy(creds::refresh).satisfies(e -> assertThat(causes(e)).contains("temporarily_unavailable"));
        creds.refresh();
        assertThat(google.calls(LocalGoogle.Service.STS)).isEqualTo(before + 2);
    }

    @Test
    void issuedTokensExpireWithTheInjectedClock() throws Exception {
        google.bucket("acme-clock").grant(provider.allIdentities(), LocalGoogle.STORAGE_OBJECT_VIEWER);
        IdentityPoolCredentials creds = credentials(i -> acme().mintValue());
        creds.refresh();
        String token = creds.getAccessToken().getTokenValue();
        assertThat(get(google.storageUrl() + "/b/acme-clock/o", token).statusCode()).isEqualTo(200);

        clock.advance(Duration.ofMinutes(61));
        HttpResponse<String> expired = get(google.storageUrl() + "/b/acme-clock/o", token);
        assertThat(expired.statusCode()).isEqualTo(401);
        assertThat(expired.body()).contains("Invalid Credentials");
    }

    @Test
    void errorsNeverEchoTheSubjectToken() throws Exception {
        String token = acme().audience("https://wrong.example").mintValue();
        HttpResponse<String> r = post(google.stsUrl(), null, "application/x-www-form-urlencoded",
                "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Atoken-exchange&requested_token_type="
                        + "urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Aaccess_token&subject_token_type="
                        + "urn%3Aietf%3Aparams%3Aoauth%3Atoken-type%3Ajwt&audience="
                        + java.net.URLEncoder.encode(provider.stsAudience(), StandardCharsets.UTF_8)
                        + "&subject_token=" + token);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).doesNotContain(token).contains("\"error\":\"invalid_grant\"");
        assertThat(google.stsRequests().toString()).doesNotContain(token);
    }

    @Test
    void rejectsInvalidCelAtRegistration() {
        assertThatThrownBy(() -> google.workloadIdentityPoolProvider(PROJECT_NUMBER, "ci-pool", "broken")
                .issuer(issuer).attributeCondition("assertion.repository ==").create())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a valid CEL expression");
    }

    private static void assertStsError(IdentityPoolCredentials creds, String code, String description) {
        assertThatThrownBy(creds::refresh).isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(causes(e)).contains("Error code " + code + ": " + description));
    }

    /** The messages of an exception and its causes, which is what a user sees in a stack trace. */
    static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            sb.append(t.getClass().getName()).append(": ").append(t.getMessage()).append('\n');
        }
        return sb.toString();
    }
}
