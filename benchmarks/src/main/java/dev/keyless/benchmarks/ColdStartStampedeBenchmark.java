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
 * Cold start: 64 threads call a provider that has no credentials yet, all at once, while STS takes 200 ms to
 * answer. One invocation = one stampede on a fresh provider; the score is its wall time (about the slowest
 * caller's wait). STS calls and the slowest wait of each invocation go to {@link ScenarioLog}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2)
@Measurement(iterations = 5)
@Fork(1)
public class ColdStartStampedeBenchmark extends AwsScenario {
    static final int CALLERS = 64;
    static final Duration STS_DELAY = Duration.ofMillis(200);

    @Param({"KEYLESS", "SDK_WEB_IDENTITY", "KEYLESS_FILE", "SDK_TOKEN_FILE"})
    public AwsImpl impl;

    @Override
    String scenario() {
        return "stampede";
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
    public Callers.Outcome stampede() {
        AwsCredentialsProvider p = provider;
        outcome = callers.stampede(p::resolveCredentials);
        return outcome;
    }
}
