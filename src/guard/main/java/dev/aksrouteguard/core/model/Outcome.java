package dev.aksrouteguard.core.model;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;

/**
 * The result of reconciling one subnet: what was decided and done, and why.
 *
 * @param cluster the kubenet cluster that owns the subnet, when one was found
 * @param nodePools the cluster's node pools in this subnet
 * @param routeTable the cluster's route table (the one the subnet should carry), when known
 * @param previousRouteTable the route table the subnet carried when it was decided on
 * @param message one sentence on what was found and done
 * @param nextStep for a problem, what a person should do next (e.g. the permission to grant)
 * @param retryable true when the failure is transient and a redelivery of the event may succeed
 * @param addressPrefixes the subnet's address prefixes as read when it was decided on (empty when it was not read)
 * @param ipamPools the Virtual Network Manager IPAM pools those prefixes are allocated from (empty when they are the
 *     subnet's own, or it was not read)
 * @param attribution what the lookup of the event's correlation ID said after the outcome (never before the repair):
 *     the deployment that made the write, none (a tool that calls ARM directly), or unknown (late, failed, refused); null
 *     when nothing was looked up (no event, no correlation ID, a guard without the lookup)
 * @param recurrence how often the subnet has been stripped lately, from the repair history, or null without one
 */
public record Outcome(
        SubnetId subnet,
        @Nullable ResourceId cluster,
        List<String> nodePools,
        @Nullable ResourceId routeTable,
        @Nullable ResourceId previousRouteTable,
        Action action,
        String message,
        @Nullable String nextStep,
        boolean retryable,
        Mode mode,
        Trigger trigger,
        Instant startedAt,
        Instant finishedAt,
        List<String> addressPrefixes,
        List<String> ipamPools,
        @Nullable Attribution attribution,
        @Nullable Recurrence recurrence) {

    public Outcome {
        Objects.requireNonNull(subnet, "subnet == null");
        Objects.requireNonNull(action, "action == null");
        Objects.requireNonNull(message, "message == null");
        Objects.requireNonNull(mode, "mode == null");
        Objects.requireNonNull(trigger, "trigger == null");
        nodePools = List.copyOf(nodePools);
        addressPrefixes = List.copyOf(addressPrefixes);
        ipamPools = List.copyOf(ipamPools);
    }

    /**
     * An outcome as the reconciler decides it, before anything is known of who made the write: no deployment and no
     * recurrence yet ({@link #withDeployment}, {@link #withRecurrence} add them).
     */
    public static Outcome decided(SubnetId subnet, @Nullable ResourceId cluster, List<String> nodePools,
            @Nullable ResourceId routeTable, @Nullable ResourceId previousRouteTable, Action action, String message,
            @Nullable String nextStep, boolean retryable, Mode mode, Trigger trigger, Instant startedAt, Instant finishedAt,
            List<String> addressPrefixes, List<String> ipamPools) {
        return new Outcome(subnet, cluster, nodePools, routeTable, previousRouteTable, action, message, nextStep, retryable,
                mode, trigger, startedAt, finishedAt, addressPrefixes, ipamPools, null, null);
    }

    /** The ARM deployment whose write stripped the subnet, when the lookup found one; else null. */
    public @Nullable Deployment deployment() {
        return attribution == null ? null : attribution.deployment();
    }

    /** This outcome, with what the deployment lookup said. */
    public Outcome withAttribution(@Nullable Attribution value) {
        return new Outcome(subnet, cluster, nodePools, routeTable, previousRouteTable, action, message, nextStep, retryable,
                mode, trigger, startedAt, finishedAt, addressPrefixes, ipamPools, value, recurrence);
    }

    /** This outcome, with how often the subnet has been stripped lately. */
    public Outcome withRecurrence(@Nullable Recurrence value) {
        return new Outcome(subnet, cluster, nodePools, routeTable, previousRouteTable, action, message, nextStep, retryable,
                mode, trigger, startedAt, finishedAt, addressPrefixes, ipamPools, attribution, value);
    }

    /**
     * Who changed the subnet, in words: the deployment and the principal for an event whose deployment is known, else
     * what the trigger says (the principal and client of the event, "found by the drift sweep").
     */
    public String changedBy() {
        String who = trigger.describe();
        Deployment deployment = deployment();
        return deployment == null ? who : who + " in " + deployment.describe();
    }

    public Duration took() {
        return Duration.between(startedAt, finishedAt);
    }

    /** From the ARM write that caused the work to the end of this outcome, when the trigger was an event. */
    public @Nullable Duration sinceEvent() {
        if (trigger instanceof Trigger.Event e && e.write().eventTime() != null) {
            return Duration.between(e.write().eventTime(), finishedAt);
        }
        return null;
    }

    /** This outcome as a final failure with {@code message}: what is alerted when handed-on work is given up. */
    public Outcome gaveUp(String message) {
        // Its next step can no longer be "none: it is tried again": that is what just ran out, and a give-up must not
        // read as (nor be suppressed as a repeat of) the transient failure alerted before it.
        String after = "the retries are used up and the next drift sweep tries again; if it keeps failing, see the error"
                + (nextStep != null && !nextStep.startsWith("none") ? "; " + nextStep : "");
        return new Outcome(subnet, cluster, nodePools, routeTable, previousRouteTable, Action.FAILED, message, after, false,
                mode, trigger, startedAt, finishedAt, addressPrefixes, ipamPools, attribution, recurrence);
    }

    /**
     * How loud the outcome is logged: a failure to remediate, a conflict or a missing table is a Warning (someone must
     * act); a repair, a decision to do nothing or deferred work is Info.
     */
    public Level severity() {
        return switch (action) {
            case FAILED, CONFLICT, ROUTE_TABLE_MISSING -> Level.WARNING;
            default -> Level.INFO;
        };
    }

    /** One log line: action, subnet, cluster, tables, message, trigger. Never contains secrets. */
    public String logLine() {
        StringBuilder sb = new StringBuilder(action.word()).append(' ').append(subnet);
        if (cluster != null) {
            sb.append(" cluster=").append(cluster.name());
        }
        if (routeTable != null) {
            sb.append(" routeTable=").append(routeTable.name());
        }
        if (previousRouteTable != null && !previousRouteTable.equals(routeTable)) {
            sb.append(" was=").append(previousRouteTable.name());
        }
        sb.append(" mode=").append(mode.word()).append(" took=").append(took().toMillis()).append("ms");
        if (trigger instanceof Trigger.Event e && e.write().correlationId() != null) {
            sb.append(" correlationId=").append(e.write().correlationId());
        }
        sb.append(" :: ").append(message);
        if (nextStep != null) {
            sb.append(" Next step: ").append(nextStep);
        }
        sb.append(" [").append(changedBy()).append(']');
        if (recurrence != null && recurrence.escalates()) {
            sb.append(" Recurring: ").append(recurrence.describe()).append("; fix the IaC (aks-route-guard prevent ")
                    .append(subnet).append(')');
        }
        return sb.toString();
    }
}
