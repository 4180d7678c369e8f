package dev.keyless.benchmarks;

import java.time.Clock;
import java.time.Duration;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/**
 * What the single-shot AWS scenarios share: a local cloud and a pool of callers per trial, a provider per
 * invocation, and one {@link ScenarioLog} entry per invocation with the STS calls it caused and its slowest caller.
 * Subclasses say how a provider is made and what the callers do.
 */
abstract class AwsScenario {
    AwsFixture fixture;
    Callers callers;
    AwsCredentialsProvider provider;
    Callers.Outcome outcome;
    private int stsBefore;
    private boolean warmup;

    /** The scenario's name in the report. */
    abstract String scenario();

    /** The implementation measured (the subclass's JMH parameter). */
    abstract AwsImpl impl();

    /** A new provider of {@link #impl()} on {@link #fixture}. */
    AwsCredentialsProvider newProvider() {
        return fixture.provider(impl());
    }

    /**
     * Starts the trial's cloud (on {@code clock}) and callers, loads every class on the path once outside any
     * measurement, then makes STS answer after {@code stsDelay}.
     */
    void startTrial(Clock clock, int callerCount, Duration stsDelay) {
        fixture = AwsFixture.start(clock);
        callers = new Callers(callerCount);
        AwsCredentialsProvider p = newProvider();
        p.resolveCredentials();
        AwsFixture.close(p);
        fixture.cloud.sts().delay(stsDelay);
    }

    /** Marks the next calls as counted from now: the invocation's setup calls this once its provider is ready. */
    void countFromHere() {
        stsBefore = fixture.stsCalls();
    }

    @Setup(Level.Iteration)
    public void setUpIteration(IterationParams params) {
        warmup = params.getType() == IterationType.WARMUP;
    }

    @TearDown(Level.Invocation)
    public void record() {
        int calls = fixture.stsCalls() - stsBefore;
        AwsFixture.close(provider);
        ScenarioLog.record(new ScenarioLog.Entry(scenario(), impl().name(), warmup, calls, outcome.slowestMillis(),
                callers.count(), outcome.failures(), outcome.unfinished()));
    }

    @TearDown(Level.Trial)
    public void tearDownTrial() {
        callers.close();
        fixture.close();
    }
}
