package dev.keyless.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenSource;
import dev.keyless.core.source.TokenSources;
import dev.keyless.testkit.LocalCloud;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.LocalSts;
import dev.keyless.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sts.StsClient;

/** End to end: the real AWS SDK StsClient against the testkit's STS, with GitHub-Actions-shaped tokens. */
class WebIdentityCredentialsProviderTest {
    private final MutableClock clock = MutableClock.startingAt(Instant.parse("2026-05-04T10:00:00Z"));
    private LocalCloud cloud;
    private Environment job;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void startCloud() {
        cloud = LocalCloud.builder().clock(clock).defaultSetup(true).start();
        job = Environment.of(cloud.githubEnvironment());
    }

    @AfterEach
    void stopCloud() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        cloud.close();
    }

    private WebIdentityCredentialsProvider.Builder provider() {
        return WebIdentityCredentialsProvider.builder()
                .roleArn(cloud.demoRoleArn())
                .environment(job)
                .region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint())
                .clock(clock);
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    /** Who AWS thinks we are: GetCallerIdentity signed (SigV4) with the credentials. */
    private String callerArn(AwsCredentialsProvider credentials) {
        // The SDK closes a client's credentials provider with the client; the test closes providers itself.
        AwsCredentialsProvider borrowed = credentials::resolveCredentials;
        try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sts().endpoint())
                .credentialsProvider(borrowed).build()) {
            return sts.getCallerIdentity().arn();
        }
    }

    @Test
    void aGitHubJobAssumesTheRoleAndTheCredentialsSignRealRequests() {
        WebIdentityCredentialsProvider p = closeLater(provider().build());

        AwsCredentials credentials = p.resolveCredentials();
        assertThat(credentials).isInstanceOf(AwsSessionCredentials.class);
        assertThat(((AwsSessionCredentials) credentials).expirationTime()).contains(clock.instant().plus(Duration.ofHours(1)));
        assertThat(p.tokenSource().name()).contains("github");
        assertThat(p.sessionName()).startsWith("gha-keyless-dev-demo");
        assertThat(cloud.github().requestedAudiences()).containsExactly("sts.amazonaws.com");
        assertThat(callerArn(p)).isEqualTo("arn:aws:sts::123456789012:assumed-role/keyless-demo/" + p.sessionName());
        assertThat(p.toString()).doesNotContain(((AwsSessionCredentials) credentials).sessionToken())
                .doesNotContain(credentials.secretAccessKey());
    }

    @Test
    void aBorrowedViewSurvivesTheClientsThatUseIt() {
        WebIdentityCredentialsProvider p = closeLater(provider().build());
        for (int i = 0; i < 2; i++) {
            try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sts().endpoint())
                    .credentialsProvider(p.borrowed()).build()) {
                assertThat(sts.getCallerIdentity().arn()).contains("assumed-role/keyless-demo/");
            }
        }
        // Handed over directly, the provider is closed with the client, as the AWS SDK does with every provider.
        try (StsClient sts = StsClient.builder().region(Region.US_EAST_1).endpointOverride(cloud.sts().endpoint())
                .credentialsProvider(p).build()) {
            sts.getCallerIdentity();
        }
        assertThatThrownBy(p::resolveCredentials).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
    }

    @Test
    void credentialsAreCachedThenRefreshedBeforeExpiryWithAFreshToken() {
        WebIdentityCredentialsProvider p = closeLater(provider().build());
        AwsCredentials first = p.resolveCredentials();
        clock.advance(Duration.ofMinutes(20));
        assertThat(p.resolveCredentials()).isSameAs(first);
        assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(1);

        // Past the stale point (1 minute before expiry) but not expired: the caller gets new credentials.
        clock.advance(Duration.ofMinutes(39).plusSeconds(30));
        AwsCredentials second = p.resolveCredentials();
        assertThat(second.accessKeyId()).isNotEqualTo(first.accessKeyId());
        assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(2);
        // Two exchanges, two GitHub tokens: a token is never reused.
        assertThat(cloud.github().tokensIssued()).isEqualTo(2);
        assertThat(callerArn(p)).contains("assumed-role/keyless-demo/");
    }

    @Test
    void manyThreadsOnAColdProviderCauseOneStsCall() throws Exception {
        cloud.sts().delay(Duration.ofMillis(200));
        WebIdentityCredentialsProvider p = closeLater(provider().build());
        ExecutorService pool = Executors.newFixedThreadPool(32);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<AwsCredentials>> results = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return p.resolveCredentials();
                }));
            }
            start.countDown();
            Set<String> keys = new HashSet<>();
            for (Future<AwsCredentials> f : results) {
                keys.add(f.get(30, TimeUnit.SECONDS).accessKeyId());
            }
            assertThat(keys).hasSize(1);
            assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aTypoInTheTrustPolicyIsExplainedWhenThePolicyIsKnown() {
        String typo = LocalSts.webIdentityTrustPolicy(cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(),
                "sts.amazonaws.com", "repo:keyless-dev/dmeo:*");
        String role = cloud.sts().createRole("typo-explained", typo);
        WebIdentityCredentialsProvider p = closeLater(provider().roleArn(role)
                .trustPolicy(dev.keyless.aws.trust.TrustPolicy.parse(typo)).build());
        assertThatThrownBy(p::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class, e -> {
            assertThat(e.errorCode()).isEqualTo("AccessDenied");
            assertThat(e.getMessage()).contains("repo:keyless-dev/dmeo:*").contains("repo:keyless-dev/demo");
        });
    }

    @Test
    void aTypoInTheTrustPolicyIsDiagnosedWithTheClaimsPresented() {
        String host = LocalSts.conditionKeyPrefix(cloud.issuer().issuerUrl());
        String typo = LocalSts.webIdentityTrustPolicy(cloud.providerArn().orElseThrow(), cloud.issuer().issuerUrl(),
                "sts.amazonaws.com", "repo:keyless-dev/dmeo:*");
        String role = cloud.sts().createRole("typo", typo);
        WebIdentityCredentialsProvider p = closeLater(provider().roleArn(role).build());

        assertThatThrownBy(p::resolveCredentials)
                .isInstanceOfSatisfying(AwsExchangeException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo("AccessDenied");
                    assertThat(e.retryable()).isFalse();
                    assertThat(e.diagnosis().evidence()).containsEntry("token sub", "repo:keyless-dev/demo:ref:refs/heads/main")
                            .containsEntry("token aud", "[sts.amazonaws.com]")
                            .containsEntry("sts message", "Not authorized to perform sts:AssumeRoleWithWebIdentity");
                    assertThat(e.getMessage()).contains("trust policy").contains("keyless doctor aws");
                });
        // A misconfigured job fails in seconds: no retries for AccessDenied.
        assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
        assertThat(host).isNotBlank();
    }

    @Test
    void theWrongAudienceIsNamed() {
        WebIdentityCredentialsProvider p = closeLater(provider().audience("https://github.com/keyless-dev").build());
        assertThatThrownBy(p::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class, e -> {
            assertThat(e.errorCode()).isEqualTo("InvalidIdentityToken");
            assertThat(e.diagnosis().code()).isEqualTo("aws.sts.wrong-audience");
            assertThat(e.diagnosis().evidence()).containsEntry("token aud", "[https://github.com/keyless-dev]");
        });
    }

    @Test
    void anIssuerWithoutAnIamOidcProviderIsNamed() {
        try (LocalIssuer stranger = LocalIssuer.builder().clock(clock).start()) {
            TokenSource source = tokenSource("stranger", () -> stranger.github().repository("keyless-dev/demo").branch("main")
                    .audience("sts.amazonaws.com").mint());
            WebIdentityCredentialsProvider p = closeLater(provider().tokenSource(source).build());
            assertThatThrownBy(p::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class, e -> {
                assertThat(e.diagnosis().code()).isEqualTo("aws.sts.no-oidc-provider");
                assertThat(e.getMessage()).contains("create-open-id-connect-provider --url " + stranger.issuerUrl());
            });
        }
    }

    @Test
    void anExpiredTokenIsRetriedOnceWithAFreshOne() {
        AtomicInteger minted = new AtomicInteger();
        TokenSource source = tokenSource("first-expired", () -> {
            var b = cloud.issuer().github().repository("keyless-dev/demo").branch("main").audience("sts.amazonaws.com");
            return minted.incrementAndGet() == 1 ? b.expiredSince(Duration.ofMinutes(1)).mint() : b.mint();
        });
        WebIdentityCredentialsProvider p = closeLater(provider().tokenSource(source).build());
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        assertThat(minted).hasValue(2);
    }

    @Test
    void aTokenThatIsAlwaysExpiredFailsAfterOneFreshTry() {
        AtomicInteger minted = new AtomicInteger();
        TokenSource source = tokenSource("always-expired", () -> {
            minted.incrementAndGet();
            return cloud.issuer().github().repository("keyless-dev/demo").branch("main").audience("sts.amazonaws.com")
                    .expiredSince(Duration.ofMinutes(1)).mint();
        });
        WebIdentityCredentialsProvider p = closeLater(provider().tokenSource(source).build());
        assertThatThrownBy(p::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class,
                e -> assertThat(e.diagnosis().code()).isEqualTo("aws.sts.expired-token"));
        assertThat(minted).hasValue(2);
    }

    @Test
    void transientStsFailuresAreRetriedWithinBounds() {
        cloud.sts().failNext(2, "IDPCommunicationError");
        WebIdentityCredentialsProvider p = closeLater(provider().build());
        assertThat(p.resolveCredentials().accessKeyId()).startsWith("ASIA");
        assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(3);

        cloud.sts().failNext(10, "Throttling");
        WebIdentityCredentialsProvider q = closeLater(provider().maxAttempts(2).build());
        assertThatThrownBy(q::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class, e -> {
            assertThat(e.retryable()).isTrue();
            assertThat(e.errorCode()).isEqualTo("Throttling");
        });
        assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(5);
    }

    @Test
    void aDurationAboveTheRolesMaximumFailsAtOnce() {
        WebIdentityCredentialsProvider p = closeLater(provider().duration(Duration.ofHours(2)).build());
        assertThatThrownBy(p::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class, e -> {
            assertThat(e.errorCode()).isEqualTo("ValidationError");
            assertThat(e.diagnosis().code()).isEqualTo("aws.sts.duration-too-long");
            assertThat(e.getMessage()).contains("--max-session-duration");
        });
        assertThat(cloud.sts().calls("AssumeRoleWithWebIdentity")).isEqualTo(1);
    }

    @Test
    void sessionPolicyErrorsAreDiagnosed() {
        WebIdentityCredentialsProvider malformed = closeLater(provider().policy("{not json").build());
        assertThatThrownBy(malformed::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class,
                e -> assertThat(e.diagnosis().code()).isEqualTo("aws.sts.malformed-policy"));

        String huge = "{\"Version\":\"2012-10-17\",\"Statement\":[" + String.join(",", java.util.Collections.nCopies(200,
                "{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::a-rather-long-bucket-name/with/a/long/prefix/*\"}"))
                + "]}";
        WebIdentityCredentialsProvider tooLarge = closeLater(provider().policy(huge).build());
        assertThatThrownBy(tooLarge::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class,
                e -> assertThat(e.errorCode()).isIn("PackedPolicyTooLarge", "ValidationError"));
    }

    @Test
    void regionDisabledIsDiagnosed() {
        cloud.sts().failNext(1, "RegionDisabledException");
        WebIdentityCredentialsProvider p = closeLater(provider().build());
        assertThatThrownBy(p::resolveCredentials).isInstanceOfSatisfying(AwsExchangeException.class,
                e -> assertThat(e.diagnosis().code()).isEqualTo("aws.sts.region-disabled"));
    }

    @Test
    void aJobWithoutIdTokenPermissionIsToldHowToFixIt() {
        Map<String, String> noPermission = Map.of("GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "keyless-dev/demo");
        assertThatThrownBy(() -> provider().environment(Environment.of(noPermission)).build())
                .isInstanceOf(KeylessException.class)
                .hasMessageContaining("id-token: write");
    }

    @Test
    void rolesChainFromWebIdentityCredentials() {
        String first = cloud.demoRoleArn();
        String second = cloud.sts().createRole("chained", "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
                + "\"Principal\":{\"AWS\":\"" + first + "\"},\"Action\":\"sts:AssumeRole\"}]}");
        WebIdentityCredentialsProvider web = closeLater(provider().build());
        ChainedRoleCredentialsProvider chained = closeLater(ChainedRoleCredentialsProvider.builder().source(web)
                .roleArn(second).roleSessionName("chained-session").region(Region.US_EAST_1)
                .stsEndpoint(cloud.sts().endpoint()).clock(clock).build());

        assertThat(callerArn(chained)).isEqualTo("arn:aws:sts::123456789012:assumed-role/chained/chained-session");
        assertThat(cloud.sts().calls("AssumeRole")).isEqualTo(1);
    }

    @Test
    void theChainPluginConfiguresItselfFromTheEnvironment() {
        // The plug-in reads the real clock, as in production: let the local cloud agree with it.
        clock.set(Instant.now());
        Map<String, String> env = new java.util.HashMap<>(cloud.githubEnvironment());
        env.put("AWS_ROLE_ARN", cloud.demoRoleArn());
        env.put("AWS_REGION", "eu-west-1");
        env.put("KEYLESS_AWS_STS_ENDPOINT", cloud.sts().endpoint().toString());
        EnvironmentWebIdentityCredentialsProvider plugin = closeLater(
                EnvironmentWebIdentityCredentialsProvider.create(Environment.of(env), name -> null));
        assertThat(plugin.isConfigured()).isTrue();
        assertThat(callerArn(plugin)).contains("assumed-role/keyless-demo/gha-keyless-dev-demo");
    }

    private static TokenSource tokenSource(String name, java.util.function.Supplier<Object> mint) {
        return new TokenSource() {
            @Override
            public IdentityToken token(dev.keyless.core.TokenRequest request) {
                Object t = mint.get();
                return t instanceof IdentityToken ? (IdentityToken) t : IdentityToken.parse(String.valueOf(t));
            }

            @Override
            public String name() {
                return name;
            }
        };
    }

    @Test
    void detectionFindsTheGitHubSourceOfTheSimulatedJob() {
        assertThat(TokenSources.detect(job).name()).contains("github");
    }
}
