package dev.keyless.benchmarks;

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
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * {@code resolveCredentials()} on a warm provider: what every signed AWS request pays. Run with 1 and 2 threads
 * ({@code -t}) and {@code -prof gc} for the allocation per call. One-hour credentials, so no refresh falls into
 * the measurement.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmark {
    @Param({"KEYLESS", "SDK_WEB_IDENTITY", "SDK_TOKEN_FILE"})
    public AwsImpl impl;

    private AwsFixture fixture;
    private AwsCredentialsProvider provider;

    @Setup(Level.Trial)
    public void setUp() {
        fixture = AwsFixture.start();
        provider = fixture.provider(impl);
        provider.resolveCredentials();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        int calls = fixture.stsCalls();
        AwsFixture.close(provider);
        fixture.close();
        if (calls != 1) {
            // A refresh inside the measurement would make the numbers meaningless.
            throw new IllegalStateException("expected exactly 1 STS call on the hot path, saw " + calls);
        }
    }

    @Benchmark
    public AwsCredentials resolveCredentials() {
        return provider.resolveCredentials();
    }
}
