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
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.core.port.Subnets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.DoubleSupplier;

/**
 * One idempotent {@code reconcile(subnet)} for every trigger: re-read the subnet from ARM, decide with {@link Rules},
 * write only when something differs, and return an {@link Outcome}. Never throws: every failure is an outcome.
 *
 * <p>A reconcile is one {@link #pass} after another, driven by the {@link RetryLoop}: a pass decides and acts once
 * and says what it needs next ({@link Step}); the loop owns every retry policy and the deadline.
 *
 * <p>Safety, in the order a pass checks it:
 * <ol>
 *   <li>nothing outside the {@link GuardedSubscriptions} is read or written, whatever ID a trigger names;</li>
 *   <li>the directory (warm, up to its TTL old) may only say "not a kubenet node subnet"; it never decides a write;</li>
 *   <li>the subnet is read inside its virtual network's lock, immediately before the decision and the write, so the
 *       etag sent is the one of the state decided on, not one another write in the VNet has made stale;</li>
 *   <li>a read that is incomplete (no address prefix, no etag, another ID) is never acted on;</li>
 *   <li>a read whose {@code provisioningState} says another operation is still running on the subnet or its virtual
 *       network ({@code Updating}) is waited out like a 409, never decided on nor written over
 *       ({@link #operationRunning});</li>
 *   <li>before a write, the owning cluster is read fresh (one GET) and the decision made again: a cluster migrated
 *       off kubenet, moved to another subnet, being deleted or tagged to be ignored is left alone, and one whose fresh
 *       read expects another table is decided again on a re-read directory (written only when two decisions agree);</li>
 *   <li>the write is a read–modify–write of the subnet with {@code If-Match}; a table the customer put there is never
 *       swapped ({@link Action#CONFLICT}).</li>
 * </ol>
 */
public final class Reconciler {

    /** No reconcile runs longer than this, whoever calls it: the cap on the total retry time of one subnet. */
    public static final Duration MAX_PER_SUBNET = Duration.ofMinutes(3);

    private final Subnets subnets;
    private final ClusterDirectory directory;
    private final Mode mode;
    private final Clock clock;
    private final RetryLoop loop;
    private final VnetLocks locks = new VnetLocks(64);

    public Reconciler(Subnets subnets, ClusterDirectory directory, Mode mode, Clock clock, Backoff backoff) {
        this(subnets, directory, mode, clock, backoff, () -> 0.75 + ThreadLocalRandom.current().nextDouble() / 2);
    }

