package dev.keyless.core.refresh;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import dev.keyless.core.internal.Backoff;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one expiring value fresh for any number of threads: the refresh engine every cloud module uses.
 *
 * <p>Contract:
 * <ul>
 *   <li>{@link #get()} never returns a value at or past its expiry; while the value is fresh it returns it
 *       without locking or waiting.</li>
 *   <li>Exactly one load is in flight at any time, however many threads ask and however slow the load is:
 *       there is no lock timeout after which a second caller would start another.</li>
 *   <li>From the <em>refresh point</em> on, a background refresh runs while callers keep getting the current
 *       value. Callers wait only when there is no value, or the value has reached its <em>stale point</em>.</li>
 *   <li>After a failure, further loads wait a bounded, jittered, exponentially growing backoff; meanwhile the
 *       old value is served while it is still valid, and callers without a valid value get the last failure.
 *       A failure is never swallowed: it is logged at WARN with the count of consecutive failures.</li>
 *   <li>A {@link KeylessException} that is not {@linkplain KeylessException#retryable() retryable} (a
 *       configuration error) reaches a caller without a valid value at once; it is not retried in a loop.</li>
 * </ul>
 *
 * <p>Defaults: the value is stale 1 minute before expiry and refreshed 5 minutes before, both scaled down for
 * short lifetimes (at most a tenth and a half of the lifetime). The refresh point is jittered uniformly between
 * half the lifetime and the prefetch point, so a fleet started together does not refresh in lockstep. Backoff
 * from 1 second up to 1 minute. Time comes from the injected {@link Clock} (by default the system UTC clock),
 * background work runs on the injected {@link ScheduledExecutorService} (by default one daemon thread owned by
 * this instance, stopped by {@link #close()}).
 */
public final class RefreshingValue<T> implements Supplier<T>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshingValue.class);

    /** Loads a fresh value: called by at most one thread at a time. */
    @FunctionalInterface
    public interface Loader<T> {
        /**
         * Returns a new value and its expiry. Throw a {@link KeylessException} (with {@code retryable()} set
         * truthfully) to fail; other runtime exceptions are treated as retryable.
         */
        Expiring<T> load();
    }

    private final String name;
    private final Loader<T> loader;
    private final Clock clock;
    private final Duration prefetch;
    private final Duration stale;
    private final double jitter;
    private final Backoff backoff;
    private final boolean background;
    private final ScheduledExecutorService executor;
    private final boolean ownsExecutor;

    /** Guarded by {@code this}; read without locking on the hot path. */
    private volatile Snapshot<T> snapshot;
    private CompletableFuture<Snapshot<T>> inflight;
    private ScheduledFuture<?> scheduled;
    private RuntimeException lastFailure;
    private int consecutiveFailures;
    private long nextAttemptMillis;
    private volatile boolean closed;

    private RefreshingValue(Builder<T> b) {
        this.name = b.name;
        this.loader = b.loader;
        this.clock = b.clock;
        this.prefetch = b.prefetch;
        this.stale = b.stale;
        this.jitter = b.jitter;
        this.backoff = new Backoff(b.minBackoff, b.maxBackoff);
        this.background = b.background;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownsExecutor = false;
        } else if (b.background) {
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "keyless-refresh-" + b.name);
                t.setDaemon(true);
                return t;
            });
            this.ownsExecutor = true;
        } else {
            this.executor = null;
            this.ownsExecutor = false;
        }
    }

    /**
     * Starts a builder.
     *
     * @param name   what the value is, for logs and errors (e.g. "aws-credentials arn:aws:iam::1:role/deploy");
     *               never a secret
     * @param loader loads a fresh value
     */
    public static <T> Builder<T> builder(String name, Loader<T> loader) {
        return new Builder<>(name, loader);
    }

    /**
     * Returns a value that is valid now, loading or waiting for a load only when there is none or it is stale.
     *
     * @throws KeylessException the load's failure when no valid value can be returned
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public T get() {
        Snapshot<T> s = snapshot;
        long now = clock.millis();
        if (s != null && now < s.refreshAtMillis && !closed) {
            return s.value.value();
        }
        return slowGet(s, now);
    }

    private T slowGet(Snapshot<T> s, long now) {
        ensureOpen();
        if (s != null && now < s.staleAtMillis) {
            // Refresh window: the value is good. Refresh without making this caller wait; without a background
            // executor, this one caller refreshes while the others keep getting the current value.
            CompletableFuture<Snapshot<T>> started;
            synchronized (this) {
                started = inflight != null || now < nextAttemptMillis ? null : start(background);
            }
            if (started != null && !background) {
                runLoad(started);
                try {
                    return await(started).value.value();
                } catch (RuntimeException e) {
                    return validOrThrow(s, e);
                }
            }
            return s.value.value();
        }
        CompletableFuture<Snapshot<T>> future;
        RuntimeException backingOff = null;
        boolean runHere = false;
        synchronized (this) {
            future = inflight;
            if (future == null && lastFailure != null && now < nextAttemptMillis) {
                backingOff = lastFailure;
            } else if (future == null) {
                future = start(false);
                runHere = true;
            }
        }
        if (backingOff != null) {
            return validOrThrow(s, backingOff);
        }
        if (runHere) {
            runLoad(future);
        }
        try {
            return await(future).value.value();
        } catch (RuntimeException e) {
            return validOrThrow(s, e);
        }
    }

    /**
     * Loads a new value now (joining a load already in flight), for when the current one was rejected
     * although not expired, e.g. revoked. Ignores backoff.
     *
     * @return the new value
     */
    public T refresh() {
        ensureOpen();
        CompletableFuture<Snapshot<T>> future;
        boolean runHere = false;
        synchronized (this) {
            future = inflight;
            if (future == null) {
                future = start(false);
                runHere = true;
            }
        }
        if (runHere) {
            runLoad(future);
        }
        return await(future).value.value();
    }

    /** The current value and its expiry, without loading; empty before the first load or once expired. */
    public Optional<Expiring<T>> peek() {
        Snapshot<T> s = snapshot;
        return s == null || clock.millis() >= s.expiresAtMillis ? Optional.empty() : Optional.of(s.value);
    }

    /** When the current value will next be refreshed, if there is one: for diagnostics and tests. */
    public Optional<Instant> refreshAt() {
        Snapshot<T> s = snapshot;
        return s == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(s.refreshAtMillis));
    }

    /** The number of failed loads since the last success. */
    public synchronized int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** The failure of the last load, if it failed. */
    public synchronized Optional<RuntimeException> lastFailure() {
        return Optional.ofNullable(lastFailure);
    }

    /** Stops background work; {@link #get()} then throws. Idempotent. Shuts the executor down only if owned. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
        if (ownsExecutor) {
            executor.shutdownNow();
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /** Starts a background load unless one is in flight, backoff forbids it or this is closed. */
    private synchronized void startInBackgroundIfIdle(long now) {
        if (inflight == null && now >= nextAttemptMillis && !closed) {
            start(true);
        }
    }

    /**
     * Must hold the lock. Registers a new in-flight load; when {@code async}, runs it on the executor (returns
     * null if the executor refuses), otherwise the caller must run it with {@link #runLoad} outside the lock.
     */
    private CompletableFuture<Snapshot<T>> start(boolean async) {
        CompletableFuture<Snapshot<T>> future = new CompletableFuture<>();
        inflight = future;
        if (async) {
            try {
                executor.execute(() -> runLoad(future));
                return future;
            } catch (RejectedExecutionException e) {
                inflight = null;
                return null;
            }
        }
        return future;
    }

    private Snapshot<T> await(CompletableFuture<Snapshot<T>> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeylessException(Diagnosis.builder("Interrupted while waiting for " + name + ".")
                    .code("refresh.interrupted").build(), true, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException) {
                throw (RuntimeException) cause;
            }
            if (cause instanceof Error) {
                throw (Error) cause;
            }
            throw new IllegalStateException(cause);
        }
    }

    private void runLoad(CompletableFuture<Snapshot<T>> future) {
        long started = clock.millis();
        Expiring<T> loaded;
        try {
            loaded = Objects.requireNonNull(loader.load(), "the loader returned null");
            if (clock.millis() >= loaded.expiresAt().toEpochMilli()) {
                throw new KeylessException(Diagnosis.builder("The refreshed value for " + name + " had already expired.")
                        .code("refresh.loaded-expired")
                        .likelyCause("The token service issued a value with an expiry in the past, or this machine's clock "
                                + "runs ahead of the service's.")
                        .evidence("expires at", loaded.expiresAt())
                        .evidence("local time", clock.instant())
                        .fix("Check the machine's clock (NTP) and the requested duration.")
                        .build(), true);
            }
        } catch (RuntimeException | Error e) {
            fail(future, e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e));
            if (e instanceof Error) {
                throw (Error) e;
            }
            return;
        }
        Snapshot<T> next = snapshotOf(loaded, started);
        synchronized (this) {
            snapshot = next;
            consecutiveFailures = 0;
            lastFailure = null;
            nextAttemptMillis = 0;
            inflight = null;
            scheduleRefresh(next.refreshAtMillis);
        }
        future.complete(next);
    }

    private void fail(CompletableFuture<Snapshot<T>> future, RuntimeException e) {
        long now = clock.millis();
        int failures;
        Duration wait;
        Snapshot<T> s;
        synchronized (this) {
            failures = ++consecutiveFailures;
            lastFailure = e;
            wait = backoff.delay(failures - 1);
            nextAttemptMillis = now + wait.toMillis();
            inflight = null;
            s = snapshot;
            if (s != null && nextAttemptMillis < s.expiresAtMillis) {
                // Keep trying in the background while the old value lasts, so recovery needs no caller.
                scheduleRefresh(nextAttemptMillis);
            }
        }
        boolean valid = s != null && now < s.expiresAtMillis;
        LOG.warn("Refreshing {} failed ({} consecutive failure{}); {}; next attempt in {} ms: {}", name, failures,
                failures == 1 ? "" : "s",
                valid ? "serving the current value until it expires at " + Instant.ofEpochMilli(s.expiresAtMillis)
                        : "no valid value to serve",
                wait.toMillis(), summary(e));
        future.completeExceptionally(e);
    }

    /** Must hold the lock. */
    private void scheduleRefresh(long atMillis) {
        if (!background || closed || executor == null) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        long delay = Math.max(0, atMillis - clock.millis());
        try {
            scheduled = executor.schedule(() -> startInBackgroundIfIdle(clock.millis()), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            scheduled = null;
        }
    }

    private T validOrThrow(Snapshot<T> s, RuntimeException failure) {
        // A value that is still valid is served whatever the failure, retryable or not: the failure is logged and
        // kept (lastFailure), and reaches callers once there is no valid value left to give them.
        if (s != null && clock.millis() < s.expiresAtMillis) {
            return s.value.value();
        }
        throw failure;
    }

    private Snapshot<T> snapshotOf(Expiring<T> value, long loadedAt) {
        long expires = value.expiresAt().toEpochMilli();
        long lifetime = Math.max(0, expires - loadedAt);
        long staleBefore = Math.min(stale.toMillis(), lifetime / 10);
        long prefetchBefore = Math.max(staleBefore, Math.min(prefetch.toMillis(), lifetime / 2));
        long prefetchAt = expires - prefetchBefore;
        long halfLife = loadedAt + lifetime / 2;
        long window = (long) (Math.max(0, prefetchAt - halfLife) * jitter);
        long refreshAt = prefetchAt - (window == 0 ? 0 : ThreadLocalRandom.current().nextLong(window + 1));
        return new Snapshot<>(value, refreshAt, expires - staleBefore, expires);
    }

    private static String summary(RuntimeException e) {
        if (e instanceof KeylessException) {
            return ((KeylessException) e).diagnosis().problem();
        }
        return e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    @Override
    public String toString() {
        Snapshot<T> s = snapshot;
        return "RefreshingValue{" + name + ", expiresAt=" + (s == null ? "(not loaded)" : Instant.ofEpochMilli(s.expiresAtMillis))
                + ", consecutiveFailures=" + consecutiveFailures() + "}";
    }

    private static final class Snapshot<T> {
        final Expiring<T> value;
        final long refreshAtMillis;
        final long staleAtMillis;
        final long expiresAtMillis;

        Snapshot(Expiring<T> value, long refreshAtMillis, long staleAtMillis, long expiresAtMillis) {
            this.value = value;
            this.refreshAtMillis = refreshAtMillis;
            this.staleAtMillis = staleAtMillis;
            this.expiresAtMillis = expiresAtMillis;
        }
    }

    /**
     * Configures a {@link RefreshingValue}. By default: prefetch 5 minutes and stale 1 minute before expiry,
     * full jitter, backoff 1 s to 1 min, background refresh on an owned daemon thread, the system UTC clock.
     */
    public static final class Builder<T> {
        private final String name;
        private final Loader<T> loader;
        private Clock clock = Clock.systemUTC();
        private Duration prefetch = Duration.ofMinutes(5);
        private Duration stale = Duration.ofMinutes(1);
        private double jitter = 1.0;
        private Duration minBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(1);
        private boolean background = true;
        private ScheduledExecutorService executor;

        private Builder(String name, Loader<T> loader) {
            this.name = Objects.requireNonNull(name, "name");
            this.loader = Objects.requireNonNull(loader, "loader");
        }

        /** The time source. By default, {@link Clock#systemUTC()}. */
        public Builder<T> clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long before expiry to start refreshing in the background. By default, 5 minutes (at most half the lifetime). */
        public Builder<T> prefetch(Duration prefetch) {
            this.prefetch = positive("prefetch", prefetch);
            return this;
        }

        /** How long before expiry callers stop getting the current value and wait for a new one. By default, 1 minute (at most a tenth of the lifetime). */
        public Builder<T> stale(Duration stale) {
            this.stale = positive("stale", stale);
            return this;
        }

        /**
         * How much of the window between half the lifetime and the prefetch point the refresh point may move
         * into, at random: 0 disables jitter, 1 uses the whole window. By default, 1.
         */
        public Builder<T> jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) {
                throw ConfigurationException.badOption("jitter", "must be between 0 and 1, got " + fraction,
                        "Pass 0 for no jitter, 1 (the default) for the full window.");
            }
            this.jitter = fraction;
            return this;
        }

        /** Bounds of the exponential backoff after failed loads. By default, 1 second to 1 minute. */
        public Builder<T> backoff(Duration min, Duration max) {
            positive("backoff minimum", min);
            positive("backoff maximum", max);
            if (max.compareTo(min) < 0) {
                throw ConfigurationException.badOption("backoff", "maximum " + max + " is below minimum " + min,
                        "Pass a maximum at least as large as the minimum.");
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /**
         * Whether refreshes run in the background while callers keep the current value (true), or on the
         * thread of the first caller past the refresh point while the others keep the current value (false).
         * By default, true.
         */
        public Builder<T> backgroundRefresh(boolean background) {
            this.background = background;
            return this;
        }

        /** The executor for background refreshes; not shut down by {@link RefreshingValue#close()}. By default, an owned daemon thread. */
        public Builder<T> executor(ScheduledExecutorService executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public RefreshingValue<T> build() {
            if (stale.compareTo(prefetch) > 0) {
                throw ConfigurationException.badOption("stale", "stale (" + stale + ") is longer than prefetch (" + prefetch + ")",
                        "The stale point must come after the prefetch point: pass a stale duration no longer than prefetch.");
            }
            return new RefreshingValue<>(this);
        }

        private static Duration positive(String option, Duration d) {
            Objects.requireNonNull(d, option);
            if (d.isNegative()) {
                throw ConfigurationException.badOption(option, "must not be negative, got " + d, "Pass a positive duration.");
            }
            return d;
        }
    }
}
