package dev.aksrouteguard.testing;

import dev.aksrouteguard.core.model.Nullable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock a test moves forward: one that stands at a given instant until it is moved ({@link #at}), the system
 * clock plus what it has been moved ({@link #system}, for code that also waits in real time), or one that runs in real
 * time from a given instant ({@link #runningFrom}, for code that waits in real time and also reads the date or the
 * minute, as the sweep's start order does). Thread-safe; UTC.
 */
public final class TestClock extends Clock {

    private final @Nullable Instant start; // null: the system clock's instant, plus offset
    private final Duration offset;
    private final AtomicReference<Duration> moved = new AtomicReference<>(Duration.ZERO);

    private TestClock(@Nullable Instant start, Duration offset) {
        this.start = start;
        this.offset = offset;
    }

    /** Stands at {@code start} until {@link #advance moved}. */
    public static TestClock at(Instant start) {
        return new TestClock(Objects.requireNonNull(start, "start == null"), Duration.ZERO);
    }

    /**
     * Reads {@code start} now and runs on in real time from there, ahead by what it has been {@link #advance moved}: the
     * minute and the date a test sees no longer depend on when it runs.
     */
    public static TestClock runningFrom(Instant start) {
        return new TestClock(null, Duration.between(Instant.now(), Objects.requireNonNull(start, "start == null")));
    }

    /** The system clock, ahead by what it has been {@link #advance moved}. */
    public static TestClock system() {
        return new TestClock(null, Duration.ZERO);
    }

    public void advance(Duration d) {
        moved.updateAndGet(m -> m.plus(d));
    }

    @Override
    public Instant instant() {
        return (start == null ? Instant.now().plus(offset) : start).plus(moved.get());
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
