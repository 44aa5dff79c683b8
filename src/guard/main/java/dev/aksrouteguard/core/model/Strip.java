package dev.aksrouteguard.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * One time a guarded subnet was found stripped of its route table (and, in enforce mode, repaired): what the repair
 * history keeps, so that a subnet that keeps losing its table can be told apart from a one-off.
 *
 * @param key what makes two records of the same strip one (the event's ID, or the outcome's time for a sweep)
 * @param at when the subnet was stripped (the event's time) or, without an event, when it was found
 * @param action {@code reassociated} or {@code drift-reported}
 * @param operation the ARM operation that stripped it ({@code Microsoft.Network/virtualNetworks/write}), when known
 * @param by who stripped it, in words: the principal and client ({@link Actor#who()}), or "found by the drift sweep"
 * @param deployment the ARM deployment that made the write, as "{name} in resource group {group}", when known
 * @param correlationId the event's correlation ID, when there was an event
 * @param lookup what the deployment lookup said ({@link Attribution.Kind}): only {@code NONE_FOUND} means no deployment
 *     made the write; null when nothing was looked up (or the record predates this)
 */
public record Strip(SubnetId subnet, String key, Instant at, String action, @Nullable String operation, String by,
        @Nullable String deployment, @Nullable String correlationId, Attribution.@Nullable Kind lookup) {

    /** A strip without what the lookup said (nothing looked up). */
    public Strip(SubnetId subnet, String key, Instant at, String action, @Nullable String operation, String by,
            @Nullable String deployment, @Nullable String correlationId) {
        this(subnet, key, at, action, operation, by, deployment, correlationId, deployment == null ? null : Attribution.Kind.FOUND);
    }

    public Strip {
        Objects.requireNonNull(subnet, "subnet == null");
        Objects.requireNonNull(key, "key == null");
        Objects.requireNonNull(at, "at == null");
        Objects.requireNonNull(action, "action == null");
        Objects.requireNonNull(by, "by == null");
    }

    /**
     * The strip an outcome records, or null when the outcome is not one: a repair ({@code reassociated}), or drift an
     * ARM write event caused and report mode left ({@code drift-reported} from an event; the sweep sees the same
     * drift every few minutes and would count it again).
     */
    public static @Nullable Strip of(Outcome o) {
        boolean event = o.trigger() instanceof Trigger.Event;
        if (o.action() != Action.REASSOCIATED && !(o.action() == Action.DRIFT_REPORTED && event)) {
            return null;
        }
        if (o.trigger() instanceof Trigger.Event e) {
            ArmWrite w = e.write();
            Instant at = w.eventTime() != null ? w.eventTime() : o.finishedAt();
            return new Strip(o.subnet(), "event:" + w.eventId(), at, o.action().word(), w.operationName(),
                    w.actor().who(), o.deployment() == null ? null : o.deployment().name() + " in resource group "
                            + o.deployment().resourceGroup(), w.correlationId(),
                    o.attribution() == null ? null : o.attribution().kind());
        }
        String by = o.trigger() instanceof Trigger.Sweep ? "found by the drift sweep" : o.trigger().describe();
        return new Strip(o.subnet(), "found:" + o.finishedAt().toEpochMilli(), o.finishedAt(), o.action().word(), null, by,
                null, null);
    }

    /** "service principal sp-terraform (app …) (deployment vnet-release-42 in resource group rg-app)". */
    public String describe() {
        return deployment == null ? by : by + " (deployment " + deployment + ")";
    }
}
