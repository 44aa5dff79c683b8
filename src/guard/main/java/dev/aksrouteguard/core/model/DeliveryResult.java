package dev.aksrouteguard.core.model;

import java.util.List;

/**
 * What became of one Event Grid delivery (one event, or a batch): each event's mapping, and one outcome per distinct
 * subnet however many events named it.
 *
 * @param events one result per ARM write event, in delivery order
 * @param outcomes one per distinct subnet reconciled to the end within the time budget
 * @param unfinished subnets not started, or still running, when the time budget was spent
 * @param handedOn how many pieces of work went to the retry queue (0 without one)
 */
public record DeliveryResult(List<EventResult> events, List<Outcome> outcomes, List<SubnetId> unfinished, int handedOn) {

    public DeliveryResult {
        events = List.copyOf(events);
        outcomes = List.copyOf(outcomes);
        unfinished = List.copyOf(unfinished);
    }

    /** True when a remediation failed for good, or an event could not be mapped. */
    public boolean anyFailed() {
        return outcomes.stream().anyMatch(o -> o.action() == Action.FAILED)
                || events.stream().anyMatch(e -> e instanceof EventResult.Failed);
    }

    /**
     * True when some work did not finish (deferred, cut by the time budget, or an event mapped while a guarded
     * subscription's clusters were still unread: the node subnets of that subscription's clusters are not known).
     */
    public boolean anyUnfinished() {
        return !unfinished.isEmpty() || outcomes.stream().anyMatch(o -> o.action() == Action.DEFERRED)
                || events.stream().anyMatch(e -> e instanceof EventResult.Mapped m && !m.unread().isEmpty());
    }
}
