package dev.keyless.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that stands still until a test moves it: {@link #advance(Duration)} and {@link #set(Instant)}.
 *
 * <p>Thread-safe: any thread may read or move it. Clocks from {@link #withZone(ZoneId)} share the same
 * instant, so moving one moves all. By default (via {@link #create()}) it starts at the current time in UTC,
 * truncated to whole seconds so that JWT times (whole seconds) round-trip exactly.
 */
public final class MutableClock extends Clock {
    private final AtomicReference<Instant> now;
    private final ZoneId zone;

    private MutableClock(AtomicReference<Instant> now, ZoneId zone) {
        this.now = now;
        this.zone = zone;
    }

    /** A clock at the current time (whole seconds), in UTC. */
    public static MutableClock create() {
        return startingAt(Clock.systemUTC().instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** A clock at {@code instant}, in UTC. */
    public static MutableClock startingAt(Instant instant) {
        return new MutableClock(new AtomicReference<>(Objects.requireNonNull(instant, "instant")), ZoneOffset.UTC);
    }

    /** Moves the clock forward (or back, with a negative duration) and returns the new instant. */
    public Instant advance(Duration duration) {
        Objects.requireNonNull(duration, "duration");
        return now.updateAndGet(i -> i.plus(duration));
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        now.set(Objects.requireNonNull(instant, "instant"));
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return new MutableClock(now, Objects.requireNonNull(zone, "zone"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MutableClock && ((MutableClock) o).now == now && ((MutableClock) o).zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(now) * 31 + zone.hashCode();
    }

    @Override
    public String toString() {
        return "MutableClock[" + now.get() + "," + zone + "]";
    }
}
