package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.Subnets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One idempotent {@code reconcile(subnet)} for every trigger: re-read the subnet from ARM, decide with {@link Rules},
 * write only when something differs, and return an {@link Outcome}. Never throws: every failure is an outcome.
 *
 * <p>Safety: the write is a read–modify–write of the freshly read subnet with its etag; a 412 re-reads and
 * decides again; a table the customer put there is never swapped ({@link Action#CONFLICT}).
 */
public final class Reconciler {

    private final Subnets subnets;
    private final ClusterDirectory directory;
    private final Mode mode;
    private final Clock clock;
    private final Backoff backoff;
    private final VnetLocks locks = new VnetLocks(64);

    public Reconciler(Subnets subnets, ClusterDirectory directory, Mode mode, Clock clock, Backoff backoff) {
        this.subnets = Objects.requireNonNull(subnets, "subnets == null");
        this.directory = Objects.requireNonNull(directory, "directory == null");
        this.mode = Objects.requireNonNull(mode, "mode == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.backoff = Objects.requireNonNull(backoff, "backoff == null");
    }

    public Mode mode() {
        return mode;
    }

    /**
     * Reconciles one subnet. A subnet that the directory knows is not a kubenet node subnet costs no ARM read (the
     * clusters part of the directory is enough); a guarded one costs a GET, and a PUT (plus its operation polls) only
     * when it drifted.
     */
    public Outcome reconcile(SubnetId id, Trigger trigger) {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(trigger, "trigger == null");
        Instant started = clock.instant();
        Inventory inventory;
        try {
            if (Rules.ownership(id, directory.owners()) instanceof Rules.Ownership.None none) {
                return outcome(id, none.verdict(), null, trigger, started);
            }
            inventory = directory.current();
        } catch (ArmException e) {
            return failed(id, null, null, null, "could not read the subscription's clusters and route tables: " + e.getMessage(),
                    nextStepFor(e), e.kind() == ArmException.Kind.TRANSIENT, trigger, started);
        } catch (RuntimeException e) {
            return failed(id, null, null, null, "could not read the subscription's clusters and route tables: " + e,
                    null, false, trigger, started);
        }
        boolean refreshedForMissingTable = false;
        ArmException last = null;
        for (int attempt = 1; attempt <= backoff.maxAttempts(); attempt++) {
            Subnets.Observed read;
            try {
                read = subnets.get(id);
            } catch (ArmException e) {
                if (e.kind() == ArmException.Kind.TRANSIENT && attempt < backoff.maxAttempts()) {
                    last = e;
                    backoff.pause(attempt, e.retryAfter());
                    continue;
                }
                String what = e.kind() == ArmException.Kind.NOT_FOUND
                        ? "the subnet no longer exists (deleted, or its virtual network was re-created without it): " + e.getMessage()
                        : "could not read the subnet: " + e.getMessage();
                return failed(id, ownerOf(id, inventory), null, null, what, nextStepFor(e),
                        e.kind() == ArmException.Kind.TRANSIENT, trigger, started);
            } catch (RuntimeException e) {
                return failed(id, ownerOf(id, inventory), null, null, "could not read the subnet: " + e, null, false, trigger, started);
            }
            SubnetState before = read.state();
            Verdict verdict = Rules.decide(before, inventory);
            if (!(verdict instanceof Verdict.Reassociate fix)) {
                return outcome(id, verdict, before.routeTable(), trigger, started);
            }
            if (mode == Mode.REPORT) {
                return outcome(id, verdict, before.routeTable(), trigger, started);
            }
            try {
                SubnetState after = locks.withLock(id.virtualNetwork(), () -> subnets.associate(read, fix.routeTable()));
                if (!fix.routeTable().equals(after.routeTable())) {
                    return failed(id, fix.cluster(), fix.routeTable(), before.routeTable(),
                            "the write succeeded but the subnet carries " + describe(after.routeTable()) + " instead of "
                                    + fix.routeTable().name(), "check the subnet in the portal; something else is writing it",
                            true, trigger, started);
                }
                return build(id, fix.cluster(), fix.routeTable(), before.routeTable(), Action.REASSOCIATED,
                        "re-associated route table " + fix.routeTable().name() + ": the subnet " + lower(fix.why()),
                        null, false, trigger, started);
            } catch (ArmException e) {
                last = e;
                switch (e.kind()) {
                    case PRECONDITION_FAILED -> {
                        continue; // changed under us: re-read and decide again, at once
                    }
                    case TRANSIENT -> {
                        if (attempt < backoff.maxAttempts()) {
                            backoff.pause(attempt, e.retryAfter());
                        }
                        continue;
                    }
                    case INVALID_REFERENCE -> {
                        if (!refreshedForMissingTable) {
                            refreshedForMissingTable = true;
                            inventory = refreshOr(inventory);
                            continue; // the table we chose is gone: decide again on a fresh directory
                        }
                        return build(id, fix.cluster(), fix.routeTable(), before.routeTable(), Action.ROUTE_TABLE_MISSING,
                                "route table " + fix.routeTable().name() + " could not be associated: " + e.getMessage(),
                                "check that the route table exists; AKS re-creates its table when the cluster is reconciled "
                                        + "(az aks update -g " + fix.cluster().id().resourceGroup() + " -n " + fix.cluster().name() + ")",
                                false, trigger, started);
                    }
                    default -> {
                        return failed(id, fix.cluster(), fix.routeTable(), before.routeTable(),
                                "could not re-associate route table " + fix.routeTable().name() + ": " + e.getMessage(),
                                nextStepFor(e), false, trigger, started);
                    }
                }
            } catch (RuntimeException e) {
                return failed(id, fix.cluster(), fix.routeTable(), before.routeTable(),
                        "could not re-associate route table " + fix.routeTable().name() + ": " + e, null, false, trigger, started);
            }
        }
        String why = last == null ? "" : ": " + last.getMessage();
        return failed(id, ownerOf(id, inventory), null, null,
                "gave up after " + backoff.maxAttempts() + " attempts" + why,
                last == null ? null : nextStepFor(last), last != null && last.kind() != ArmException.Kind.FORBIDDEN,
                trigger, started);
    }

    /**
     * Decides one subnet from a listing alone, with no ARM call and no write: what the audit shows, and how the
     * sweep finds the subnets that need a fresh read. A drifted subnet comes back {@link Action#DRIFT_REPORTED}.
     */
    public Outcome assess(SubnetId id, Inventory inventory, Trigger trigger) {
        Instant started = clock.instant();
        if (Rules.ownership(id, inventory) instanceof Rules.Ownership.None none) {
            return outcome(id, none.verdict(), null, trigger, started);
        }
        SubnetState listed = inventory.subnet(id);
        if (listed == null) {
            return failed(id, ownerOf(id, inventory), null, null,
                    "the node subnet is not among the subscription's virtual networks (deleted, or in another subscription)",
                    "check the cluster's vnetSubnetID; aks-route-guard guards subnets in its own subscription",
                    false, trigger, started);
        }
        Verdict verdict = Rules.decide(listed, inventory);
        return outcome(id, verdict, listed.routeTable(), trigger, started);
    }

    /** The outcome of a verdict that needs no write (a {@code Reassociate} here means: drift seen, not written). */
    private Outcome outcome(SubnetId id, Verdict verdict, @Nullable ResourceId current, Trigger trigger, Instant started) {
        if (verdict instanceof Verdict.InSync v) {
            return build(id, v.cluster(), v.routeTable(), current, Action.IN_SYNC, v.why(), null, false, trigger, started);
        }
        if (verdict instanceof Verdict.Reassociate v) {
            String why = mode == Mode.REPORT ? "report mode" : "read-only audit";
            return build(id, v.cluster(), v.routeTable(), current, Action.DRIFT_REPORTED,
                    "drifted: the subnet " + lower(v.why()) + "; nothing written (" + why + ")",
                    "switch REMEDIATION_MODE to enforce, or associate it by hand: az network vnet subnet update --ids "
                            + id + " --route-table " + v.routeTable(),
                    false, trigger, started);
        }
        if (verdict instanceof Verdict.Conflict v) {
            return build(id, v.cluster(), v.expected(), current, Action.CONFLICT, v.why(), v.nextStep(), false, trigger, started);
        }
        if (verdict instanceof Verdict.RouteTableMissing v) {
            return build(id, v.cluster(), null, current, Action.ROUTE_TABLE_MISSING, v.why(), v.nextStep(), false, trigger, started);
        }
        Verdict.Ignore v = (Verdict.Ignore) verdict;
        return build(id, v.cluster(), null, current, Action.IGNORED, v.why(), null, false, trigger, started);
    }

    private Outcome failed(SubnetId id, @Nullable Cluster cluster, @Nullable ResourceId table, @Nullable ResourceId current,
            String message, @Nullable String nextStep, boolean retryable, Trigger trigger, Instant started) {
        return build(id, cluster, table, current, Action.FAILED, message, nextStep, retryable, trigger, started);
    }

    private Outcome build(SubnetId id, @Nullable Cluster cluster, @Nullable ResourceId table, @Nullable ResourceId current,
            Action action, String message, @Nullable String nextStep, boolean retryable, Trigger trigger, Instant started) {
        List<String> pools = cluster == null ? List.of() : cluster.poolsIn(id);
        return new Outcome(id, cluster == null ? null : cluster.id(), pools, table, current, action, message, nextStep,
                retryable, mode, trigger, started, clock.instant());
    }

    private Inventory refreshOr(Inventory fallback) {
        try {
            return directory.refresh();
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    private static @Nullable Cluster ownerOf(SubnetId id, Inventory inventory) {
        return inventory.clustersUsing(id).stream().filter(Cluster::isKubenet).findFirst().orElse(null);
    }

    /** What a person should do about a failed call, when the error says. */
    static @Nullable String nextStepFor(ArmException e) {
        return switch (e.kind()) {
            case FORBIDDEN -> e.missingAction() != null
                    ? "grant the guard's identity " + e.missingAction()
                            + " (the aks-route-guard role in infra/ includes it), then the next sweep repairs the subnet"
                    : "grant the guard's identity the aks-route-guard role (infra/) at subscription scope";
            case TRANSIENT -> "none: transient; the event is redelivered and the sweep retries";
            case NOT_FOUND -> "none if the resource was deleted on purpose";
            default -> null;
        };
    }

    private static String describe(@Nullable ResourceId table) {
        return table == null ? "no route table" : table.name();
    }

    private static String lower(String s) {
        return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
