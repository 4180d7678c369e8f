package dev.keyless.benchmarks;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ClientAssertionCredentialBuilder;
import dev.keyless.azure.FederatedCredentialSpec;
import dev.keyless.azure.FederatedTokenCredential;
import dev.keyless.core.Environment;
import dev.keyless.core.IdentityToken;
import dev.keyless.core.TokenRequest;
import dev.keyless.core.TokenSource;
import dev.keyless.testkit.LocalIssuer;
import dev.keyless.testkit.azure.EntraApplication;
import dev.keyless.testkit.azure.LocalEntra;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Cold start for Azure: 64 threads ask a fresh credential for a token at once while the testkit's Entra ID takes
 * 200 ms to answer. Keyless's {@link FederatedTokenCredential} beside azure-identity's own
 * {@code ClientAssertionCredential} given the same assertion supplier (a fresh GitHub-shaped token per call), both
 * over azure-core's JDK HTTP client. Token requests and the slowest wait go to {@link ScenarioLog}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class AzureStampedeBenchmark {
    static final int CALLERS = 64;

    /** How many threads call at once. */
    @Param({"64"})
    public int callers;
    static final Duration ENTRA_DELAY = Duration.ofMillis(200);
    static final String SCOPE = "https://storage.azure.com/.default";
    static final String SUBJECT = "repo:acme/app:ref:refs/heads/main";
    static final String AUDIENCE = "api://AzureADTokenExchange";

    /** The credentials compared. */
    public enum Impl {
        KEYLESS_FEDERATED_TOKEN_CREDENTIAL, AZURE_IDENTITY_CLIENT_ASSERTION_CREDENTIAL
    }

    @Param({"KEYLESS_FEDERATED_TOKEN_CREDENTIAL", "AZURE_IDENTITY_CLIENT_ASSERTION_CREDENTIAL"})
    public Impl impl;

    private LocalIssuer issuer;
    private LocalEntra entra;
    private EntraApplication app;
    private HttpClient http;
    private TokenSource github;
    private Callers pool;
    private TokenCredential credential;
    private int requestsBefore;
    private boolean warmup;
    private Callers.Outcome outcome;

    @Setup(Level.Trial)
    public void setUpTrial() {
        issuer = LocalIssuer.builder().issuerUrl(FederatedCredentialSpec.GITHUB_ISSUER).start();
        entra = LocalEntra.builder().start();
        entra.trustIssuer(issuer);
        app = entra.registerApplication(UUID.randomUUID().toString(), UUID.randomUUID().toString());
        app.addFederatedCredential("github-main", issuer.issuerUrl(), SUBJECT);
        // azure-core's JDK client trusting the emulator's certificate; nothing JVM-wide changes.
        http = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(entra.tls().sslContext())).build();
        github = new TokenSource() {
            @Override
            public IdentityToken token(TokenRequest request) {
                return issuer.github().repository("acme/app").branch("main")
                        .audience(request.audience().orElse(AUDIENCE)).mint();
            }

            @Override
            public String name() {
                return "bench-github";
            }
        };
        pool = new Callers(callers);
        TokenCredential c = credential();
        c.getTokenSync(new TokenRequestContext().addScopes(SCOPE));
        close(c);
        entra.delay(ENTRA_DELAY);
    }

    private TokenCredential credential() {
        if (impl == Impl.KEYLESS_FEDERATED_TOKEN_CREDENTIAL) {
            return FederatedTokenCredential.builder()
                    .environment(Environment.of(Map.of()))
                    .tenantId(app.tenantId())
                    .clientId(app.clientId())
                    .authorityHost(entra.authorityHost().toString())
                    .tokenSource(github)
                    .httpClient(http)
                    .build();
        }
        return new ClientAssertionCredentialBuilder()
                .tenantId(app.tenantId())
                .clientId(app.clientId())
                .authorityHost(entra.authorityHost().toString())
                .disableInstanceDiscovery()
                .clientAssertion(() -> github.token(TokenRequest.forAudience(AUDIENCE)).value())
                .httpClient(http)
                .build();
    }

    private static void close(TokenCredential c) {
        if (c instanceof AutoCloseable) {
            try {
                ((AutoCloseable) c).close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Setup(Level.Iteration)
    public void setUpIteration(IterationParams params) {
        warmup = params.getType() == IterationType.WARMUP;
    }

    @Setup(Level.Invocation)
    public void freshCredential() {
        credential = credential();
        requestsBefore = entra.tokenRequests();
    }

    @TearDown(Level.Invocation)
    public void record() {
        int requests = entra.tokenRequests() - requestsBefore;
        close(credential);
        ScenarioLog.record(new ScenarioLog.Entry("azure-stampede", impl.name(), warmup, requests,
                outcome.slowestMillis(), callers, outcome.failures(), outcome.unfinished()));
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        pool.close();
        entra.close();
        issuer.close();
    }

    @Benchmark
    public Callers.Outcome stampede() {
        TokenCredential c = credential;
        TokenRequestContext request = new TokenRequestContext().addScopes(SCOPE);
        outcome = pool.stampede(() -> {
            AccessToken t = c.getTokenSync(request);
            return t;
        });
        return outcome;
    }
}
