package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * The driver of a reconcile: runs passes until one is {@link Step.Done}, and holds every retry policy in one place.
 * <ul>
 *   <li>{@link Step.Reread} (412): again at once, at most {@value #MAX_REREADS} times.</li>
 *   <li>{@link Step.Refresh} (a vanished route table, a cluster that changed its table): read the directory again,
 *       once.</li>
 *   <li>{@link Step.Retry}: {@link Backoff} for transient failures; for contention with another process, the
 *       longer {@link Backoff#forContention()} with jitter. A {@code Retry-After} beyond the backoff's cap is not
 *       waited for.</li>
 *   <li>No wait may end after the deadline, and no pass starts after it: then the step's own give-up outcome is
 *       returned.</li>
 * </ul>
 */
final class RetryLoop {

    /** A subnet changed under the write this many times in a row: something else keeps writing it. */
    static final int MAX_REREADS = 5;

    /** One pass: it reads what it needs afresh (the directory included, once refreshed), so it needs no argument. */
    @FunctionalInterface
    interface Pass {
        Step run();
    }

    private final Backoff backoff;
    private final Backoff contention;
    private final Clock clock;
    private final DoubleSupplier jitter;

    /** @param jitter a factor in [0.75, 1.25) for each contention wait (tests fix it at 1) */
    RetryLoop(Backoff backoff, Clock clock, DoubleSupplier jitter) {
        this.backoff = Objects.requireNonNull(backoff, "backoff == null");
        this.contention = backoff.forContention();
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.jitter = Objects.requireNonNull(jitter, "jitter == null");
    }

    Outcome run(Pass pass, Instant deadline, Runnable refresh) {
        int transients = 0;
        int contended = 0;
        int rereads = 0;
        boolean refreshed = false;
        while (true) {
            Step step = pass.run();
            if (step instanceof Step.Done done) {
                return done.outcome();
            }
            if (step instanceof Step.Reread reread) {
                if (++rereads > MAX_REREADS || !clock.instant().isBefore(deadline)) {
                    return reread.giveUp().after(rereads);
                }
                continue;
            }
            if (step instanceof Step.Refresh r) {
                if (refreshed || !clock.instant().isBefore(deadline)) {
                    return r.giveUp().after(1);
                }
                refreshed = true;
                refresh.run();
                continue;
            }
            Step.Retry retry = (Step.Retry) step;
            Backoff policy = retry.contention() ? contention : backoff;
            int attempt = retry.contention() ? ++contended : ++transients;
            if (attempt >= policy.maxAttempts() || policy.tooLong(retry.retryAfter())) {
                return retry.giveUp().after(attempt);
            }
            Duration wait = policy.delay(attempt, retry.retryAfter());
            if (retry.contention()) {
                wait = Duration.ofNanos((long) (wait.toNanos() * jitter.getAsDouble()));
            }
            if (clock.instant().plus(wait).isAfter(deadline)) {
                return retry.giveUp().after(attempt);
            }
            policy.pause(wait);
        }
    }
}
