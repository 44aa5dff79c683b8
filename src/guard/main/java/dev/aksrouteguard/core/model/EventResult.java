package dev.aksrouteguard.core.model;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/** What became of one ARM write event of a delivery. */
public sealed interface EventResult {

    ArmWrite write();

    /** Not acted on: another subscription, an operation the guard does not handle, a subject of the wrong type. */
    record Skipped(ArmWrite write, String reason) implements EventResult {
        public Skipped {
            Objects.requireNonNull(write, "write == null");
            reason = Secrets.mask(reason);
        }
    }

    /**
     * Mapped to the subnets it concerns (possibly none: a VNet without kubenet node subnets).
     *
     * @param unread guarded subscriptions whose clusters were not read yet (a cold worker starts their first listing
     *     in the background and does not wait): a cluster of theirs may use a subnet of this VNet that is not among
     *     {@code subnets}, so the event is handed on to be mapped again; empty when the mapping is complete
     */
    record Mapped(ArmWrite write, Set<SubnetId> subnets, List<String> unread) implements EventResult {
        public Mapped {
            Objects.requireNonNull(write, "write == null");
            subnets = Set.copyOf(subnets);
            unread = List.copyOf(unread);
        }

        public Mapped(ArmWrite write, Set<SubnetId> subnets) {
            this(write, subnets, List.of());
        }
    }

    /**
     * The event could not be mapped to subnets (the clusters could not be read).
     *
     * @param reason why, as ARM or the transport said it (secret-shaped parts masked)
     * @param cutByDeadline true when the mapping did not end by the delivery's deadline (no answer yet, not a failure
     *     ARM reported): the work is unfinished rather than failed, which {@code handle-event} exits 4 for
     */
    record Failed(ArmWrite write, String reason, boolean retryable, boolean cutByDeadline) implements EventResult {
        public Failed {
            Objects.requireNonNull(write, "write == null");
            reason = Secrets.mask(reason);
        }

        /** A mapping that failed with an answer (not cut by the deadline). */
        public Failed(ArmWrite write, String reason, boolean retryable) {
            this(write, reason, retryable, false);
        }
    }
}
