package dev.keyless.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MutableClockTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void standsStillUntilMoved() {
        MutableClock clock = MutableClock.startingAt(T0);
        assertThat(clock.instant()).isEqualTo(T0);
        assertThat(clock.advance(Duration.ofMinutes(5))).isEqualTo(T0.plusSeconds(300));
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(300));
        clock.set(T0);
        assertThat(clock.millis()).isEqualTo(T0.toEpochMilli());
    }

    @Test
    void zonedViewsShareTheInstant() {
        MutableClock clock = MutableClock.startingAt(T0);
        Clock paris = clock.withZone(ZoneId.of("Europe/Paris"));
        clock.advance(Duration.ofHours(1));
        assertThat(paris.instant()).isEqualTo(T0.plusSeconds(3600));
        assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
        assertThat(clock.getZone()).isEqualTo(ZoneId.of("Z"));
    }

    @Test
    void concurrentAdvancesAreNotLost() throws InterruptedException {
        MutableClock clock = MutableClock.startingAt(T0);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        for (int i = 0; i < 1000; i++) {
            pool.execute(() -> clock.advance(Duration.ofSeconds(1)));
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        assertThat(clock.instant()).isEqualTo(T0.plusSeconds(1000));
    }

    @Test
    void createStartsNearNowInWholeSeconds() {
        Instant before = Clock.systemUTC().instant().minusSeconds(1);
        MutableClock clock = MutableClock.create();
        assertThat(clock.instant()).isAfter(before).isBeforeOrEqualTo(Clock.systemUTC().instant());
        assertThat(clock.instant().getNano()).isZero();
    }
}
