package dev.keyless.benchmarks;

import java.time.Clock;
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
public class SlowStsBenchmark extends AwsScenario {
    static final int CALLERS = 16;
    static final Duration STS_DELAY = Duration.ofSeconds(7);

    @Param({"KEYLESS", "SDK_WEB_IDENTITY"})
    public AwsImpl impl;

    @Override
    String scenario() {
        return "slow-sts";
    }

    @Override
    AwsImpl impl() {
        return impl;
    }

    @Setup(Level.Trial)
    public void setUpTrial() {
        startTrial(Clock.systemUTC(), CALLERS, STS_DELAY);
    }

    @Setup(Level.Invocation)
    public void freshProvider() {
        provider = newProvider();
        countFromHere();
    }

    @Benchmark
    public Callers.Outcome coldStartOnSlowSts() {
        AwsCredentialsProvider p = provider;
        outcome = callers.stampede(p::resolveCredentials);
        return outcome;
    }
}
