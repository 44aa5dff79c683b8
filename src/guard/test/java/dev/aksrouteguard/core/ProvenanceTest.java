package dev.aksrouteguard.core;

import static dev.aksrouteguard.core.World.pools;
import static dev.aksrouteguard.core.World.routes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Attribution;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.DeploymentLookup;
import dev.aksrouteguard.core.port.RepairHistory;
import dev.aksrouteguard.core.port.RetryQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * After the outcome, off the repair slots: the deployment behind the write (one lookup per event, bounded) and the
 * strip in the repair history, over in-memory ports.
 */
class ProvenanceTest {

    static final SubnetId NODES = RulesTest.NODES;
    static final SubnetId NODES2 = RulesTest.NODES2;
    static final ResourceId VNET = NODES.virtualNetwork();
    static final ResourceId GROUP = ResourceId.parse("/subscriptions/" + World.SUB + "/resourceGroups/" + NODES.resourceGroup());
    static final Deployment RELEASE = new Deployment(GROUP.child("providers/Microsoft.Resources/deployments", "vnet-release-42"),
            "https://example.invalid/main.json", "123", World.T0.minusSeconds(60));

    final InMemorySubnets subnets = new InMemorySubnets();
    final Clock clock = Clock.fixed(World.T0, ZoneOffset.UTC);
    final List<Outcome> alerted = new CopyOnWriteArrayList<>();
    final List<String> alertThreads = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();
    final MemoryHistory history = new MemoryHistory();

