package dev.keyless.core.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.source.ClientCredentialsTokenSource.AudienceParameter;
import dev.keyless.core.source.ClientCredentialsTokenSource.ClientAuthMethod;
import java.net.InetAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientCredentialsTokenSource} against a real OAuth 2.0 / OIDC server (navikt mock-oauth2-server)
 * on 127.0.0.1: discovery, the three client authentication methods, audience/scope/resource parameters and
 * RFC 8693 token exchange, checked on the wire and on the tokens it issues.
 */
class ClientCredentialsTokenSourceTest {
    private static final String ISSUER_ID = "corp";
    private static final String CLIENT_ID = "keyless ci/app";
    private static final String SECRET = LeakGuard.secret("s3cr:et+w/ith spaces&ü");

    private static KeyPair rsa;
    private static KeyPair ec;

    private MockOAuth2Server server;
    private String issuer;

    @BeforeAll
    static void generateKeys() throws Exception {
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
        KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
        ecGen.initialize(new ECGenParameterSpec("secp256r1"));
        ec = ecGen.generateKeyPair();
    }

    /** A server per test, so that each test sees exactly the requests it caused. */
    @BeforeEach
    void startServer() throws Exception {
        server = new MockOAuth2Server();
        server.start(InetAddress.getByName("127.0.0.1"), 0);
        issuer = server.issuerUrl(ISSUER_ID).toString();
    }

    @AfterEach
    void stopServer() {
        server.shutdown();
    }

    @Test
    void discoversTheTokenEndpointAndAuthenticatesWithClientSecretBasic() throws Exception {
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET).scope("api://cloud-federation")
                .build();

        IdentityToken token = source.token(TokenRequest.sourceDefault());

        assertThat(source.clientAuthMethod()).isEqualTo(ClientAuthMethod.CLIENT_SECRET_BASIC);
        assertThat(token.issuer()).isEqualTo(issuer);
        assertThat(token.subject()).isEqualTo(CLIENT_ID);
        assertThat(token.audience()).containsExactly("api://cloud-federation");
        RecordedRequest discovery = take();
        assertThat(discovery.getMethod()).isEqualTo("GET");
        assertThat(discovery.getPath()).isEqualTo("/" + ISSUER_ID + "/.well-known/openid-configuration");
        RecordedRequest tokenRequest = take();
        assertThat(tokenRequest.getPath()).isEqualTo("/" + ISSUER_ID + "/token");
        // RFC 6749 §2.3.1: id and secret are form-encoded before they are joined and base64-encoded.
        String expected = URLDecoder.decode("keyless+ci%2Fapp:s3cr%3Aet%2Bw%2Fith+spaces%26%C3%BC", StandardCharsets.UTF_8);
        assertThat(expected).isEqualTo(CLIENT_ID + ":" + SECRET); // the literal above is the encoding of these two
        assertThat(tokenRequest.getHeader("Authorization")).isEqualTo("Basic " + Base64.getEncoder().encodeToString(
                "keyless+ci%2Fapp:s3cr%3Aet%2Bw%2Fith+spaces%26%C3%BC".getBytes(StandardCharsets.US_ASCII)));
        Map<String, List<String>> form = form(tokenRequest);
        assertThat(form).containsEntry("grant_type", List.of("client_credentials"))
                .containsEntry("scope", List.of("api://cloud-federation"))
                .doesNotContainKeys("client_secret", "client_id", "audience", "resource");
        assertThat(tokenRequest.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
    }

    @Test
    void mintsAFreshTokenOnEveryCallButDiscoversOnlyOnce() throws Exception {
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET).build();

        IdentityToken first = source.token(TokenRequest.sourceDefault());
        IdentityToken second = source.token(TokenRequest.sourceDefault());

        assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
        assertThat(second.stringClaim("jti")).isNotEqualTo(first.stringClaim("jti"));
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            paths.add(take().getPath());
        }
        assertThat(paths).containsExactly("/corp/.well-known/openid-configuration", "/corp/token", "/corp/token");
        assertThat(pending()).as("requests after the third").isFalse();
    }

    @Test
    void clientSecretPostSendsTheCredentialsInTheBody() throws Exception {
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET)
                .clientAuthMethod(ClientAuthMethod.CLIENT_SECRET_POST)
                .build();

        IdentityToken token = source.token(TokenRequest.sourceDefault());

        assertThat(token.subject()).isEqualTo(CLIENT_ID);
        take();
        RecordedRequest tokenRequest = take();
        assertThat(tokenRequest.getHeader("Authorization")).isNull();
        assertThat(form(tokenRequest)).containsEntry("client_id", List.of(CLIENT_ID))
                .containsEntry("client_secret", List.of(SECRET))
                .containsEntry("grant_type", List.of("client_credentials"));
    }

    @Test
    void privateKeyJwtSendsAFreshSignedAssertionOnEveryCall() throws Exception {
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).privateKey(rsa.getPrivate()).keyId("ci-key-1")
                .build();

        IdentityToken first = source.token(TokenRequest.sourceDefault());
        IdentityToken second = source.token(TokenRequest.sourceDefault());

        assertThat(source.clientAuthMethod()).isEqualTo(ClientAuthMethod.PRIVATE_KEY_JWT);
        assertThat(first.subject()).isEqualTo(CLIENT_ID);
        assertThat(second.fingerprint()).isNotEqualTo(first.fingerprint());
        take();
        String tokenEndpoint = server.tokenEndpointUrl(ISSUER_ID).toString();
        SignedJWT a1 = assertion(take(), tokenEndpoint);
        SignedJWT a2 = assertion(take(), tokenEndpoint);
        assertThat(a1.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);
        assertThat(a1.getHeader().getKeyID()).isEqualTo("ci-key-1");
        assertThat(a1.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
        assertThat(a2.verify(new RSASSAVerifier((RSAPublicKey) rsa.getPublic()))).isTrue();
        assertThat(a2.getJWTClaimsSet().getJWTID()).isNotEqualTo(a1.getJWTClaimsSet().getJWTID());
    }

    @Test
    void privateKeyJwtWithAnEcKeyFromPemSignsEs256() throws Exception {
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ec.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).privateKeyPem(pem).build();

        IdentityToken token = source.token(TokenRequest.sourceDefault());

        assertThat(token.subject()).isEqualTo(CLIENT_ID);
        take();
        SignedJWT assertion = assertion(take(), server.tokenEndpointUrl(ISSUER_ID).toString());
        assertThat(assertion.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(assertion.getHeader().getKeyID()).isNull();
        assertThat(assertion.verify(new ECDSAVerifier((ECPublicKey) ec.getPublic()))).isTrue();
    }

    @Test
    void sendsAudienceScopeAndResourceParameters() throws Exception {
        server.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "ignored", "JWT", List.of("sts.amazonaws.com"),
                Map.of(), 300));
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET)
                .scope("read write").resource("https://api.example.com")
                .build();

        IdentityToken token = source.token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(token.audience()).containsExactly("sts.amazonaws.com");
        assertThat(source.supportsRequestedAudience()).isTrue();
        take();
        Map<String, List<String>> form = form(take());
        assertThat(form).containsEntry("audience", List.of("sts.amazonaws.com"))
                .containsEntry("scope", List.of("read write"))
                .containsEntry("resource", List.of("https://api.example.com"));
    }

    @Test
    void resourceParameterCarriesTheAudienceWhenConfigured() throws Exception {
        server.enqueueCallback(new DefaultOAuth2TokenCallback(ISSUER_ID, "ignored", "JWT", List.of("api://AzureADTokenExchange"),
                Map.of(), 300));
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET)
                .audienceParameter(AudienceParameter.RESOURCE)
                .build();

        IdentityToken token = source.token(TokenRequest.forAudience("api://AzureADTokenExchange"));

        assertThat(token.audience()).containsExactly("api://AzureADTokenExchange");
        take();
        assertThat(form(take())).containsEntry("resource", List.of("api://AzureADTokenExchange")).doesNotContainKey("audience");
    }

    @Test
    void anAudienceTheProviderIgnoresIsReportedNotReturned() throws Exception {
        // The mock server, like Entra ID, takes aud from the scope and ignores the audience parameter.
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET).scope("api://other")
                .build();

        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(e.diagnosis().code()).isEqualTo("idp.audience-ignored");
        assertThat(e.diagnosis().evidence()).containsEntry("requested audience", "sts.amazonaws.com")
                .containsEntry("token aud", "api://other").containsEntry("sent as", "audience");
        assertThat(e.retryable()).isFalse();
        assertNoSecret(e, SECRET);
    }

    @Test
    void withoutAnAudienceParameterTheTokenAudienceIsCheckedAgainstTheRequest() throws Exception {
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET).scope("api://corp-federation")
                .audienceParameter(AudienceParameter.NONE)
                .build();

        assertThat(source.supportsRequestedAudience()).isFalse();
        IdentityToken ok = source.token(TokenRequest.forAudience("api://corp-federation"));
        ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
                () -> source.token(TokenRequest.forAudience("sts.amazonaws.com")));

        assertThat(ok.audience()).containsExactly("api://corp-federation");
        assertThat(e.diagnosis().code()).isEqualTo("idp.audience-fixed");
        assertThat(e.diagnosis().evidence()).containsEntry("requested audience", "sts.amazonaws.com")
                .containsEntry("token aud", "api://corp-federation");
        take();
        assertThat(form(take())).doesNotContainKeys("audience", "resource");
        assertThat(form(take())).doesNotContainKeys("audience", "resource");
    }

    @Test
    void exchangesASubjectTokenFromAnotherSource() throws Exception {
        String githubToken = server.issueToken("github", "repo:acme/app:ref:refs/heads/main",
                new DefaultOAuth2TokenCallback("github", "repo:acme/app:ref:refs/heads/main", "JWT",
                        List.of("https://corp-idp.example.com"), Map.of("repository", "acme/app"), 300)).serialize();
        LeakGuard.secret(githubToken);
        List<TokenRequest> subjectRequests = new ArrayList<>();
        TokenSource github = new TokenSource() {
            @Override
            public IdentityToken token(TokenRequest request) {
                subjectRequests.add(request);
                return IdentityToken.parse(githubToken);
            }

            @Override
            public String name() {
                return "github-actions";
            }
        };
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).privateKey(rsa.getPrivate())
                .tokenExchange(github)
                .subjectTokenRequest(TokenRequest.forAudience("https://corp-idp.example.com"))
                .requestedTokenType("urn:ietf:params:oauth:token-type:access_token")
                .build();

        IdentityToken token = source.token(TokenRequest.forAudience("sts.amazonaws.com"));

        assertThat(source.name()).startsWith("oauth-token-exchange:");
        assertThat(token.issuer()).isEqualTo(issuer);
        assertThat(token.subject()).isEqualTo("repo:acme/app:ref:refs/heads/main");
        assertThat(token.audience()).containsExactly("sts.amazonaws.com");
        assertThat(token.stringClaim("repository")).contains("acme/app");
        assertThat(subjectRequests).containsExactly(TokenRequest.forAudience("https://corp-idp.example.com"));
        take();
        RecordedRequest exchange = take();
        Map<String, List<String>> form = form(exchange);
        assertThat(form).containsEntry("grant_type", List.of("urn:ietf:params:oauth:grant-type:token-exchange"))
                .containsEntry("subject_token", List.of(githubToken))
                .containsEntry("subject_token_type", List.of("urn:ietf:params:oauth:token-type:jwt"))
                .containsEntry("requested_token_type", List.of("urn:ietf:params:oauth:token-type:access_token"))
                .containsEntry("audience", List.of("sts.amazonaws.com"))
                .containsEntry("client_assertion_type", List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
        assertThat(source.toString()).doesNotContain(githubToken).contains("subject=github-actions");
    }

    @Test
    void neverShowsTheSecretInToStringOrName() {
        ClientCredentialsTokenSource source = ClientCredentialsTokenSource.builder()
                .issuer(issuer).clientId(CLIENT_ID).clientSecret(SECRET).build();

        assertThat(source.toString()).doesNotContain(SECRET).contains("client_secret_basic").contains(CLIENT_ID);
        assertThat(source.name()).doesNotContain(SECRET).startsWith("oauth-client-credentials:http://");
    }

    // ---- helpers ----

    /** Whether one more request reached the server (its takeRequest throws when none comes in time). */
    private boolean pending() {
        try {
            return server.takeRequest(50, TimeUnit.MILLISECONDS) != null;
        } catch (RuntimeException none) {
            return false;
        }
    }

    private RecordedRequest take() throws InterruptedException {
        RecordedRequest r = server.takeRequest(2, TimeUnit.SECONDS);
        assertThat(r).as("a request reached the mock OAuth server").isNotNull();
        return r;
    }

    private static Map<String, List<String>> form(RecordedRequest request) {
        Map<String, List<String>> form = new LinkedHashMap<>();
        String body = request.getBody().copy().readUtf8();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            form.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
        }
        return form;
    }

    private static SignedJWT assertion(RecordedRequest request, String tokenEndpoint) throws Exception {
        Map<String, List<String>> form = form(request);
        assertThat(request.getHeader("Authorization")).isNull();
        assertThat(form).containsEntry("client_assertion_type", List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"))
                .containsEntry("client_id", List.of(CLIENT_ID))
                .doesNotContainKey("client_secret");
        SignedJWT jwt = SignedJWT.parse(LeakGuard.secret(form.get("client_assertion").get(0)));
        JWTClaimsSet claims = jwt.getJWTClaimsSet();
        assertThat(claims.getIssuer()).isEqualTo(CLIENT_ID);
        assertThat(claims.getSubject()).isEqualTo(CLIENT_ID);
        assertThat(claims.getAudience()).containsExactly(tokenEndpoint);
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isEqualTo(Duration.ofSeconds(60));
        return jwt;
    }

    static void assertNoSecret(KeylessException e, String... secrets) {
        String all = e.getMessage() + "\n" + e.diagnosis().render() + "\n" + e.diagnosis().evidence() + "\n" + e;
        for (String s : secrets) {
            assertThat(all).doesNotContain(s);
        }
    }
}
