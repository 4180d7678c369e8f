package dev.keyless.core.source;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TestTokens;
import dev.keyless.core.TokenException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.source.ClientCredentialsTokenSource.ClientAuthMethod;
import dev.keyless.core.source.ClientCredentialsTokenSource.TokenChoice;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link ClientCredentialsTokenSource} against WireMock, for what a real OAuth server will not do on demand:
 * OAuth error responses, outages, HTML pages, opaque tokens, discovery failures and redirects. Also the
 * builder's checks and the PEM/JWK key formats, verified on the signed assertions.
 */
class ClientCredentialsTokenSourceWireMockTest {
    private static final String CLIENT_ID = "ci-client";
    private static final String SECRET = LeakGuard.secret("wm-client-secret-9f8e7d");
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private static WireMockServer wm;
    private static KeyPair rsa;
    private static KeyPair ec;

    private String base;

    @BeforeAll
    static void start() throws Exception {
        wm = new WireMockServer(wireMockConfig().bindAddress("127.0.0.1").dynamicPort());
        wm.start();
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
    }

    @AfterAll
    static void stop() {
        wm.stop();
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        base = "http://127.0.0.1:" + wm.port();
    }

    // ---- errors ----

    @Test
    void invalidClientNamesTheMethodUsedAndTheMethodsDiscoveryAdvertises() {
        stubDiscovery(List.of("private_key_jwt", "client_secret_post"));
        wm.stubFor(post("/token").willReturn(json(401, "{\"error\":\"invalid_client\","
                + "\"error_description\":\"AADSTS7000215: Invalid client secret provided.\"}")));
        ClientCredentialsTokenSource source = secretSource().issuer(base).build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("idp.invalid-client");
        assertThat(e.diagnosis().evidence())
                .containsEntry("auth method used", "client_secret_basic")
                .containsEntry("auth methods supported", "private_key_jwt, client_secret_post")
                .containsEntry("client_id", CLIENT_ID)
                .containsEntry("error", "invalid_client")
                .containsEntry("error_description", "AADSTS7000215: Invalid client secret provided.")
                .containsEntry("HTTP status", "401");
        assertThat(e.diagnosis().fix()).contains("set clientAuthMethod(CLIENT_SECRET_POST)")
                .contains("private_key_jwt, client_secret_post");
        assertThat(e.getMessage()).contains("client_secret_basic").contains("private_key_jwt, client_secret_post");
        assertNoSecret(e, SECRET);
    }