    /** Both node subnets of aks1 lost their table: a VNet write with inline subnets strips them all. */
    final World world = new World()
            .subnetState(NODES, "10.0.0.0/22", null)
            .subnetState(NODES2, "10.0.4.0/22", null)
            .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2))
            .table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable",
                    routes("aks-nodepool1-12345678-vmss000000", "10.244.0.0/24>10.0.0.4"));

    Guard guard(Mode mode, DeploymentLookup lookup) {
        return guard(mode, lookup, 2);
    }

    Guard guard(Mode mode, DeploymentLookup lookup, int slots) {
        world.subnets.values().forEach(subnets::put);
        ClusterDirectory directory = ClusterDirectory.of(World.SUB, new CountingSource(world::inventory), clock, Duration.ofMinutes(10));
        AlertSink sink = new AlertSink() {
            @Override
            public void outcome(Outcome o) {
                alertThreads.add(Thread.currentThread().getName());
                alerted.add(o);
            }

            @Override
            public void sweep(dev.aksrouteguard.core.model.SweepReport r) {}
        };
        Reconciler reconciler = new Reconciler(subnets, directory, mode, clock,
                new Backoff(3, Duration.ofMillis(1), Duration.ofMillis(1), d -> {}));
        return new Guard(directory, reconciler, sink, RetryQueue.NONE, ArmTraffic.NONE, clock, slots, lookup, history,
                Recurrence.Policy.DEFAULT, problems::add);
    }

    static ArmWrite vnetWrite(String eventId, String correlationId) {
        return new ArmWrite(eventId, "Microsoft.Network/virtualNetworks/write", VNET, World.T0, correlationId,
                new Actor("sp-bicep-release", "70a21af4-f749-3bc1-9a80-84ab5563d21d", "10.1.2.3"));
    }

    /** Records each lookup and whether the subnets had been repaired by then. */
    final class RecordingLookup implements DeploymentLookup {
        final List<String> calls = new CopyOnWriteArrayList<>();
        final List<Boolean> repairedBefore = new CopyOnWriteArrayList<>();

        @Override
        public List<DeploymentLookup.Candidate> byCorrelationId(ResourceId resourceGroup, String correlationId) {
            calls.add(resourceGroup + " " + correlationId);
            repairedBefore.add(subnets.state(NODES).routeTable() != null || subnets.state(NODES2).routeTable() != null);
            return correlationId.equals("corr-release") ? List.of(DeploymentLookup.Candidate.of(RELEASE)) : List.of();
        }
    }

    @Test
    void theDeploymentIsLookedUpOnceForTheEventOnlyAfterTheRepairAndNamedInEachOutcome() {
        RecordingLookup lookup = new RecordingLookup();
        Guard g = guard(Mode.ENFORCE, lookup);

        List<Outcome> outcomes = g.onWrites(List.of(vnetWrite("e1", "corr-release")), World.T0.plus(Duration.ofMinutes(5))).outcomes();

        assertEquals(2, outcomes.size());
        for (Outcome o : outcomes) {
            assertEquals(Action.REASSOCIATED, o.action());
            assertEquals(RELEASE, o.deployment(), o.logLine());
            assertTrue(o.logLine().contains("in deployment vnet-release-42 (resource group rg-app"), o.logLine());
        }
        assertEquals(List.of(GROUP + " corr-release"), lookup.calls, "one list call for the event, in the VNet's resource group");
        assertTrue(outcomes.stream().allMatch(o -> o.attribution() instanceof Attribution.Found), outcomes.toString());
        assertEquals(List.of(true), lookup.repairedBefore, "the repair never waits for the lookup");
        assertEquals(outcomes.size(), alerted.size());
        assertTrue(alerted.stream().allMatch(o -> o.deployment() != null), "the alert names the deployment");
    }

    @Test
    void eachStripIsRecordedWithWhoAndWhichDeploymentAndTheRecurrenceComesBackOnTheOutcome() {
        Guard g = guard(Mode.ENFORCE, new RecordingLookup());

        Outcome o = g.reconcile(NODES, new Trigger.Event(vnetWrite("e1", "corr-release")));

        Strip s = history.recorded.get(0);
        assertEquals(NODES, s.subnet());
        assertEquals("event:e1", s.key());
        assertEquals("Microsoft.Network/virtualNetworks/write", s.operation());
        assertEquals("service principal sp-bicep-release (app 70a21af4-f749-3bc1-9a80-84ab5563d21d)", s.by(), "no IP in the history");
        assertEquals("vnet-release-42 in resource group rg-app", s.deployment());
        assertEquals("corr-release", s.correlationId());
        assertNotNull(o.recurrence());
        assertEquals(1, o.recurrence().count());
    }

    @Test
    void aSlowLookupNeverHoldsTheOutcomePastItsDeadline() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        DeploymentLookup slow = (group, correlationId) -> {
            started.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return List.of(DeploymentLookup.Candidate.of(RELEASE));
        };
        Guard g = guard(Mode.ENFORCE, slow);

        Outcome o = g.reconcile(NODES, new Trigger.Event(vnetWrite("e1", "corr-release")), World.T0.plusMillis(300));

        assertEquals(Action.REASSOCIATED, o.action());
        assertNotNull(subnets.state(NODES).routeTable(), "repaired");
        assertNull(o.deployment(), "not known by the deadline: the outcome goes on without it");
        assertEquals(Attribution.unknown(Attribution.Reason.LATE), o.attribution(), "late: not known, which is not 'none'");
        assertEquals(List.of("alert-handoff"), alertThreads, "alerted off Provenance's timer thread, which ended the wait");
        assertTrue(started.await(5, TimeUnit.SECONDS), "the lookup was under way");
        assertEquals(1, g.drain(Duration.ofMillis(50)), "the lookup and recording are still pending while the listing is held");
        assertEquals(List.of(), history.recorded);
        release.countDown();
        assertEquals(0, g.drain(Duration.ofSeconds(10)), "drained: nothing pending once the lookup answered");
        assertEquals(1, history.recorded.size(), "the strip is recorded before drain returns");
        assertEquals("vnet-release-42 in resource group rg-app", history.recorded.get(0).deployment());
        assertEquals(Attribution.Kind.FOUND, history.recorded.get(0).lookup());
    }

    @Test
    void aLookupThatFindsNoDeploymentSaysNoneFoundAndTheStripKeepsThatItLooked() {
        RecordingLookup lookup = new RecordingLookup();
        Guard g = guard(Mode.ENFORCE, lookup);

        Outcome o = g.reconcile(NODES, new Trigger.Event(vnetWrite("e1", "corr-terraform")));

        assertEquals(Attribution.NONE_FOUND, o.attribution());
        assertNull(o.deployment());
        assertEquals(Attribution.Kind.NONE_FOUND, history.recorded.get(0).lookup());
        assertEquals(List.of(), problems);
    }

    @Test
    void anEventWithoutACorrelationIdIsNotLookedUpAndSaysNothingOfTheTool() {
        RecordingLookup lookup = new RecordingLookup();
        Guard g = guard(Mode.ENFORCE, lookup);

        Outcome o = g.reconcile(NODES, new Trigger.Event(vnetWrite("e1", null)));

        assertEquals(List.of(), lookup.calls);
        assertNull(o.attribution(), "nothing looked up");
        assertNull(history.recorded.get(0).lookup());
    }

    /** Fails its first list call (ARM unavailable), then answers the release deployment. */
    final class FailingOnceLookup implements DeploymentLookup {
        final List<String> calls = new CopyOnWriteArrayList<>();

        @Override
        public List<DeploymentLookup.Candidate> byCorrelationId(ResourceId resourceGroup, String correlationId) {
            calls.add(resourceGroup + " " + correlationId);
            if (calls.size() == 1) {
                throw new ArmException(ArmException.Kind.TRANSIENT, 503, "ServiceUnavailable", "list deployments: 503", null, null, null);
            }
            return List.of(DeploymentLookup.Candidate.of(RELEASE));
        }
    }

    void stripAgain(SubnetId subnet) {
        subnets.put(new dev.aksrouteguard.core.model.SubnetState(subnet, List.of("10.0.0.0/22"), null, "W/\"x\"", "Succeeded"));
    }

    @Test
    void aFailedLookupIsNotKeptSoTheEventsRetryLooksAgainWhileARealAnswerIsKept() {
        FailingOnceLookup lookup = new FailingOnceLookup();
        Guard g = guard(Mode.ENFORCE, lookup);
        Trigger event = new Trigger.Event(vnetWrite("e1", "corr-release"));

        Outcome failed = g.reconcile(NODES, event);
        stripAgain(NODES);
        Outcome retried = g.reconcile(NODES, event);
        stripAgain(NODES);
        Outcome again = g.reconcile(NODES, event);

        assertEquals(Attribution.unknown(Attribution.Reason.FAILED), failed.attribution());
        assertEquals(Attribution.found(RELEASE), retried.attribution(), "the retry looked again: " + lookup.calls);
        assertEquals(Attribution.found(RELEASE), again.attribution());
        assertEquals(2, lookup.calls.size(), "the failure was not kept, the real answer was: " + lookup.calls);
    }

    @Test
    void aClusterWriteWhoseNodeSubnetsSitInVnetsOfTwoGroupsMakesOneListCallInTheClustersGroup() {
        SubnetId elsewhere = World.subnet("rg-net", "vnet-net", "nodes3");
        world.subnetState(elsewhere, "10.1.0.0/22", null)
                .kubenet("aks1", "rg-app", "10.244.0.0/16", pools("nodepool1", NODES, "pool2", NODES2, "pool3", elsewhere));
        RecordingLookup lookup = new RecordingLookup();
        Guard g = guard(Mode.ENFORCE, lookup);
        ResourceId cluster = World.clusterId("rg-aks", "aks1");
        ArmWrite write = new ArmWrite("e1", "Microsoft.ContainerService/managedClusters/write", World.clusterId("rg-app", "aks1"),
                World.T0, "corr-release", new Actor("sp-bicep-release", "70a21af4-f749-3bc1-9a80-84ab5563d21d", null));

        List<Outcome> outcomes = g.onWrites(List.of(write), World.T0.plus(Duration.ofMinutes(5))).outcomes();

        assertEquals(3, outcomes.size(), outcomes.toString());
        assertTrue(outcomes.stream().allMatch(o -> o.action() == Action.REASSOCIATED), outcomes.toString());
        assertEquals(List.of(GROUP + " corr-release"), lookup.calls,
                "one list call for the event, in the group of the cluster it wrote, not one per VNet group");
        assertEquals("rg-aks", Provenance.group(outcomes.get(0), new ArmWrite("e2", write.operationName(), cluster, null, "c", Actor.UNKNOWN))
                .resourceGroup(), "the subject's group, whatever the subnet's");
    }

    @Test
    void aFailedLookupIsReportedWithThePermissionToGrantAndTheOutcomeNamesThePrincipalOnly() {
        DeploymentLookup forbidden = (group, correlationId) -> {
            throw new ArmException(ArmException.Kind.FORBIDDEN, 403, "AuthorizationFailed", "list deployments: 403",
                    null, "Microsoft.Resources/deployments/read", null);
        };
        Guard g = guard(Mode.ENFORCE, forbidden);

        Outcome o = g.reconcile(NODES, new Trigger.Event(vnetWrite("e1", "corr-release")));

        assertEquals(Action.REASSOCIATED, o.action());
        assertNull(o.deployment());
        assertEquals(Attribution.unknown(Attribution.Reason.NOT_PERMITTED), o.attribution(), "refused: not known, not 'none'");
        assertEquals(Attribution.Kind.UNKNOWN, history.recorded.get(0).lookup());
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("grant the guard's identity Microsoft.Resources/deployments/read"), problems.get(0));
        assertEquals(1, history.recorded.size(), "the strip is recorded all the same");
    }

    @Test
    void aSubnetInSyncLooksNothingUpAndRecordsNothing() {
        world.subnetState(NODES, "10.0.0.0/22", World.table("MC_rg-app_aks1_westeurope", "aks-agentpool-12345678-routetable"));
        RecordingLookup lookup = new RecordingLookup();
        Guard g = guard(Mode.ENFORCE, lookup);

        Outcome o = g.reconcile(NODES, new Trigger.Event(vnetWrite("guard-own-write", "corr-guard")));

        assertEquals(Action.IN_SYNC, o.action());
        assertEquals(List.of(), lookup.calls);
        assertEquals(List.of(), history.recorded);
    }

    @Test
    void reportModeRecordsDriftAnEventCausedButNotTheSameDriftEverySweepFindsAgain() {
        Guard g = guard(Mode.REPORT, new RecordingLookup());

        Outcome fromEvent = g.reconcile(NODES, new Trigger.Event(vnetWrite("e1", "corr-release")));
        g.sweep(Duration.ofMinutes(1));
        g.sweep(Duration.ofMinutes(1));

        assertEquals(Action.DRIFT_REPORTED, fromEvent.action());
        assertEquals(RELEASE, fromEvent.deployment(), "report mode names the deployment too");
        assertEquals(1, history.recorded.size(), "one strip: the event's; the sweeps see the same drift");
    }

    @Test
    void withOneRepairSlotTheSecondSubnetIsRepairedWhileTheFirstSubnetsLookupIsStillHeld() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Boolean> bothRepairedWhenAsked = new CopyOnWriteArrayList<>();
        DeploymentLookup held = (group, correlationId) -> {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            bothRepairedWhenAsked.add(subnets.state(NODES).routeTable() != null && subnets.state(NODES2).routeTable() != null);
            return List.of(DeploymentLookup.Candidate.of(RELEASE));
        };
        Guard g = guard(Mode.ENFORCE, held, 1);
        Thread releaser = new Thread(() -> {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < end && (subnets.state(NODES).routeTable() == null || subnets.state(NODES2).routeTable() == null)) {
                Thread.onSpinWait();
            }
            release.countDown(); // only once both are repaired: a repair that waited for the lookup would hold this up
        });
        releaser.start();

        List<Outcome> outcomes = g.onWrites(List.of(vnetWrite("e1", "corr-release")), World.T0.plus(Duration.ofMinutes(5))).outcomes();
        releaser.join();

        assertEquals(List.of(true), bothRepairedWhenAsked, "the lookup answered only after both repairs");
        assertEquals(2, outcomes.size());
        assertTrue(outcomes.stream().allMatch(o -> RELEASE.equals(o.deployment())), outcomes.toString());
    }

    static DeploymentLookup.Candidate candidate(String name, int startedSecondsAfterT0, ResourceId... outputs) {
        return new DeploymentLookup.Candidate(new Deployment(GROUP.child("providers/Microsoft.Resources/deployments", name), null,
                null, World.T0.plusSeconds(startedSecondsAfterT0)), java.util.Set.of(outputs));
    }

    static Outcome strippedOutcome() {
        return Outcome.decided(NODES, null, List.of(), null, null, Action.REASSOCIATED, "re-associated", null, false, Mode.ENFORCE,
                new Trigger.Event(vnetWrite("e1", "corr")), World.T0, World.T0, List.of(), List.of());
    }

    @Test
    void theNarrowestDeploymentNamingTheSubnetOrItsVnetWinsOverItsParentAndTheOthers() {
        DeploymentLookup.Candidate parent = candidate("main", 0, VNET, NODES.id(), ResourceId.parse(GROUP + "/providers/Microsoft.Network/networkSecurityGroups/nsg"));
        DeploymentLookup.Candidate vnetModule = candidate("main-vnet", 1, VNET);
        DeploymentLookup.Candidate subnetModule = candidate("main-subnet", 2, NODES.id());
        DeploymentLookup.Candidate other = candidate("main-storage", 1, ResourceId.parse(GROUP + "/providers/Microsoft.Storage/storageAccounts/st"));

        assertEquals("main-subnet", Provenance.choose(List.of(parent, vnetModule, other, subnetModule), strippedOutcome()).name(),
                "as narrow as the VNet's module, and names the subnet itself");
        assertEquals("main-vnet", Provenance.choose(List.of(other, vnetModule), strippedOutcome()).name());
        assertEquals("main-vnet", Provenance.choose(List.of(parent, vnetModule), strippedOutcome()).name(),
                "a parent that reports its modules' resources too is the wider of the two");
        assertEquals("main", Provenance.choose(List.of(other, parent), strippedOutcome()).name(), "the only one naming them");
    }

    @Test
    void withoutAnyNamingTheSubnetOrVnetTheOneThatStartedFirstWinsThenTheNameWhateverTheOrder() {
        DeploymentLookup.Candidate parent = candidate("vnet-release-42", 0);
        DeploymentLookup.Candidate module = candidate("a-module", 3);
        DeploymentLookup.Candidate twin = candidate("b-twin", 0);

        assertEquals("vnet-release-42", Provenance.choose(List.of(module, parent), strippedOutcome()).name());
        assertEquals("vnet-release-42", Provenance.choose(List.of(parent, module), strippedOutcome()).name());
        assertEquals("b-twin", Provenance.choose(List.of(parent, twin), strippedOutcome()).name(), "same start: by name");
        assertNull(Provenance.choose(List.of(), strippedOutcome()));
    }

    /** An in-memory history: counts every strip recorded (within any window), the newest last. */
    static final class MemoryHistory implements RepairHistory {
        final List<Strip> recorded = new CopyOnWriteArrayList<>();
        final CountDownLatch first = new CountDownLatch(1);

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public String describe() {
            return "memory";
        }

        @Override
        public Recurrence record(Strip strip, Recurrence.Policy policy, Instant now) {
            recorded.add(strip);
            first.countDown();
            return new Recurrence(recorded.size(), strip, policy);
        }

        @Override
        public Map<SubnetId, Recurrence> recurrences(Collection<SubnetId> subnets, Recurrence.Policy policy, Instant now) {
            return Map.of();
        }

        boolean await(int n) throws InterruptedException {
            return first.await(10, TimeUnit.SECONDS) && recorded.size() >= n;
        }
    }

    static List<String> names(List<Outcome> outcomes) {
        List<String> out = new ArrayList<>();
        outcomes.forEach(o -> out.add(o.subnet().name()));
        return out;
    }
}
