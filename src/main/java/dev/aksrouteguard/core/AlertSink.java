package dev.aksrouteguard.core;

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

    /** Alerts switched off. */
    AlertSink NONE = new AlertSink() {
        @Override
        public void outcome(Outcome outcome) {}

        @Override
        public void sweep(SweepReport report) {}
    };
}