    @Test
    void invalidClientWithAKeyNamesTheKeyAndSaysDiscoveryWasSkipped() {
        wm.stubFor(post("/token").willReturn(json(401, "{\"error\":\"invalid_client\"}")));
        ClientCredentialsTokenSource source = keySource().privateKey(rsa.getPrivate()).keyId("kid-42").build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.diagnosis().code()).isEqualTo("idp.invalid-client");
        assertThat(e.diagnosis().evidence()).containsEntry("auth method used", "private_key_jwt")
                .containsEntry("assertion alg", "RS256").containsEntry("assertion kid", "kid-42");
        assertThat(e.diagnosis().evidence().get("auth methods supported")).startsWith("(unknown: tokenEndpoint is set");
        assertThat(e.diagnosis().fix()).contains("Register the public key");
        assertNoSecret(e, formOf(wm.findAll(postRequestedFor(urlEqualTo("/token"))).get(0).getBodyAsString())
                .get("client_assertion").get(0));
    }

    @Test
    void retriesOutagesWithAFreshAssertionPerAttempt() throws Exception {
        String issued = TestTokens.jwt("https://idp.test", CLIENT_ID, "sts.amazonaws.com", NOW.plusSeconds(3600));
        stubSequence(() -> post("/token"), status(503), status(503), json(200, tokenResponse(issued, null)));
        ClientCredentialsTokenSource source = fastRetries(ClientCredentialsTokenSource.builder()
                .tokenEndpoint(base + "/token").clientId(CLIENT_ID).privateKey(rsa.getPrivate())
                .clock(Clock.fixed(NOW, ZoneOffset.UTC))).build();

        IdentityToken token = source.token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(token.value()).isEqualTo(issued);
        List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlEqualTo("/token")));
        assertThat(requests).hasSize(3);
        List<String> jtis = new ArrayList<>();
        for (LoggedRequest r : requests) {
            SignedJWT assertion = SignedJWT.parse(formOf(r.getBodyAsString()).get("client_assertion").get(0));
            assertThat(assertion.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
            JWTClaimsSet claims = assertion.getJWTClaimsSet();
            // The injected clock sets iat; exp is 60 seconds later.
            assertThat(claims.getIssueTime().toInstant()).isEqualTo(NOW);
            assertThat(claims.getExpirationTime().toInstant()).isEqualTo(NOW.plusSeconds(60));
            assertThat(claims.getAudience()).containsExactly(base + "/token");
            jtis.add(claims.getJWTID());
        }
        assertThat(jtis).doesNotHaveDuplicates();
    }

    @Test
    void aPersistentOutageIsRetryableAfterTheBoundedAttempts() {
        wm.stubFor(post("/token").willReturn(json(503, "{\"error\":\"temporarily_unavailable\"}")));
        ClientCredentialsTokenSource source = fastRetries(secretSource().tokenEndpoint(base + "/token")).build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("idp.unavailable");
        assertThat(e.diagnosis().evidence()).containsEntry("attempts", "3").containsEntry("error", "temporarily_unavailable");
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/token")))).hasSize(3);
        assertNoSecret(e, SECRET);
    }

    @Test
    void anHtmlErrorPageIsDescribedByItsShapeNotItsText() {
        String page = "<html><body><h1>Access denied by corporate proxy</h1>ref=proxy-internal-7781</body></html>";
        wm.stubFor(post("/token").willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "text/html; charset=utf-8").withBody(page)));
        ClientCredentialsTokenSource source = secretSource().tokenEndpoint(base + "/token").build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("idp.unexpected-response");
        assertThat(e.diagnosis().evidence()).containsEntry("HTTP status", "403")
                .containsEntry("response", "text/html; charset=utf-8, " + page.length() + " characters")
                .containsEntry("JSON members", "(not a JSON object)");
        assertThat(e.getMessage()).doesNotContain("proxy-internal-7781").doesNotContain("<html");
        assertNoSecret(e, SECRET);
    }

    @Test
    void anHtmlPageWithStatus200IsAMalformedResponse() {
        wm.stubFor(post("/token").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "text/html").withBody("<html>login page</html>")));
        ClientCredentialsTokenSource source = secretSource().tokenEndpoint(base + "/token").build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.diagnosis().code()).isEqualTo("idp.malformed-response");
        assertThat(e.diagnosis().evidence()).containsEntry("response", "text/html, 23 characters");
        assertThat(e.getMessage()).doesNotContain("login page");
    }

    @Test
    void anOpaqueAccessTokenIsRejectedWithoutShowingIt() {
        String opaque = LeakGuard.secret("2YotnFZFEjr1zCsicMWpAA-opaque-reference");
        wm.stubFor(post("/token").willReturn(json(200, "{\"access_token\":\"" + opaque
                + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        ClientCredentialsTokenSource source = secretSource().tokenEndpoint(base + "/token").build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("idp.opaque-access-token");
        assertThat(e.diagnosis().evidence()).containsEntry("token field", "access_token")
                .containsEntry("token_type", "Bearer")
                .containsEntry("token length", String.valueOf(opaque.length()))
                .containsEntry("response members", "[access_token, token_type, expires_in]");
        assertThat(e.diagnosis().fix()).contains("JWT access tokens");
        assertNoSecret(e, SECRET, opaque);
    }

    @Test
    void aFailedDiscoveryIsTriedAgainOnTheNextCallThenCached() {
        String issued = TestTokens.jwt(base, CLIENT_ID, "default", NOW.plusSeconds(3600));
        stubSequence(() -> get("/.well-known/openid-configuration"),
                aResponse().withStatus(404).withHeader("Content-Type", "text/html").withBody("<html>Not Found</html>"),
                json(200, discovery(List.of())));
        wm.stubFor(post("/token").willReturn(json(200, tokenResponse(issued, null))));
        ClientCredentialsTokenSource source = secretSource().issuer(base + "/").build();

        TokenException first = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));
        IdentityToken second = source.token(TokenRequest.sourceDefault());
        IdentityToken third = source.token(TokenRequest.sourceDefault());

        assertThat(first.diagnosis().code()).isEqualTo("oidc.discovery-not-found");
        assertThat(first.diagnosis().evidence()).containsEntry("discovery URL", base + "/.well-known/openid-configuration");
        assertThat(first.diagnosis().fix()).contains("tokenEndpoint");
        assertThat(second.value()).isEqualTo(issued);
        assertThat(third.value()).isEqualTo(issued);
        assertThat(wm.findAll(getRequestedFor(urlEqualTo("/.well-known/openid-configuration")))).hasSize(2);
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/token")))).hasSize(2);
    }

    @Test
    void aDiscoveryDocumentOfAnotherIssuerIsRefused() {
        wm.stubFor(get("/.well-known/openid-configuration").willReturn(json(200,
                "{\"issuer\":\"https://login.example.com/{tenantid}/v2.0\",\"token_endpoint\":\"" + base + "/token\"}")));
        ClientCredentialsTokenSource source = secretSource().issuer(base).build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.diagnosis().code()).isEqualTo("oidc.issuer-mismatch");
        assertThat(e.diagnosis().evidence()).containsEntry("document issuer", "https://login.example.com/{tenantid}/v2.0");
        assertThat(wm.findAll(postRequestedFor(urlEqualTo("/token")))).isEmpty();
    }

    @Test
    void aPlainHttpTokenEndpointFromDiscoveryIsRefused() {
        wm.stubFor(get("/.well-known/openid-configuration").willReturn(json(200,
                "{\"issuer\":\"" + base + "\",\"token_endpoint\":\"http://idp.example.com/token\"}")));
        ClientCredentialsTokenSource source = secretSource().issuer(base).build();

        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.diagnosis().code()).isEqualTo("config.insecure-endpoint");
        assertThat(e.diagnosis().evidence()).containsEntry("host", "idp.example.com");
    }

    @Test
    void aRedirectIsReportedAndNotFollowed() {
        wm.stubFor(post("/token").willReturn(aResponse().withStatus(302)
                .withHeader("Location", "https://elsewhere.example.com/oauth2/token?session=abc123")));
        ClientCredentialsTokenSource source = secretSource().tokenEndpoint(base + "/token").build();

        TokenException e = catchThrowableOfType(TokenException.class, () -> source.token(TokenRequest.sourceDefault()));

        assertThat(e.diagnosis().code()).isEqualTo("idp.redirect");
        assertThat(e.diagnosis().evidence()).containsEntry("redirect to", "https://elsewhere.example.com/oauth2/token");
        assertThat(e.getMessage()).doesNotContain("abc123");
    }

    @ParameterizedTest
    @CsvSource({
        "invalid_scope, idp.invalid-scope, scope",
        "unauthorized_client, idp.unauthorized-client, grant_type",
        "invalid_target, idp.invalid-target, requested audience",
        "invalid_grant, idp.invalid-grant, token endpoint",
        "unsupported_grant_type, idp.unsupported-grant-type, grant_type",
        "access_denied, idp.error, error",
    })
    void oauthErrorsBecomeDiagnoses(String error, String code, String evidence) {
        String description = "Description from the IdP. " + "x".repeat(1000);
        wm.stubFor(post("/token").willReturn(json(400, "{\"error\":\"" + error + "\",\"error_description\":\""
                + description + "\"}")));
        ClientCredentialsTokenSource source = secretSource().tokenEndpoint(base + "/token").scope("api://app/.default").build();

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo(code);
        assertThat(e.diagnosis().evidence()).containsKey(evidence).containsEntry("error", error);
        // Server text is shown, but capped.
        assertThat(e.diagnosis().evidence().get("error_description")).startsWith("Description from the IdP.")
                .hasSizeLessThan(320);
        assertNoSecret(e, SECRET);
    }

    @Test
    void aRejectedSubjectTokenShowsItsClaimsButNeverTheToken() {
        String subjectToken = TestTokens.jwt("https://token.actions.githubusercontent.com", "repo:acme/app:ref:refs/heads/main",
                "https://idp.corp.example", NOW.plusSeconds(300));
        wm.stubFor(post("/token").willReturn(json(400, "{\"error\":\"invalid_grant\","
                + "\"error_description\":\"subject token issuer is not trusted\"}")));
        ClientCredentialsTokenSource source = secretSource().tokenEndpoint(base + "/token")
                .tokenExchange(fixed("github-actions", subjectToken))
                .subjectTokenType("urn:ietf:params:oauth:token-type:id_token")
                .build();

        TokenException e = catchThrowableOfType(TokenException.class,
                () -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(e.diagnosis().code()).isEqualTo("idp.invalid-grant");
        assertThat(e.diagnosis().evidence())
                .containsEntry("subject iss", "https://token.actions.githubusercontent.com")
                .containsEntry("subject sub", "repo:acme/app:ref:refs/heads/main")
                .containsEntry("subject_token_type", "urn:ietf:params:oauth:token-type:id_token")
                .containsEntry("error_description", "subject token issuer is not trusted");
        assertNoSecret(e, SECRET, subjectToken);
        Map<String, List<String>> form = formOf(wm.findAll(postRequestedFor(urlEqualTo("/token"))).get(0).getBodyAsString());
        assertThat(form).containsEntry("subject_token", List.of(subjectToken))
                .containsEntry("subject_token_type", List.of("urn:ietf:params:oauth:token-type:id_token"));
    }

    // ---- which token ----

    @Test
    void returnsTheIdTokenWhenTheResponseHasOneUnlessTheAccessTokenIsPreferred() {
        String idToken = TestTokens.jwt(base, "id-token-subject", "sts.amazonaws.com", NOW.plusSeconds(3600));
        String accessToken = TestTokens.jwt(base, "access-token-subject", "sts.amazonaws.com", NOW.plusSeconds(3600));
        wm.stubFor(post("/token").willReturn(json(200, tokenResponse(accessToken, idToken))));

        IdentityToken byDefault = secretSource().tokenEndpoint(base + "/token").build()
                .token(TokenRequest.forAudience("sts.amazonaws.com"));
        IdentityToken preferred = secretSource().tokenEndpoint(base + "/token").tokenChoice(TokenChoice.PREFER_ACCESS_TOKEN)
                .build().token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(byDefault.subject()).isEqualTo("id-token-subject");
        assertThat(preferred.subject()).isEqualTo("access-token-subject");
    }

    @Test
    void anIdTokenIsUsedWhenTheAccessTokenIsOpaqueAndTheAccessTokenIsPreferred() {
        String idToken = TestTokens.jwt(base, "id-token-subject", "sts.amazonaws.com", NOW.plusSeconds(3600));
        wm.stubFor(post("/token").willReturn(json(200, tokenResponse(LeakGuard.secret("opaque-access-token-123"), idToken))));

        IdentityToken token = secretSource().tokenEndpoint(base + "/token").tokenChoice(TokenChoice.PREFER_ACCESS_TOKEN)
                .build().token(TokenRequest.sourceDefault());
        TokenException accessOnly = catchThrowableOfType(TokenException.class, () -> secretSource()
                .tokenEndpoint(base + "/token").tokenChoice(TokenChoice.ACCESS_TOKEN_ONLY).build()
                .token(TokenRequest.sourceDefault()));

        assertThat(token.subject()).isEqualTo("id-token-subject");
        assertThat(accessOnly.diagnosis().code()).isEqualTo("idp.opaque-access-token");
        assertNoSecret(accessOnly, "opaque-access-token-123");
    }

    // ---- keys ----

    @Test
    void readsPkcs1RsaAndSec1EcPemKeysAndPrivateJwks() throws Exception {
        String issued = TestTokens.jwt(base, CLIENT_ID, "default", NOW.plusSeconds(3600));
        wm.stubFor(post("/token").willReturn(json(200, tokenResponse(issued, null))));
        ECKey jwk = new ECKeyGenerator(Curve.P_384).keyID("jwk-kid-7").generate();

        keySource().privateKeyPem(pem("RSA PRIVATE KEY", pkcs1(rsa))).build().token(TokenRequest.sourceDefault());
        keySource().privateKeyPem("-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                + pem("EC PRIVATE KEY", sec1((ECPrivateKey) ec.getPrivate()))).build().token(TokenRequest.sourceDefault());
        keySource().privateKeyJwk(jwk.toJSONString()).build().token(TokenRequest.sourceDefault());

        List<LoggedRequest> requests = wm.findAll(postRequestedFor(urlEqualTo("/token")));
        SignedJWT fromPkcs1 = assertionOf(requests.get(0));
        SignedJWT fromSec1 = assertionOf(requests.get(1));
        SignedJWT fromJwk = assertionOf(requests.get(2));
        assertThat(fromPkcs1.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(fromPkcs1.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
        assertThat(fromSec1.getHeader().getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(fromSec1.verify(new ECDSAVerifier((ECPublicKey) ec.getPublic()))).isTrue();
        assertThat(fromJwk.getHeader().getAlgorithm().getName()).isEqualTo("ES384");
        assertThat(fromJwk.getHeader().getKeyID()).isEqualTo("jwk-kid-7");
        assertThat(fromJwk.verify(new ECDSAVerifier(jwk.toECPublicKey()))).isTrue();
    }

    @Test
    void keyProblemsAreConfigurationErrorsThatNeverQuoteTheKey() throws Exception {
        String pkcs8 = pem("PRIVATE KEY", rsa.getPrivate().getEncoded());
        String certificate = "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n";
        KeyPairGenerator weakGen = KeyPairGenerator.getInstance("RSA");
        weakGen.initialize(1024);

        ConfigurationException notAKey = catchThrowableOfType(ConfigurationException.class,
                () -> keySource().privateKeyPem(certificate).build());
        ConfigurationException encrypted = catchThrowableOfType(ConfigurationException.class, () -> keySource()
                .privateKeyPem("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIFHDBOBgkqhkiG9w0BBQ0w\n-----END ENCRYPTED PRIVATE KEY-----")
                .build());
        ConfigurationException weak = catchThrowableOfType(ConfigurationException.class,
                () -> keySource().privateKey(weakGen.generateKeyPair().getPrivate()).build());
        ConfigurationException publicJwk = catchThrowableOfType(ConfigurationException.class,
                () -> keySource().privateKeyJwk(new ECKeyGenerator(Curve.P_256).generate().toPublicJWK().toJSONString()).build());
        ConfigurationException wrongAlg = catchThrowableOfType(ConfigurationException.class,
                () -> keySource().privateKeyPem(pkcs8).signingAlgorithm("ES256").build());

        assertThat(notAKey.getMessage()).contains("privateKeyPem").contains("a CERTIFICATE block");
        assertThat(encrypted.getMessage()).contains("encrypted");
        assertThat(weak.getMessage()).contains("1024 bits");
        assertThat(publicJwk.getMessage()).contains("public key");
        assertThat(wrongAlg.getMessage()).contains("signingAlgorithm").contains("RS256");
        for (ConfigurationException e : List.of(notAKey, encrypted, weak, publicJwk, wrongAlg)) {
            assertThat(e.retryable()).isFalse();
            assertNoSecret(e, "MIIBszCCAVmgAwIBAgIU", "MIIFHDBOBgkqhkiG9w0BBQ0w", pkcs8.substring(40, 80));
        }
        // PS256 is a valid choice for an RSA key.
        assertThat(keySource().privateKeyPem(pkcs8).signingAlgorithm("PS256").build().toString()).contains("alg=PS256");
    }

    // ---- builder ----

    @Test
    void theBuilderNamesTheBadOption() {
        assertBadOption(() -> ClientCredentialsTokenSource.builder().clientId(CLIENT_ID).clientSecret(SECRET).build(),
                "issuer");
        assertBadOption(() -> secretSource().issuer(base).tokenEndpoint(base + "/token").build(), "tokenEndpoint");
        assertBadOption(() -> ClientCredentialsTokenSource.builder().issuer(base).clientSecret(SECRET).build(), "clientId");
        assertBadOption(() -> ClientCredentialsTokenSource.builder().issuer(base).clientId(CLIENT_ID).build(), "clientSecret");
        assertBadOption(() -> secretSource().issuer(base).privateKey(rsa.getPrivate()).build(), "clientAuthMethod");
        assertBadOption(() -> secretSource().issuer(base).clientAuthMethod(ClientAuthMethod.PRIVATE_KEY_JWT).build(),
                "clientSecret");
        assertBadOption(() -> secretSource().issuer(base).clientAuthMethod(ClientAuthMethod.NONE).build(), "clientSecret");
        assertBadOption(() -> secretSource().issuer(base).subjectTokenType("urn:x").build(), "subjectTokenType");
        assertBadOption(() -> secretSource().assertionLifetime(Duration.ofHours(1)), "assertionLifetime");
        assertBadOption(() -> secretSource().maxAttempts(0), "maxAttempts");
        ConfigurationException insecure = catchThrowableOfType(ConfigurationException.class,
                () -> secretSource().issuer("http://idp.example.com"));
        assertThat(insecure.diagnosis().code()).isEqualTo("config.insecure-endpoint");
        assertThat(ClientCredentialsTokenSource.builder().clientId(CLIENT_ID).issuer(base)
                .clientAuthMethod(ClientAuthMethod.NONE).tokenExchange(fixed("x", "y")).build().clientAuthMethod())
                .isEqualTo(ClientAuthMethod.NONE);
    }

    @Test
    void toStringAndNameShowConfigurationButNoSecret() throws Exception {
        ClientCredentialsTokenSource withSecret = secretSource().issuer(base).scope("a b").build();
        ClientCredentialsTokenSource withKey = keySource().privateKey(rsa.getPrivate()).keyId("kid-1").build();

        assertThat(withSecret.toString()).contains("issuer=" + base, "clientId=" + CLIENT_ID, "client_secret_basic",
                "scope=[a, b]").doesNotContain(SECRET);
        assertThat(withKey.toString()).contains("private_key_jwt", "alg=RS256", "kid=kid-1")
                .doesNotContain(Base64.getEncoder().encodeToString(rsa.getPrivate().getEncoded()).substring(0, 40));
        assertThat(withSecret.name()).isEqualTo("oauth-client-credentials:" + base);
        assertThat(withKey.supportsRequestedAudience()).isTrue();
    }

    // ---- helpers ----

    private ClientCredentialsTokenSource.Builder secretSource() {
        return ClientCredentialsTokenSource.builder().clientId(CLIENT_ID).clientSecret(SECRET);
    }

    private ClientCredentialsTokenSource.Builder keySource() {
        return ClientCredentialsTokenSource.builder().clientId(CLIENT_ID).tokenEndpoint(base + "/token");
    }

    /** Attempts without real waiting: the backoff logic is HttpExchange's, tested there. */
    private static ClientCredentialsTokenSource.Builder fastRetries(ClientCredentialsTokenSource.Builder b) {
        return b.maxAttempts(3).backoffBase(Duration.ofMillis(1)).backoffMax(Duration.ofMillis(2));
    }

    private void stubDiscovery(List<String> authMethods) {
        wm.stubFor(get("/.well-known/openid-configuration").willReturn(json(200, discovery(authMethods))));
    }

    private String discovery(List<String> authMethods) {
        StringBuilder sb = new StringBuilder("{\"issuer\":\"" + base + "\",\"token_endpoint\":\"" + base + "/token\","
                + "\"jwks_uri\":\"" + base + "/jwks\"");
        if (!authMethods.isEmpty()) {
            sb.append(",\"token_endpoint_auth_methods_supported\":[\"").append(String.join("\",\"", authMethods)).append("\"]");
        }
        return sb.append('}').toString();
    }

    private static String tokenResponse(String accessToken, String idToken) {
        return "{\"access_token\":\"" + accessToken + "\",\"token_type\":\"Bearer\",\"expires_in\":3600"
                + (idToken == null ? "" : ",\"id_token\":\"" + idToken + "\"") + "}";
    }

    private static ResponseDefinitionBuilder json(int status, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody(body);
    }

    private static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/plain").withBody("unavailable");
    }

    /** The responses in order; the last one repeats. */
    private static void stubSequence(java.util.function.Supplier<MappingBuilder> mapping,
            ResponseDefinitionBuilder... responses) {
        for (int i = 0; i < responses.length; i++) {
            var m = mapping.get().inScenario("sequence")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "step-" + i)
                    .willReturn(responses[i]);
            if (i < responses.length - 1) {
                m = m.willSetStateTo("step-" + (i + 1));
            }
            wm.stubFor(m);
        }
    }

    private static TokenSource fixed(String name, String token) {
        return new TokenSource() {
            @Override
            public IdentityToken token(TokenRequest request) {
                return IdentityToken.parse(token);
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    private static void assertBadOption(Runnable build, String option) {
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class, build::run);
        assertThat(e).as("a ConfigurationException for " + option).isNotNull();
        assertThat(e.diagnosis().code()).isEqualTo("config.invalid-option");
        assertThat(e.diagnosis().evidence()).containsEntry("option", option);
        assertNoSecret(e, SECRET);
    }

    static void assertNoSecret(KeylessException e, String... secrets) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String text = t.getMessage() + "\n" + t;
            if (t instanceof KeylessException) {
                text += "\n" + ((KeylessException) t).diagnosis().render();
            }
            for (String s : secrets) {
                assertThat(text).as("exception text must not contain a secret").doesNotContain(s);
            }
        }
    }

    private static SignedJWT assertionOf(LoggedRequest r) throws Exception {
        Map<String, List<String>> form = formOf(r.getBodyAsString());
        assertThat(form).containsEntry("client_assertion_type", List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        String assertion = LeakGuard.secret(form.get("client_assertion").get(0));
        return SignedJWT.parse(assertion);
    }

    private static Map<String, List<String>> formOf(String body) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq < 0) {
                continue;
            }
            form.computeIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), k -> new ArrayList<>())
                    .add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** The PKCS#1 RSAPrivateKey inside the JDK's PKCS#8 encoding: the content of its final OCTET STRING. */
    private static byte[] pkcs1(KeyPair rsa) {
        byte[] pkcs8 = rsa.getPrivate().getEncoded();
        // PrivateKeyInfo: SEQUENCE { INTEGER 0, AlgorithmIdentifier (15 bytes for rsaEncryption), OCTET STRING }
        int p = 4 + 3 + 15; // 30 82 LL LL | 02 01 00 | 30 0d ... 05 00
        assertThat(pkcs8[p]).isEqualTo((byte) 0x04);
        int length = ((pkcs8[p + 2] & 0xFF) << 8) | (pkcs8[p + 3] & 0xFF);
        return Arrays.copyOfRange(pkcs8, p + 4, p + 4 + length);
    }

    /** A SEC1 ECPrivateKey for P-256 as OpenSSL writes it: version 1, the 32-byte secret, [0] the curve OID. */
    private static byte[] sec1(ECPrivateKey key) {
        byte[] s = toFixedLength(key.getS(), 32);
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        content.writeBytes(new byte[] {0x02, 0x01, 0x01});
        content.write(0x04);
        content.write(32);
        content.writeBytes(s);
        byte[] p256 = {0x06, 0x08, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x03, 0x01, 0x07};
        content.write(0xA0);
        content.write(p256.length);
        content.writeBytes(p256);
        byte[] body = content.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x30);
        out.write(body.length);
        out.writeBytes(body);
        return out.toByteArray();
    }

    private static byte[] toFixedLength(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] out = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, out, length - copy, copy);
        return out;
    }
}
