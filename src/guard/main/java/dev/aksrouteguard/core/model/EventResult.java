package dev.aksrouteguard.core.model;

import java.util.Objects;
import java.util.Set;

/** What became of one ARM write event of a delivery. */
public sealed interface EventResult {

    ArmWrite write();

    /** Not acted on: another subscription, an operation the guard does not handle, a subject of the wrong type. */
    record Skipped(ArmWrite write, String reason) implements EventResult {}

    /** Mapped to the subnets it concerns (possibly none: a VNet without kubenet node subnets). */
    record Mapped(ArmWrite write, Set<SubnetId> subnets) implements EventResult {
        public Mapped {
            Objects.requireNonNull(write, "write == null");
            subnets = Set.copyOf(subnets);
        }
    }

    /** The event could not be mapped to subnets (the clusters could not be read). */
    record Failed(ArmWrite write, String reason, boolean retryable) implements EventResult {}
}
