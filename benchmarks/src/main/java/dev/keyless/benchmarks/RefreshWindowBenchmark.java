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
 * The refresh window: callers keep calling a warm provider while its credentials are refreshed, STS taking 200 ms.
 * The slowest single call shows whether a caller waited for STS.
 *
 * <p>To reach the window in seconds without touching either library's clock, the emulated cloud runs
 * {@value #LIFETIME_SECONDS} seconds short of 15 minutes behind real time: STS's shortest sessions (900 s) then
 * expire {@value #LIFETIME_SECONDS} s after they are issued, in real time. Both providers get the same refresh
 * points, scaled down from the defaults for one-hour credentials: refresh (prefetch) {@value #PREFETCH_MILLIS} ms
 * before expiry, stale {@value #STALE_MILLIS} ms before expiry. Callers run for {@value #RUN_MILLIS} ms after
 * the first load, across the refresh point. One invocation = one provider's life; results go to {@link ScenarioLog}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 3)
@Fork(1)
public class RefreshWindowBenchmark extends AwsScenario {
    static final int LIFETIME_SECONDS = 6;
    static final long PREFETCH_MILLIS = 3000;
    static final long STALE_MILLIS = 600;
    static final long RUN_MILLIS = 4500;
    static final int CALLERS = 4;
    static final Duration STS_DELAY = Duration.ofMillis(200);

    @Param({"KEYLESS", "SDK_WEB_IDENTITY", "SDK_WEB_IDENTITY_ASYNC"})
    public AwsImpl impl;

    @Override
    String scenario() {
        return "refresh-window";
    }

    @Override
    AwsImpl impl() {
        return impl;
    }

    @Override
    AwsCredentialsProvider newProvider() {
        return fixture.provider(impl, Duration.ofMillis(PREFETCH_MILLIS), Duration.ofMillis(STALE_MILLIS),
                Duration.ofSeconds(900));
    }

    @Setup(Level.Trial)
    public void setUpTrial() {
        startTrial(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(900 - LIFETIME_SECONDS).negated()), CALLERS, STS_DELAY);
    }

    @Setup(Level.Invocation)
    public void warmProvider() {
        provider = newProvider();
        provider.resolveCredentials();
        countFromHere();
    }

    @Benchmark
    public Callers.Outcome callThroughTheRefresh() {
        AwsCredentialsProvider p = provider;
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MILLIS);
        outcome = callers.repeatUntil(p::resolveCredentials, until, 500);
        return outcome;
    }
}
