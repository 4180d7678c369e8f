package dev.keyless.benchmarks;

import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.refresh.RefreshingValue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;

/**
 * A fleet of processes, each with its own refresh engine, in simulated time: no thread sleeps, no real STS.
 *
 * <p>{@code processes} processes start at uniformly random instants within {@code startSpread}; each loads
 * credentials of {@code lifetime} at once (one STS call) and keeps them fresh for {@code horizon}. For Keyless
 * every process runs the real {@link RefreshingValue} (its own refresh-point computation, jitter and background
 * scheduling) on a simulated clock and a discrete-event scheduler; "no jitter" is the same engine with
 * {@code jitter(0)}. A model of the AWS SDK v2's {@code CachedSupplier} (prefetch 5 minutes before expiry, plus a
 * random 0..min(5 min, stale - 1 min - prefetch) delay, stale 1 minute before expiry; assumes the process calls
 * often enough to trigger the prefetch on time) is added for comparison.
 */
public final class FleetSimulation {
    private FleetSimulation() {
    }

    /** What the fleet did to STS, per simulated second. */
    public record Result(String policy, int processes, long startSpreadSeconds, long horizonSeconds,
            long measuredFromSecond, int[] callsPerSecond) {

        /** Calls in the measured window (from {@link #measuredFromSecond} to the horizon). */
        public long callsInWindow() {
            long n = 0;
            for (int s = (int) measuredFromSecond; s < horizonSeconds; s++) {
                n += callsPerSecond[s];
            }
            return n;
        }

        public long totalCalls() {
            long n = 0;
            for (int c : callsPerSecond) {
                n += c;
            }
            return n;
        }

        public double meanPerSecond() {
            return callsInWindow() / (double) (horizonSeconds - measuredFromSecond);
        }

        /** The largest number of calls in any {@code bucketSeconds}-long bucket of the window (aligned buckets). */
        public int peak(int bucketSeconds) {
            int peak = 0;
            for (long b = measuredFromSecond; b + bucketSeconds <= horizonSeconds; b += bucketSeconds) {
                int n = 0;
                for (long s = b; s < b + bucketSeconds; s++) {
                    n += callsPerSecond[(int) s];
                }
                peak = Math.max(peak, n);
            }
            return peak;
        }

        /**
         * The same number of calls in the window, arriving as a flat Poisson process at the window's mean rate: the
         * best any refresh policy of independent processes can do, to read the peaks against.
         */
        public Result flatReference(long seed) {
            Random random = new Random(seed);
            double mean = meanPerSecond();
            int[] flat = new int[callsPerSecond.length];
            for (int s = (int) measuredFromSecond; s < horizonSeconds; s++) {
                flat[s] = poisson(mean, random);
            }
            return new Result("Reference: flat random load at the same mean", processes, startSpreadSeconds,
                    horizonSeconds, measuredFromSecond, flat);
        }

        private static int poisson(double lambda, Random random) {
            double limit = Math.exp(-lambda);
            double p = random.nextDouble();
            int k = 0;
            while (p > limit) {
                p *= random.nextDouble();
                k++;
            }
            return k;
        }

        /** Peak calls per second of the start burst (the first {@code startSpreadSeconds}). */
        public int startBurstPeakPerSecond() {
            int peak = 0;
            for (int s = 0; s < startSpreadSeconds && s < callsPerSecond.length; s++) {
                peak = Math.max(peak, callsPerSecond[s]);
            }
            return peak;
        }
    }

    /** How a process decides, after a load, when to load again; null for Keyless (the real engine decides). */
    private interface Policy {
        long nextLoadAt(long loadedAtMillis, long expiresAtMillis, Random random);
    }

    /** Keyless's refresh engine with this much jitter (1 = the default, 0 = none). */
    public static Result keyless(double jitter, int processes, Duration startSpread, Duration lifetime, Duration horizon,
            long seed) {
        return run(jitter == 0 ? "Keyless engine, jitter off" : "Keyless engine, default jitter", jitter, null,
                processes, startSpread, lifetime, horizon, seed);
    }

    /** The model of the AWS SDK v2's CachedSupplier prefetch (see the class documentation). */
    public static Result sdkModel(int processes, Duration startSpread, Duration lifetime, Duration horizon, long seed) {
        Policy sdk = (loaded, expires, random) -> {
            long prefetch = expires - Duration.ofMinutes(5).toMillis();
            long oneMinuteBeforeStale = expires - Duration.ofMinutes(1).toMillis() - Duration.ofMinutes(1).toMillis();
            long maxJitter = Math.min(Duration.ofMinutes(5).toMillis(), Math.max(0, oneMinuteBeforeStale - prefetch));
            return prefetch + (maxJitter == 0 ? 0 : Math.floorMod(random.nextLong(), maxJitter));
        };
        return run("AWS SDK v2 CachedSupplier (model)", 0, sdk, processes, startSpread, lifetime, horizon, seed);
    }

