package dev.keyless.gcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.auth.oauth2.IdentityPoolCredentials;
import com.google.auth.oauth2.ImpersonatedCredentials;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
import dev.keyless.testkit.MutableClock;
import dev.keyless.testkit.google.LocalGoogle;
import dev.keyless.testkit.google.LocalGoogle.Service;
import dev.keyless.testkit.google.RecordedStsRequest;
import dev.keyless.testkit.google.WorkloadIdentityPoolProvider;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** End to end through the real google-auth-library against the testkit's Google emulation. */
class WorkloadIdentityCredentialsTest {
    static final String SA = "deployer@keyless-dev.iam.gserviceaccount.com";
    static final String CONDITION = "assertion.repository_owner == 'acme' && assertion.ref == 'refs/heads/main'";

    static GoogleFixture f;
    static WorkloadIdentityPoolProvider provider;

    @BeforeAll
    static void start() {
        f = GoogleFixture.start();
        provider = f.google.workloadIdentityPoolProvider(GoogleFixture.PROJECT_NUMBER, "ci-pool", "github")
                .issuer(f.issuer)
                .attributeMapping("google.subject", "assertion.sub")
                .attributeMapping("attribute.repository", "assertion.repository")
                .attributeCondition(CONDITION)
                .create();
        f.google.serviceAccount(SA).grant(provider.principalSet("repository", "acme/app"), LocalGoogle.WORKLOAD_IDENTITY_USER);
        f.google.bucket("acme-data").put("a.txt", new byte[] {1})
                .grant(provider.principalSet("repository", "acme/app"), LocalGoogle.STORAGE_OBJECT_VIEWER)
                .grant("serviceAccount:" + SA, LocalGoogle.STORAGE_OBJECT_ADMIN);
    }

    @AfterAll
    static void stop() {
        f.close();
    }

    private static WorkloadIdentityCredentials.Builder creds(GoogleFixture.MintingSource source) {
        return f.credentials(provider.resourceName(), source).attributeCondition(CONDITION);
    }

    private static RecordedStsRequest lastSts() {
        List<RecordedStsRequest> all = f.google.stsRequests();
        return all.get(all.size() - 1);
    }

    @Test
    void exchangesAFreshTokenForTheProviderAudienceAndTheTokenWorks() {
        GoogleFixture.MintingSource source = f.github(b -> b);
        WorkloadIdentityCredentials creds = creds(source).build();

        AccessToken token = creds.accessToken();

        assertThat(creds.googleCredentials()).isInstanceOf(IdentityPoolCredentials.class);
        assertThat(source.audiences).containsExactly("https://iam.googleapis.com/" + provider.resourceName());
        assertThat(lastSts().audience()).isEqualTo("//iam.googleapis.com/" + provider.resourceName());
        assertThat(lastSts().subjectTokenType()).isEqualTo("urn:ietf:params:oauth:token-type:jwt");
        assertThat(f.status(f.google.storageUrl() + "/b/acme-data/o", token.getTokenValue())).isEqualTo(200);
    }

    @Test
    void idTokenSubjectTypeIsSentWhenAsked() {
        creds(f.github(b -> b)).subjectTokenType(SubjectTokenType.ID_TOKEN).build().accessToken();
        assertThat(lastSts().subjectTokenType()).isEqualTo("urn:ietf:params:oauth:token-type:id_token");
    }

    @Test
    void cachesTheAccessTokenUntilNearExpiry() {
        GoogleFixture.MintingSource source = f.github(b -> b);
        WorkloadIdentityCredentials creds = creds(source).build();
        int before = f.google.calls(Service.STS);

        String first = creds.accessToken().getTokenValue();
        String second = creds.accessToken().getTokenValue();

        assertThat(second).isEqualTo(first);
        assertThat(f.google.calls(Service.STS)).isEqualTo(before + 1);
        assertThat(source.calls.get()).isEqualTo(1);
    }

