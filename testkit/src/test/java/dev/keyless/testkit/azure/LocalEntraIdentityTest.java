package dev.keyless.testkit.azure;

import static dev.keyless.testkit.azure.EntraFixture.chain;
import static dev.keyless.testkit.azure.EntraFixture.credential;
import static dev.keyless.testkit.azure.EntraFixture.newId;
import static dev.keyless.testkit.azure.EntraFixture.storageToken;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.sun.net.httpserver.HttpServer;
import dev.keyless.core.IdentityToken;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.MutableClock;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real azure-identity (MSAL4J) against the emulator over HTTPS: success and every AADSTS error it can meet. */
class LocalEntraIdentityTest {
    static final MutableClock CLOCK = MutableClock.create();
    static LocalIssuer issuer;
    static LocalIssuer github;
    static LocalEntra entra;
    static HttpClient http;

    @BeforeAll
    static void start() {
        issuer = LocalIssuer.builder().clock(CLOCK).start();
        github = LocalIssuer.builder().clock(CLOCK).issuerUrl("https://token.actions.githubusercontent.com").start();
        entra = LocalEntra.builder().clock(CLOCK).start();
        entra.trustIssuer(github);
        http = EntraFixture.httpClient(entra);
    }

    @AfterAll
    static void stop() {
        entra.close();
        issuer.close();
        github.close();
    }

