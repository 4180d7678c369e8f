package dev.keyless.azure;

import static dev.keyless.azure.AzureFixture.STORAGE;
import static dev.keyless.azure.AzureFixture.VAULT;
import static dev.keyless.azure.AzureFixture.newId;
import static dev.keyless.azure.AzureFixture.scopes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.azure.core.credential.AccessToken;
import com.azure.core.http.HttpClient;
import dev.keyless.azure.AzureFixture.GitHubSource;
import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenSource;
import dev.keyless.core.leak.LeakGuard;
import dev.keyless.core.source.FileTokenSource;
import dev.keyless.core.source.StaticTokenSource;
import dev.keyless.testkit.GitHubTokenBuilder;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.FederatedIdentityCredential;
import dev.keyless.testkit.azure.LocalEntra;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end over HTTPS: Keyless's credential, the real azure-identity, the testkit's Entra and GitHub-shaped issuer. */
class FederatedTokenCredentialTest {
    static final MutableClock CLOCK = MutableClock.create();
    static final String MAIN = "repo:acme/app:ref:refs/heads/main";
    static LocalIssuer github;
    static LocalEntra entra;
    static HttpClient http;

    @BeforeAll
    static void start() {
        github = LocalIssuer.builder().clock(CLOCK).issuerUrl(FederatedCredentialSpec.GITHUB_ISSUER).start();
        entra = LocalEntra.builder().clock(CLOCK).start();
        entra.trustIssuer(github);
        http = AzureFixture.httpClient(entra);
    }

    @AfterAll
    static void stop() {
        entra.close();
        github.close();
    }

