package dev.keyless.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/** A fixed set of caller threads, started once per trial, that call a provider together. */
final class Callers implements AutoCloseable {
    private final int count;
    private final ExecutorService pool;

    Callers(int count) {
        this.count = count;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(count, r -> {
            Thread t = new Thread(r, "bench-caller-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        // Start every thread now, so that thread creation is never inside a measurement.
        run(() -> null, 0);
    }

    int count() {
        return count;
    }

    /**
     * What the callers saw: the slowest single call (for callers still waiting at the deadline, the time until
     * then), how many calls were made, how many failed and how many had not returned by the deadline.
     */
    record Outcome(double slowestMillis, long calls, int failures, int unfinished) {
    }

    /** How long {@link #stampede} waits for the callers before it counts the rest as unfinished. */
    static final long DEADLINE_MILLIS = 30_000;

    /**
     * Releases every caller at once (they wait on a latch first); each makes one call. Returns when all are done.
     */
    Outcome stampede(Supplier<?> call) {
        return run(call, -1);
    }

    /**
     * Every caller calls repeatedly, pausing {@code pauseMicros} between calls, until {@code untilNanos}
     * ({@link System#nanoTime()}).
     */
    Outcome repeatUntil(Supplier<?> call, long untilNanos, long pauseMicros) {
        return run(call, untilNanos, pauseMicros);
    }

    private Outcome run(Supplier<?> call, long untilNanos) {
        return run(call, untilNanos, 0);
    }

    private Outcome run(Supplier<?> call, long untilNanos, long pauseMicros) {
        CountDownLatch ready = new CountDownLatch(count);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger failures = new AtomicInteger();
        List<Future<long[]>> results = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            results.add(pool.submit(() -> {
                ready.countDown();
                go.await();
                long slowest = 0;
                long calls = 0;
                do {
                    long start = System.nanoTime();
                    try {
                        call.get();
                    } catch (RuntimeException e) {
                        failures.incrementAndGet();
                    }
                    slowest = Math.max(slowest, System.nanoTime() - start);
                    calls++;
                    if (pauseMicros > 0) {
                        LockSupport.parkNanos(pauseMicros * 1000);
                    }
                } while (untilNanos > 0 && System.nanoTime() < untilNanos);
                return new long[] {slowest, calls};
            }));
        }
        try {
            if (!ready.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("caller threads did not start");
            }
            go.countDown();
            long released = System.nanoTime();
            long deadline = (untilNanos > 0 ? untilNanos : released) + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MILLIS);
            long slowest = 0;
            long calls = 0;
            int unfinished = 0;
            for (Future<long[]> f : results) {
                try {
                    long[] r = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    slowest = Math.max(slowest, r[0]);
                    calls += r[1];
                } catch (TimeoutException e) {
                    // Still waiting: count it, and its wait so far, rather than hold the run hostage.
                    unfinished++;
                    slowest = Math.max(slowest, System.nanoTime() - released);
                }
            }
            return new Outcome(slowest / 1e6, calls, failures.get(), unfinished);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("a caller did not finish", e);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
