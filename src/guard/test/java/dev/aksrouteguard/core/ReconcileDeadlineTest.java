package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.NodePool;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.core.port.InventorySource;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A reconcile with a deadline never waits past it for the directory: while another read of a subscription (a sweep's
 * listing, held open here by a latch until the test releases it) holds what the reconcile needs, the reconcile ends
 * {@code deferred} by its deadline, with nothing written and no ARM read made for it. Before, each of these waits lasted
 * as long as the listing did (up to its 2-minute bound). The listing is released only after the outcome is in: a
 * reconcile that waited for it would not return, and {@link Future#get(long, TimeUnit)}'s generous bound is only a
 * safety net that fails the test instead of hanging it.
 */
class ReconcileDeadlineTest {

    static final SubnetId NODES = RulesTest.NODES;
    static final SubnetId PLAIN = RulesTest.PLAIN;
    static final Duration BUDGET = Duration.ofMillis(1500);
    static final long SAFETY_NET_SECONDS = 30;

    final TestClock clock = TestClock.system();
    final Backoff backoff = new Backoff(4, Duration.ofSeconds(1), Duration.ofSeconds(8), d -> {});
    final InMemorySubnets subnets = new InMemorySubnets();
    final ExecutorService threads = Executors.newCachedThreadPool();
    /** Released after each test (and in {@link #releaseListings}): no listing stays held by a failed test. */
    final CountDownLatch release = new CountDownLatch(1);

    /**
     * A subscription's list calls over {@code world}; while {@link #hold} is set, its clusters listing (or its network
     * listing, with {@link #holdNetwork}) waits for {@link #release}, counting down {@link #entered} first.
     */
    final class HeldSource implements InventorySource {
        final Supplier<Inventory> world;
        final CountDownLatch entered = new CountDownLatch(1);
        final AtomicInteger clusterGets = new AtomicInteger();
        volatile boolean hold;
        volatile boolean holdNetwork;

        HeldSource(Supplier<Inventory> world) {
            this.world = world;
        }

        private void maybeHold(boolean held) {
            if (held) {
                entered.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS); // a bound, so that a broken test fails instead of hanging
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public List<Cluster> clusters() {
            maybeHold(hold);
            return world.get().clusters();
        }

        @Override
        public Optional<Cluster> cluster(ResourceId id) {
            clusterGets.incrementAndGet();
            return Optional.ofNullable(world.get().cluster(id));
        }

        @Override
        public Network network() {
            maybeHold(holdNetwork);
            Inventory i = world.get();
            return new Network(i.routeTables(), List.copyOf(i.subnets()));
        }
    }

    @AfterEach
    void releaseListings() {
        release.countDown();
        threads.shutdownNow();
    }

    Reconciler reconciler(ClusterDirectory directory) {
        return new Reconciler(subnets, directory, Mode.ENFORCE, clock, backoff, () -> 1.0);
    }

    /** A sweep's listing of {@code subscription}, started on another thread and held open in its clusters listing. */
    void holdListing(ClusterDirectory directory, String subscription, HeldSource source) throws InterruptedException {
        source.hold = true;
        threads.submit(() -> directory.refresh(subscription));
        assertTrue(source.entered.await(10, TimeUnit.SECONDS), "the sweep's listing started and holds the subscription");
    }

    /** Reconciles {@code subnet} on another thread with {@link #BUDGET}, returning before the listing is released. */
    Outcome reconcileWhileHeld(Reconciler r, SubnetId subnet, Trigger trigger) throws Exception {
        Future<Outcome> o = threads.submit(() -> r.reconcile(subnet, trigger, clock.instant().plus(BUDGET)));
        Outcome outcome = o.get(SAFETY_NET_SECONDS, TimeUnit.SECONDS); // before the fix: waits for the release, and times out
        assertEquals(1, release.getCount(), "answered while the listing is still held");
        return outcome;
    }

    static Trigger eventAt(Instant when) {
        return new Trigger.Event(new ArmWrite("e1", "Microsoft.Network/virtualNetworks/write", NODES.virtualNetwork(), when, null,
                new Actor("sp-release", "70a21af4-f749-3bc1-9a80-84ab5563d21d", "10.1.2.3")));
    }

    @Test
    void aRepairWhoseClusterCannotBeConfirmedBeforeTheDeadlineIsDeferredWithNothingWritten() throws Exception {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        HeldSource source = new HeldSource(w::inventory);
        ClusterDirectory directory = ClusterDirectory.of(World.SUB, source, clock, ClusterDirectory.DEFAULT_TTL);
        directory.refresh(); // warm: the reconcile needs no listing until it confirms the cluster
        holdListing(directory, World.SUB, source);

        Outcome o = reconcileWhileHeld(reconciler(directory), NODES, new Trigger.Manual("test"));

        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.retryable(), o.toString());
        assertTrue(o.message().contains("cluster aks1 was to be confirmed before writing")
                && o.message().contains("subscription " + World.SUB) && o.message().contains("nothing written"), o.message());
        assertEquals(List.of("GET nodes"), subnets.calls, "the subnet read, nothing written");
        assertEquals(0, source.clusterGets.get(), "the cluster was not read after the deadline");
        assertTrue(directory.unreadable().isEmpty(), "a busy subscription is not an unreadable one: " + directory.unreadable());
    }

    @Test
    void aReconcileWhoseStaleSubscriptionIsBeingListedIsDeferredAtTheDeadline() throws Exception {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        HeldSource source = new HeldSource(w::inventory);
        ClusterDirectory directory = ClusterDirectory.of(World.SUB, source, clock, ClusterDirectory.DEFAULT_TTL);
        directory.refresh();
        clock.advance(ClusterDirectory.DEFAULT_TTL.plusMinutes(1)); // stale: the reconcile must read its clusters first
        holdListing(directory, World.SUB, source);

        Outcome o = reconcileWhileHeld(reconciler(directory), NODES, new Trigger.Manual("test"));

        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.message().contains("the clusters and route tables were being read"), o.message());
        assertTrue(subnets.calls.isEmpty(), "nothing read or written: " + subnets.calls);
    }

    @Test
    void anEventWhoseSubscriptionMustBeListedAgainIsDeferredAtTheDeadlineNotIgnored() throws Exception {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        HeldSource source = new HeldSource(w::inventory);
        ClusterDirectory directory = ClusterDirectory.of(World.SUB, source, clock, ClusterDirectory.DEFAULT_TTL);
        directory.refresh();
        clock.advance(Duration.ofMinutes(1)); // fresh, but older than the write and than the re-read floor
        Trigger write = eventAt(clock.instant());
        holdListing(directory, World.SUB, source);

        Outcome o = reconcileWhileHeld(reconciler(directory), PLAIN, write);

        assertEquals(Action.DEFERRED, o.action(), "not ignored on a listing older than the write: " + o.message());
        assertTrue(o.message().contains("subscription " + World.SUB), o.message());
        assertTrue(subnets.calls.isEmpty(), subnets.calls.toString());
    }

    @Test
    void aReadOfAnotherSubscriptionsNetworkOnTheAskedPoolIsNotWaitedForPastTheDeadline() throws Exception {
        // aks1 lives in OTHER_SUB and uses NODES in SUB: deciding NODES needs both subscriptions' networks, read side by
        // side on the directory's pool; OTHER_SUB's network listing is held open.
        String other = RulesTest.OTHER_SUB;
        Cluster aks1 = new Cluster(ResourceId.parse("/subscriptions/" + other
                + "/resourceGroups/rg-app/providers/Microsoft.ContainerService/managedClusters/aks1"), "kubenet", null, "Succeeded",
                List.of("10.244.0.0/16"), "MC_rg-app_aks1_westeurope", List.of(new NodePool("nodepool1", NODES)), Map.of());
        World sub = RulesTest.base();
        sub.clusters.clear();
        subnets.put(sub.subnets.get(NODES));
        Inventory ofOther = new Inventory(List.of(aks1), List.of(), List.of(), World.T0);
        HeldSource mine = new HeldSource(sub::inventory);
        HeldSource theirs = new HeldSource(() -> ofOther);
        ClusterDirectory directory = new ClusterDirectory(GuardedSubscriptions.fixed(List.of(World.SUB, other),
                "AZURE_SUBSCRIPTION_IDS"), s -> s.equalsIgnoreCase(other) ? theirs : mine, clock, ClusterDirectory.DEFAULT_TTL,
                true, warning -> {});
        directory.refresh();
        clock.advance(Duration.ofMinutes(6));
        ClusterDirectory.Recheck reread = directory.recheckClusters(World.SUB, clock.instant()); // clusters read again now
        assertTrue(reread.reread() && reread.unconfirmed().isEmpty(), reread.toString());
        clock.advance(Duration.ofMinutes(5)); // both networks stale, both clusters parts fresh
        theirs.holdNetwork = true;

        Outcome o = reconcileWhileHeld(reconciler(directory), NODES, new Trigger.Manual("test"));

        assertTrue(theirs.entered.await(10, TimeUnit.SECONDS), "the held listing was started");
        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.message().contains("route tables and subnets of subscription " + other), o.message());
        assertTrue(subnets.calls.isEmpty(), subnets.calls.toString());
    }
}