    /** @param jitter a factor in [0.75, 1.25) applied to each wait for a virtual network busy with another process */
    Reconciler(Subnets subnets, ClusterDirectory directory, Mode mode, Clock clock, Backoff backoff, DoubleSupplier jitter) {
        this.subnets = Objects.requireNonNull(subnets, "subnets == null");
        this.directory = Objects.requireNonNull(directory, "directory == null");
        this.mode = Objects.requireNonNull(mode, "mode == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.loop = new RetryLoop(Objects.requireNonNull(backoff, "backoff == null"), clock, jitter);
    }

    public Mode mode() {
        return mode;
    }

    public GuardedSubscriptions scope() {
        return directory.scope();
    }

    /** Reconciles one subnet within {@link #MAX_PER_SUBNET}. */
    public Outcome reconcile(SubnetId id, Trigger trigger) {
        return reconcile(id, trigger, clock.instant().plus(MAX_PER_SUBNET));
    }

    /**
     * Reconciles one subnet, starting no wait that would end after {@code deadline} (nor after
     * {@link #MAX_PER_SUBNET}). A subnet that the directory knows is not a kubenet node subnet costs no ARM read; a
     * guarded one costs a GET; a drifted one also a GET of its cluster, and the write (plus its operation polls).
     */
    public Outcome reconcile(SubnetId id, Trigger trigger, Instant deadline) {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(trigger, "trigger == null");
        Outcomes out = new Outcomes(id, mode, trigger, clock);
        Instant capped = out.started().plus(MAX_PER_SUBNET);
        Instant until = deadline.isBefore(capped) ? deadline : capped;
        // A refresh reads the network of every subscription the owner spans (its route table may be in the cluster's).
        // Reads of the subnet that found an operation running on it (not the loop's attempts: see lockedPass).
        AtomicInteger runningReads = new AtomicInteger();
        return loop.run(() -> pass(out, runningReads, until), until,
                () -> directory.refreshQuietly(ClusterDirectory.networksFor(id, knownOwner(id, until)), until));
    }

    /** The kubenet cluster the directory now says uses {@code id} (no ARM call while it is fresh), or null. */
    private @Nullable Cluster knownOwner(SubnetId id, Instant until) {
        try {
            return ownerOf(id, directory.known(id.subscriptionId(), until).owners());
        } catch (RuntimeException e) {
            return null; // then only the subnet's own subscription is read again
        }
    }

    /** One pass: gate, ownership, then the locked read–decide–write. */
    private Step pass(Outcomes out, AtomicInteger runningReads, Instant until) {
        SubnetId id = out.subnet();
        GuardedSubscriptions scope = directory.scope();
        boolean guarded;
        try {
            guarded = scope.contains(id.subscriptionId()); // a management group's first discovery is an ARM call
        } catch (ArmException e) {
            return done(out.failed("could not discover the guarded subscriptions: " + e.getMessage() + "; nothing read or "
                    + "written").nextStep(nextStepFor(e)).retryable(e.kind() == ArmException.Kind.TRANSIENT));
        }
        if (!guarded) {
            return done(notGuarded(out, "the subnet", scope));
        }
        Inventory inventory;
        try {
            ClusterDirectory.Known known = directory.known(id.subscriptionId(), until);
            Rules.Ownership ownership = Rules.ownership(id, known.owners());
            if (ownership instanceof Rules.Ownership.None && known.owners().clustersUsing(id).isEmpty()) {
                // No cluster used it as last listed: unless that listing is newer than the write, maybe one does now.
                ClusterDirectory.Recheck recheck = directory.recheckClusters(id.subscriptionId(), out.writtenAt(), until);
                if (recheck.reread()) {
                    known = directory.known(id.subscriptionId(), until);
                    ownership = Rules.ownership(id, known.owners());
                }
                if (!recheck.unconfirmed().isEmpty() && known.owners().clustersUsing(id).isEmpty()) {
                    return done(unconfirmed(out, recheck.unconfirmed()));
                }
            }
            if (ownership instanceof Rules.Ownership.None none) {
                if (!known.unread().isEmpty() && known.owners().clustersUsing(id).isEmpty()) {
                    return done(notYetKnown(out, known.unread()));
                }
                return new Step.Done(out.of(none.verdict()));
            }
            // The network of the subscriptions the cluster spans (those guarded: an unguarded one is never read).
            inventory = directory.current(ClusterDirectory.networksFor(id, ((Rules.Ownership.Guarded) ownership).cluster()),
                    until);
        } catch (ArmException e) {
            return done(out.failed("could not read the clusters and route tables: " + e.getMessage())
                    .nextStep(nextStepFor(e)).retryable(e.kind() == ArmException.Kind.TRANSIENT));
        } catch (DeadlineReached e) {
            return done(outOfTime(out, "the clusters and route tables were being read", e));
        } catch (RuntimeException e) {
            return done(out.failed("could not read the clusters and route tables: " + e));
        }
        return locks.withLock(id.virtualNetwork(), until, clock, () -> lockedPass(out, runningReads, inventory, until))
                .orElseGet(() -> done(out.draft(Action.DEFERRED, "other repairs in virtual network " + id.virtualNetworkName()
                        + " held it until the deadline; nothing written, handed on to be tried again").retryable(true)));
    }

    /**
     * A subnet no known cluster uses, while some guarded subscriptions have never been read (a cold worker: their first
     * listing runs in the background, never waited for): a cluster there could use it, so it is neither ignored nor
     * decided now, but handed on to be decided once they are read. A subnet a known cluster uses is decided at once
     * instead, unread subscriptions or not: AKS does not support two clusters in one subnet ("Don't create more than one
     * AKS cluster in the same subnet"; "Unlike Azure CNI clusters, multiple kubenet clusters can't share a subnet") nor
     * two clusters on one route table ("Using the same route table with multiple AKS clusters isn't supported"), so a
     * claim found in the subscriptions read cannot be contradicted by one not read yet (were it so anyway, against
     * that support, the sweep, which reads every subscription, reports the subnet as a conflict). Source: Learn, "Use
     * kubenet networking with your own IP address ranges in Azure Kubernetes Service (AKS)", Prerequisites and "Bring your own
     * subnet and route table with kubenet", https://learn.microsoft.com/azure/aks/configure-kubenet
     */
    private Outcomes.Draft notYetKnown(Outcomes out, java.util.List<String> unread) {
        StringBuilder which = new StringBuilder();
        boolean anyFailed = false;
        for (String s : unread) {
            which.append(which.length() == 0 ? "" : ", ").append(s);
            RuntimeException why = directory.lastReadError(s);
            if (why != null) {
                which.append(" (its listing failed: ").append(why.getMessage()).append(')');
                anyFailed = true;
            } else {
                which.append(" (its first listing is under way)");
            }
        }
        boolean one = unread.size() == 1;
        return out.draft(Action.DEFERRED, "no cluster read so far uses this subnet, but the clusters of guarded "
                + (one ? "subscription " : "subscriptions ") + which + " are" + " not known yet and "
                + (one ? "one there" : "one of them") + " could use it; nothing written, not ignored on partial knowledge: "
                + "decided once " + (one ? "it is" : "they are") + " read (the retry queue, a later run or the next sweep)")
                .nextStep(anyFailed ? "none if the failure passes; if it persists, check that subscription (the sweep reports "
                        + "it as unreadable)" : null)
                .retryable(true);
    }

    /**
     * A subnet no cluster used as last listed, when some subscription's clusters were listed before the write this
     * reconcile answers and could not be read again: a cluster created since could use it, so it is neither ignored nor
     * decided now, but handed on to be decided once they can be read.
     */
    private static Outcomes.Draft unconfirmed(Outcomes out, java.util.Map<String, String> why) {
        StringBuilder which = new StringBuilder();
        why.forEach((s, reason) -> which.append(which.length() == 0 ? "" : ", ").append(s).append(" (").append(reason).append(')'));
        boolean one = why.size() == 1;
        return out.draft(Action.DEFERRED, "no cluster listed so far uses this subnet, but the clusters of guarded "
                + (one ? "subscription " : "subscriptions ") + which + " were listed before this write and could not be read "
                + "again; nothing written, not ignored on a listing older than the write: decided once "
                + (one ? "it is" : "they are") + " read (the retry queue, a later run or the next sweep)")
                .nextStep("none if the failure passes; if it persists, check that subscription (the sweep reports it as unreadable)")
                .retryable(true);
    }

    /** Read, validate, decide, confirm the owner, write: all under the virtual network's lock. */
    private Step lockedPass(Outcomes out, AtomicInteger runningReads, Inventory inventory, Instant until) {
        SubnetId id = out.subnet();
        @Nullable Cluster owner = ownerOf(id, inventory);
        Subnets.Observed read;
        try {
            read = subnets.get(id);
        } catch (ArmException e) {
            if (e.kind() == ArmException.Kind.NOT_FOUND) {
                return done(out.failed("the subnet no longer exists (deleted, or its virtual network was re-created without it): "
                        + e.getMessage()).cluster(owner).nextStep(nextStepFor(e)));
            }
            if (e.kind() == ArmException.Kind.TRANSIENT) {
                return retry(e, attempts -> out.failed("could not read the subnet (" + attempts + (attempts == 1 ? " try" : " tries")
                        + "): " + e.getMessage()).cluster(owner).nextStep(nextStepFor(e)).retryable(true).done());
            }
            return done(out.failed("could not read the subnet: " + e.getMessage()).cluster(owner).nextStep(nextStepFor(e))
                    .retryable(laterMayDo(e)));
        } catch (RuntimeException e) {
            return done(out.failed("could not read the subnet: " + e).cluster(owner));
        }
        SubnetState before = read.state();
        out.observed(before);
        String incomplete = incomplete(id, before);
        if (incomplete != null) {
            return done(out.failed("incomplete read; not writing: " + incomplete).cluster(owner).current(before.routeTable())
                    .nextStep("none if it was a passing glitch (the next event or sweep reads it again); report it if it persists")
                    .retryable(true));
        }
        String running = operationRunning(before);
        if (running != null) {
            // Counted here, not by the loop's attempts: those also count this reconcile's writes answered 409.
            int reads = runningReads.incrementAndGet();
            return new Step.Retry(null, true, attempts -> out.draft(Action.DEFERRED, "the subnet read provisioningState "
                    + running + (reads == 1 ? " once" : " on the last of " + reads + " reads that found an operation running")
                    + ": an operation on it or on virtual network "
                    + id.virtualNetworkName() + " (an IaC deployment, say) had not ended; nothing decided on a state still "
                    + "being written and nothing written over it, handed on to be tried again").cluster(owner)
                    .current(before.routeTable())
                    // Not "none …": given up after the retry queue's last try, the step is what the alert must carry.
                    .nextStep("if the subnet stays " + running + ", look for the operation in the activity log of virtual "
                            + "network " + id.virtualNetworkName() + "; nothing to do once it ends")
                    .retryable(true).done());
        }
        Verdict verdict = Rules.decide(before, inventory);
        if ((verdict instanceof Verdict.RouteTableMissing || verdict instanceof Verdict.Conflict) && owner != null) {
            // AKS makes a new cluster's table after the network was listed: neither "missing" nor a look-alike's conflict
            // on a listing older than the write.
            Set<String> networks = ClusterDirectory.networksFor(id, owner);
            ClusterDirectory.Recheck recheck;
            try {
                recheck = directory.recheckNetwork(id.subscriptionId(), networks, out.writtenAt(), until);
                if (recheck.reread()) {
                    try {
                        verdict = Rules.decide(before, directory.current(networks, until));
                    } catch (DeadlineReached e) {
                        throw e;
                    } catch (RuntimeException e) {
                        // the decision on the network known stands
                    }
                }
            } catch (DeadlineReached e) {
                return done(outOfTime(out, "the route tables were being read again", e).cluster(owner)
                        .current(before.routeTable()));
            }
            if (!recheck.unconfirmed().isEmpty() && !(verdict instanceof Verdict.Reassociate || verdict instanceof Verdict.InSync)) {
                StringBuilder which = new StringBuilder();
                recheck.unconfirmed().forEach((sub, why) -> which.append(which.length() == 0 ? "" : ", ").append(sub)
                        .append(" (").append(why).append(')'));
                return done(out.draft(Action.DEFERRED, "the route tables of subscription(s) " + which + " were listed before "
                        + "this write and could not be read again; nothing written, not decided on a listing older than the "
                        + "write: decided once they are read (the retry queue, a later run or the next sweep)")
                        .cluster(owner).current(before.routeTable())
                        .nextStep("none if the failure passes; if it persists, check that subscription").retryable(true));
            }
        }
        if (!(verdict instanceof Verdict.Reassociate fix) || mode == Mode.REPORT) {
            return new Step.Done(out.of(verdict, before.routeTable()));
        }
        Verdict.Reassociate confirmed;
        try {
            Verdict fresh = Rules.decide(before, directory.updateCluster(fix.cluster().id(), until));
            if (!(fresh instanceof Verdict.Reassociate f)) {
                return new Step.Done(out.of(fresh, before.routeTable())); // the cluster changed: decided on what it is now
            }
            if (!f.routeTable().equals(fix.routeTable())) {
                // The cluster changed, and with it the table to put back: neither is written on one read. The directory
                // (which now holds the cluster as read) and its network are read again and the subnet decided afresh.
                return new Step.Refresh(tries -> out.draft(Action.DEFERRED, "cluster " + f.cluster().name() + " changed while "
                        + "the repair was decided (route table " + fix.routeTable().name() + ", then " + f.routeTable().name()
                        + " on reading it again); nothing written, handed on to be tried again")
                        .cluster(f.cluster()).routeTable(f.routeTable()).current(before.routeTable()).retryable(true).done());
            }
            confirmed = f;
        } catch (ArmException e) {
            if (e.kind() == ArmException.Kind.TRANSIENT) {
                return retry(e, attempts -> out.failed("could not confirm cluster " + fix.cluster().name()
                        + " before writing; nothing written: " + e.getMessage()).cluster(fix.cluster())
                        .routeTable(fix.routeTable()).retryable(true).done());
            }
            return done(out.failed("could not confirm cluster " + fix.cluster().name() + " before writing; nothing written: "
                    + e.getMessage()).cluster(fix.cluster()).routeTable(fix.routeTable()).nextStep(nextStepFor(e)));
        } catch (DeadlineReached e) {
            return done(outOfTime(out, "cluster " + fix.cluster().name() + " was to be confirmed before writing", e)
                    .cluster(fix.cluster()).routeTable(fix.routeTable()).current(before.routeTable()));
        } catch (RuntimeException e) {
            return done(out.failed("could not confirm cluster " + fix.cluster().name() + " before writing; nothing written: " + e)
                    .cluster(fix.cluster()).routeTable(fix.routeTable()));
        }
        if (!clock.instant().isBefore(until)) {
            // An invocation that has answered (or a sweep past its budget) starts no write: the retry does it on a fresh read.
            return done(out.draft(Action.DEFERRED, "the time budget ran out before the write; nothing written, handed on to be "
                    + "tried again").cluster(confirmed.cluster()).routeTable(confirmed.routeTable()).current(before.routeTable())
                    .retryable(true));
        }
        return write(out, read, confirmed);
    }

    /**
     * The time budget ran out in a wait for the directory ({@code e}: a sweep's or a background listing of a subscription
     * held it, or a read on another thread had not finished): nothing was read for it, nothing written. Deferred, not
     * failed: the subscription is only busy, and the retry queue or the next sweep decides the subnet on a fresh read.
     *
     * @param waitingFor what the reconcile was waiting for, as a clause ("cluster aks1 was to be confirmed")
     */
    private static Outcomes.Draft outOfTime(Outcomes out, String waitingFor, DeadlineReached e) {
        return out.draft(Action.DEFERRED, "the time budget ran out while " + waitingFor + " (" + e.getMessage()
                + "); nothing written, handed on to be tried again").retryable(true);
    }

    private Step write(Outcomes out, Subnets.Observed read, Verdict.Reassociate fix) {
        ResourceId table = fix.routeTable();
        ResourceId current = read.state().routeTable();
        SubnetState after;
        try {
            after = subnets.associate(read, table);
        } catch (ArmException e) {
            return switch (e.kind()) {
                case PRECONDITION_FAILED -> new Step.Reread(rereads -> out.failed("the subnet changed under the repair " + rereads
                        + " times in a row; nothing written. Something else keeps writing it: " + e.getMessage())
                        .cluster(fix.cluster()).routeTable(table).current(current).retryable(true).done());
                case TRANSIENT -> retry(e, attempts -> contention(e)
                        ? out.draft(Action.DEFERRED, "another operation kept virtual network " + out.subnet().virtualNetworkName()
                                + " busy (" + attempts + (attempts == 1 ? " try" : " tries") + "); nothing written, handed on to be "
                                + "tried again: " + e.getMessage()).cluster(fix.cluster()).routeTable(table).current(current)
                                .retryable(true).done()
                        : out.failed("gave up after " + attempts + " attempts: " + e.getMessage()).cluster(fix.cluster())
                                .routeTable(table).current(current).nextStep(nextStepFor(e)).retryable(true).done());
                case INVALID_REFERENCE -> new Step.Refresh(tries -> out.draft(Action.ROUTE_TABLE_MISSING, "route table "
                        + table.name() + " could not be associated: " + e.getMessage()).cluster(fix.cluster()).routeTable(table)
                        .current(current).nextStep("check that the route table exists; AKS re-creates its table when the cluster "
                                + "is reconciled (az aks update -g " + fix.cluster().id().resourceGroup() + " -n "
                                + fix.cluster().name() + ")").done());
                default -> done(out.failed("could not re-associate route table " + table.name() + ": " + e.getMessage())
                        .cluster(fix.cluster()).routeTable(table).current(current).nextStep(nextStepFor(e)).retryable(laterMayDo(e)));
            };
        } catch (RuntimeException e) {
            return done(out.failed("could not re-associate route table " + table.name() + ": " + e)
                    .cluster(fix.cluster()).routeTable(table).current(current));
        }
        if (!table.equals(after.routeTable())) {
            return done(out.failed("the write succeeded but the subnet carries " + describe(after.routeTable()) + " instead of "
                    + table.name()).cluster(fix.cluster()).routeTable(table).current(current)
                    .nextStep("check the subnet in the portal; something else is writing it").retryable(true));
        }
        return new Step.Done(out.reassociated(fix, current));
    }

    /**
     * Decides one subnet from a listing alone, with no ARM call and no write: what the audit shows, and how the
     * sweep finds the subnets that need a fresh read. A drifted subnet comes back {@link Action#DRIFT_REPORTED}.
     */
    public Outcome assess(SubnetId id, Inventory inventory, Trigger trigger) {
        Outcomes out = new Outcomes(id, mode, trigger, clock);
        GuardedSubscriptions scope = directory.scope();
        if (!scope.contains(id.subscriptionId())) {
            return notGuarded(out, "the node subnet", scope).cluster(ownerOf(id, inventory)).done();
        }
        if (Rules.ownership(id, inventory) instanceof Rules.Ownership.None none) {
            return out.of(none.verdict());
        }
        SubnetState listed = inventory.subnet(id);
        if (listed == null) {
            return out.failed("the node subnet is not among the guarded virtual networks (deleted, or its VNet was re-created "
                    + "without it)").cluster(ownerOf(id, inventory))
                    .nextStep("check the cluster's vnetSubnetID; a node pool cannot run without its subnet").done();
        }
        out.observed(listed);
        return out.of(Rules.decide(listed, inventory), listed.routeTable());
    }

    /**
     * {@link #assess}, except for a conflict that the listing may have made: then the subnet's own GET is decided
     * instead, still with no write. Network RP leaves a subnet's {@code ipConfigurations} out of listings of virtual
     * networks when it has many ("IPConfigurations can be set to nil when the number of ipconfigs exceeds a limit",
     * cilium/cilium#36379; the limit is not documented). A node subnet listed that way shows no node of its cluster, so
     * a table tied to the cluster only by its nodes' route names (the customer's own, outside the node resource group)
     * reads as unconfirmed: a conflict, where a read of the subnet would show the nodes and the drift. So a conflict
     * decided on a listed subnet with no {@code ipConfigurations} costs one GET; a GET that fails or is incomplete makes it
     * {@code failed} (nothing is written), saying what the listing alone showed. No GET starts after {@code deadline}: such
     * a conflict is then {@link Action#DEFERRED} to the next sweep, not reported on the listing alone.
     */
    Outcome assessOrRead(SubnetId id, Inventory inventory, Trigger trigger, Instant deadline) {
        Outcome listed = assess(id, inventory, trigger);
        SubnetState state = inventory.subnet(id);
        if (listed.action() != Action.CONFLICT || state == null || !state.ipConfigurations().isEmpty()
                || !(Rules.ownership(id, inventory) instanceof Rules.Ownership.Guarded)) {
            return listed;
        }
        Outcomes out = new Outcomes(id, mode, trigger, clock);
        if (!clock.instant().isBefore(deadline)) {
            // Not a conflict on the listing alone (it may be the listing's doing), nor a read past the budget: left for the
            // next sweep, which reads the subnet first.
            out.observed(state);
            Verdict.Conflict c = (Verdict.Conflict) Rules.decide(state, inventory);
            return out.draft(Action.DEFERRED, "the listing showed no network interface in the subnet, and the time budget ran "
                    + "out before the subnet itself could be read to see its nodes; not decided on the listing alone ("
                    + c.why() + "); the next sweep reads it").cluster(c.cluster()).routeTable(c.expected())
                    .current(state.routeTable()).retryable(true).done();
        }
        String failed;
        String nextStep = "none if it passes: the next sweep reads the subnet again";
        try {
            Subnets.Observed read = subnets.get(id);
            failed = incomplete(id, read.state());
            if (failed == null) {
                out.observed(read.state());
                return out.of(Rules.decide(read.state(), inventory), read.state().routeTable());
            }
        } catch (ArmException e) {
            failed = e.getMessage();
            nextStep = nextStepFor(e) != null ? nextStepFor(e) : nextStep;
        } catch (RuntimeException e) {
            failed = e.toString();
        }
        // Not decided: the listing's conflict may be the listing's doing. A failure, counted and alerted as one.
        out.observed(state);
        Verdict.Conflict c = (Verdict.Conflict) Rules.decide(state, inventory);
        return out.failed("the listing showed no network interface in the subnet, and reading the subnet itself to see its "
                + "nodes failed: " + failed + "; on the listing alone: " + c.why()).cluster(c.cluster()).routeTable(c.expected())
                .current(state.routeTable()).nextStep(nextStep).retryable(true).done();
    }

    /**
     * A subnet outside the guarded subscriptions: not read or written. While a management group's subscriptions cannot
     * be discovered again, its subscription may have been moved into the group since the list was made: then the
     * failure is the discovery's, retried when that is transient, and not a subscription to add.
     */
    private static Outcomes.Draft notGuarded(Outcomes out, String what, GuardedSubscriptions scope) {
        String subscription = out.subnet().subscriptionId();
        ArmException stale = scope.problem();
        if (stale != null) {
            return out.failed(what + " is in subscription " + subscription + ", which was not among " + scope.describe()
                    + " when last discovered, and discovering them again failed: " + stale.getMessage() + "; not read or written")
                    .nextStep(nextStepFor(stale)).retryable(stale.kind() == ArmException.Kind.TRANSIENT);
        }
        return out.failed(what + " is in subscription " + subscription + ", which this guard does not guard (it guards "
                + scope.describe() + "); not read or written").nextStep(scope.howToCover(subscription));
    }

    /** A subnet of {@code cluster} the sweep or audit could not decide, with why. */
    Outcome assessFailed(SubnetId id, Cluster cluster, String message, Trigger trigger) {
        return new Outcomes(id, mode, trigger, clock).failed(message).cluster(cluster.isKubenet() ? cluster : null).retryable(true).done();
    }

    /**
     * The subnet's {@code provisioningState} when it says that an operation on the subnet or its virtual network is still
     * running (anything but the terminal {@code Succeeded}, {@code Failed} and {@code Canceled}; none at all means
     * {@code Succeeded}: Azure/azure-resource-manager-rpc, {@code v1.0/async-api-reference.md}, "ProvisioningState
     * property"), else null. Such a read is waited out, like a 409 {@code AnotherOperationInProgress}, and never acted on:
     * <ul>
     *   <li>a write now would not wait for that operation: Network RP may accept it and end the running one
     *       {@code Canceled} ({@code CanceledAndSupersededDueToAnotherOperation}), so the customer's IaC deployment
     *       fails because of the guard (docs/emulator.md, "long-running operations", gives the sources);</li>
     *   <li>what the read shows is not settled: a GET during the operation answers what the write will make, and a
     *       failed update may be reverted to what was there before (async-api-reference.md, "Creating/Updating using
     *       PUT", steps 2 and 5).</li>
     * </ul>
     * {@code Failed} is terminal: a PUT is how a failed subnet is put right, and the guard's write is decided on it as
     * read.
     */
    static @Nullable String operationRunning(SubnetState read) {
        String state = read.provisioningState();
        if (state == null || state.isBlank()) {
            return null;
        }
        return switch (state.toLowerCase(Locale.ROOT)) {
            case "succeeded", "failed", "canceled" -> null;
            default -> state;
        };
    }

    /** Why a read cannot be acted on, or null when it can: what a PUT would send back must be the whole subnet. */
    static @Nullable String incomplete(SubnetId asked, SubnetState read) {
        if (!asked.equals(read.id())) {
            return "ARM answered for " + read.id() + " instead of " + asked;
        }
        if (read.addressPrefixes().isEmpty()) {
            return "the subnet came back without an address prefix";
        }
        if (read.etag() == null || read.etag().isBlank()) {
            return "the subnet came back without an etag";
        }
        return null;
    }

    private static Step done(Outcomes.Draft draft) {
        return new Step.Done(draft.done());
    }

    private static Step retry(ArmException e, Step.GiveUp giveUp) {
        return new Step.Retry(e.retryAfter(), contention(e), giveUp);
    }

    /**
     * An answer that could not be trusted, or an operation still running at its deadline: not retried at once, but a
     * later fresh read (the retry queue, the next sweep) may well succeed.
     */
    private static boolean laterMayDo(ArmException e) {
        return e.kind() == ArmException.Kind.INVALID_RESPONSE || e.kind() == ArmException.Kind.DEADLINE_EXCEEDED;
    }

    /** Another writer in the same virtual network, to be waited out ({@link ArmException#anotherOperation()}). */
    static boolean contention(ArmException e) {
        return e.kind() == ArmException.Kind.TRANSIENT && e.anotherOperation();
    }

    private static @Nullable Cluster ownerOf(SubnetId id, Inventory inventory) {
        return inventory.clustersUsing(id).stream().filter(Cluster::isKubenet).findFirst().orElse(null);
    }

    /**
     * The actions of a Virtual Network Manager IPAM pool (lower case), which a subnet write allocated from one may be
     * refused for on the pool: deliberately not in the guard's role (infra/modules/contract.bicep).
     */
    private static final String IPAM_POOL_ACTIONS = "microsoft.network/networkmanagers/ipampools/";

    /** What a person should do about a failed call, when the error says. */
    static @Nullable String nextStepFor(ArmException e) {
        return switch (e.kind()) {
            case FORBIDDEN -> e.missingAction() != null && e.missingAction().toLowerCase(Locale.ROOT).startsWith(IPAM_POOL_ACTIONS)
                    ? "grant the guard's identity " + e.missingAction() + " on the IPAM pool the error names: the "
                            + "aks-route-guard role in infra/ does not carry it, as the pool often sits in another team's "
                            + "subscription (a custom role with only this action, assigned at the pool; docs/deploy.md, "
                            + "\"Assumptions still unverified\", item 6), then the next sweep repairs the subnet"
                    : e.missingAction() != null
                    ? "grant the guard's identity " + e.missingAction() + " at the scope the error names (the aks-route-guard "
                            + "role in infra/ holds the actions a repair needs; docs/deploy.md lists them), then the next sweep "
                            + "repairs the subnet"
                    : "grant the guard's identity the aks-route-guard role (infra/) at subscription scope";
            case TRANSIENT -> "none: transient; the work is tried again (retry queue, redelivery or the next sweep)";
            case NOT_FOUND -> "none if the resource was deleted on purpose";
            case DEADLINE_EXCEEDED -> "none: the operation may still finish; the retry queue or the next sweep reads the subnet "
                    + "again";
            case INVALID_RESPONSE -> "none if it passes (the subnet is read again later); if it persists, ARM's answer for this "
                    + "resource cannot be trusted: report it";
            default -> null;
        };
    }

    private static String describe(@Nullable ResourceId table) {
        return table == null ? "no route table" : table.name();
    }
}
