package dev.aksrouteguard.function;

import java.time.Duration;
import java.time.Instant;

/** Time left before a deadline, for the waits at the end of an invocation. */
final class Budget {

    private Budget() {}

    /** The time from now to {@code deadline}, at most {@code cap} and never negative. */
    static Duration left(java.time.Clock clock, Instant deadline, Duration cap) {
        Duration left = Duration.between(clock.instant(), deadline);
        return left.isNegative() ? Duration.ZERO : left.compareTo(cap) > 0 ? cap : left;
    }
}
