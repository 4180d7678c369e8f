package dev.keyless.core.reliability;

import dev.keyless.core.testing.ManualClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.refresh.Expiring;
import dev.keyless.core.refresh.RefreshingValue;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The refresh engine serves a value that is still valid whatever the refresh failure, a non-retryable one (a
 * configuration error, a response it cannot read) included: the failure is kept and reaches callers once the
 * value has expired. The fault matrices found the opposite, in the stale window and, without background refresh,
 * in the refresh window too.
 */
class ValidValueOutlivesFailuresTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-05-04T10:00:00Z"));
    private final AtomicInteger loads = new AtomicInteger();
    private volatile Supplier<String> next = () -> "v" + loads.get();

    private RefreshingValue<String> value(boolean background) {
        return RefreshingValue.builder("test", () -> {
            loads.incrementAndGet();
            return Expiring.of(next.get(), clock.instant().plus(Duration.ofMinutes(10)));
        }).clock(clock).jitter(0).backgroundRefresh(background).backoff(Duration.ofSeconds(1), Duration.ofSeconds(1))
                .build();
    }

    private void failFromNowOn() {
        next = () -> {
            throw ConfigurationException.badOption("roleArn", "the role was deleted", "Recreate it.");
        };
    }

    @Test
    void aNonRetryableFailureDoesNotHideAValidValueInTheRefreshOrStaleWindow() {
        try (RefreshingValue<String> value = value(false)) {
            assertThat(value.get()).isEqualTo("v1");
            failFromNowOn();

            clock.advance(Duration.ofMinutes(6)); // refresh window: this caller refreshes, fails, keeps v1
            assertThat(value.get()).isEqualTo("v1");
            assertThat(value.lastFailure()).containsInstanceOf(ConfigurationException.class);

            clock.advance(Duration.ofMinutes(3).plusSeconds(30)); // stale window
            assertThat(value.get()).isEqualTo("v1");
            assertThat(loads).hasValue(3);

            clock.advance(Duration.ofSeconds(31)); // expired: the failure, never the value
            assertThatThrownBy(value::get).isInstanceOf(ConfigurationException.class).hasMessageContaining("roleArn");
        }
    }

    @Test
    void withoutAnyValueTheNonRetryableFailureSurfacesAtOnce() {
        failFromNowOn();
        try (RefreshingValue<String> value = value(true)) {
            assertThatThrownBy(value::get).isInstanceOf(ConfigurationException.class);
            assertThat(loads).hasValue(1);
        }
    }
}
