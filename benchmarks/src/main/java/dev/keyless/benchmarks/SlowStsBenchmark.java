package dev.keyless.benchmarks;

import java.time.Duration;
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
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * Slow STS: 16 threads call a fresh provider while STS takes 7 seconds to answer, longer than the 5 seconds the
 * SDK's CachedSupplier waits for its refresh lock before a caller refreshes on its own. One invocation = one
 * cold start; STS calls and the slowest wait go to {@link ScenarioLog}. No warmup iterations: the classes are
 * loaded in the trial setup and a 7-second wait dwarfs JIT effects.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 2)
@Fork(1)
public class SlowStsBenchmark {
    static final int CALLERS = 16;
    static final Duration STS_DELAY = Duration.ofSeconds(7);

    @Param({"KEYLESS", "SDK_WEB_IDENTITY"})
    public AwsImpl impl;

    private AwsFixture fixture;
    private Callers callers;
    private AwsCredentialsProvider provider;
    private int stsBefore;
    private Callers.Outcome outcome;

    @Setup(Level.Trial)
    public void setUpTrial() {
        fixture = AwsFixture.start();
        callers = new Callers(CALLERS);
        AwsCredentialsProvider p = fixture.provider(impl);
        p.resolveCredentials();
        AwsFixture.close(p);
        fixture.cloud.sts().delay(STS_DELAY);
    }

    @Setup(Level.Invocation)
    public void freshProvider() {
        provider = fixture.provider(impl);
        stsBefore = fixture.stsCalls();
    }

    @TearDown(Level.Invocation)
    public void record() {
        int calls = fixture.stsCalls() - stsBefore;
        AwsFixture.close(provider);
        ScenarioLog.record(new ScenarioLog.Entry("slow-sts", impl.name(), false, calls, outcome.slowestMillis(),
                CALLERS, outcome.failures(), outcome.unfinished()));
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        callers.close();
        fixture.close();
    }

    @Benchmark
    public Callers.Outcome coldStartOnSlowSts() {
        AwsCredentialsProvider p = provider;
        outcome = callers.stampede(p::resolveCredentials);
        return outcome;
    }
}
