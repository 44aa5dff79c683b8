package dev.aksrouteguard.core.model;

import java.time.Instant;
import java.util.Objects;

/** What made the guard look at a subnet. It travels into the outcome, for logs and alerts. */
public sealed interface Trigger {

    /** An ARM write event delivered by Event Grid (or replayed by the CLI). */
    record Event(ArmWrite write) implements Trigger {
        public Event {
            Objects.requireNonNull(write, "write == null");
        }
    }

    /** The drift sweep (timer or CLI {@code sweep}). */
    record Sweep(Instant startedAt) implements Trigger {}

    /** A person or pipeline asked for one subnet ({@code reconcile SUBNET_ID}). */
    record Manual(String source) implements Trigger {}

    /** One line for logs and cards. */
    default String describe() {
        if (this instanceof Event e) {
            return e.write().operationName() + " by " + e.write().actor().describe();
        }
        if (this instanceof Sweep) {
            return "found by the drift sweep";
        }
        return "requested by " + ((Manual) this).source();
    }
}
