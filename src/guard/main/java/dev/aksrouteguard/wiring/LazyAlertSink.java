package dev.aksrouteguard.wiring;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.port.AlertSink;
import java.time.Duration;
import java.util.Objects;

/**
 * The function app's alert sink, built when the first outcome or sweep that concerns it arrives rather than with the
 * graph: the Teams sink, its alert memory (Table storage) and its queue client (Queue storage) are hundreds of classes
 * a new instance would otherwise load and build before its first event, for an event that usually alerts nothing.
 *
 * <p>An {@link Action#IGNORED ignored} outcome (a subnet that is not a kubenet node subnet) never concerns an alert
 * sink: nothing is alerted for it and it resolves no finding ({@code TeamsWebhookAlertSink} returns on it too), so it
 * does not build the sink. Until the sink is built nothing is queued, so {@link #flush} has nothing to wait for.
 */
final class LazyAlertSink implements AlertSink {

    private final Lazy<AlertSink> sink;

    LazyAlertSink(Lazy<AlertSink> sink) {
        this.sink = Objects.requireNonNull(sink, "sink == null");
    }

    @Override
    public void outcome(Outcome outcome) {
        Objects.requireNonNull(outcome, "outcome == null");
        if (outcome.action() == Action.IGNORED && !sink.built()) {
            return;
        }
        sink.get().outcome(outcome);
    }

    @Override
    public void sweep(SweepReport report) {
        sink.get().sweep(report);
    }

    @Override
    public boolean flush(Duration timeout) {
        return !sink.built() || sink.get().flush(timeout);
    }
}
