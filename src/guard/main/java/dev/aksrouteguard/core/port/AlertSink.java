package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import java.time.Duration;

/**
 * Port: tell people what happened. Called after the write; an implementation must never throw, block for long,
 * or change the outcome. Implemented for Microsoft Teams by {@code TeamsWebhookAlertSink}.
 */
public interface AlertSink {

    /**
     * Every outcome of the event or CLI path, including {@code in-sync} and {@code ignored} ones: the sink alerts
     * on {@link Action#isAlerted()} outcomes and may use the others to forget a finding that is resolved.
     */
    void outcome(Outcome outcome);

    /** The summary of one drift sweep (one message, however many subnets). */
    void sweep(SweepReport report);

    /**
     * Waits up to {@code timeout} for alerts still being delivered (a sink may deliver in the background so that it
     * never delays a repair). Callers about to end (a function invocation, the CLI) call this last.
     *
     * @return true when nothing is left to deliver
     */
    default boolean flush(Duration timeout) {
        return true;
    }

    /** Alerts switched off. */
    AlertSink NONE = new AlertSink() {
        @Override
        public void outcome(Outcome outcome) {}

        @Override
        public void sweep(SweepReport report) {}
    };
}
