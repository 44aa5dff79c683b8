package dev.aksrouteguard.core;

import static dev.aksrouteguard.core.World.pools;
import static dev.aksrouteguard.core.World.routes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.InventorySource;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The reconcile loop against in-memory subnets: what it writes, how often, and what it reports. */
class ReconcilerTest {

    static final SubnetId NODES = RulesTest.NODES;
    static final SubnetId PLAIN = RulesTest.PLAIN;
    static final SubnetId NODES2 = RulesTest.NODES2;
    static final ResourceId MC_TABLE = RulesTest.MC_TABLE;
    static final Trigger MANUAL = new Trigger.Manual("test");

    final Clock clock = Clock.fixed(World.T0, ZoneOffset.UTC);
    final List<Duration> slept = new ArrayList<>();
    final Backoff backoff = new Backoff(4, Duration.ofSeconds(1), Duration.ofSeconds(8), slept::add);
    final InMemorySubnets subnets = new InMemorySubnets();
    CountingSource source;

    Reconciler reconciler(Mode mode, Supplier<Inventory> inventory) {
        source = new CountingSource(inventory);
        return new Reconciler(subnets, ClusterDirectory.of(World.SUB, source, clock, Duration.ofMinutes(10)),
                mode, clock, backoff, () -> 1.0);
    }

    Reconciler enforce() {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        return reconciler(Mode.ENFORCE, w::inventory);
    }

    @Test
    void reAssociatesADriftedSubnetWithOneReadAndOneWrite() {
        Outcome o = enforce().reconcile(NODES, MANUAL);
        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(MC_TABLE, subnets.state(NODES).routeTable());
        assertEquals(List.of("GET nodes", "PUT nodes aks-agentpool-12345678-routetable"), subnets.calls);
        assertNull(o.previousRouteTable());
        assertEquals(MC_TABLE, o.routeTable());
        assertEquals("aks1", o.cluster().name());
        assertEquals(List.of("nodepool1"), o.nodePools());
        assertTrue(o.message().contains("aks-agentpool-12345678-routetable"), o.message());
    }

    @Test
    void itsOwnWriteComesBackInSyncWithoutAnotherWrite() {
        Reconciler r = enforce();
        r.reconcile(NODES, MANUAL);
        Outcome replay = r.reconcile(NODES, MANUAL);
        assertEquals(Action.IN_SYNC, replay.action());
        assertEquals(1, subnets.puts());
    }

    @Test
    void reportModeDecidesAndWritesNothing() {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        Outcome o = reconciler(Mode.REPORT, w::inventory).reconcile(NODES, MANUAL);
        assertEquals(Action.DRIFT_REPORTED, o.action());
        assertEquals(0, subnets.puts());
        assertNull(subnets.state(NODES).routeTable());
        assertNotNull(o.nextStep());
    }

    @Test
    void aSubnetThatIsNotAKubenetNodeSubnetCostsNoSubnetRead() {
        Outcome o = enforce().reconcile(PLAIN, MANUAL);
        assertEquals(Action.IGNORED, o.action());
        assertTrue(subnets.calls.isEmpty(), subnets.calls.toString());
    }

    @Test
    void aSubnetThatIsNotANodeSubnetNeedsOnlyTheClusters() {
        Reconciler r = enforce();
        r.reconcile(PLAIN, MANUAL);
        r.reconcile(PLAIN, MANUAL);
        assertEquals(1, source.clusterReads.get());
        assertEquals(0, source.networkReads.get(), "route tables and VNets are not listed for a subnet no cluster uses");
    }

    @Test
    void theDirectoryIsReadOnceWhileFresh() {
        Reconciler r = enforce();
        r.reconcile(PLAIN, MANUAL);
        r.reconcile(NODES, MANUAL);
        r.reconcile(NODES, MANUAL);
        assertEquals(1, source.clusterReads.get());
        assertEquals(1, source.networkReads.get());
    }

