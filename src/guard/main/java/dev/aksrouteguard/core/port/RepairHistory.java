package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.SubnetId;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;

/**
 * Port: every time a guarded subnet was stripped of its route table, kept across instances and processes (a bounded
 * history per subnet), so that a subnet an IaC pipeline keeps stripping is told apart from a one-off. Implemented over
 * Table storage by {@code TableRepairHistory}. Implementations never throw: when they cannot tell, they answer null
 * (and say so once in the log).
 */
public interface RepairHistory {

    /** True when strips are recorded (a storage connection is configured). */
    boolean enabled();

    /** One line for the log or the console: where the history is kept, or why it is off. */
    String describe();

    /**
     * Records {@code strip} (recording the same strip twice keeps one) and answers how often its subnet has been
     * stripped within {@code policy}'s window before {@code now}, this strip included.
     *
     * @return null when the history is off or unavailable
     */
    @Nullable Recurrence record(Strip strip, Recurrence.Policy policy, Instant now);

    /**
     * How often each of {@code subnets} has been stripped within the window before {@code now}, with one read of the
     * history. Subnets never stripped answer a count of 0.
     *
     * @return null when the history is off or unavailable
     */
    @Nullable Map<SubnetId, Recurrence> recurrences(Collection<SubnetId> subnets, Recurrence.Policy policy, Instant now);

    /** No storage: nothing is recorded. */
    RepairHistory NONE = off("no AzureWebJobsStorage");

    /** Nothing is recorded, for the reason given (said by {@link #describe()}). */
    static RepairHistory off(String why) {
        return new RepairHistory() {
            @Override
            public boolean enabled() {
                return false;
            }

            @Override
            public String describe() {
                return "repair history off (" + why + "): recurring strips are not counted";
            }

            @Override
            public @Nullable Recurrence record(Strip strip, Recurrence.Policy policy, Instant now) {
                return null;
            }

            @Override
            public @Nullable Map<SubnetId, Recurrence> recurrences(Collection<SubnetId> subnets, Recurrence.Policy policy,
                    Instant now) {
                return null;
            }
        };
    }
}
