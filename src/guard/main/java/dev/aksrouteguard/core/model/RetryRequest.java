package dev.aksrouteguard.core.model;

import java.util.Objects;

/**
 * Work handed on to be tried again later: a subnet to reconcile, or — when an event could not even be mapped to its
 * subnets (the clusters could not be read) — the resource the event wrote, to be mapped again.
 *
 * @param target a subnet ID, or the written resource of {@code trigger}'s event
 * @param trigger what caused the work (kept, so that the alert still says who made the change)
 * @param attempt which retry this is, from 1
 */
public record RetryRequest(ResourceId target, Trigger trigger, int attempt) {

    public RetryRequest {
        Objects.requireNonNull(target, "target == null");
        Objects.requireNonNull(trigger, "trigger == null");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt < 1");
        }
        if (!target.isType(SubnetId.TYPE) && !(trigger instanceof Trigger.Event)) {
            throw new IllegalArgumentException("a target that is not a subnet needs the event that wrote it: " + target);
        }
    }

    public static RetryRequest first(SubnetId subnet, Trigger trigger) {
        return new RetryRequest(subnet.id(), trigger, 1);
    }

    /** The same work, one attempt later. */
    public RetryRequest next() {
        return new RetryRequest(target, trigger, attempt + 1);
    }

    /** The subnet, when the target is one. */
    public @Nullable SubnetId subnet() {
        return target.isType(SubnetId.TYPE) ? new SubnetId(target) : null;
    }
}
