package dev.keyless.core.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that runs nothing by itself: tests decide when queued and scheduled tasks run, against a
 * {@link ManualClock}, so background refreshes are deterministic and no test sleeps.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
    private final ManualClock clock;
    private final List<Task> tasks = new ArrayList<>();
    private boolean shutdown;

    public ManualScheduler(ManualClock clock) {
        this.clock = clock;
    }

    /** Runs every task due at the clock's current time (including ones queued by tasks it runs); returns how many ran. */
    public int runDue() {
        int ran = 0;
        while (true) {
            Task due = null;
            synchronized (this) {
                for (Task t : tasks) {
                    if (!t.cancelled && t.atMillis <= clock.millis()) {
                        due = t;
                        break;
                    }
                }
                if (due == null) {
                    tasks.removeIf(t -> t.cancelled);
                    return ran;
                }
                tasks.remove(due);
            }
            due.run();
            ran++;
        }
    }

    /** Tasks waiting, cancelled ones excluded. */
    public synchronized long pending() {
        return tasks.stream().filter(t -> !t.cancelled).count();
    }

    /** The earliest time a pending task is due, or -1. */
    public synchronized long nextDueMillis() {
        return tasks.stream().filter(t -> !t.cancelled).mapToLong(t -> t.atMillis).min().orElse(-1);
    }

    @Override
    public synchronized void execute(Runnable command) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        tasks.add(new Task(command, clock.millis()));
    }

    @Override
    public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (shutdown) {
            throw new RejectedExecutionException("shut down");
        }
        Task t = new Task(command, clock.millis() + unit.toMillis(delay));
        tasks.add(t);
        return t;
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
    public synchronized void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        return List.of();
    }

    @Override
    public synchronized boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return true;
    }

    private final class Task implements ScheduledFuture<Object>, Runnable {
        final Runnable command;
        final long atMillis;
        volatile boolean cancelled;
        volatile boolean done;

        Task(Runnable command, long atMillis) {
            this.command = command;
            this.atMillis = atMillis;
        }

        @Override
        public void run() {
            command.run();
            done = true;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(atMillis - clock.millis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
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
