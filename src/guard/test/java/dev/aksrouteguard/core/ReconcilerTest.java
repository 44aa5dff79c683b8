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
    static final ResourceId MC_TABLE = RulesTest.MC_TABLE;
    static final Trigger MANUAL = new Trigger.Manual("test");

    final Clock clock = Clock.fixed(World.T0, ZoneOffset.UTC);
    final List<Duration> slept = new ArrayList<>();
    final Backoff backoff = new Backoff(4, Duration.ofSeconds(1), Duration.ofSeconds(8), slept::add);
    final InMemorySubnets subnets = new InMemorySubnets();
    CountingSource source;

    Reconciler reconciler(Mode mode, Supplier<Inventory> inventory) {
        source = new CountingSource(inventory);
        return new Reconciler(subnets, new ClusterDirectory(source, clock, Duration.ofMinutes(10)), mode, clock, backoff);
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
        Reconciler r = new Reconciler(subnets, new ClusterDirectory(broken, clock, Duration.ofMinutes(1)), Mode.ENFORCE, clock, backoff);
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
}
