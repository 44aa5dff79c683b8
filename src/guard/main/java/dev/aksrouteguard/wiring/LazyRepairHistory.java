package dev.aksrouteguard.wiring;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.port.RepairHistory;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * The repair history of the function app, built when a strip is first recorded or counted: most events are not strips
 * and never need the Table client (nor load its classes). {@link #enabled()} is known from the settings alone.
 */
final class LazyRepairHistory implements RepairHistory {

    private final Lazy<RepairHistory> history;
    private final boolean enabled;

    /** @param enabled whether a storage connection is configured (the history is then kept) */
    LazyRepairHistory(Lazy<RepairHistory> history, boolean enabled) {
        this.history = Objects.requireNonNull(history, "history == null");
        this.enabled = enabled;
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public String describe() {
        return enabled ? history.get().describe() : RepairHistory.NONE.describe();
    }

    @Override
    public @Nullable Recurrence record(Strip strip, Recurrence.Policy policy, Instant now) {
        return enabled ? history.get().record(strip, policy, now) : null;
    }

    @Override
    public @Nullable Map<SubnetId, Recurrence> recurrences(Collection<SubnetId> subnets, Recurrence.Policy policy, Instant now) {
        return enabled ? history.get().recurrences(subnets, policy, now) : null;
    }
}
