package dev.aksrouteguard.core.model;

import java.util.List;

/** What became of one ARM write event. */
public sealed interface EventResult {

    ArmWrite write();

    /** Not acted on: another subscription, an operation the guard does not handle, a subject of the wrong type. */
    record Skipped(ArmWrite write, String reason) implements EventResult {}

    /** Mapped to subnets and reconciled (the list may be empty: a VNet without kubenet node subnets). */
    record Reconciled(ArmWrite write, List<Outcome> outcomes) implements EventResult {
        public Reconciled {
            outcomes = List.copyOf(outcomes);
        }
    }

    /** The event could not be mapped to subnets (the directory could not be read). */
    record Failed(ArmWrite write, String reason, boolean retryable) implements EventResult {}
}
