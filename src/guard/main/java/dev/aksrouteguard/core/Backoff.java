package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Nullable;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounded exponential backoff for transient ARM failures the SDK does not retry itself (409
 * AnotherOperationInProgress) or gave up on. Honours {@code Retry-After}, capped so that one event stays inside
 * Event Grid's 30-second delivery window as far as possible.
 *
 * @param maxAttempts writes tried per reconcile before giving up
 * @param base the first delay
 * @param max the longest single delay (also caps Retry-After)
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

    /** Waits; an interrupt is kept and ends the wait. */
    void pause(int attempt, @Nullable Duration retryAfter) {
        try {
            sleeper.sleep(delay(attempt, retryAfter));
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