    @Test
    void refreshesBeforeExpiryWithAFreshSubjectTokenEachTime() {
        // Federated tokens of 3 minutes are inside google-auth's 3m45s expiration margin: every use must refresh.
        try (LocalGoogle shortLived = LocalGoogle.builder().federatedTokenLifetime(Duration.ofMinutes(3)).start()) {
            WorkloadIdentityPoolProvider p = shortLived.workloadIdentityPoolProvider(GoogleFixture.PROJECT_NUMBER, "ci-pool", "short")
                    .issuer(f.issuer).create();
            GoogleFixture shortFixture = new GoogleFixture(f.issuer, shortLived);
            GoogleFixture.MintingSource source = f.github(b -> b);
            WorkloadIdentityCredentials creds = shortFixture.credentials(p.resourceName(), source).build();

            String first = creds.accessToken().getTokenValue();
            String second = creds.accessToken().getTokenValue();

            assertThat(second).isNotEqualTo(first);
            assertThat(shortLived.calls(Service.STS)).isEqualTo(2);
            assertThat(source.calls.get()).isEqualTo(2);
            assertThat(Set.copyOf(source.fingerprints)).hasSize(2);
            assertThat(creds.subjectTokensRequested()).isEqualTo(2);
        }
    }

    @Test
    void manyThreadsShareOneExchange() throws Exception {
        GoogleFixture.MintingSource source = f.github(b -> b);
        WorkloadIdentityCredentials creds = creds(source).build();
        GoogleCredentials google = creds.googleCredentials();
        int before = f.google.calls(Service.STS);
        f.google.delay(Service.STS, Duration.ofMillis(300));
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    Map<String, List<String>> md = google.getRequestMetadata(URI.create("https://storage.googleapis.com"));
                    return md.get("Authorization").get(0);
                }));
            }
            go.countDown();
            Set<String> headers = ConcurrentHashMap.newKeySet();
            for (Future<String> r : results) {
                headers.add(r.get(30, TimeUnit.SECONDS));
            }
            assertThat(headers).hasSize(1);
            assertThat(headers.iterator().next()).startsWith("Bearer ya29.");
            assertThat(f.google.calls(Service.STS)).isEqualTo(before + 1);
            assertThat(source.calls.get()).isEqualTo(1);
        } finally {
            f.google.delay(Service.STS, Duration.ZERO);
            pool.shutdownNow();
        }
    }

    @Test
    void impersonatesTheServiceAccountWithTheRequestedLifetime() {
        WorkloadIdentityCredentials creds = creds(f.github(b -> b)).serviceAccount(SA).lifetime(Duration.ofMinutes(10)).build();
        int iam = f.google.calls(Service.IAM_CREDENTIALS);
        Instant before = Instant.now();

        AccessToken token = creds.accessToken();

        assertThat(creds.googleCredentials()).isInstanceOf(ImpersonatedCredentials.class);
        assertThat(f.google.calls(Service.IAM_CREDENTIALS)).isEqualTo(iam + 1);
        assertThat(token.getExpirationTime().toInstant())
                .isBetween(before.plusSeconds(590), Instant.now().plusSeconds(610));
        assertThat(f.body(f.google.tokenInfoUrl() + "?access_token=" + token.getTokenValue())).contains("\"email\":\"" + SA + "\"");
    }

    @Test
    void impersonatesThroughADelegationChain() {
        String delegate = "relay@keyless-dev.iam.gserviceaccount.com";
        String target = "final@keyless-dev.iam.gserviceaccount.com";
        f.google.serviceAccount(delegate).grant(provider.principalSet("repository", "acme/app"), LocalGoogle.WORKLOAD_IDENTITY_USER);
        f.google.serviceAccount(target).grant("serviceAccount:" + delegate, LocalGoogle.TOKEN_CREATOR);

        AccessToken token = creds(f.github(b -> b)).serviceAccount(target).delegates(List.of(delegate)).build().accessToken();

        assertThat(f.body(f.google.tokenInfoUrl() + "?access_token=" + token.getTokenValue())).contains("\"email\":\"" + target + "\"");
    }

    // ---- every error, diagnosed ----

    private static Diagnosis failure(WorkloadIdentityCredentials creds) {
        KeylessException e = (KeylessException) catchThrown(creds::accessToken);
        assertThat(e.getMessage()).doesNotContain("eyJ");
        return e.diagnosis();
    }

    private static Throwable catchThrown(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }

    @Test
    void audienceMismatchShowsExpectedAgainstActual() {
        Diagnosis d = failure(creds(f.github(b -> b)).tokenAudience("https://github.com/acme").build());
        assertThat(d.code()).isEqualTo("gcp.sts.audience-mismatch");
        assertThat(d.evidence()).containsEntry("token aud", "[https://github.com/acme]")
                .containsEntry("requested audience", "https://github.com/acme");
        assertThat(d.evidence().get("accepted by default")).contains(provider.defaultTokenAudience());
        assertThat(d.fix()).contains("--allowed-audiences");
    }

    @Test
    void issuerMismatchIsDiagnosed() {
        Diagnosis d = failure(creds(f.github(b -> b.issuer("https://token.actions.githubusercontent.com"))).build());
        assertThat(d.code()).isEqualTo("gcp.sts.issuer-mismatch");
        assertThat(d.evidence()).containsEntry("token iss", "https://token.actions.githubusercontent.com");
    }

    @Test
    void projectNumberThatDoesNotExistIsInvalidTarget() {
        Diagnosis d = failure(f.credentials("projects/999999999999/locations/global/workloadIdentityPools/ci-pool/providers/github",
                f.github(b -> b)).build());
        assertThat(d.code()).isEqualTo("gcp.sts.invalid-target");
        assertThat(d.fix()).contains("projects/NUMBER");
    }

    @Test
    void poolInsteadOfProviderIsAnInvalidAudienceAtStsToo() throws IOException {
        // WorkloadIdentityProvider refuses a pool up front; a hand-built google-auth credential shows what STS says.
        IdentityPoolCredentials raw = IdentityPoolCredentials.newBuilder()
                .setHttpTransportFactory(f.transport)
                .setAudience("//iam.googleapis.com/" + provider.poolResourceName())
                .setSubjectTokenType("urn:ietf:params:oauth:token-type:jwt")
                .setTokenUrl(f.google.stsUrl())
                .setSubjectTokenSupplier(ctx -> f.issuer.github().audience(provider.defaultTokenAudience()).mintValue())
                .build();
        Throwable e = catchIo(raw::refresh);
        Diagnosis d = GoogleFailures.diagnose(e);
        assertThat(d.code()).isEqualTo("gcp.sts.invalid-audience");
        assertThat(GoogleFailures.retryable(e)).isFalse();
    }

    @Test
    void tokenAlreadyExpiredIsRefusedLocally() {
        MutableClock local = MutableClock.create();
        local.advance(Duration.ofHours(1));
        assertThatThrownBy(() -> creds(f.github(b -> b)).clock(local).build().accessToken())
                .isInstanceOf(TokenException.class)
                .satisfies(e -> assertThat(((KeylessException) e).diagnosis().code()).isEqualTo("gcp.stale-token"));
    }

    @Test
    void staleTokenAtStsIsDiagnosed() {
        // Google's clock runs two hours ahead of this machine: locally the token is fresh, at STS it is stale.
        MutableClock ahead = MutableClock.create();
        ahead.advance(Duration.ofHours(2));
        try (LocalGoogle g = LocalGoogle.builder().clock(ahead).start()) {
            WorkloadIdentityPoolProvider p = g.workloadIdentityPoolProvider(GoogleFixture.PROJECT_NUMBER, "ci-pool", "stale")
                    .issuer(f.issuer).create();
            GoogleFixture gf = new GoogleFixture(f.issuer, g);
            Diagnosis d = failure(gf.credentials(p.resourceName(), gf.github(b -> b)).build());
            assertThat(d.code()).isEqualTo("gcp.sts.stale-token");
            assertThat(d.evidence()).containsKey("token exp");
        }
    }

    @Test
    void subjectOver127BytesIsDiagnosed() {
        Diagnosis d = failure(creds(f.github(b -> b.environment("production-" + "e".repeat(110)))).build());
        assertThat(d.code()).isEqualTo("gcp.sts.subject-too-long");
        assertThat(d.fix()).contains("extract");
    }

    @Test
    void attributeConditionRejectionNamesTheFailingClause() {
        Diagnosis d = failure(creds(f.github(b -> b.branch("feature"))).build());
        assertThat(d.code()).isEqualTo("gcp.sts.attribute-condition");
        assertThat(d.evidence().get("failing clause")).isEqualTo("assertion.ref == 'refs/heads/main' => false");
        assertThat(d.evidence()).containsEntry("assertion.ref", "refs/heads/feature")
                .containsEntry("assertion.repository_owner", "acme");
    }

    @Test
    void missingWorkloadIdentityUserSaysWhoNeedsWhatOnWhich() {
        String lonely = "lonely@keyless-dev.iam.gserviceaccount.com";
        f.google.serviceAccount(lonely);
        Diagnosis d = failure(creds(f.github(b -> b)).serviceAccount(lonely).build());
        assertThat(d.code()).isEqualTo("gcp.iam.permission-denied");
        assertThat(d.evidence().get("error")).contains("Permission 'iam.serviceAccounts.getAccessToken' denied");
        assertThat(d.fix()).contains("gcloud iam service-accounts add-iam-policy-binding " + lonely)
                .contains("--role=roles/iam.workloadIdentityUser")
                .contains(provider.principalSet("repository", "acme/app"));
    }

    @Test
    void serviceUnavailableIsRetryableAndRecovers() {
        WorkloadIdentityCredentials creds = creds(f.github(b -> b)).build();
        f.google.failNext(Service.STS, 1, 503);
        KeylessException e = (KeylessException) catchThrown(creds::accessToken);
        assertThat(e.retryable()).isTrue();
        assertThat(e.diagnosis().code()).isEqualTo("gcp.unavailable");
        assertThat(creds.accessToken().getTokenValue()).startsWith("ya29.");
    }

    @Test
    void workforceUserProjectIsSentAsOptions() {
        WorkloadIdentityPoolProvider wf = f.google.workforcePoolProvider("acme-workforce", "okta").issuer(f.issuer).create();
        f.credentials(wf.resourceName(), f.github(b -> b)).workforceUserProject("acme-billing").build().accessToken();
        assertThat(lastSts().options()).contains("\"userProject\":\"acme-billing\"");
        assertThat(lastSts().audience()).isEqualTo("//iam.googleapis.com/locations/global/workforcePools/acme-workforce/providers/okta");
    }

    @Test
    void builderFailsFastOnBadOptions() {
        assertThatThrownBy(() -> WorkloadIdentityCredentials.builder().provider(provider.resourceName())
                .workforceUserProject("p").tokenSource(f.github(b -> b)).build())
                .hasMessageContaining("workforceUserProject");
        assertThatThrownBy(() -> WorkloadIdentityCredentials.builder().lifetime(Duration.ofSeconds(599)))
                .hasMessageContaining("600");
        assertThatThrownBy(() -> WorkloadIdentityCredentials.builder().lifetime(Duration.ofHours(13)))
                .hasMessageContaining("43200");
        assertThatThrownBy(() -> WorkloadIdentityCredentials.builder().tokenUrl("http://sts.example.com/v1/token"))
                .hasMessageContaining("plain http");
        assertThatThrownBy(() -> WorkloadIdentityCredentials.builder().build()).hasMessageContaining("provider");
    }

    @Test
    void nothingPrintsATokenValue() {
        GoogleFixture.MintingSource source = f.github(b -> b);
        WorkloadIdentityCredentials creds = creds(source).build();
        AccessToken token = creds.accessToken();
        assertThat(creds.toString()).doesNotContain(source.values.get(0)).doesNotContain(token.getTokenValue());
        KeylessException e = (KeylessException) catchThrown(() -> creds(f.github(b -> b.branch("dev"))).build().accessToken());
        assertThat(e.getMessage() + e.diagnosis().render()).doesNotContain("eyJ").doesNotContain("ya29.");
    }

    private static Throwable catchIo(IoAction a) {
        try {
            a.run();
        } catch (IOException e) {
            return e;
        }
        throw new AssertionError("expected an IOException");
    }

    @FunctionalInterface
    private interface IoAction {
        void run() throws IOException;
    }
}
