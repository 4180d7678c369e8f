package dev.keyless.testkit.azure;

import static dev.keyless.testkit.azure.EntraFixture.newId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.internal.Json;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.MutableClock;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The emulator's wire format as any HTTP client sees it: error JSON, metadata documents, TLS, fault switches. */
class LocalEntraWireTest {
    static final MutableClock CLOCK = MutableClock.create();
    static LocalIssuer issuer;
    static LocalEntra entra;
    static HttpClient http;

    @BeforeAll
    static void start() {
        issuer = LocalIssuer.builder().clock(CLOCK).start();
        entra = LocalEntra.builder().clock(CLOCK).start();
        http = HttpClient.newBuilder().sslContext(entra.tls().sslContext()).build();
    }

    @AfterAll
    static void stop() {
        entra.close();
        issuer.close();
    }

    private static EntraApplication app() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("k8s", issuer.issuerUrl(), "system:serviceaccount:apps:deployer");
        return app;
    }

    private static String assertion() {
        return issuer.kubernetes().serviceAccount("apps", "deployer").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .mintValue();
    }

    private static Map<String, String> form(EntraApplication app) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("client_id", app.clientId());
        form.put("grant_type", "client_credentials");
        form.put("scope", "https://storage.azure.com/.default");
        form.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
        form.put("client_assertion", assertion());
        return form;
    }

    private static HttpResponse<String> post(String tenant, Map<String, String> form, String correlationId)
            throws IOException, InterruptedException {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(entra.tokenEndpoint(tenant))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (correlationId != null) {
            request.header("client-request-id", correlationId);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Map<String, Object> json(HttpResponse<String> response) {
        return Json.object(response.body()).orElseThrow(() -> new AssertionError("not JSON: " + response.body()));
    }

    @Test
    void successHasTheV2TokenResponseShape() throws Exception {
        EntraApplication app = app();
        HttpResponse<String> response = post(app.tenantId(), form(app), null);

        assertThat(response.statusCode()).isEqualTo(200);
        Map<String, Object> body = json(response);
        assertThat(body).containsEntry("token_type", "Bearer").containsKeys("access_token", "expires_in", "ext_expires_in");
        assertThat(((Number) body.get("expires_in")).longValue()).isEqualTo(3600);
        assertThat(entra.verifyAccessToken((String) body.get("access_token"))).containsEntry("aud", "https://storage.azure.com");
    }

    @Test
    void errorsHaveEntrasJsonShapeAndEchoTheCorrelationId() throws Exception {
        EntraApplication app = app();
        Map<String, String> form = form(app);
        form.put("client_assertion", issuer.kubernetes().serviceAccount("apps", "other")
                .audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue());
        String correlation = newId();

        HttpResponse<String> response = post(app.tenantId(), form, correlation);

        assertThat(response.statusCode()).isEqualTo(401);
        Map<String, Object> body = json(response);
        assertThat(body).containsOnlyKeys("error", "error_description", "error_codes", "timestamp", "trace_id", "correlation_id",
                "error_uri");
        assertThat(body).containsEntry("error", "invalid_client").containsEntry("correlation_id", correlation)
                .containsEntry("error_uri", "https://login.microsoftonline.com/error?code=700213");
        assertThat((List<?>) body.get("error_codes")).singleElement().satisfies(c -> assertThat(((Number) c).longValue()).isEqualTo(700213));
        assertThat((String) body.get("error_description"))
                .matches("AADSTS700213: No matching federated identity record found for presented assertion subject "
                        + "'system:serviceaccount:apps:other'\\. .* Trace ID: [0-9a-f-]{36} Correlation ID: " + correlation
                        + " Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ");
        assertThat((String) body.get("timestamp")).matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ");
    }

    @Test
    void requestErrorsThatMsalNeverProvokes() throws Exception {
        EntraApplication app = app();
        Map<String, String> badGrant = form(app);
        badGrant.put("grant_type", "password");
        Map<String, String> noClient = form(app);
        noClient.remove("client_id");
        Map<String, String> noAssertion = form(app);
        noAssertion.remove("client_assertion");
        Map<String, String> badType = form(app);
        badType.put("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer");
        Map<String, String> notAJwt = form(app);
        notAJwt.put("client_assertion", "not-a-jwt");
        Map<String, String> twoResources = form(app);
        twoResources.put("scope", "https://storage.azure.com/.default https://vault.azure.net/.default");

        assertThat(codeOf(post(app.tenantId(), badGrant, null))).isEqualTo(70003);
        assertThat(codeOf(post(app.tenantId(), noClient, null))).isEqualTo(900144);
        assertThat(codeOf(post(app.tenantId(), noAssertion, null))).isEqualTo(7000218);
        assertThat(codeOf(post(app.tenantId(), badType, null))).isEqualTo(7000219);
        assertThat(codeOf(post(app.tenantId(), notAJwt, null))).isEqualTo(50027);
        assertThat(codeOf(post(app.tenantId(), twoResources, null))).isEqualTo(28000);
        assertThat(json(post(app.tenantId(), badGrant, null))).containsEntry("error", "unsupported_grant_type");
    }

    private static long codeOf(HttpResponse<String> response) {
        return ((Number) ((List<?>) json(response).get("error_codes")).get(0)).longValue();
    }

    @Test
    void failNextAnswersTheTransientErrorThenRecovers() throws Exception {
        EntraApplication app = app();
        entra.failNext(503);

        HttpResponse<String> failed = post(app.tenantId(), form(app), null);
        HttpResponse<String> recovered = post(app.tenantId(), form(app), null);

        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(json(failed)).containsEntry("error", "temporarily_unavailable");
        assertThat(recovered.statusCode()).isEqualTo(200);
    }

    @Test
    void heldRequestsWaitUntilReleased() throws Exception {
        EntraApplication app = app();
        int before = entra.tokensIssued();
        CompletableFuture<HttpResponse<String>> pending;
        try (LocalEntra.Hold hold = entra.holdTokenRequests()) {
            pending = http.sendAsync(HttpRequest.newBuilder(entra.tokenEndpoint(app.tenantId()))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form(app).entrySet().stream()
                            .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                            .collect(Collectors.joining("&")))).build(), HttpResponse.BodyHandlers.ofString());
            while (hold.waiting() == 0) {
                Thread.onSpinWait();
            }
            assertThat(pending).isNotDone();
            assertThat(entra.tokensIssued()).isEqualTo(before);
        }
        assertThat(pending.get().statusCode()).isEqualTo(200);
    }

    @Test
    void servesTheMetadataMsalAndVerifiersRead() throws Exception {
        EntraApplication app = app();

        Map<String, Object> v2 = json(get(entra.discoveryUrl(app.tenantId())));
        Map<String, Object> keys = json(get(entra.jwksUrl(app.tenantId())));
        Map<String, Object> instance = json(get(URI.create(entra.authorityHost() + "/common/discovery/instance?api-version=1.1"
                + "&authorization_endpoint=" + URLEncoder.encode(entra.authorityHost() + "/" + app.tenantId() + "/oauth2/v2.0/authorize",
                        StandardCharsets.UTF_8))));

        assertThat(v2).containsEntry("token_endpoint", entra.tokenEndpoint(app.tenantId()).toString())
                .containsEntry("jwks_uri", entra.jwksUrl(app.tenantId()).toString())
                .containsEntry("issuer", entra.authorityHost() + "/" + app.tenantId() + "/v2.0");
        assertThat((List<?>) keys.get("keys")).isNotEmpty();
        assertThat(instance).containsEntry("tenant_discovery_endpoint", entra.discoveryUrl(app.tenantId()).toString())
                .containsEntry("api-version", "1.1");
        assertThat(entra.instanceDiscoveryRequests()).isPositive();
    }

    @Test
    void metadataOfAnUnknownTenantIs90002() throws Exception {
        HttpResponse<String> response = get(entra.discoveryUrl(newId()));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(codeOf(response)).isEqualTo(90002);
    }

    @Test
    void aClientWithoutTheCertificateDoesNotConnect() throws Exception {
        // The JDK's own CA file, not the JVM default: another test may have installed the testkit's trust JVM-wide.
        KeyStore jdkCas = KeyStore.getInstance(KeyStore.getDefaultType());
        try (InputStream in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
            jdkCas.load(in, null);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(jdkCas);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        HttpClient untrusting = HttpClient.newBuilder().sslContext(context).build();

        assertThatThrownBy(() -> untrusting.send(HttpRequest.newBuilder(entra.discoveryUrl("common")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void localhostIsInTheCertificateToo() throws Exception {
        URI viaLocalhost = URI.create("https://localhost:" + entra.authorityHost().getPort() + "/common/discovery/v2.0/keys");

        assertThat(get(viaLocalhost).statusCode()).isEqualTo(200);
    }

    @Test
    void registrationIsValidatedAsGraphDoes() {
        assertThatThrownBy(() -> FederatedIdentityCredential.of("x", "https://i", "s")).hasMessageContaining("3 to 120");
        assertThatThrownBy(() -> FederatedIdentityCredential.builder("both").issuer("https://i").subject("s")
                .claimsMatchingExpression("claims['sub'] eq 's'").build()).hasMessageContaining("exactly one of subject");
        assertThatThrownBy(() -> FederatedIdentityCredential.builder("bad-expr").issuer("https://i")
                .claimsMatchingExpression("sub == 's'").build()).hasMessageContaining("claims['name']");
        EntraApplication app = entra.registerApplication(newId(), newId());
        for (int i = 0; i < EntraApplication.MAX_FEDERATED_CREDENTIALS; i++) {
            app.addFederatedCredential("fic-" + i, "https://i", "s" + i);
        }
        assertThatThrownBy(() -> app.addFederatedCredential("fic-21", "https://i", "s21")).hasMessageContaining("20");
        assertThatThrownBy(() -> entra.registerApplication(app.tenantId(), app.clientId())).hasMessageContaining("already registered");
    }
}