    @Test
    void aChangeUnderTheWriteIsReReadAndDecidedAgain() {
        Reconciler r = enforce();
        ResourceId firewall = World.table("rg-net", "rt-firewall");
        subnets.beforePut = () -> subnets.put(new SubnetState(NODES, List.of("10.0.0.0/22"), firewall, null, null));
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.CONFLICT, o.action(), o.message());
        assertEquals(firewall, subnets.state(NODES).routeTable(), "the customer's table stays");
        assertEquals(List.of("GET nodes", "PUT nodes aks-agentpool-12345678-routetable", "GET nodes"), subnets.calls);
    }

    @Test
    void aPreconditionFailureWithTheSameDriftIsRepairedOnTheFreshEtag() {
        Reconciler r = enforce();
        subnets.beforePut = () -> subnets.put(new SubnetState(NODES, List.of("10.0.0.0/22"), null, null, null));
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(2, subnets.puts());
        assertTrue(slept.isEmpty(), "a 412 is re-read at once");
    }

    @Test
    void anotherOperationInProgressIsRiddenOutHonouringRetryAfter() {
        Reconciler r = enforce();
        subnets.failPut(InMemorySubnets.transientError(409, "AnotherOperationInProgress"))
                .failPut(InMemorySubnets.transientError(429, "RetryableError"));
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(3, subnets.puts());
        assertEquals(List.of(Duration.ofSeconds(3), Duration.ofSeconds(3)), slept, "Retry-After (3 s) beats the 1 s and 2 s backoff");
    }

    @Test
    void aPersistentTransientFailureGivesUpAfterBoundedAttemptsAndAsksForRedelivery() {
        Reconciler r = enforce();
        for (int i = 0; i < 10; i++) {
            subnets.failPut(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        }
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.retryable());
        assertEquals(4, subnets.puts());
        assertTrue(o.message().contains("gave up after 4 attempts"), o.message());
    }

    @Test
    void aMissingPermissionFailsOnceAndNamesThePermission() {
        Reconciler r = enforce();
        subnets.failPut(new ArmException(ArmException.Kind.FORBIDDEN, 403, "LinkedAuthorizationFailed", "PUT subnet nodes failed: denied",
                null, "Microsoft.Network/routeTables/join/action", null));
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.FAILED, o.action());
        assertFalse(o.retryable());
        assertEquals(1, subnets.puts());
        assertTrue(o.nextStep().contains("Microsoft.Network/routeTables/join/action"), o.nextStep());
    }

    @Test
    void aRouteTableThatVanishedIsReportedMissingAfterOneFreshLook() {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        Reconciler r = reconciler(Mode.ENFORCE, w::inventory);
        subnets.failPut(new ArmException(ArmException.Kind.INVALID_REFERENCE, 400, "InvalidResourceReference", "not found", null, null, null))
                .failPut(new ArmException(ArmException.Kind.INVALID_REFERENCE, 400, "InvalidResourceReference", "not found", null, null, null));
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.ROUTE_TABLE_MISSING, o.action(), o.message());
        assertEquals(2, source.networkReads.get(), "the directory was refreshed once");
        assertEquals(2, subnets.puts());
    }

    @Test
    void aVanishedTableIsLookedForAgainInTheClustersSubscriptionToo() {
        String other = "00000000-0000-0000-0000-000000000002";
        World network = new World().subnetState(NODES, "10.0.0.0/22", null); // the VNet, in World.SUB
        ResourceId table = ResourceId.parse("/subscriptions/" + other
                + "/resourceGroups/MC_rg-app_aks1_westeurope/providers/Microsoft.Network/routeTables/aks-agentpool-1-routetable");
        dev.aksrouteguard.core.model.Cluster aks1 = new dev.aksrouteguard.core.model.Cluster(
                ResourceId.parse("/subscriptions/" + other + "/resourceGroups/rg-app/providers/Microsoft.ContainerService/managedClusters/aks1"),
                "kubenet", null, "Succeeded", List.of("10.244.0.0/16"), "MC_rg-app_aks1_westeurope",
                List.of(new dev.aksrouteguard.core.model.NodePool("nodepool1", NODES)), java.util.Map.of());
        CountingSource here = new CountingSource(network::inventory);
        CountingSource there = new CountingSource(() -> new Inventory(List.of(aks1),
                List.of(new dev.aksrouteguard.core.model.RouteTable(table, List.of(), List.of())), List.of(), World.T0));
        subnets.put(network.subnets.get(NODES));
        subnets.failPut(new ArmException(ArmException.Kind.INVALID_REFERENCE, 400, "InvalidResourceReference", "not found", null, null, null))
                .failPut(new ArmException(ArmException.Kind.INVALID_REFERENCE, 400, "InvalidResourceReference", "not found", null, null, null));
        Reconciler r = new Reconciler(subnets, new ClusterDirectory(
                dev.aksrouteguard.core.port.GuardedSubscriptions.fixed(List.of(World.SUB, other), "AZURE_SUBSCRIPTION_IDS"),
                s -> s.equalsIgnoreCase(other) ? there : here, clock, Duration.ofMinutes(10), false), Mode.ENFORCE, clock, backoff, () -> 1.0);

        Outcome o = r.reconcile(NODES, MANUAL);

        assertEquals(Action.ROUTE_TABLE_MISSING, o.action(), o.message());
        assertEquals(2, there.networkReads.get(), "the table's subscription was read again, not only the subnet's");
        assertEquals(2, here.networkReads.get());
    }

    @Test
    void aDeletedSubnetIsAFailureThatSaysSo() {
        World w = RulesTest.base();
        Outcome o = reconciler(Mode.ENFORCE, w::inventory).reconcile(NODES, MANUAL);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.message().contains("no longer exists"), o.message());
    }

    @Test
    void anUnreadableSubscriptionIsAFailedOutcomeNotAnException() {
        InventorySource broken = CountingSource.failing(
                new ArmException(ArmException.Kind.TRANSIENT, 503, "ServiceUnavailable", "list failed", null, null, null));
        Reconciler r = new Reconciler(subnets, ClusterDirectory.of(World.SUB, broken, clock, Duration.ofMinutes(1)),
                Mode.ENFORCE, clock, backoff, () -> 1.0);
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.retryable());
    }

    @Test
    void assessDecidesFromTheListingWithoutAnyCall() {
        World w = RulesTest.base();
        Reconciler r = reconciler(Mode.ENFORCE, w::inventory);
        Outcome o = r.assess(NODES, w.inventory(), MANUAL);
        assertEquals(Action.DRIFT_REPORTED, o.action());
        assertTrue(subnets.calls.isEmpty());
        assertEquals(0, source.reads());
    }

    @Test
    void assessReportsANodeSubnetMissingFromTheListing() {
        World w = new World().kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                .table("MC_rg-app_aks1_westeurope", "aks-agentpool-1-routetable", routes());
        Outcome o = reconciler(Mode.ENFORCE, w::inventory).assess(NODES, w.inventory(), MANUAL);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.message().contains("not among"), o.message());
    }

    // ---- stale directory: the owner is confirmed fresh before any write ----------------------------------------

    record Change(String sentence, java.util.function.Consumer<World> change, Action expected) {
        @Override
        public String toString() {
            return sentence;
        }
    }

    static List<Change> ownerChanges() {
        return List.of(
                new Change("a cluster migrated to Azure CNI overlay since the directory was read is not written",
                        w -> w.cluster("aks1", "rg-app", "azure", "overlay", "Succeeded", "10.244.0.0/16", pools("nodepool1", NODES),
                                java.util.Map.of()), Action.IGNORED),
                new Change("a cluster tagged to be ignored since the directory was read is not written",
                        w -> w.cluster("aks1", "rg-app", "kubenet", null, "Succeeded", "10.244.0.0/16", pools("nodepool1", NODES),
                                java.util.Map.of("aks-route-guard", "ignore")), Action.IGNORED),
                new Change("a cluster being deleted since the directory was read is not written",
                        w -> w.cluster("aks1", "rg-app", "kubenet", null, "Deleting", "10.244.0.0/16", pools("nodepool1", NODES),
                                java.util.Map.of()), Action.IGNORED),
                new Change("a cluster that moved its pool to another subnet is not written",
                        w -> w.kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", World.subnet("rg-app", "vnet-app", "other"))),
                        Action.IGNORED),
                new Change("a cluster deleted since the directory was read is not written",
                        w -> w.clusters.remove("aks1"), Action.IGNORED),
                new Change("a cluster unchanged since the directory was read is repaired",
                        w -> { }, Action.REASSOCIATED));
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("ownerChanges")
    void theOwningClusterIsConfirmedFreshBeforeAnyWrite(Change c) {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        Reconciler r = reconciler(Mode.ENFORCE, w::inventory);
        r.reconcile(PLAIN, MANUAL); // the clusters part of the directory is now warm, and stays so for its TTL
        c.change().accept(w);
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(c.expected(), o.action(), o.message());
        assertEquals(c.expected() == Action.REASSOCIATED ? 1 : 0, subnets.puts(), c.sentence());
        assertEquals(1, source.clusterGets.get(), "one fresh GET of the cluster before deciding to write");
    }

    /**
     * aks1 with a node pool in NODES and no AKS-made table; two customer tables carry routes into its pods via NODES, rt-a
     * named after nodes of a pool nodepool1, rt-b after nodes of a pool pool9: which one is aks1's follows its pool.
     */
    static World twoPoolPlans() {
        return new World()
                .subnetState(NODES, "10.0.0.0/22", null)
                .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                .table("rg-net", "rt-a", routes("aks-nodepool1-12345678-vmss000000", "10.244.0.0/24>10.0.0.4"))
                .table("rg-net", "rt-b", routes("aks-pool9-12345678-vmss000000", "10.244.1.0/24>10.0.0.5"));
    }

    @Test
    void aClusterWhoseTableChangedIsDecidedAgainOnAFreshDirectoryBeforeAnyWrite() {
        World w = twoPoolPlans();
        subnets.put(w.subnets.get(NODES));
        Reconciler r = reconciler(Mode.ENFORCE, w::inventory);
        r.reconcile(PLAIN, MANUAL); // the directory knows aks1 with its pool nodepool1: rt-a is its table
        w.kubenet("aks1", "rg-app", "10.244.0.0/16", pools("pool9", NODES)); // now its pool is pool9: rt-b
        int networkReads = source.networkReads.get();

        Outcome o = r.reconcile(NODES, MANUAL);

        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(World.table("rg-net", "rt-b"), subnets.state(NODES).routeTable(), "the table of the cluster as it is now");
        assertEquals(1, subnets.puts(), "one write, after two decisions that agree");
        assertEquals(2, source.clusterGets.get(), "the cluster read fresh before each decision to write");
        assertTrue(source.networkReads.get() > networkReads, "the network was read again");
    }

    @Test
    void aClusterThatKeepsChangingItsTableIsHandedOnNotWritten() {
        World w = twoPoolPlans();
        subnets.put(w.subnets.get(NODES));
        java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();
        InventorySource flipping = new InventorySource() {
            @Override
            public List<dev.aksrouteguard.core.model.Cluster> clusters() {
                return w.inventory().clusters();
            }

            @Override
            public java.util.Optional<dev.aksrouteguard.core.model.Cluster> cluster(ResourceId id) {
                // every fresh read finds the cluster's pool renamed the other way
                w.kubenet("aks1", "rg-app", "10.244.0.0/16", pools(gets.incrementAndGet() % 2 == 1 ? "pool9" : "nodepool1", NODES));
                return java.util.Optional.of(w.inventory().cluster(id));
            }

            @Override
            public Network network() {
                Inventory i = w.inventory();
                return new Network(i.routeTables(), List.copyOf(i.subnets()));
            }
        };
        Reconciler r = new Reconciler(subnets, ClusterDirectory.of(World.SUB, flipping, clock, Duration.ofMinutes(10)),
                Mode.ENFORCE, clock, backoff, () -> 1.0);

        Outcome o = r.reconcile(NODES, MANUAL);

        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.retryable(), "handed on to the retry queue");
        assertTrue(o.message().contains("changed while the repair was decided"), o.message());
        assertEquals(2, gets.get(), "decided twice, on two fresh reads of the cluster");
        assertEquals(0, subnets.puts(), "nothing written while the cluster does not hold still");
    }

    @Test
    void anInSyncSubnetCostsNoClusterRead() {
        World w = RulesTest.base();
        subnets.put(new SubnetState(NODES, List.of("10.0.0.0/22"), MC_TABLE, null, null));
        Outcome o = reconciler(Mode.ENFORCE, w::inventory).reconcile(NODES, MANUAL);
        assertEquals(Action.IN_SYNC, o.action());
        assertEquals(0, source.clusterGets.get());
    }

    // ---- incomplete reads are never acted on -----------------------------------------------------------------

    static List<Object[]> brokenReads() {
        return List.of(
                new Object[] {"no address prefix", new SubnetState(NODES, List.of(), null, "W/\"9\"", "Succeeded"), "without an address prefix"},
                new Object[] {"no etag", new SubnetState(NODES, List.of("10.0.0.0/22"), null, null, "Succeeded"), "without an etag"},
                new Object[] {"another subnet's ID", new SubnetState(NODES2, List.of("10.0.0.0/22"), null, "W/\"9\"", "Succeeded"),
                        "instead of"});
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "a read with {0} is failed and never written")
    @org.junit.jupiter.params.provider.MethodSource("brokenReads")
    void anIncompleteReadIsNeverWritten(String what, SubnetState broken, String says) {
        Reconciler r = enforce();
        subnets.nextRead = broken;
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.FAILED, o.action(), o.message());
        assertTrue(o.message().startsWith("incomplete read; not writing"), o.message());
        assertTrue(o.message().contains(says), o.message());
        assertEquals(0, subnets.puts());
    }

    // ---- a subnet read while an operation runs on it ---------------------------------------------------------

    /**
     * Only Succeeded, Failed and Canceled are terminal (Azure/azure-resource-manager-rpc, v1.0/async-api-reference.md,
     * "ProvisioningState property"), in whatever letter case; any other value, Network RP's Updating and Deleting or
     * one it has never been seen to send, is an operation still running: waited out, never decided on nor written over.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Updating", "updating", "UPDATING", "Deleting", "Creating",
            "Migrating", "Accepted"})
    void aSubnetReadWithANonTerminalProvisioningStateIsDeferredWithNothingWritten(String state) {
        Reconciler r = enforce();
        subnets.provisioningState(NODES, state);
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.message().startsWith("the subnet read provisioningState " + state + " on the last of "
                + backoff.forContention().maxAttempts() + " reads that found an operation running: "), o.message());
        assertEquals(0, subnets.puts());
        assertEquals(backoff.forContention().maxAttempts(), subnets.calls.size(), "read again after each contention wait");
        assertEquals(Duration.ofSeconds(2), slept.get(0), "waited out like a 409");
    }

    /**
     * The deferral counts the reads that found an operation running, not every contention retry of the reconcile: here
     * the first write is answered 409 (and the subnet is Updating from then on), so of the contention budget's tries one
     * was a write, and the text must not claim that many Updating reads.
     */
    @Test
    void aDeferralForAnOperationRunningCountsOnlyTheReadsThatFoundIt() {
        Reconciler r = enforce();
        subnets.beforePut = () -> subnets.provisioningState(NODES, "Updating");
        subnets.failPut(InMemorySubnets.transientError(409, "AnotherOperationInProgress"));
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.DEFERRED, o.action(), o.message());
        int updatingReads = backoff.forContention().maxAttempts() - 1; // the first read was Succeeded; one try was the 409
        assertEquals(updatingReads + 1, subnets.calls.stream().filter(c -> c.startsWith("GET")).count(), subnets.calls.toString());
        assertTrue(o.message().startsWith("the subnet read provisioningState Updating on the last of " + updatingReads
                + " reads that found an operation running: "), o.message());
        assertEquals(1, subnets.puts());
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "provisioningState ''{0}''")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"Succeeded", "SUCCEEDED", "succeeded", "Failed", "failed",
            "Canceled", ""})
    void aSubnetReadWithATerminalProvisioningStateIsDecidedAndRepaired(String state) {
        Reconciler r = enforce();
        subnets.provisioningState(NODES, state);
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.REASSOCIATED, o.action(), o.message());
        assertEquals(1, subnets.puts());
    }

    /**
     * A subnet that stays Updating past the retry queue's last try is alerted as failed: the alert must say where to
     * look (the step of a deferral that starts "none" is left out of a given-up outcome).
     */
    @Test
    void aSubnetThatStaysUpdatingGivenUpSaysWhereToLook() {
        Reconciler r = enforce();
        subnets.provisioningState(NODES, "Updating");
        Outcome deferred = r.reconcile(NODES, MANUAL);
        Outcome gaveUp = deferred.gaveUp("gave up after 5 tries: " + Retries.withoutHandOn(deferred.message()));
        assertEquals(Action.FAILED, gaveUp.action());
        assertTrue(gaveUp.nextStep().contains("look for the operation in the activity log of virtual network "
                + NODES.virtualNetworkName()), gaveUp.nextStep());
    }

    // ---- contention and deadlines ----------------------------------------------------------------------------

    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"AnotherOperationInProgress", "CanceledAndSupersededDueToAnotherOperation"})
    void lastingContentionInTheVnetIsDeferredNotFailed(String code) {
        Reconciler r = enforce();
        for (int i = 0; i < 20; i++) {
            subnets.failPut(new ArmException(ArmException.Kind.TRANSIENT, 409, code, "busy", null, null, null));
        }
        Outcome o = r.reconcile(NODES, MANUAL);
        assertEquals(Action.DEFERRED, o.action(), o.message());
        assertTrue(o.retryable(), "handed on to be tried again");
        assertEquals(backoff.forContention().maxAttempts(), subnets.puts());
        assertEquals(Duration.ofSeconds(2), slept.get(0), "contention waits twice the transient backoff");
        assertNull(subnets.state(NODES).routeTable(), "nothing written");
    }

    /**
     * The production jitter (the constructor without one), over many contended reconciles: every contention wait is its
     * nominal wait times a factor in the documented [0.75, 1.25), and the factors spread across that range, so that
     * competing processes do not retry in step. (With 500 uniform factors, none below 0.85 or none above 1.15 would
     * happen with a probability under 0.7^500.)
     */
    @Test
    void contentionWaitsAreJitteredWithinTheDocumentedRange() {
        World w = RulesTest.base();
        subnets.put(w.subnets.get(NODES));
        Reconciler r = new Reconciler(subnets, ClusterDirectory.of(World.SUB, new CountingSource(w::inventory), clock,
                Duration.ofMinutes(10)), Mode.ENFORCE, clock, backoff);
        Backoff contention = backoff.forContention();
        List<Double> factors = new ArrayList<>();
        for (int reconcile = 0; reconcile < 100; reconcile++) {
            for (int i = 0; i < contention.maxAttempts(); i++) {
                subnets.failPut(new ArmException(ArmException.Kind.TRANSIENT, 409, "AnotherOperationInProgress", "busy", null, null,
                        null));
            }
            slept.clear();

            assertEquals(Action.DEFERRED, r.reconcile(NODES, MANUAL).action());

            assertEquals(contention.maxAttempts() - 1, slept.size(), "a wait between each two tries");
            for (int attempt = 1; attempt <= slept.size(); attempt++) {
                factors.add((double) slept.get(attempt - 1).toNanos() / contention.delay(attempt, null).toNanos());
            }
        }
        for (double f : factors) {
            assertTrue(f >= 0.75 && f < 1.25, "a jitter factor outside [0.75, 1.25): " + f);
        }
        assertTrue(factors.stream().anyMatch(f -> f < 0.85) && factors.stream().anyMatch(f -> f > 1.15),
                "the factors spread over the range, not fixed: " + factors.stream().distinct().limit(10).toList());
    }

    @Test
    void noWaitEndsAfterTheDeadline() {
        Reconciler r = enforce();
        for (int i = 0; i < 10; i++) {
            subnets.failPut(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        }
        Outcome o = r.reconcile(NODES, MANUAL, World.T0.plusSeconds(2));
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.retryable());
        assertEquals(1, subnets.puts(), "the 3-second Retry-After would end past the deadline: handed on instead");
        assertTrue(slept.isEmpty());
    }

    @Test
    void aSubnetInAnotherSubscriptionIsNeverReadOrWritten() {
        SubnetId foreign = SubnetId.of("99999999-0000-0000-0000-000000000000", "rg-app", "vnet-app", "nodes");
        Outcome o = enforce().reconcile(foreign, MANUAL);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.message().contains("99999999-0000-0000-0000-000000000000"), o.message());
        assertTrue(o.nextStep().contains("99999999-0000-0000-0000-000000000000"), o.nextStep());
        assertTrue(subnets.calls.isEmpty(), subnets.calls.toString());
        assertEquals(0, source.reads());
    }
}
