package dev.keyless.core.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bounded exponential backoff with "equal jitter": attempt n waits between half and all of
 * {@code min(max, base * 2^n)}, so retries neither hammer a service nor fall into lockstep across a fleet.
 */
public final class Backoff {
    private final Duration base;
    private final Duration max;

    public Backoff(Duration base, Duration max) {
        if (base.isNegative() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("backoff needs 0 <= base <= max, got base=" + base + " max=" + max);
        }
        this.base = base;
        this.max = max;
    }

    public Duration base() {
        return base;
    }

    public Duration max() {
        return max;
    }

    /** The ceiling for the given 0-based retry number, before jitter. */
    public Duration ceiling(int retry) {
        long baseNanos = base.toNanos();
        long maxNanos = max.toNanos();
        int shift = Math.min(Math.max(retry, 0), 62);
        long ceiling = baseNanos > (maxNanos >> shift) ? maxNanos : Math.min(maxNanos, baseNanos << shift);
        return Duration.ofNanos(ceiling);
    }

    /** A jittered delay for the given 0-based retry number: uniformly within [ceiling/2, ceiling]. */
    public Duration delay(int retry) {
        long ceiling = ceiling(retry).toNanos();
        long half = ceiling / 2;
        long jitter = half == 0 ? 0 : ThreadLocalRandom.current().nextLong(half + 1);
        return Duration.ofNanos(ceiling - half + jitter);
    }
}
