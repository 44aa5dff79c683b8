package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.RetryRequest;
import java.time.Duration;

/**
 * Port: work that could not finish now (a transient failure, a busy virtual network, a spent time budget) is handed
 * on to be tried again later, so that an Event Grid delivery answers within its budget and never needs Event Grid's
 * own retry. Implemented with a Storage queue in the function app; the command line has none and says what is left.
 */
public interface RetryQueue {

    /** True when handed-on work will really be tried again (a queue consumer exists). */
    boolean enabled();

    /**
     * Tries {@code request} again after {@code delay}. Must not throw; a failure to hand on is logged.
     *
     * @return true when the work was handed on (it will be tried again), false when it could not be
     */
    boolean submit(RetryRequest request, Duration delay);

    /**
     * {@code request} used up its attempts; keep it where an operator looks (the poison queue). {@code last} is the
     * failed outcome that was alerted, or null when the work never produced one (an event that could not be mapped).
     * Must not throw.
     */
    void giveUp(RetryRequest request, @Nullable Outcome last);

    /** Nothing is handed on. */
    RetryQueue NONE = new RetryQueue() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean submit(RetryRequest request, Duration delay) {
            return false;
        }

        @Override
        public void giveUp(RetryRequest request, @Nullable Outcome last) {}
    };
}
