package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.model.Trigger;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcomes of one reconcile of one subnet. The context — subnet, mode, trigger, clock, start — is given once;
 * each outcome is built from a verdict, or as a draft whose optional parts are named, never positional.
 */
final class Outcomes {

    private final SubnetId subnet;
    private final Mode mode;
    private final Trigger trigger;
    private final Clock clock;
    private final Instant started;
    /** The subnet's prefixes as last read (a fix for the IaC names them); empty until the subnet is read. */
    private List<String> prefixes = List.of();
    /** The IPAM pools those prefixes are allocated from (a fix for the IaC must not write them as its own). */
    private List<String> ipamPools = List.of();

    Outcomes(SubnetId subnet, Mode mode, Trigger trigger, Clock clock) {
        this.subnet = Objects.requireNonNull(subnet, "subnet == null");
        this.mode = Objects.requireNonNull(mode, "mode == null");
        this.trigger = Objects.requireNonNull(trigger, "trigger == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.started = clock.instant();
    }

    /**
     * When the write this reconcile answers was made (its event's time; for an event without one, when this reconcile
     * started), or null for a sweep or a command: a "no" taken from a listing made before that write is checked first ({@link
     * ClusterDirectory#recheckClusters}).
     */
    @Nullable Instant writtenAt() {
        if (!(trigger instanceof Trigger.Event e)) {
            return null;
        }
        return e.write().eventTime() != null ? e.write().eventTime() : started; // no time given: as recent as can be
    }

    SubnetId subnet() {
        return subnet;
    }

    Instant started() {
        return started;
    }

    /** The subnet as read for the decision: its prefixes (and their pools) go into every outcome built after it. */
    void observed(SubnetState read) {
        this.prefixes = List.copyOf(read.addressPrefixes());
        this.ipamPools = List.copyOf(read.ipamPools());
    }

    /**
     * The outcome of a verdict that needs no write. A {@link Verdict.Reassociate} here means drift seen and not
     * written: report mode, or the read-only audit.
     */
    Outcome of(Verdict verdict) {
        return of(verdict, null);
    }

    /** {@link #of(Verdict)} for a subnet read with {@code current} as its route table (null: none). */
    Outcome of(Verdict verdict, @Nullable ResourceId current) {
        if (verdict instanceof Verdict.InSync v) {
            return draft(Action.IN_SYNC, v.why()).cluster(v.cluster()).routeTable(v.routeTable()).current(current).done();
        }
        if (verdict instanceof Verdict.Reassociate v) {
            String why = mode == Mode.REPORT ? "report mode" : "read-only audit";
            return draft(Action.DRIFT_REPORTED, "drifted: the subnet " + lower(v.why()) + "; nothing written (" + why + ")")
                    .cluster(v.cluster()).routeTable(v.routeTable()).current(current)
                    .nextStep("switch REMEDIATION_MODE to enforce, or associate it by hand: az network vnet subnet update --ids "
                            + subnet + " --route-table " + v.routeTable())
                    .done();
        }
        if (verdict instanceof Verdict.Conflict v) {
            return draft(Action.CONFLICT, v.why()).cluster(v.cluster()).routeTable(v.expected()).current(current)
                    .nextStep(v.nextStep()).done();
        }
        if (verdict instanceof Verdict.RouteTableMissing v) {
            return draft(Action.ROUTE_TABLE_MISSING, v.why()).cluster(v.cluster()).current(current).nextStep(v.nextStep()).done();
        }
        Verdict.Ignore v = (Verdict.Ignore) verdict;
        return draft(Action.IGNORED, v.why()).cluster(v.cluster()).current(current).done();
    }

    /** The route table was put back. */
    Outcome reassociated(Verdict.Reassociate fix, @Nullable ResourceId before) {
        return draft(Action.REASSOCIATED, "re-associated route table " + fix.routeTable().name() + ": the subnet " + lower(fix.why()))
                .cluster(fix.cluster()).routeTable(fix.routeTable()).current(before).done();
    }

    Draft failed(String message) {
        return draft(Action.FAILED, message);
    }

    Draft draft(Action action, String message) {
        return new Draft(action, message);
    }

    /** An outcome being built: the action and message, and whichever optional parts apply. */
    final class Draft {
        private final Action action;
        private final String message;
        private @Nullable Cluster cluster;
        private @Nullable ResourceId routeTable;
        private @Nullable ResourceId current;
        private @Nullable String nextStep;
        private boolean retryable;

        private Draft(Action action, String message) {
            this.action = Objects.requireNonNull(action, "action == null");
            this.message = Objects.requireNonNull(message, "message == null");
        }

        /** The kubenet cluster that owns the subnet. */
        Draft cluster(@Nullable Cluster value) {
            this.cluster = value;
            return this;
        }

        /** The cluster's route table: the one the subnet should carry. */
        Draft routeTable(@Nullable ResourceId value) {
            this.routeTable = value;
            return this;
        }

        /** The route table the subnet carried when it was decided on. */
        Draft current(@Nullable ResourceId value) {
            this.current = value;
            return this;
        }

        Draft nextStep(@Nullable String value) {
            this.nextStep = value;
            return this;
        }

        /** A later try (a redelivered event, the retry queue) may succeed. */
        Draft retryable(boolean value) {
            this.retryable = value;
            return this;
        }

        Outcome done() {
            List<String> pools = cluster == null ? List.of() : cluster.poolsIn(subnet);
            return Outcome.decided(subnet, cluster == null ? null : cluster.id(), pools, routeTable, current, action, message,
                    nextStep, retryable, mode, trigger, started, clock.instant(), prefixes, ipamPools);
        }
    }

    static String lower(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
