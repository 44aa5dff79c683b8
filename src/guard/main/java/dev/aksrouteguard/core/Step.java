package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import java.time.Duration;
import java.util.Objects;

/**
 * What one pass of a reconcile asks for next: controller-runtime's {@code Reconcile → (Result, error)} shape. A pass
 * either is done, or asks to be run again in one of three ways; each such step carries the outcome to return if the
 * {@link RetryLoop} will not run it again (attempts, re-reads or time spent).
 */
sealed interface Step {

    /** The outcome to give when the loop stops retrying, after {@code attempts} tries of this kind. */
    @FunctionalInterface
    interface GiveUp {
        Outcome after(int attempts);
    }

    /** Finished: this is the outcome. */
    record Done(Outcome outcome) implements Step {
        public Done {
            Objects.requireNonNull(outcome, "outcome == null");
        }
    }

    /** The subnet changed under the write (412): read it again at once and decide again. */
    record Reread(GiveUp giveUp) implements Step {}

    /**
     * What the pass decided on is out of date — the route table chosen is gone ({@code InvalidResourceReference}), or
     * the cluster read fresh before the write expects another table: read the directory again, once.
     */
    record Refresh(GiveUp giveUp) implements Step {}

    /**
     * A transient failure: wait (honouring {@code retryAfter}) and pass again. {@code contention} marks a 409
     * {@code AnotherOperationInProgress}: another process is writing the same virtual network.
     */
    record Retry(@Nullable Duration retryAfter, boolean contention, GiveUp giveUp) implements Step {}
}
