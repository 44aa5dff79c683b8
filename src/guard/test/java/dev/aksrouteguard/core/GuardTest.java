package dev.aksrouteguard.core;

import static dev.aksrouteguard.core.World.pools;
import static dev.aksrouteguard.core.World.routes;
import static dev.aksrouteguard.core.World.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.DeliveryResult;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.InventorySource;
import dev.aksrouteguard.core.port.RetryQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Triggers to keys, scope checks, the sweep and the audit, over in-memory ports. */
class GuardTest {

    static final SubnetId NODES = RulesTest.NODES;
    static final SubnetId NODES2 = RulesTest.NODES2;
    static final SubnetId CNI = subnet("rg-app", "vnet-app", "cni");
    static final SubnetId OTHER_VNET = subnet("rg-b", "vnet-b", "nodes");
    static final ResourceId VNET = NODES.virtualNetwork();

    final InMemorySubnets subnets = new InMemorySubnets();
    CountingSource source;
    final List<Outcome> alerted = new ArrayList<>();
    final List<SweepReport> sweeps = new ArrayList<>();
    RetryQueue retries = RetryQueue.NONE;
    final AtomicReference<Instant> now = new AtomicReference<>(World.T0);
    final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };
    World world = new World()
            .subnetState(NODES, "10.0.0.0/22", null)
            .subnetState(NODES2, "10.0.4.0/22", RulesTest.MC_TABLE)
            .subnetState(CNI, "10.0.8.0/22", null)
            .subnetState(OTHER_VNET, "10.1.0.0/22", World.table("MC_rg-b_aks2_westeurope", "aks-agentpool-555-routetable"))
            .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2))
            .cluster("cni1", "rg-app", "azure", null, "Succeeded", null, pools("sys", CNI), Map.of())
            .kubenet("aks2", "rg-b", "10.245.0.0/16", pools("nodepool1", OTHER_VNET))
            .table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable",
                    routes("aks-nodepool1-12345678-vmss000000", "10.244.0.0/24>10.0.0.4"), NODES2)
            .table("MC_rg-b_aks2_westeurope", "aks-agentpool-555-routetable", routes());

    Guard guard(Mode mode) {
        return guard(mode, 2);
    }

    Guard guard(Mode mode, int sweepConcurrency) {
        world.subnets.values().forEach(subnets::put);
        source = new CountingSource(world::inventory);
        ClusterDirectory directory = ClusterDirectory.of(World.SUB, source, clock, Duration.ofMinutes(10));
        Backoff backoff = new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(1), d -> {});
        AlertSink sink = new AlertSink() {
            @Override
            public void outcome(Outcome o) {
                alerted.add(o);
            }

            @Override
            public void sweep(SweepReport r) {
                sweeps.add(r);
            }
        };
        return new Guard(directory, new Reconciler(subnets, directory, mode, clock, backoff),
                sink, retries, ArmTraffic.NONE, clock, sweepConcurrency);
    }

    /** One event delivered alone, with all the time it needs. */
    EventResult onWrite(Guard g, ArmWrite write) {
        return lastDelivery(g, List.of(write)).events().get(0);
    }

    DeliveryResult delivery;

    DeliveryResult lastDelivery(Guard g, List<ArmWrite> writes) {
        delivery = g.onWrites(writes, World.T0.plus(Duration.ofMinutes(5)));
        return delivery;
    }

    static ArmWrite write(String operation, ResourceId subject) {
        return new ArmWrite("e1", operation, subject, World.T0, "corr-1", new Actor("alice@contoso.com", null, null));
    }

    @Test
    void aSubnetWriteIsThatSubnet() {
        assertEquals(Set.of(NODES), guard(Mode.ENFORCE).keysFor(Operations.SUBNET_WRITE, NODES.id()));
    }

    @Test
    void aVnetWriteIsItsKubenetNodeSubnetsOnly() {
        assertEquals(Set.of(NODES, NODES2), guard(Mode.ENFORCE).keysFor(Operations.VNET_WRITE, VNET));
    }

    @Test
    void aClusterOrAgentPoolWriteIsTheClustersNodeSubnetsOnAFreshDirectory() {
        Guard g = guard(Mode.ENFORCE);
        g.keysFor(Operations.VNET_WRITE, VNET);
        assertEquals(1, source.clusterReads.get());
        assertEquals(0, source.networkReads.get(), "a VNet's node subnets are known from the clusters alone");
        ResourceId cluster = world.c("aks1").id();
        assertEquals(Set.of(NODES, NODES2), g.keysFor(Operations.CLUSTER_WRITE, cluster));
        assertEquals(1, source.clusterGets.get(), "a cluster write reads that cluster again");
        assertEquals(1, source.clusterReads.get(), "and lists nothing more");
        assertEquals(Set.of(NODES, NODES2), g.keysFor(Operations.AGENT_POOL_WRITE, cluster.child("agentPools", "pool2")));
        assertEquals(2, source.clusterGets.get());
        assertEquals(1, source.clusterReads.get());
    }

    @Test
    void aClusterWriteThatAddsAPoolInANewSubnetIsSeenAtOnce() {
        Guard g = guard(Mode.ENFORCE);
        g.keysFor(Operations.VNET_WRITE, VNET);
        SubnetId fresh = subnet("rg-app", "vnet-app", "pool3");
        world.kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2, "pool3", fresh));
        assertEquals(Set.of(NODES, NODES2, fresh), g.keysFor(Operations.AGENT_POOL_WRITE, world.c("aks1").id().child("agentPools", "pool3")));
        assertEquals(Set.of(NODES, NODES2, fresh), g.keysFor(Operations.VNET_WRITE, VNET), "the directory kept the new pool");
    }

    @Test
    void aDeletedClusterLeavesTheDirectory() {
        Guard g = guard(Mode.ENFORCE);
        g.keysFor(Operations.VNET_WRITE, VNET);
        ResourceId id = world.c("aks1").id();
        world.clusters.remove("aks1");
        assertEquals(Set.of(), g.keysFor(Operations.CLUSTER_WRITE, id));
        assertEquals(Set.of(), g.keysFor(Operations.VNET_WRITE, VNET));
    }

    @Test
    void aSubjectOfTheWrongTypeIsSkipped() {
        EventResult r = onWrite(guard(Mode.ENFORCE), write(Operations.SUBNET_WRITE, VNET));
        assertTrue(assertInstanceOf(EventResult.Skipped.class, r).reason().contains("is not a Microsoft.Network/virtualNetworks/subnets"));
        assertEquals(0, subnets.puts());
    }

    @Test
    void anEventFromAnotherSubscriptionIsNeverActedOn() {
        SubnetId foreign = SubnetId.of("99999999-0000-0000-0000-000000000000", "rg-app", "vnet-app", "nodes");
        EventResult r = onWrite(guard(Mode.ENFORCE), write(Operations.SUBNET_WRITE, foreign.id()));
        assertTrue(assertInstanceOf(EventResult.Skipped.class, r).reason().contains("outside the guarded subscription"), r.toString());
        assertTrue(subnets.calls.isEmpty());
        assertEquals(0, source.reads());
    }

    @Test
    void anUnhandledOperationIsSkipped() {
        EventResult r = onWrite(guard(Mode.ENFORCE), write("Microsoft.Network/routeTables/write", RulesTest.MC_TABLE));
        assertInstanceOf(EventResult.Skipped.class, r);
    }

    @Test
    void aVnetRedeployRepairsEveryStrippedNodeSubnetAndAlertsEachOutcome() {
        world.subnetState(NODES2, "10.0.4.0/22", null);
        EventResult r = onWrite(guard(Mode.ENFORCE), write("microsoft.network/VIRTUALNETWORKS/write", VNET));
        assertEquals(Set.of(NODES, NODES2), assertInstanceOf(EventResult.Mapped.class, r).subnets());
        List<Outcome> outcomes = delivery.outcomes();
        assertEquals(List.of(Action.REASSOCIATED, Action.REASSOCIATED), outcomes.stream().map(Outcome::action).toList());
        assertEquals(RulesTest.MC_TABLE, subnets.state(NODES).routeTable());
        assertEquals(RulesTest.MC_TABLE, subnets.state(NODES2).routeTable());
        assertEquals(2, alerted.size());
        assertEquals("corr-1", ((Trigger.Event) alerted.get(0).trigger()).write().correlationId());
    }

    @Test
    void theSweepRepairsExactlyTheDriftedSubnetsAndReadsOnlyThose() {
        SweepReport report = guard(Mode.ENFORCE).sweep(Duration.ofMinutes(4));
        assertEquals(RulesTest.MC_TABLE, subnets.state(NODES).routeTable());
        assertEquals(List.of("GET nodes", "PUT nodes aks-agentpool-12345678-routetable"), subnets.calls);
        assertEquals(3, report.outcomes().size(), "every node subnet of every kubenet cluster");
        assertEquals(Map.of(Action.REASSOCIATED, 1, Action.IN_SYNC, 2), report.counts());
        assertEquals(1, sweeps.size(), "one summary for the whole sweep");
        assertTrue(report.summaryLine().startsWith("sweep mode=enforce subnets=3"), report.summaryLine());
    }

    @Test
    void aSpentBudgetStartsNoNewWriteAndReportsWhatWasNotReached() {
        world.subnetState(NODES2, "10.0.4.0/22", null);
        Guard g = guard(Mode.ENFORCE, 1); // one at a time, so the clock moves before the second write is considered
        subnets.beforePut = () -> now.set(World.T0.plus(Duration.ofMinutes(5)));
        SweepReport report = g.sweep(Duration.ofMinutes(4));
        assertEquals(1, subnets.puts(), "the second drifted subnet was not started");
        assertEquals(1, report.notReached().size());
        assertTrue(report.summaryLine().contains("not-reached=1"));
    }

    @Test
    void reportModeSweepAndTheAuditWriteNothing() {
        SweepReport report = guard(Mode.REPORT).sweep(Duration.ofMinutes(4));
        assertEquals(1, report.counts().get(Action.DRIFT_REPORTED));
        List<Outcome> audit = guard(Mode.ENFORCE).audit();
        assertEquals(0, subnets.puts());
        assertTrue(subnets.calls.isEmpty(), "no subnet read either: the listing is enough");
        assertEquals(Set.of(NODES, NODES2, OTHER_VNET), Set.copyOf(audit.stream().map(Outcome::subnet).toList()));
    }

    @Test
    void aSweepThatCannotListTheSubscriptionSaysSo() {
        InventorySource broken = CountingSource.failing(
                new ArmException(ArmException.Kind.FORBIDDEN, 403, "AuthorizationFailed", "denied", null, null, null));
        ClusterDirectory d = ClusterDirectory.of(World.SUB, broken, clock, Duration.ofMinutes(1));
        Guard g = new Guard(d, new Reconciler(subnets, d, Mode.ENFORCE, clock, Backoff.DEFAULT),
                AlertSink.NONE, RetryQueue.NONE, ArmTraffic.NONE, clock, 1);
        SweepReport r = g.sweep(Duration.ofMinutes(1));
        assertTrue(r.anyFailed());
        assertTrue(r.summaryLine().contains("denied"), r.summaryLine());
    }

    // ---- a listing without the subnet's ipConfigurations (Network RP leaves them out past a limit) ----------

    /**
     * aks1 on the customer's own table rt-aks1 (rg-net), tied to it only by a route named after one of its nodes, and a
     * listing that shows NODES with no network interface.
     */
    void customerTableListedWithoutNodes() {
        world = new World().subnetState(NODES, "10.0.0.0/22", null, List.of())
                .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES))
                .table("rg-net", "rt-aks1", routes("aks-nodepool1-12345678-vmss000000____102440024", "10.244.0.0/24>10.0.0.4"));
    }

    /** What a GET of NODES shows after {@link #guard} put the listed state: aks1's nodes. */
    void nodesOnRead() {
        subnets.put(new dev.aksrouteguard.core.model.SubnetState(NODES, List.of("10.0.0.0/22"), null, "W/\"1\"", "Succeeded",
                World.AKS1_NODES));
    }

    @Test
    void aConflictOnASubnetListedWithoutItsNodesIsDecidedAgainOnItsOwnReadAndRepaired() {
        customerTableListedWithoutNodes();
        Guard g = guard(Mode.ENFORCE);
        nodesOnRead();

        List<Outcome> audit = g.audit();
        assertEquals(Action.DRIFT_REPORTED, audit.get(0).action(), audit.get(0).message());
        assertTrue(audit.get(0).message().contains("read-only audit"), audit.get(0).message());
        assertEquals(List.of("GET nodes"), subnets.calls, "the audit reads the subnet, and writes nothing");

        subnets.calls.clear();
        SweepReport report = g.sweep(Duration.ofMinutes(4));
        assertEquals(Map.of(Action.REASSOCIATED, 1), report.counts(), report.outcomes().toString());
        assertEquals(RulesTest.BYO, subnets.state(NODES).routeTable());
        assertEquals(List.of("GET nodes", "GET nodes", "PUT nodes rt-aks1"), subnets.calls,
                "one read to decide, and the reconcile's own read before its write");
    }

    @Test
    void aSubnetWithNoNodesOnItsOwnReadEitherStaysAConflictAndIsNotWritten() {
        customerTableListedWithoutNodes();
        Guard g = guard(Mode.ENFORCE); // the subnet as read has no network interface either
        SweepReport report = g.sweep(Duration.ofMinutes(4));
        assertEquals(Map.of(Action.CONFLICT, 1), report.counts());
        assertTrue(report.outcomes().get(0).message().contains("nothing else ties it"), report.outcomes().get(0).message());
        assertEquals(List.of("GET nodes"), subnets.calls);
        assertEquals(null, subnets.state(NODES).routeTable());
    }

    @Test
    void aFailedOwnReadIsAFailureThatSaysWhatTheListingShowed() {
        customerTableListedWithoutNodes();
        Guard g = guard(Mode.ENFORCE);
        nodesOnRead();
        subnets.failGet(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        List<Outcome> audit = g.audit();
        assertEquals(Action.FAILED, audit.get(0).action(), "not decided: counted and alerted as a failure");
        assertTrue(audit.get(0).message().contains("reading the subnet itself to see its nodes failed: ServiceUnavailable")
                && audit.get(0).message().contains("on the listing alone: route table rt-aks1"), audit.get(0).message());
        assertTrue(audit.get(0).retryable());
        assertEquals(0, subnets.puts());
    }

    @Test
    void aConflictOnASubnetListedWithItsNodesCostsNoRead() {
        customerTableListedWithoutNodes();
        world.subnetState(NODES, "10.0.0.0/22", World.table("rg-net", "rt-firewall")) // the customer's other table, with nodes
                .table("rg-net", "rt-firewall", routes());
        Guard g = guard(Mode.ENFORCE);
        SweepReport report = g.sweep(Duration.ofMinutes(4));
        assertEquals(Map.of(Action.CONFLICT, 1), report.counts(), report.outcomes().toString());
        assertTrue(subnets.calls.isEmpty(), subnets.calls.toString());
    }

    @Test
    void anEventWithoutATimeIsStampedWithItsReceiptWhichItsRetryKeeps() {
        now.set(World.T0.plus(Duration.ofMinutes(3)));
        ArmWrite timeless = new ArmWrite("e1", Operations.SUBNET_WRITE, NODES.id(), null, "corr-1", Actor.UNKNOWN);
        DeliveryResult r = guard(Mode.ENFORCE).onWrites(List.of(timeless), now.get().plus(Duration.ofMinutes(5)));
        assertEquals(now.get(), r.events().get(0).write().eventTime(), "stamped: a retry message carries it");
        assertEquals(now.get(), ((Trigger.Event) r.outcomes().get(0).trigger()).write().eventTime());
    }

    // ---- deliveries: coalescing, budget, the retry queue ----------------------------------------------------

    /** Retries captured instead of queued. */
    final List<RetryRequest> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<RetryRequest> givenUp = new java.util.concurrent.CopyOnWriteArrayList<>();

    Guard guardWithRetries(Mode mode) {
        retries = new RetryQueue() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public boolean submit(RetryRequest request, Duration delay) {
                assertEquals(Guard.retryDelay(request.attempt()), delay);
                submitted.add(request);
                return true;
            }

            @Override
            public void giveUp(RetryRequest request, Outcome last) {
                givenUp.add(request);
            }
        };
        return guard(mode);
    }

    @Test
    void aDeliveryOfManyEventsReadsEachSubnetOnce() {
        List<ArmWrite> writes = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            writes.add(write(Operations.SUBNET_WRITE, NODES.id()));
            writes.add(write(Operations.SUBNET_WRITE, NODES2.id()));
            writes.add(write(Operations.VNET_WRITE, VNET));
        }
        DeliveryResult r = lastDelivery(guard(Mode.ENFORCE), writes);
        assertEquals(150, r.events().size());
        assertEquals(2, r.outcomes().size(), "one outcome per distinct subnet");
        assertEquals(2, subnets.calls.stream().filter(c -> c.startsWith("GET")).count(), subnets.calls.toString());
        assertEquals(1, subnets.puts(), "NODES drifted, NODES2 in sync");
    }

    @Test
    void aDeliveryOfManyAgentPoolEventsReadsTheirClusterOnce() {
        ResourceId cluster = world.c("aks1").id();
        List<ArmWrite> writes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            writes.add(write(Operations.AGENT_POOL_WRITE, cluster.child("agentPools", i % 2 == 0 ? "nodepool1" : "pool2")));
        }
        Guard g = guard(Mode.ENFORCE);
        g.keysFor(Operations.VNET_WRITE, VNET); // a warm worker
        DeliveryResult r = lastDelivery(g, writes);
        assertEquals(2, r.outcomes().size());
        assertEquals(2, source.clusterGets.get(), "one GET for the delivery's cluster, one to confirm it before the one write");
        assertEquals(2, subnets.calls.stream().filter(c -> c.startsWith("GET")).count(), subnets.calls.toString());
    }

    @Test
    void theLatestEventNamingASubnetIsItsTrigger() {
        ArmWrite early = new ArmWrite("e1", Operations.VNET_WRITE, VNET, World.T0, "corr-early", new Actor("terraform", null, null));
        ArmWrite late = new ArmWrite("e2", Operations.SUBNET_WRITE, NODES.id(), World.T0.plusSeconds(5), "corr-late",
                new Actor("alice@contoso.com", null, null));
        DeliveryResult r = lastDelivery(guard(Mode.ENFORCE), List.of(late, early));
        Outcome nodes = r.outcomes().stream().filter(o -> o.subnet().equals(NODES)).findFirst().orElseThrow();
        assertEquals("corr-late", ((Trigger.Event) nodes.trigger()).write().correlationId());
    }

    @Test
    void anEventNotMappedByTheDeadlineIsHandedOnWhole() {
        Guard g = guardWithRetries(Mode.ENFORCE);
        DeliveryResult r = g.onWrites(List.of(write(Operations.VNET_WRITE, VNET)), World.T0);
        assertEquals(0, source.reads(), "a spent budget starts no mapping read");
        assertTrue(r.events().get(0) instanceof EventResult.Failed f && f.retryable(), r.events().toString());
        assertEquals(List.of(VNET), submitted.stream().map(RetryRequest::target).toList(), "the event, to be mapped again");
        assertEquals(1, r.handedOn());
        assertEquals(0, subnets.puts());
    }

    @Test
    void workNotStartedByTheDeadlineIsHandedOnNotDone() {
        guardWithRetries(Mode.ENFORCE); // the retry queue, and the subnets in place
        CountingSource slow = new CountingSource(() -> {
            now.set(World.T0.plus(Duration.ofMinutes(5))); // the clusters list outlasts the delivery's budget
            return world.inventory();
        });
        ClusterDirectory d = ClusterDirectory.of(World.SUB, slow, clock, Duration.ofMinutes(10));
        Guard g = new Guard(d, new Reconciler(subnets, d, Mode.ENFORCE, clock, Backoff.DEFAULT),
                AlertSink.NONE, retries, ArmTraffic.NONE, clock, 2);
        DeliveryResult r = g.onWrites(List.of(write(Operations.VNET_WRITE, VNET)), World.T0.plus(Duration.ofMinutes(1)));
        assertEquals(Set.of(NODES, NODES2), Set.copyOf(r.unfinished()));
        assertEquals(0, subnets.puts());
        assertEquals(Set.of(NODES.id(), NODES2.id()), Set.copyOf(submitted.stream().map(RetryRequest::target).toList()));
        assertEquals(2, r.handedOn());
        assertTrue(r.anyUnfinished());
    }

    @Test
    void aTransientFailureIsHandedOnOnceAndNotFailedForGood() {
        for (int i = 0; i < 10; i++) {
            subnets.failGet(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        }
        Guard g = guardWithRetries(Mode.ENFORCE);
        DeliveryResult r = lastDelivery(g, List.of(write(Operations.SUBNET_WRITE, NODES.id())));
        assertEquals(Action.FAILED, r.outcomes().get(0).action());
        assertTrue(r.outcomes().get(0).retryable());
        assertEquals(List.of(RetryRequest.first(NODES, new Trigger.Event(write(Operations.SUBNET_WRITE, NODES.id())))), submitted);
    }

    @Test
    void aRetryThatStillCannotFinishIsHandedOnAgainAndGivenUpAfterTheLastTry() {
        for (int i = 0; i < 1000; i++) {
            subnets.failGet(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        }
        Guard g = guardWithRetries(Mode.ENFORCE);
        RetryRequest request = RetryRequest.first(NODES, new Trigger.Event(write(Operations.SUBNET_WRITE, NODES.id())));
        for (int attempt = 1; attempt < Guard.MAX_RETRIES; attempt++) {
            Guard.RetryResult r = g.onRetry(request, World.T0.plus(Duration.ofMinutes(2)));
            assertEquals(Guard.Disposition.AGAIN, r.disposition());
            request = submitted.get(submitted.size() - 1);
            assertEquals(attempt + 1, request.attempt());
        }
        alerted.clear();
        Guard.RetryResult last = g.onRetry(request, World.T0.plus(Duration.ofMinutes(2)));
        assertEquals(Guard.Disposition.GAVE_UP, last.disposition());
        assertEquals(List.of(request), givenUp);
        Outcome gaveUp = alerted.get(alerted.size() - 1);
        assertEquals(Action.FAILED, gaveUp.action());
        assertTrue(gaveUp.message().startsWith("gave up after " + Guard.MAX_RETRIES + " tries"), gaveUp.message());
        assertEquals(Guard.MAX_RETRIES - 1, submitted.size());
    }

    /**
     * An event mapped to several subnets that still cannot finish after the last try gives every one of them up: each
     * becomes a failed outcome, alerted, none left as a plain deferred line.
     */
    @Test
    void anEventGivenUpAfterTheLastTryGivesUpEverySubnetItStillNeededAndAlertsEachAsFailed() {
        for (int i = 0; i < 1000; i++) {
            subnets.failGet(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        }
        Guard g = guardWithRetries(Mode.ENFORCE);
        g.keysFor(Operations.VNET_WRITE, VNET); // a warm worker: the VNet maps to both node subnets
        RetryRequest last = new RetryRequest(VNET, new Trigger.Event(write(Operations.VNET_WRITE, VNET)), Guard.MAX_RETRIES);
        alerted.clear();

        Guard.RetryResult r = g.onRetry(last, World.T0.plus(Duration.ofMinutes(2)));

        assertEquals(Guard.Disposition.GAVE_UP, r.disposition());
        assertEquals(List.of(last), givenUp);
        assertEquals(Set.of(NODES, NODES2), r.outcomes().stream().map(Outcome::subnet).collect(java.util.stream.Collectors.toSet()));
        for (Outcome o : r.outcomes()) {
            assertEquals(Action.FAILED, o.action(), o.logLine());
            assertTrue(o.message().startsWith("gave up after " + Guard.MAX_RETRIES + " tries"), o.message());
        }
        assertEquals(Set.of(NODES, NODES2), alerted.stream().filter(o -> o.action() == Action.FAILED)
                .map(Outcome::subnet).collect(java.util.stream.Collectors.toSet()), "each alerted as failed: " + alerted);
        assertEquals(0, submitted.size(), "not handed on again");
    }

    /**
     * Deferred work given up after the last try is alerted as failed with what kept it from finishing, and never says it
     * is still "handed on to be tried again": nothing tries it again but the sweep, and the alert must not read as if
     * the retry queue still had it.
     */
    @Test
    void deferredWorkGivenUpSaysWhatKeptItFromFinishingAndNotThatItIsHandedOn() {
        for (int i = 0; i < 1000; i++) {
            subnets.failPut(InMemorySubnets.transientError(409, "AnotherOperationInProgress"));
        }
        Guard g = guardWithRetries(Mode.ENFORCE);
        RetryRequest last = new RetryRequest(NODES.id(), new Trigger.Event(write(Operations.SUBNET_WRITE, NODES.id())),
                Guard.MAX_RETRIES);
        alerted.clear();

        Guard.RetryResult r = g.onRetry(last, World.T0.plus(Duration.ofMinutes(2)));

        assertEquals(Guard.Disposition.GAVE_UP, r.disposition());
        Outcome gaveUp = alerted.stream().filter(o -> o.action() == Action.FAILED).findFirst().orElseThrow();
        assertTrue(gaveUp.message().startsWith("gave up after " + Guard.MAX_RETRIES + " tries: another operation kept "
                + "virtual network " + NODES.virtualNetworkName() + " busy"), gaveUp.message());
        assertTrue(gaveUp.message().contains("AnotherOperationInProgress"), gaveUp.message());
        assertFalse(gaveUp.message().contains("handed on"), gaveUp.message());
        assertEquals(r.outcomes().get(0), gaveUp);
    }

    /** Work that could not be handed on again is no silent success: the retry's result carries a {@code failed} line. */
    @Test
    void aRetryThatCannotBeHandedOnAgainSaysSoWithAFailedLine() {
        for (int i = 0; i < 1000; i++) {
            subnets.failGet(InMemorySubnets.transientError(503, "ServiceUnavailable"));
        }
        retries = new RetryQueue() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public boolean submit(RetryRequest request, Duration delay) {
                return false; // Storage refused it
            }

            @Override
            public void giveUp(RetryRequest request, Outcome last) {}
        };
        Guard g = guard(Mode.ENFORCE);
        RetryRequest first = RetryRequest.first(NODES, new Trigger.Event(write(Operations.SUBNET_WRITE, NODES.id())));

        Guard.RetryResult r = g.onRetry(first, World.T0.plus(Duration.ofMinutes(2)));

        assertEquals(Guard.Disposition.AGAIN, r.disposition());
        assertTrue(r.failure() != null && r.failure().startsWith("failed " + NODES.id() + " mode=enforce :: could not hand retry 2"),
                String.valueOf(r.failure()));
        DeliveryResult d = lastDelivery(g, List.of(write(Operations.SUBNET_WRITE, NODES.id())));
        assertEquals(List.of(first.target()), d.notHandedOn().stream().map(RetryRequest::target).toList());
        assertEquals(0, d.handedOn());
        assertTrue(d.anyFailed(), "work nothing will retry is a failure");
    }

    @Test
    void anEventThatCouldNotBeMappedIsRetriedByMappingItAgain() {
        world.subnetState(NODES2, "10.0.4.0/22", null);
        Guard g = guardWithRetries(Mode.ENFORCE);
        source.failNext(new ArmException(ArmException.Kind.TRANSIENT, 503, "ServiceUnavailable", "list failed", null, null, null));
        DeliveryResult r = lastDelivery(g, List.of(write(Operations.VNET_WRITE, VNET)));
        assertInstanceOf(EventResult.Failed.class, r.events().get(0));
        assertEquals(1, submitted.size());
        assertEquals(VNET, submitted.get(0).target(), "the written VNet, to be mapped again");
        Guard.RetryResult retry = g.onRetry(submitted.get(0), World.T0.plus(Duration.ofMinutes(2)));
        assertEquals(Guard.Disposition.DONE, retry.disposition());
        assertEquals(List.of(Action.REASSOCIATED, Action.REASSOCIATED), retry.outcomes().stream().map(Outcome::action).toList());
    }

    @Test
    void aClusterWriteNamingANodeSubnetInAnotherSubscriptionNeverReadsIt() {
        SubnetId foreign = SubnetId.of("99999999-0000-0000-0000-000000000000", "rg-app", "vnet-app", "nodes");
        world.kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2, "remote", foreign));
        DeliveryResult r = lastDelivery(guard(Mode.ENFORCE), List.of(write(Operations.CLUSTER_WRITE, world.c("aks1").id())));
        Outcome remote = r.outcomes().stream().filter(o -> o.subnet().equals(foreign)).findFirst().orElseThrow();
        assertEquals(Action.FAILED, remote.action());
        assertTrue(remote.message().contains("99999999-0000-0000-0000-000000000000") && remote.message().contains("not read or written"),
                remote.message());
        assertTrue(subnets.calls.stream().allMatch(c -> c.endsWith("nodes") || c.contains("nodes ") || c.contains("nodes2")),
                subnets.calls.toString());
        assertEquals(2, subnets.calls.stream().filter(c -> c.startsWith("GET")).count(), "only the guarded subscription's subnets");
    }
}
