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
 * A clock a test moves forward: one that stands at a given instant until it is moved ({@link #at}), or the system
 * clock plus what it has been moved ({@link #system}, for code that also waits in real time). Thread-safe; UTC.
 */
public final class TestClock extends Clock {

    private final @Nullable Instant start; // null: the system clock's instant
    private final AtomicReference<Duration> moved = new AtomicReference<>(Duration.ZERO);

    private TestClock(@Nullable Instant start) {
        this.start = start;
    }

    /** Stands at {@code start} until {@link #advance moved}. */
    public static TestClock at(Instant start) {
        return new TestClock(Objects.requireNonNull(start, "start == null"));
    }

    /** The system clock, ahead by what it has been {@link #advance moved}. */
    public static TestClock system() {
        return new TestClock(null);
    }

    public void advance(Duration d) {
        moved.updateAndGet(m -> m.plus(d));
    }

    @Override
    public Instant instant() {
        return (start == null ? Instant.now() : start).plus(moved.get());
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
