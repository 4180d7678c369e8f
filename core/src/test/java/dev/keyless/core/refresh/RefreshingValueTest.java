package dev.keyless.core.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keyless.core.ConfigurationException;
import dev.keyless.core.Diagnosis;
import dev.keyless.core.KeylessException;
import dev.keyless.core.TokenException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import dev.keyless.core.testing.ManualClock;
import dev.keyless.core.testing.ManualScheduler;
import org.junit.jupiter.api.Test;

class RefreshingValueTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final ManualClock clock = new ManualClock(T0);
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stopCallers() {
        callers.shutdownNow();
    }

    /** A loader that hands out "v1", "v2"... each valid for the given lifetime from the clock's now. */
    private final class CountingLoader implements RefreshingValue.Loader<String> {
        final AtomicInteger loads = new AtomicInteger();
        final Duration lifetime;
        volatile Supplier<RuntimeException> failure;

        CountingLoader(Duration lifetime) {
            this.lifetime = lifetime;
        }

        @Override
        public Expiring<String> load() {
            int n = loads.incrementAndGet();
            Supplier<RuntimeException> f = failure;
            if (f != null) {
                throw f.get();
            }
            return Expiring.of("v" + n, clock.instant().plus(lifetime));
        }
    }

    private RefreshingValue.Builder<String> builder(RefreshingValue.Loader<String> loader) {
        return RefreshingValue.builder("test-value", loader).clock(clock).executor(scheduler).jitter(0);
    }

    private static TokenException transientFailure() {
        return new TokenException(Diagnosis.builder("token service answered 503").code("test.503").build(), true);
    }

    @Test
    void sixtyFourConcurrentCallersCauseExactlyOneLoad() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        RefreshingValue<String> value = builder(() -> {
            loads.incrementAndGet();
            await(release);
            return Expiring.of("credentials", clock.instant().plus(Duration.ofHours(1)));
        }).build();

        CountDownLatch allStarted = new CountDownLatch(64);
        List<Future<String>> results = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            results.add(callers.submit(() -> {
                allStarted.countDown();
                return value.get();
            }));
        }
        assertThat(allStarted.await(10, TimeUnit.SECONDS)).isTrue();
        release.countDown();
        for (Future<String> r : results) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("credentials");
        }
        assertThat(loads).hasValue(1);
    }

    @Test
    void aLoadSlowerThanAnyLockTimeoutIsStillTheOnlyOne() throws Exception {
        CountDownLatch loading = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger loads = new AtomicInteger();
        RefreshingValue<String> value = builder(() -> {
            loads.incrementAndGet();
            loading.countDown();
            await(release);
            return Expiring.of("credentials", clock.instant().plus(Duration.ofHours(1)));
        }).build();

        Future<String> first = callers.submit(value::get);
        assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
        // The token service takes 7 s of (fake) time: past the AWS SDK's 5 s lock wait. Nobody starts a second load.
        clock.advance(Duration.ofSeconds(7));
        List<Future<String>> late = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            late.add(callers.submit(value::get));
        }
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("credentials");
        for (Future<String> r : late) {
            assertThat(r.get(10, TimeUnit.SECONDS)).isEqualTo("credentials");
        }
        assertThat(loads).hasValue(1);
    }

    @Test
    void freshValueIsServedWithoutLoading() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).build();

        assertThat(value.get()).isEqualTo("v1");
        clock.advance(Duration.ofMinutes(54));
        assertThat(value.get()).isEqualTo("v1");
        assertThat(scheduler.runDue()).isZero();
        assertThat(loader.loads).hasValue(1);
    }

    @Test
    void refreshesInTheBackgroundAtThePrefetchPointWithoutMakingCallersWait() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).build();
        assertThat(value.get()).isEqualTo("v1");
        assertThat(value.refreshAt()).contains(T0.plus(Duration.ofMinutes(55)));

        clock.advance(Duration.ofMinutes(56));
        // In the refresh window the caller gets the current value at once; the refresh is queued, not run here.
        assertThat(value.get()).isEqualTo("v1");
        assertThat(loader.loads).hasValue(1);
        scheduler.runDue();
        assertThat(loader.loads).hasValue(2);
        assertThat(value.get()).isEqualTo("v2");
    }

    @Test
    void scheduledRefreshHappensEvenWithoutCallers() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).build();
        value.get();

        clock.advance(Duration.ofMinutes(55));
        scheduler.runDue(); // the scheduled task queues the background load
        scheduler.runDue();
        assertThat(loader.loads).hasValue(2);
        assertThat(value.peek()).map(Expiring::value).contains("v2");
    }

    @Test
    void failureDuringPrefetchServesTheOldValueAndHonoursBackoff() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).backoff(Duration.ofSeconds(10), Duration.ofSeconds(10)).build();
        assertThat(value.get()).isEqualTo("v1");

        loader.failure = RefreshingValueTest::transientFailure;
        clock.advance(Duration.ofMinutes(56));
        assertThat(value.get()).isEqualTo("v1");
        scheduler.runDue();
        assertThat(loader.loads).hasValue(2);
        assertThat(value.consecutiveFailures()).isEqualTo(1);
        assertThat(value.lastFailure()).containsInstanceOf(TokenException.class);

        // Within the backoff, callers keep the old value and no new load starts, however often they ask.
        for (int i = 0; i < 100; i++) {
            assertThat(value.get()).isEqualTo("v1");
        }
        clock.advance(Duration.ofSeconds(4));
        value.get();
        assertThat(loader.loads).hasValue(2);

        // After the backoff (10 s with equal jitter: 5 to 10 s), the retry is due and succeeds.
        loader.failure = null;
        clock.advance(Duration.ofSeconds(7));
        scheduler.runDue();
        assertThat(loader.loads).hasValue(3);
        assertThat(value.get()).isEqualTo("v3");
        assertThat(value.consecutiveFailures()).isZero();
    }

    @Test
    void staleValueMakesCallersWaitForTheRefreshButFallsBackToTheValidOldValueOnFailure() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).backgroundRefresh(false).build();
        value.get();
        loader.failure = RefreshingValueTest::transientFailure;

        clock.advance(Duration.ofMinutes(59).plusSeconds(30)); // past the stale point, before expiry
        assertThat(value.get()).isEqualTo("v1");
        assertThat(loader.loads).hasValue(2);
    }

    @Test
    void neverServesAValuePastItsExpiry() {
        CountingLoader loader = new CountingLoader(Duration.ofMinutes(10));
        RefreshingValue<String> value = builder(loader).build();
        assertThat(value.get()).isEqualTo("v1");
        loader.failure = RefreshingValueTest::transientFailure;

        clock.advance(Duration.ofMinutes(10));
        assertThatThrownBy(value::get).isInstanceOf(TokenException.class).hasMessageContaining("503");
        assertThat(value.peek()).isEmpty();
        // During the backoff that follows, the failure is served again without another load.
        assertThatThrownBy(value::get).isInstanceOf(TokenException.class);
        assertThat(loader.loads).hasValue(2);
    }

    @Test
    void nonRetryableFailureSurfacesAtOnce() {
        AtomicInteger loads = new AtomicInteger();
        RefreshingValue<String> value = builder(() -> {
            loads.incrementAndGet();
            throw ConfigurationException.badOption("roleArn", "is not an ARN", "Pass arn:aws:iam::ACCOUNT:role/NAME.");
        }).build();

        assertThatThrownBy(value::get).isInstanceOf(ConfigurationException.class)
                .satisfies(e -> assertThat(((KeylessException) e).retryable()).isFalse())
                .hasMessageContaining("roleArn");
        assertThat(loads).hasValue(1);
    }

    @Test
    void aLoadedValueThatIsAlreadyExpiredIsRejected() {
        RefreshingValue<String> value = builder(() -> Expiring.of("old", clock.instant().minusSeconds(1))).build();
        assertThatThrownBy(value::get).isInstanceOf(KeylessException.class).hasMessageContaining("already expired");
    }

    @Test
    void shortLifetimesScaleThePrefetchAndStalePoints() {
        CountingLoader loader = new CountingLoader(Duration.ofMinutes(5));
        RefreshingValue<String> value = builder(loader).backgroundRefresh(false).build();
        value.get();
        // 5 minute lifetime: prefetch at most half (2.5 min), stale at most a tenth (30 s).
        assertThat(value.refreshAt()).contains(T0.plus(Duration.ofSeconds(150)));
        clock.advance(Duration.ofSeconds(149));
        value.get();
        assertThat(loader.loads).hasValue(1);
        clock.advance(Duration.ofSeconds(2));
        assertThat(value.get()).isEqualTo("v2");
    }

    @Test
    void jitterSpreadsTheRefreshPointBetweenHalfLifeAndThePrefetchPoint() {
        List<Instant> points = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            CountingLoader loader = new CountingLoader(Duration.ofHours(1));
            RefreshingValue<String> value = RefreshingValue.builder("v", loader).clock(clock).executor(scheduler).build();
            value.get();
            points.add(value.refreshAt().orElseThrow());
        }
        assertThat(points).allSatisfy(p -> assertThat(p).isBetween(T0.plus(Duration.ofMinutes(30)), T0.plus(Duration.ofMinutes(55))));
        // Not in lockstep: 200 draws over a 25 minute window land on many distinct points, both halves used.
        assertThat(points.stream().distinct().count()).isGreaterThan(150);
        assertThat(points).anySatisfy(p -> assertThat(p).isBefore(T0.plus(Duration.ofMinutes(40))));
        assertThat(points).anySatisfy(p -> assertThat(p).isAfter(T0.plus(Duration.ofMinutes(45))));
    }

    @Test
    void refreshForcesANewLoad() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).build();
        value.get();
        assertThat(value.refresh()).isEqualTo("v2");
        assertThat(value.get()).isEqualTo("v2");
    }

    @Test
    void closeStopsBackgroundWorkAndLaterCallsFail() {
        CountingLoader loader = new CountingLoader(Duration.ofHours(1));
        RefreshingValue<String> value = builder(loader).build();
        value.get();
        assertThat(scheduler.pending()).isEqualTo(1);
        value.close();
        assertThat(scheduler.pending()).isZero();
        // Even a value that is still fresh is no longer served.
        assertThatThrownBy(value::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        clock.advance(Duration.ofMinutes(56));
        assertThatThrownBy(value::get).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        value.close(); // idempotent
    }

    @Test
    void closeShutsDownAnOwnedExecutorOnly() throws Exception {
        AtomicReference<Thread> loaderThread = new AtomicReference<>();
        RefreshingValue<String> owned = RefreshingValue.builder("owned", () -> {
            loaderThread.set(Thread.currentThread());
            return Expiring.of("x", Instant.now().plusSeconds(3600));
        }).build();
        assertThat(owned.get()).isEqualTo("x");
        owned.close();

        RefreshingValue<String> shared = builder(new CountingLoader(Duration.ofHours(1))).build();
        shared.get();
        shared.close();
        assertThat(scheduler.isShutdown()).isFalse();
    }

    @Test
    void builderRejectsBadOptionsNamingThem() {
        assertThatThrownBy(() -> builder(new CountingLoader(Duration.ofHours(1))).jitter(1.5))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> builder(new CountingLoader(Duration.ofHours(1)))
                .prefetch(Duration.ofSeconds(30)).stale(Duration.ofMinutes(1)).build())
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("stale");
        assertThatThrownBy(() -> builder(new CountingLoader(Duration.ofHours(1))).backoff(Duration.ofSeconds(5), Duration.ofSeconds(1)))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("backoff");
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("latch not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