    private static Result run(String label, double jitter, Policy policy, int processes, Duration startSpread,
            Duration lifetime, Duration horizon, long seed) {
        long epoch = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        SimClock clock = new SimClock(epoch);
        SimScheduler scheduler = new SimScheduler(clock);
        int horizonSeconds = (int) horizon.toSeconds();
        int[] perSecond = new int[horizonSeconds + 1];
        long end = epoch + horizon.toMillis();
        Random random = new Random(seed);
        List<RefreshingValue<String>> engines = new ArrayList<>();
        LongUnaryOperator count = now -> {
            long second = (now - epoch) / 1000;
            if (second < horizonSeconds) {
                perSecond[(int) second]++;
            }
            return now + lifetime.toMillis();
        };
        for (int i = 0; i < processes; i++) {
            long startAt = epoch + (long) (random.nextDouble() * startSpread.toMillis());
            int id = i;
            if (policy == null) {
                scheduler.at(startAt, () -> {
                    RefreshingValue<String> engine = RefreshingValue
                            .builder("process-" + id, () -> Expiring.of("credentials",
                                    Instant.ofEpochMilli(count.applyAsLong(clock.millis()))))
                            .clock(clock)
                            .executor(scheduler)
                            .jitter(jitter)
                            .build();
                    engines.add(engine);
                    engine.get();
                });
            } else {
                Random own = new Random(random.nextLong());
                scheduler.at(startAt, new Runnable() {
                    @Override
                    public void run() {
                        long loaded = clock.millis();
                        long expires = count.applyAsLong(loaded);
                        scheduler.at(policy.nextLoadAt(loaded, expires, own), this);
                    }
                });
            }
        }
        scheduler.runUntil(end);
        engines.forEach(RefreshingValue::close);
        return new Result(label, processes, startSpread.toSeconds(), horizonSeconds,
                (startSpread.toMillis() + 999) / 1000, perSecond);
    }

    /** A clock that moves only when the scheduler moves it. */
    static final class SimClock extends Clock {
        private long millis;

        SimClock(long millis) {
            this.millis = millis;
        }

        void set(long millis) {
            this.millis = millis;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    /**
     * A single-threaded discrete-event scheduler: tasks run in due order on the simulating thread, the clock
     * jumping to each task's time. {@code execute} queues at the current time (never inline), as a real executor would.
     */
    static final class SimScheduler extends AbstractExecutorService implements ScheduledExecutorService {
        private final SimClock clock;
        private final PriorityQueue<Task> queue = new PriorityQueue<>();
        private long sequence;

        SimScheduler(SimClock clock) {
            this.clock = clock;
        }

        Task at(long millis, Runnable command) {
            Task t = new Task(command, millis, sequence++);
            queue.add(t);
            return t;
        }

        void runUntil(long endMillis) {
            while (!queue.isEmpty() && queue.peek().atMillis < endMillis) {
                Task t = queue.poll();
                if (t.cancelled) {
                    continue;
                }
                clock.set(Math.max(clock.millis(), t.atMillis));
                t.done = true;
                t.command.run();
            }
            clock.set(endMillis);
        }

        @Override
        public void execute(Runnable command) {
            at(clock.millis(), command);
        }

        @Override
        public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            return at(clock.millis() + unit.toMillis(delay), command);
        }

        @Override
        public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void shutdown() {
        }

        @Override
        public List<Runnable> shutdownNow() {
            return List.of();
        }

        @Override
        public boolean isShutdown() {
            return false;
        }

        @Override
        public boolean isTerminated() {
            return false;
        }

        @Override
        public boolean awaitTermination(long timeout, TimeUnit unit) {
            return true;
        }

        final class Task implements ScheduledFuture<Object>, Comparable<Delayed> {
            final Runnable command;
            final long atMillis;
            final long seq;
            boolean cancelled;
            boolean done;

            Task(Runnable command, long atMillis, long seq) {
                this.command = command;
                this.atMillis = atMillis;
                this.seq = seq;
            }

            @Override
            public long getDelay(TimeUnit unit) {
                return unit.convert(atMillis - clock.millis(), TimeUnit.MILLISECONDS);
            }

            @Override
            public int compareTo(Delayed o) {
                Task t = (Task) o;
                int c = Long.compare(atMillis, t.atMillis);
                return c != 0 ? c : Long.compare(seq, t.seq);
            }

            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                cancelled = true;
                return true;
            }

            @Override
            public boolean isCancelled() {
                return cancelled;
            }

            @Override
            public boolean isDone() {
                return done || cancelled;
            }

            @Override
            public Object get() {
                return null;
            }

            @Override
            public Object get(long timeout, TimeUnit unit) {
                return null;
            }
        }
    }
}
