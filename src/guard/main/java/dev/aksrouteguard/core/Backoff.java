package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Nullable;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff for transient ARM failures that reach the core (the SDK has retried them already, or
 * does not retry them: 409 {@code AnotherOperationInProgress}). Honours {@code Retry-After} up to {@code max}; a
 * {@code Retry-After} longer than that is not waited for at all: the work is handed on (retry queue, next sweep).
 *
 * @param maxAttempts tries per reconcile before giving up
 * @param base the first delay
 * @param max the longest single delay; a longer {@code Retry-After} ends the retries
 */
public record Backoff(int maxAttempts, Duration base, Duration max, Sleeper sleeper) {

    public static final Backoff DEFAULT = new Backoff(4, Duration.ofSeconds(1), Duration.ofSeconds(8), Sleeper.THREAD);

    public Backoff {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts < 1");
        }
        Objects.requireNonNull(base, "base == null");
        Objects.requireNonNull(max, "max == null");
        Objects.requireNonNull(sleeper, "sleeper == null");
    }

    /** The wait before attempt {@code attempt + 1}, after {@code attempt} (1-based) failed. */
    public Duration delay(int attempt, @Nullable Duration retryAfter) {
        Duration exp = base.multipliedBy(1L << Math.min(attempt - 1, 20));
        Duration d = retryAfter != null && retryAfter.compareTo(exp) > 0 ? retryAfter : exp;
        return d.compareTo(max) > 0 ? max : d;
    }

    /** True when ARM asked for a longer wait than this backoff will ever make: hand the work on instead. */
    public boolean tooLong(@Nullable Duration retryAfter) {
        return retryAfter != null && retryAfter.compareTo(max) > 0;
    }

    /**
     * The backoff for contention with another process in the same virtual network (409
     * {@code AnotherOperationInProgress}): two more tries, each wait twice as long and capped at 2.5 times as long,
     * and the same sleeper. The reconciler adds jitter so that competing processes do not retry in step.
     */
    public Backoff forContention() {
        return new Backoff(maxAttempts + 2, base.multipliedBy(2), max.multipliedBy(5).dividedBy(2), sleeper);
    }

    /** Waits; an interrupt is kept and ends the wait. */
    void pause(Duration wait) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How to wait; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;

        Sleeper THREAD = d -> Thread.sleep(d.toMillis());
    }
}