    /** A registered app trusting {@code repo:acme/app:ref:refs/heads/main} from the GitHub-shaped issuer. */
    private static EntraApplication githubApp() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("github-main", github.issuerUrl(), "repo:acme/app:ref:refs/heads/main");
        return app;
    }

    private static String githubToken() {
        return github.github().repository("acme/app").branch("main").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .mintValue();
    }

    private static String errorOf(EntraApplication app, String assertion) {
        TokenCredential credential = credential(entra, http, app.tenantId(), app.clientId(), () -> assertion);
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> storageToken(credential));
        assertThat(thrown).as("the exchange must fail").isNotNull();
        return chain(thrown);
    }

    @Test
    void issuesAV1StorageTokenForAMatchingAssertion() {
        EntraApplication app = githubApp();

        AccessToken token = storageToken(credential(entra, http, app.tenantId(), app.clientId(), LocalEntraIdentityTest::githubToken));

        Map<String, Object> claims = entra.verifyAccessToken(token.getToken());
        assertThat(claims).containsEntry("iss", "https://sts.windows.net/" + app.tenantId() + "/")
                .containsEntry("aud", "https://storage.azure.com")
                .containsEntry("tid", app.tenantId())
                .containsEntry("appid", app.clientId())
                .containsEntry("oid", app.objectId())
                .containsEntry("idtyp", "app")
                .containsEntry("ver", "1.0");
        IdentityToken parsed = IdentityToken.parse(token.getToken());
        assertThat(parsed.expiresAt()).contains(CLOCK.instant().plus(Duration.ofHours(1)));
        assertThat(token.getExpiresAt().toInstant()).isAfter(java.time.Clock.systemUTC().instant().plus(Duration.ofMinutes(55)));
        RecordedTokenRequest recorded = entra.requests().stream().filter(r -> app.clientId().equals(r.clientId()))
                .findFirst().orElseThrow();
        assertThat(recorded.status()).isEqualTo(200);
        assertThat(recorded.grantType()).isEqualTo("client_credentials");
        assertThat(recorded.scope()).contains(EntraFixture.STORAGE_SCOPE);
        assertThat(recorded.assertion()).get().extracting(IdentityToken::subject).isEqualTo("repo:acme/app:ref:refs/heads/main");
    }

    @Test
    void aLoopbackIssuerNeedsNoRegistration() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("k8s", issuer.issuerUrl(), "system:serviceaccount:apps:deployer");
        String assertion = issuer.kubernetes().serviceAccount("apps", "deployer")
                .audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue();

        AccessToken token = storageToken(credential(entra, http, app.tenantId(), app.clientId(), () -> assertion));

        assertThat(entra.verifyAccessToken(token.getToken())).containsEntry("appid", app.clientId());
    }

    @Test
    void theAsyncPathReportsTheCodeInTheMsalException() {
        EntraApplication app = githubApp();
        String wrongBranch = github.github().repository("acme/app").branch("dev").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .mintValue();
        TokenCredential credential = credential(entra, http, app.tenantId(), app.clientId(), () -> wrongBranch);

        assertThatThrownBy(() -> credential.getToken(new TokenRequestContext().addScopes(EntraFixture.STORAGE_SCOPE)).block())
                .isInstanceOf(MsalServiceException.class)
                .hasMessageContaining("AADSTS700213")
                .hasMessageContaining("repo:acme/app:ref:refs/heads/dev");
    }

    @Test
    void theMsalExceptionCarriesTheErrorAndTheStatus() {
        EntraApplication app = githubApp();
        String wrongBranch = github.github().repository("acme/app").branch("dev").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .mintValue();
        TokenCredential credential = credential(entra, http, app.tenantId(), app.clientId(), () -> wrongBranch);

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> storageToken(credential));
        MsalServiceException msal = null;
        for (Throwable c = thrown; c != null; c = c.getCause()) {
            if (c instanceof MsalServiceException) {
                msal = (MsalServiceException) c;
            }
        }
        assertThat(msal).as(chain(thrown)).isNotNull();
        assertThat(msal.errorCode()).isEqualTo("invalid_client");
        assertThat(msal.statusCode()).isEqualTo(401);
        assertThat(msal.getMessage()).startsWith("AADSTS700213: No matching federated identity record found for presented "
                + "assertion subject 'repo:acme/app:ref:refs/heads/dev'.").contains("Trace ID: ", "Correlation ID: ", "Timestamp: ");
    }

    @Test
    void unknownTenantIs90002() {
        EntraApplication app = githubApp();
        TokenCredential credential = credential(entra, http, newId(), app.clientId(), LocalEntraIdentityTest::githubToken);

        assertThat(chain(org.assertj.core.api.Assertions.catchThrowable(() -> storageToken(credential))))
                .contains("AADSTS90002: Tenant '");
    }

    @Test
    void unknownClientIs700016() {
        EntraApplication app = githubApp();
        String unknown = newId();
        TokenCredential credential = credential(entra, http, app.tenantId(), unknown, LocalEntraIdentityTest::githubToken);

        assertThat(chain(org.assertj.core.api.Assertions.catchThrowable(() -> storageToken(credential))))
                .contains("AADSTS700016: Application with identifier '" + unknown + "' was not found in the directory '"
                        + app.tenantId() + "'");
    }

    @Test
    void anApplicationWithoutFederatedCredentialsIs70025() {
        EntraApplication app = entra.registerApplication(newId(), newId());

        assertThat(errorOf(app, githubToken())).contains("AADSTS70025: The client '" + app.clientId() + "'");
    }

    @Test
    void anotherIssuerIs700211() {
        EntraApplication app = githubApp();
        String fromOtherIssuer = issuer.github().repository("acme/app").branch("main")
                .audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue();

        assertThat(errorOf(app, fromOtherIssuer)).contains("AADSTS700211: No matching federated identity record found for "
                + "presented assertion issuer '" + issuer.issuerUrl() + "'");
    }

    @Test
    void aTrailingSlashInTheRegisteredIssuerIs700211() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("slash", github.issuerUrl() + "/", "repo:acme/app:ref:refs/heads/main");

        assertThat(errorOf(app, githubToken())).contains("AADSTS700211");
    }

    @Test
    void anotherSubjectIs700213() {
        EntraApplication app = githubApp();
        String pr = github.github().repository("acme/app").pullRequest().audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .mintValue();

        assertThat(errorOf(app, pr)).contains("AADSTS700213: No matching federated identity record found for presented "
                + "assertion subject 'repo:acme/app:pull_request'");
    }

    @Test
    void aSubjectThatDiffersOnlyInCaseIs7002138() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("case", github.issuerUrl(), "repo:Acme/App:ref:refs/heads/main");

        assertThat(errorOf(app, githubToken())).contains("AADSTS7002138: No matching federated identity record found for "
                + "presented assertion subject 'repo:acme/app:ref:refs/heads/main'. The subject matches with case-insensitive "
                + "comparison, but not with case-sensitive comparison.");
    }

    @Test
    void anotherAudienceIs700212() {
        EntraApplication app = githubApp();
        String defaultAudience = github.github().repository("acme/app").branch("main").mintValue(); // aud https://github.com/acme

        assertThat(errorOf(app, defaultAudience)).contains("AADSTS700212: No matching federated identity record found for "
                + "presented assertion audience 'https://github.com/acme'");
    }

    @Test
    void aCustomAudienceMatchesWhenRegistered() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential(FederatedIdentityCredential.builder("custom-aud").issuer(github.issuerUrl())
                .subject("repo:acme/app:ref:refs/heads/main").audience("https://github.com/acme").build());
        String assertion = github.github().repository("acme/app").branch("main").mintValue();

        assertThat(storageToken(credential(entra, http, app.tenantId(), app.clientId(), () -> assertion)).getToken()).isNotBlank();
    }

    @Test
    void anExpiredAssertionIs700024() {
        EntraApplication app = githubApp();
        String expired = github.github().repository("acme/app").branch("main").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .expiredSince(Duration.ofMinutes(1)).mintValue();

        assertThat(errorOf(app, expired)).contains("AADSTS700024: Client assertion is not within its valid time range. "
                + "Current time: ").contains("expiry time of assertion ");
    }

    @Test
    void aReusedAssertionFailsWith700024OnceItExpires() {
        EntraApplication app = githubApp();
        String once = githubToken();
        TokenCredential first = credential(entra, http, app.tenantId(), app.clientId(), () -> once);
        assertThat(storageToken(first).getToken()).isNotBlank();

        CLOCK.advance(Duration.ofMinutes(6));
        try {
            assertThat(errorOf(app, once)).contains("AADSTS700024");
        } finally {
            CLOCK.advance(Duration.ofMinutes(-6));
        }
    }

    @Test
    void aNotYetValidAssertionIs700024() {
        EntraApplication app = githubApp();
        String early = github.github().repository("acme/app").branch("main").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .notBeforeIn(Duration.ofMinutes(10)).mintValue();

        assertThat(errorOf(app, early)).contains("AADSTS700024");
    }

    @Test
    void aForeignSignatureIs700027() {
        EntraApplication app = githubApp();
        String forged = github.github().repository("acme/app").branch("main").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .signedWithForeignKey().mintValue();

        assertThat(errorOf(app, forged)).contains("AADSTS700027");
    }

    @Test
    void anUnknownKeyIdIs7000272() {
        EntraApplication app = githubApp();
        String unknownKid = github.github().repository("acme/app").branch("main").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .keyId("retired-key").mintValue();

        assertThat(errorOf(app, unknownKid)).contains("AADSTS7000272").contains("'retired-key'");
    }

    @Test
    void anUnreachableIssuerIs50166() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("down", issuer.issuerUrl(), "system:serviceaccount:apps:deployer");
        String assertion = issuer.kubernetes().serviceAccount("apps", "deployer")
                .audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue();
        issuer.unavailable(true);
        try {
            assertThat(errorOf(app, assertion)).contains("AADSTS50166: Request to External OIDC endpoint failed.");
        } finally {
            issuer.unavailable(false);
        }
    }

    @Test
    void anIssuerOutsideLoopbackIsNeverContactedAnd50166() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        String foreignIssuer = "https://gitlab.example.com";
        app.addFederatedCredential("gitlab", foreignIssuer, "project_path:acme/app:ref_type:branch:ref:main");
        String assertion = issuer.token().issuer(foreignIssuer).subject("project_path:acme/app:ref_type:branch:ref:main")
                .audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue();

        assertThat(errorOf(app, assertion)).contains("AADSTS50166");
    }

    @Test
    void aJwksThatCannotBeFetchedIs90061() throws IOException {
        HttpServer broken = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + broken.getAddress().getPort();
        broken.createContext("/", ex -> {
            byte[] body = ex.getRequestURI().getPath().endsWith("openid-configuration")
                    ? ("{\"issuer\":\"https://broken.example\",\"jwks_uri\":\"" + base + "/keys\"}").getBytes(StandardCharsets.UTF_8)
                    : new byte[0];
            ex.sendResponseHeaders(body.length == 0 ? 500 : 200, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                ex.getResponseBody().write(body);
            }
            ex.close();
        });
        broken.start();
        try {
            entra.trustIssuer("https://broken.example", URI.create(base + "/.well-known/openid-configuration"));
            EntraApplication app = entra.registerApplication(newId(), newId());
            app.addFederatedCredential("broken", "https://broken.example", "s");
            String assertion = issuer.token().issuer("https://broken.example").subject("s")
                    .audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue();

            assertThat(errorOf(app, assertion)).contains("AADSTS90061: Request to External OIDC endpoint failed.");
        } finally {
            broken.stop(0);
        }
    }

    @Test
    void aFlexibleCredentialMatchesAnyBranch() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential(FederatedIdentityCredential.builder("any-branch").issuer(github.issuerUrl())
                .claimsMatchingExpression("claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'").build());
        String feature = github.github().repository("acme/app").branch("feature/x").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE)
                .mintValue();

        assertThat(storageToken(credential(entra, http, app.tenantId(), app.clientId(), () -> feature)).getToken()).isNotBlank();
    }

    @Test
    void aFlexibleCredentialThatDoesNotMatchIs70021() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential(FederatedIdentityCredential.builder("any-branch").issuer(github.issuerUrl())
                .claimsMatchingExpression("claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'").build());
        String tag = github.github().repository("acme/app").tag("v1").audience(FederatedIdentityCredential.DEFAULT_AUDIENCE).mintValue();

        assertThat(errorOf(app, tag)).contains("AADSTS70021: No matching federated identity record found for presented assertion. "
                + "Assertion Issuer: 'https://token.actions.githubusercontent.com'. Assertion Subject: "
                + "'repo:acme/app:ref:refs/tags/v1'. Assertion Audience: 'api://AzureADTokenExchange'.");
    }

    @Test
    void aScopeWithoutDefaultIs1002012() {
        EntraApplication app = githubApp();
        TokenCredential credential = credential(entra, http, app.tenantId(), app.clientId(), LocalEntraIdentityTest::githubToken);

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(
                () -> credential.getTokenSync(new TokenRequestContext().addScopes("https://storage.azure.com/user_impersonation")));

        assertThat(chain(thrown)).contains("AADSTS1002012");
    }

    @Test
    void credentialsCanBeRemovedWhileServing() {
        EntraApplication app = githubApp();
        assertThat(app.removeFederatedCredential("github-main")).isTrue();

        assertThat(errorOf(app, githubToken())).contains("AADSTS70025");
    }
}