    private static EntraApplication mainBranchApp() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("github-main", github.issuerUrl(), MAIN);
        return app;
    }

    private static GitHubSource source(UnaryOperator<GitHubTokenBuilder> shape) {
        return new GitHubSource(github, shape);
    }

    private static GitHubSource mainBranch() {
        return source(b -> b.repository("acme/app").branch("main"));
    }

    private static FederatedTokenCredential.Builder credential(EntraApplication app, TokenSource source) {
        return FederatedTokenCredential.builder()
                .environment(Environment.of(Map.of()))
                .tenantId(app.tenantId())
                .clientId(app.clientId())
                .authorityHost(entra.authorityHost().toString())
                .tokenSource(source)
                .clock(CLOCK)
                .httpClient(http);
    }

    private static long exchangesOf(EntraApplication app) {
        return entra.requests().stream().filter(r -> app.clientId().equals(r.clientId())).count();
    }

    @Test
    void exchangesAFreshGitHubTokenForAStorageToken() {
        EntraApplication app = mainBranchApp();
        GitHubSource source = mainBranch();
        try (FederatedTokenCredential credential = credential(app, source).build()) {
            AccessToken token = credential.getTokenSync(scopes(STORAGE));
            LeakGuard.secret(token.getToken()); // from here on, a log line holding the access token fails the test

            assertThat(entra.verifyAccessToken(token.getToken()))
                    .containsEntry("aud", "https://storage.azure.com")
                    .containsEntry("iss", "https://sts.windows.net/" + app.tenantId() + "/")
                    .containsEntry("appid", app.clientId())
                    .containsEntry("tid", app.tenantId());
            assertThat(source.minted).singleElement().satisfies(t -> {
                assertThat(t.audience()).containsExactly("api://AzureADTokenExchange");
                assertThat(t.subject()).isEqualTo(MAIN);
            });
            assertThat(exchangesOf(app)).isEqualTo(1);
            assertThat(credential.cloud()).get().extracting(AzureCloud::name).isEqualTo("custom");
        }
    }

    @Test
    void theAsyncPathGivesTheSameCachedToken() {
        EntraApplication app = mainBranchApp();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).build()) {
            AccessToken viaMono = credential.getToken(scopes(STORAGE)).block(Duration.ofSeconds(30));
            AccessToken viaSync = credential.getTokenSync(scopes(STORAGE));

            assertThat(viaMono.getToken()).isEqualTo(viaSync.getToken());
            assertThat(exchangesOf(app)).isEqualTo(1);
        }
    }

    @Test
    void cachesPerScopeSet() {
        EntraApplication app = mainBranchApp();
        GitHubSource source = mainBranch();
        try (FederatedTokenCredential credential = credential(app, source).build()) {
            AccessToken storage1 = credential.getTokenSync(scopes(STORAGE));
            AccessToken storage2 = credential.getTokenSync(scopes(STORAGE));
            AccessToken vault = credential.getTokenSync(scopes(VAULT));

            assertThat(storage2.getToken()).isEqualTo(storage1.getToken());
            assertThat(entra.verifyAccessToken(vault.getToken())).containsEntry("aud", "https://vault.azure.net");
            assertThat(exchangesOf(app)).isEqualTo(2);
            assertThat(source.minted).hasSize(2);
        }
    }

    @Test
    void aClaimsChallengeAlwaysExchangesAnewAndIsNotCached() {
        EntraApplication app = mainBranchApp();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).build()) {
            AccessToken cached = credential.getTokenSync(scopes(STORAGE));
            String claims = "{\"access_token\":{\"nbf\":{\"essential\":true,\"value\":\"1700000000\"}}}";

            AccessToken challenged1 = credential.getTokenSync(scopes(STORAGE).setCaeEnabled(true).setClaims(claims));
            AccessToken challenged2 = credential.getTokenSync(scopes(STORAGE).setCaeEnabled(true).setClaims(claims));

            assertThat(challenged1.getToken()).isNotEqualTo(cached.getToken()).isNotEqualTo(challenged2.getToken());
            assertThat(credential.getTokenSync(scopes(STORAGE)).getToken()).isEqualTo(cached.getToken());
            assertThat(exchangesOf(app)).isEqualTo(3);
        }
    }

    @Test
    void everyExchangePresentsAFreshAssertion() {
        EntraApplication app = mainBranchApp();
        GitHubSource source = mainBranch();
        try (FederatedTokenCredential credential = credential(app, source).build()) {
            credential.getTokenSync(scopes(STORAGE));
            CLOCK.advance(Duration.ofMinutes(61));
            credential.getTokenSync(scopes(STORAGE));
            CLOCK.advance(Duration.ofMinutes(61));
            credential.getTokenSync(scopes(STORAGE));

            Set<String> presented = new HashSet<>();
            entra.requests().stream().filter(r -> app.clientId().equals(r.clientId()))
                    .forEach(r -> presented.add(r.assertion().orElseThrow().fingerprint()));
            assertThat(presented).hasSize(3);
            assertThat(source.minted).as("one mint per exchange, although azure-identity asks its supplier twice").hasSize(3);
        }
    }

    @Test
    void refreshesWhenTheTokenIsAboutToExpireAndNeverReturnsAnExpiredOne() {
        EntraApplication app = mainBranchApp();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).build()) {
            AccessToken first = credential.getTokenSync(scopes(STORAGE));
            Map<String, Object> firstClaims = entra.verifyAccessToken(first.getToken());

            CLOCK.advance(Duration.ofMinutes(59).plusSeconds(30)); // inside the last minute: the caller waits for a new one
            AccessToken second = credential.getTokenSync(scopes(STORAGE));

            assertThat(second.getToken()).isNotEqualTo(first.getToken());
            assertThat(((Number) entra.verifyAccessToken(second.getToken()).get("exp")).longValue())
                    .isGreaterThan(((Number) firstClaims.get("exp")).longValue());
            assertThat(exchangesOf(app)).isEqualTo(2);

            CLOCK.advance(Duration.ofHours(2)); // long past expiry: still a valid token, never the old one
            AccessToken third = credential.getTokenSync(scopes(STORAGE));
            assertThat(entra.verifyAccessToken(third.getToken())).isNotNull();
            assertThat(exchangesOf(app)).isEqualTo(3);
        }
    }

    @Test
    void refreshesInTheBackgroundWhileServingTheCurrentToken() {
        EntraApplication app = mainBranchApp();
        ManualExecutor background = new ManualExecutor();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).executor(background).build()) {
            AccessToken first = credential.getTokenSync(scopes(STORAGE));

            CLOCK.advance(Duration.ofMinutes(56)); // past the refresh point (at most 5 minutes before expiry), not stale
            AccessToken during = credential.getTokenSync(scopes(STORAGE));

            assertThat(during.getToken()).isEqualTo(first.getToken());
            assertThat(exchangesOf(app)).isEqualTo(1);
            assertThat(background.runQueued()).isEqualTo(1);
            assertThat(exchangesOf(app)).isEqualTo(2);
            assertThat(credential.getTokenSync(scopes(STORAGE)).getToken()).isNotEqualTo(first.getToken());
        }
    }

    @Test
    void concurrentCallersShareOneExchange() throws Exception {
        EntraApplication app = mainBranchApp();
        GitHubSource source = mainBranch();
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FederatedTokenCredential credential = credential(app, source).build()) {
            List<Future<String>> results = new java.util.ArrayList<>();
            CountDownLatch started = new CountDownLatch(threads);
            try (LocalEntra.Hold hold = entra.holdTokenRequests()) {
                for (int i = 0; i < threads; i++) {
                    results.add(pool.submit(() -> {
                        started.countDown();
                        return credential.getTokenSync(scopes(STORAGE)).getToken();
                    }));
                }
                assertThat(started.await(30, TimeUnit.SECONDS)).isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (hold.waiting() == 0 && System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                }
                assertThat(hold.waiting()).as("the one exchange reached Entra and is held").isEqualTo(1);
            }
            Set<String> tokens = new HashSet<>();
            for (Future<String> f : results) {
                tokens.add(f.get(30, TimeUnit.SECONDS));
            }
            assertThat(tokens).hasSize(1);
            assertThat(exchangesOf(app)).isEqualTo(1);
            assertThat(source.minted).hasSize(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aReusedTokenFailsWith700024AndTheDiagnosisSaysSo() {
        EntraApplication app = mainBranchApp();
        IdentityToken once = github.github().repository("acme/app").branch("main").audience("api://AzureADTokenExchange").mint();
        LeakGuard.secret(once.value());
        try (FederatedTokenCredential credential = credential(app, StaticTokenSource.of(once)).build();
                FederatedTokenCredential fresh = credential(app, mainBranch()).build()) {
            credential.getTokenSync(scopes(STORAGE));
            CLOCK.advance(Duration.ofMinutes(61)); // the access token and the 5-minute GitHub token are both expired

            EntraExchangeException e = catchThrowableOfType(() -> credential.getTokenSync(scopes(STORAGE)),
                    EntraExchangeException.class);

            assertThat(e.errorCode()).isEqualTo(700024);
            assertThat(e.retryable()).isTrue();
            assertThat(e.diagnosis().code()).isEqualTo("azure.assertion-time-range");
            assertThat(e.diagnosis().likelyCause()).contains("reused");
            assertThat(e.diagnosis().evidence()).containsEntry("assertion fingerprint", once.fingerprint())
                    .containsKeys("Entra's time", "assertion expires");
            assertThat(e.getMessage()).doesNotContain(once.value());
            assertThat(fresh.getTokenSync(scopes(STORAGE)).getToken()).as("a fresh assertion works at the same time").isNotBlank();
        }
    }

    private EntraExchangeException failure(EntraApplication app, TokenSource source) {
        try (FederatedTokenCredential credential = credential(app, source).build()) {
            EntraExchangeException e = catchThrowableOfType(() -> credential.getTokenSync(scopes(STORAGE)),
                    EntraExchangeException.class);
            assertThat(e).as("the exchange must fail with an EntraExchangeException").isNotNull();
            if (source instanceof GitHubSource) {
                for (IdentityToken t : ((GitHubSource) source).minted) {
                    assertThat(e.getMessage()).doesNotContain(t.value());
                }
            }
            return e;
        }
    }

    @Test
    void subjectMismatchShowsThePresentedSubjectBesideWhatMustBeRegistered() {
        EntraApplication app = mainBranchApp();
        EntraExchangeException e = failure(app, source(b -> b.repository("acme/app").environment("prod")));

        assertThat(e.errorCode()).isEqualTo(700213);
        assertThat(e.retryable()).isFalse();
        assertThat(e.diagnosis().code()).isEqualTo("azure.subject-mismatch");
        assertThat(e.diagnosis().evidence())
                .containsEntry("presented sub", "repo:acme/app:environment:prod")
                .containsEntry("presented iss", FederatedCredentialSpec.GITHUB_ISSUER)
                .containsEntry("presented aud", "api://AzureADTokenExchange")
                .containsEntry("must be registered: subject (exact, case-sensitive)", "repo:acme/app:environment:prod")
                .containsEntry("client id", app.clientId())
                .containsKey("correlation id");
        assertThat(e.diagnosis().fix()).contains("az ad app federated-credential create --id " + app.clientId())
                .contains("\"subject\":\"repo:acme/app:environment:prod\"");
    }

    @Test
    void subjectCaseMismatchIs7002138() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("github-main", github.issuerUrl(), "repo:Acme/App:ref:refs/heads/main");

        EntraExchangeException e = failure(app, mainBranch());

        assertThat(e.errorCode()).isEqualTo(7002138);
        assertThat(e.diagnosis().code()).isEqualTo("azure.subject-case-mismatch");
        assertThat(e.diagnosis().evidence()).containsEntry("presented sub", MAIN);
    }

    @Test
    void issuerMismatchIs700211() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential("ghes", "https://github.example.com/_services/token", MAIN);

        EntraExchangeException e = failure(app, mainBranch());

        assertThat(e.errorCode()).isEqualTo(700211);
        assertThat(e.diagnosis().code()).isEqualTo("azure.issuer-mismatch");
        assertThat(e.diagnosis().evidence()).containsEntry("presented iss", FederatedCredentialSpec.GITHUB_ISSUER)
                .containsEntry("must be registered: issuer", FederatedCredentialSpec.GITHUB_ISSUER);
    }

    @Test
    void audienceMismatchIs700212AndAnExplicitAudienceIsRequested() {
        EntraApplication app = mainBranchApp();
        GitHubSource source = mainBranch();
        try (FederatedTokenCredential credential = credential(app, source).audience("https://github.com/acme").build()) {
            EntraExchangeException e = catchThrowableOfType(() -> credential.getTokenSync(scopes(STORAGE)),
                    EntraExchangeException.class);

            assertThat(e.errorCode()).isEqualTo(700212);
            assertThat(e.diagnosis().code()).isEqualTo("azure.audience-mismatch");
            assertThat(e.diagnosis().evidence()).containsEntry("presented aud", "https://github.com/acme");
            assertThat(source.requests).allSatisfy(r -> assertThat(r.audience()).contains("https://github.com/acme"));
        }
    }

    @Test
    void flexibleCredentialMismatchIs70021() {
        EntraApplication app = entra.registerApplication(newId(), newId());
        app.addFederatedCredential(FederatedIdentityCredential.builder("any-branch").issuer(github.issuerUrl())
                .claimsMatchingExpression("claims['sub'] matches 'repo:acme/app:ref:refs/heads/*'").build());

        EntraExchangeException tag = failure(app, source(b -> b.repository("acme/app").tag("v1")));

        assertThat(tag.errorCode()).isEqualTo(70021);
        assertThat(tag.diagnosis().code()).isEqualTo("azure.no-matching-federated-credential");
        assertThat(tag.diagnosis().evidence()).containsEntry("presented sub", "repo:acme/app:ref:refs/tags/v1");
        try (FederatedTokenCredential branch = credential(app, source(b -> b.repository("acme/app").branch("feature/x"))).build()) {
            assertThat(branch.getTokenSync(scopes(STORAGE)).getToken()).isNotBlank();
        }
    }

    @Test
    void noFederatedCredentialsIs70025() {
        EntraApplication app = entra.registerApplication(newId(), newId());

        EntraExchangeException e = failure(app, mainBranch());

        assertThat(e.errorCode()).isEqualTo(70025);
        assertThat(e.diagnosis().code()).isEqualTo("azure.no-federated-credentials");
    }

    @Test
    void unknownClientIs700016AndUnknownTenantIs90002() {
        EntraApplication app = mainBranchApp();
        try (FederatedTokenCredential unknownClient = credential(app, mainBranch()).clientId(newId()).build();
                FederatedTokenCredential unknownTenant = credential(app, mainBranch()).tenantId(newId()).build()) {
            EntraExchangeException client = catchThrowableOfType(() -> unknownClient.getTokenSync(scopes(STORAGE)),
                    EntraExchangeException.class);
            EntraExchangeException tenant = catchThrowableOfType(() -> unknownTenant.getTokenSync(scopes(STORAGE)),
                    EntraExchangeException.class);

            assertThat(client.errorCode()).isEqualTo(700016);
            assertThat(client.diagnosis().code()).isEqualTo("azure.application-not-found");
            assertThat(tenant.errorCode()).isEqualTo(90002);
            assertThat(tenant.diagnosis().code()).isEqualTo("azure.tenant-not-found");
        }
    }

    @Test
    void unreachableIssuerIs50166AndRetryable() {
        try (LocalIssuer down = LocalIssuer.builder().clock(CLOCK).start()) {
            EntraApplication app = entra.registerApplication(newId(), newId());
            app.addFederatedCredential("down", down.issuerUrl(), MAIN);
            down.unavailable(true);

            EntraExchangeException e = failure(app, new GitHubSource(down, b -> b.repository("acme/app").branch("main")));

            assertThat(e.errorCode()).isEqualTo(50166);
            assertThat(e.retryable()).isTrue();
            assertThat(e.diagnosis().code()).isEqualTo("azure.issuer-unreachable");
        }
    }

    @Test
    void unknownSigningKeyIs7000272() {
        EntraApplication app = mainBranchApp();

        EntraExchangeException e = failure(app, source(b -> b.repository("acme/app").branch("main").keyId("rotated-away")));

        assertThat(e.errorCode()).isEqualTo(7000272);
        assertThat(e.diagnosis().code()).isEqualTo("azure.signing-key-not-found");
    }

    @Test
    void aTransientEntraErrorIsRetriedByTheSdkPipeline() {
        EntraApplication app = mainBranchApp();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).build()) {
            entra.failNext(503);

            AccessToken token = credential.getTokenSync(scopes(STORAGE));

            assertThat(entra.verifyAccessToken(token.getToken())).isNotNull();
            assertThat(exchangesOf(app)).isEqualTo(2);
        }
    }

    @Test
    void aTokenSourceFailureKeepsItsOwnDiagnosis(@TempDir Path dir) {
        EntraApplication app = mainBranchApp();
        TokenSource missingFile = FileTokenSource.of(dir.resolve("absent-token"));
        try (FederatedTokenCredential credential = credential(app, missingFile).build()) {
            KeylessException e = catchThrowableOfType(() -> credential.getTokenSync(scopes(STORAGE)), KeylessException.class);

            assertThat(e).isInstanceOf(ConfigurationException.class).isNotInstanceOf(EntraExchangeException.class);
            assertThat(exchangesOf(app)).isZero();
        }
    }

    @Test
    void anUntrustedAuthorityIsATlsDiagnosis() throws Exception {
        EntraApplication app = mainBranchApp();
        SSLContext jdkDefaultsOnly = SSLContext.getInstance("TLS");
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        java.security.KeyStore cacerts = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(
                Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
            cacerts.load(in, null);
        }
        tmf.init(cacerts);
        jdkDefaultsOnly.init(null, tmf.getTrustManagers(), null);
        HttpClient untrusting = new com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder(
                java.net.http.HttpClient.newBuilder().sslContext(jdkDefaultsOnly)).build();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).httpClient(untrusting)
                .retryOptions(new com.azure.core.http.policy.RetryOptions(
                        new com.azure.core.http.policy.FixedDelayOptions(0, Duration.ofMillis(1))))
                .build()) {
            EntraExchangeException e = catchThrowableOfType(() -> credential.getTokenSync(scopes(STORAGE)),
                    EntraExchangeException.class);

            assertThat(e.diagnosis().code()).isEqualTo("azure.tls-failed");
            assertThat(e.retryable()).isFalse();
            assertThat(e.entraError()).isEmpty();
        }
    }

    @Test
    void toStringShowsConfigurationOnly() {
        EntraApplication app = mainBranchApp();
        try (FederatedTokenCredential credential = credential(app, mainBranch()).build()) {
            credential.getTokenSync(scopes(STORAGE));

            assertThat(credential.toString()).contains(app.tenantId(), app.clientId(), "test-github", "api://AzureADTokenExchange")
                    .doesNotContain("eyJ");
        }
    }
}
