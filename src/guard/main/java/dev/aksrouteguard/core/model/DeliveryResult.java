package dev.aksrouteguard.core.model;

import java.util.List;
import java.util.Objects;

/**
 * What became of one Event Grid delivery (one event, or a batch): each event's mapping, and one outcome per distinct
 * subnet however many events named it.
 *
 * @param events one result per ARM write event, in delivery order
 * @param outcomes one per distinct subnet reconciled to the end within the time budget
 * @param unfinished subnets not started, or still running, when the time budget was spent
 * @param handedOn how many pieces of work went to the retry queue (0 without one)
 * @param notHandedOn work that should have gone to the retry queue but could not be handed to it in time (Storage
 *     failed or answered too slowly): nothing will try it again before the next sweep, so it is a failure to report
 */
public record DeliveryResult(List<EventResult> events, List<Outcome> outcomes, List<SubnetId> unfinished, int handedOn,
        List<RetryRequest> notHandedOn) {

    public DeliveryResult {
        events = List.copyOf(events);
        outcomes = List.copyOf(outcomes);
        unfinished = List.copyOf(unfinished);
        notHandedOn = List.copyOf(notHandedOn);
    }

    /** A delivery whose hand-offs, if any, all reached the retry queue. */
    public DeliveryResult(List<EventResult> events, List<Outcome> outcomes, List<SubnetId> unfinished, int handedOn) {
        this(events, outcomes, unfinished, handedOn, List.of());
    }

    /** True when work on {@code target} (a subnet, or an event's subject) was handed to the retry queue. */
    public boolean handedOn(ResourceId target) {
        Objects.requireNonNull(target, "target == null");
        return handedOn > 0 && notHandedOn.stream().noneMatch(r -> r.target().value().equalsIgnoreCase(target.value()));
    }

    /** True when a remediation failed for good, an event could not be mapped, or work could not be handed on. */
    public boolean anyFailed() {
        return outcomes.stream().anyMatch(o -> o.action() == Action.FAILED)
                || events.stream().anyMatch(e -> e instanceof EventResult.Failed) || !notHandedOn.isEmpty();
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
