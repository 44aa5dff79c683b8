package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End to end through the annotated Event Grid function: an ARM write event in, the emulator's end state asserted.
 * The events come from the emulator itself (an IaC re-deploy over HTTPS) unless a test needs another shape.
 */
class EventGridFunctionTest {

    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-platform");

    final Emulated azure = Emulated.start();
    final TestContext context = new TestContext(EventGridFunction.NAME);

    @AfterEach
    void stop() {
        azure.close();
    }

    EventGridFunction function(String... settings) {
        return EventGridFunction.over(azure.wiring(settings));
    }

    /** The subnet's JSON without what the write legitimately changes. */
    static JsonObject comparable(JsonObject subnet) {
        JsonObject c = subnet.deepCopy();
        c.remove("etag");
        c.getAsJsonObject("properties").remove("routeTable");
        c.getAsJsonObject("properties").remove("provisioningState");
        return c;
    }

    /** Strips the association with a subnet PUT as {@code TERRAFORM}, the way {@code terraform apply} does. */
    String stripWithSubnetWrite(SeededCluster c) {
        JsonObject subnet = azure.resource(c.nodeSubnetId());
        subnet.getAsJsonObject("properties").remove("routeTable");
        azure.arm.put(c.nodeSubnetId(), subnet);
        return EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid());
    }

    @Test
    void aVnetRedeployThatStrippedTheTableIsRepairedLeavingEveryOtherPropertyIntact() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").serviceEndpointPolicy().seed(azure.arm);
        JsonObject before = comparable(azure.resource(c.nodeSubnetId()));
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM);
        assertNull(azure.routeTableOf(c.nodeSubnetId()), "the re-deploy dropped the association");
        List<JsonObject> events = azure.arm.drainEvents();
        assertEquals(1, events.size());
        EventGridFunction f = function();
        azure.arm.clearRequests();

        f.run(events.get(0).toString(), context);

        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        assertEquals(before, comparable(azure.resource(c.nodeSubnetId())), "NSG, NAT gateway, endpoints, policies kept");
        List<RecordedRequest> writes = azure.writes();
        assertEquals(1, writes.size(), "only the subnet PUT: " + writes);
        assertTrue(writes.get(0).path().toLowerCase().endsWith(c.nodeSubnetId().toLowerCase().substring(c.nodeSubnetId().indexOf("/providers"))));
        assertTrue(writes.get(0).ifMatch() != null, "sent with the etag it read");
        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.REASSOCIATED, o.action());
        Trigger.Event e = (Trigger.Event) o.trigger();
        assertEquals("sp-terraform-platform", e.write().actor().principal(), "who made the change, from the claims");
        assertTrue(context.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("reassociated ")), context.log.all());
    }

    @Test
    void aSubnetWriteIsRepairedAndItsOwnWriteEventEndsInSyncWithoutAnotherWrite() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").serviceEndpointPolicy().seed(azure.arm);
        JsonObject before = comparable(azure.resource(c.nodeSubnetId()));
        EventGridFunction f = function();
        String delivery = stripWithSubnetWrite(c);
        azure.arm.clearRequests();
        f.run(delivery, context);
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        assertEquals(before, comparable(azure.resource(c.nodeSubnetId())), "every other property intact");
        assertEquals(1, azure.writes().size(), "only the subnet PUT: " + azure.writes());
        List<JsonObject> own = azure.arm.drainEvents();
        assertEquals(1, own.size(), "the guard's own write raised an event");
        assertEquals("Microsoft.Network/virtualNetworks/subnets/write", own.get(0).getAsJsonObject("data").get("operationName").getAsString());
        azure.arm.clearRequests();

        f.run(own.get(0).toString(), context);

        assertEquals(0, azure.writes().size(), "loop safety: no write for our own event");
        assertEquals(Action.IN_SYNC, azure.alerts.outcomes.get(azure.alerts.outcomes.size() - 1).action());
    }

    @Test
    void aVnetWriteInCloudEventsSchemaRepairsBothNodeSubnetsAndWritesNoOtherSubnet() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").nodePools(2).subnetPerPool().seed(azure.arm);
        String plain = c.virtualNetworkId() + "/subnets/snet-plain";
        JsonObject vnet = azure.resource(c.virtualNetworkId());
        JsonObject plainSubnet = new JsonObject();
        plainSubnet.addProperty("name", "snet-plain");
        JsonObject props = new JsonObject();
        props.addProperty("addressPrefix", "10.10.200.0/24");
        plainSubnet.add("properties", props);
        vnet.getAsJsonObject("properties").getAsJsonArray("subnets").add(plainSubnet);
        azure.arm.put(c.virtualNetworkId(), vnet);
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM);
        azure.arm.drainEvents();
        azure.arm.clearRequests();

        function().run(EventJson.vnetWrite(c.virtualNetworkId()).cloudEvent().toString(), context);

        assertEquals(2, c.nodeSubnetIds().size());
        for (String s : c.nodeSubnetIds()) {
            assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(s).toLowerCase(), s);
        }
        assertNull(azure.routeTableOf(plain), "the plain subnet stays without a table");
        assertEquals(2, azure.puts("/subnets/").size());
        assertTrue(azure.puts("/subnets/snet-plain").isEmpty());
    }

    @Test
    void azureCniAndPlainSubnetsAreNeverWritten() {
        SeededCluster cni = Fixtures.azureCniCluster("rg-cni", "aks-cni").seed(azure.arm);
        String plain = Fixtures.plainSubnet(azure.arm, Emulated.SUB, "rg-plain", "vnet-plain", "snet-plain");
        EventGridFunction f = function();
        azure.arm.clearRequests();
        f.run(EventJson.delivery(EventJson.subnetWrite(cni.nodeSubnetId()).eventGrid(), EventJson.subnetWrite(plain).eventGrid()), context);
        assertEquals(0, azure.writes().size());
        assertEquals(List.of(Action.IGNORED, Action.IGNORED), azure.alerts.outcomes.stream().map(Outcome::action).toList());
        Outcome cniOutcome = azure.alerts.outcomes.stream().filter(o -> o.subnet().toString().equalsIgnoreCase(cni.nodeSubnetId()))
                .findFirst().orElseThrow();
        assertTrue(cniOutcome.message().contains("azure"), cniOutcome.message());
    }

    @Test
    void aSubnetBoundToTheCustomersOtherTableIsNotSwappedButReported() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        String firewallTable = "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg-app/providers/Microsoft.Network/routeTables/rt-firewall";
        JsonObject table = new JsonObject();
        table.addProperty("location", Fixtures.LOCATION);
        JsonObject props = new JsonObject();
        props.add("routes", new JsonArray());
        table.add("properties", props);
        azure.arm.put(firewallTable, table);
        JsonObject subnet = azure.resource(c.nodeSubnetId());
        JsonObject ref = new JsonObject();
        ref.addProperty("id", firewallTable);
        subnet.getAsJsonObject("properties").add("routeTable", ref);
        azure.arm.put(c.nodeSubnetId(), subnet);
        azure.arm.clearRequests();

        function().run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        assertEquals(firewallTable.toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        assertEquals(0, azure.writes().size());
        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.CONFLICT, o.action());
        assertTrue(o.message().contains("rt-firewall"), o.message());
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("conflict ")), context.log.all());
    }

    @Test
    void aCustomerBroughtTableOutsideTheNodeResourceGroupIsFoundByItsRoutesAndRestored() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-byo").bringYourOwnRouteTable().networkResourceGroup("rg-network")
                .drifted().seed(azure.arm);
        assertFalse(c.routeTableId().contains("MC_"), c.routeTableId());
        function().run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
    }

    @Test
    void reportModeWritesNothingAndSaysWhatItWouldDo() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        function("REMEDIATION_MODE", "report").run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        assertEquals(0, azure.writes().size());
        assertNull(azure.routeTableOf(c.nodeSubnetId()));
        assertEquals(Action.DRIFT_REPORTED, azure.alerts.outcomes.get(0).action());
    }

    @Test
    void theSameEventReplayedWritesOnce() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        String delivery = EventJson.subnetWrite(c.nodeSubnetId()).id("same-id").eventGrid().toString();
        EventGridFunction f = function();
        f.run(delivery, context);
        f.run(delivery, context);
        f.run(delivery, context);
        assertEquals(1, azure.puts("/subnets/").size());
    }

    /**
     * Event Grid delivers an event again, with the same id, when the answer did not come within its 30 s (a cold start
     * before {@code run()} can take that long), and the host does not cancel the first invocation: the redelivery can
     * arrive while the first delivery's write is still running, on the same worker or on another instance. It writes
     * nothing: the same worker waits for the virtual network's write to end and hands the subnet on; another instance
     * reads the subnet {@code Updating} (the write still running) and hands it on too, deciding nothing on that read.
     * The one write ends, and the retry the first delivery handed on finds the subnet in sync.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void anEventRedeliveredWhileItsFirstWriteIsStillRunningWritesNothingMore(boolean sameWorker) {
        azure.arm.synchronousWrites(false).asyncOperations(1, 1);
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.EVENT_TIME_BUDGET, "PT2S");
        w.guard().kubenetClusters(); // a warm worker
        azure.arm.inject(Fault.on("PUT", "/subnets/").neverEnds().times(1));
        String delivery = EventJson.subnetWrite(c.nodeSubnetId()).id("same-id").eventGrid().toString();

        EventGridFunction.over(w).run(delivery, context);
        assertEquals(1, azure.retries.submitted.size(), "the write still running at the deadline was handed on");
        assertEquals(1, azure.puts("/subnets/").size());

        TestContext again = new TestContext(EventGridFunction.NAME);
        EventGridFunction.over(sameWorker ? w : azure.wiring(Settings.EVENT_TIME_BUDGET, "PT2S")).run(delivery, again);
        assertEquals(1, azure.puts("/subnets/").size(), "the redelivery wrote nothing while the first write ran");
        // the same worker: not finished by the deadline, or deferred; another instance: deferred on reading Updating.
        // Either way handed on again, and never taken as in sync while the write runs.
        assertEquals(2, azure.retries.submitted.size(), again.log.all());
        assertTrue(again.log.lines(Level.INFO).stream().noneMatch(l -> l.startsWith("in-sync " + c.nodeSubnetId())),
                again.log.all());
        assertTrue(again.log.lines(Level.WARNING).isEmpty(), again.log.all());

        azure.arm.settlePendingOperations();
        RetryFunction.over(w).run(dev.aksrouteguard.queue.RetryMessages.write(azure.retries.submitted.get(0).request()),
                new TestContext(RetryFunction.NAME));
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        assertEquals(1, azure.puts("/subnets/").size(), "one write in all");
    }

    @Test
    void anEventFromAnotherSubscriptionIsLoggedAndNeverActedOn() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").subscription("11111111-2222-3333-4444-555555555555")
                .drifted().seed(azure.arm);
        azure.arm.clearRequests();
        function().run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        assertEquals(0, azure.arm.requests().size(), "not even read");
        assertTrue(context.log.all().contains("outside the guarded subscription"), context.log.all());
    }

    @Test
    void throttlingConflictsServerErrorsAndAStaleEtagAreRiddenOutWithABoundedNumberOfPuts() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.throttled("PUT", ".*/subnets/.*", 1).times(1));
        azure.arm.inject(Fault.anotherOperationInProgress("PUT", ".*/subnets/.*").times(1));
        azure.arm.inject(Fault.on("PUT", ".*/subnets/.*").respond(503, "ServiceUnavailable", "try later").times(1));
        azure.arm.inject(Fault.on("PUT", ".*/subnets/.*").respond(412, "PreconditionFailed", "etag changed").times(1));

        function().run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        long puts = azure.puts("/subnets/").size();
        assertTrue(puts >= 5 && puts <= 12, "bounded: " + puts + " PUTs");
        assertEquals(Action.REASSOCIATED, azure.alerts.outcomes.get(0).action());
    }

    @Test
    void aMissingPermissionIsAFailureNamingThePermissionAndIsNotRedelivered() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Emulated.ROLE_WITHOUT_ROUTE_TABLE_JOIN);

        function().run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.nextStep().contains("Microsoft.Network/routeTables/join/action"), o.nextStep());
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("failed ") && l.contains("routeTables/join/action")));
        assertEquals(1, azure.puts("/subnets/").size(), "a 403 is not retried");
    }

    @Test
    void aVnetBusyBeyondTheRetriesIsHandedToTheRetryQueueWithoutThrowing() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.anotherOperationInProgress("PUT", ".*/subnets/.*").always());
        function().run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        assertEquals(6, azure.puts("/subnets/").size(), "the contention backoff's attempts (4 + 2), no more");
        assertEquals(Action.DEFERRED, azure.alerts.outcomes.get(0).action());
        assertEquals(1, azure.retries.submitted.size());
        assertEquals(c.nodeSubnetId().toLowerCase(), azure.retries.submitted.get(0).request().target().value().toLowerCase());
        assertEquals(1, azure.retries.submitted.get(0).request().attempt());
        assertTrue(azure.retries.submitted.get(0).request().trigger() instanceof dev.aksrouteguard.core.model.Trigger.Event,
                "the retry keeps the event, so its alert still names who made the change");
    }

    @Test
    void aLastingTransientFailureIsHandedToTheRetryQueueWithoutThrowing() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/subnets/[^/]+$").respond(503, "ServiceUnavailable", "try later").always());
        function(Settings.EVENT_TIME_BUDGET, "PT3S").run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        assertEquals(0, azure.puts("/subnets/").size());
        assertEquals(1, azure.retries.submitted.size(), "one queued retry");
        assertEquals(c.nodeSubnetId().toLowerCase(), azure.retries.submitted.get(0).request().target().value().toLowerCase());
        azure.alerts.outcomes.forEach(o -> assertTrue(o.action() == Action.FAILED && o.retryable(), o.logLine()));
    }

    @Test
    void anArmStallLongerThanTheBudgetIsAnsweredInTimeAndTheQueuedRetryRepairsTheSubnet() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.EVENT_TIME_BUDGET, "PT2S");
        w.guard().kubenetClusters(); // a warm worker: the clusters are known
        azure.arm.inject(Fault.on("GET", ".*/subnets/[^/]+$").delay(Duration.ofSeconds(6)).times(1));
        EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        assertTrue(azure.arm.requests().stream().noneMatch(r -> r.method().equals("GET") && r.path().toLowerCase()
                .endsWith(c.nodeSubnetId().toLowerCase().substring(c.nodeSubnetId().lastIndexOf('/')))),
                "the function answered while ARM was still stalling on the subnet read (the log records an answer)");
        assertEquals(1, azure.retries.submitted.size(), "the unfinished subnet was handed on");
        assertTrue(context.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("not finished within the time budget")),
                context.log.lines(Level.INFO).toString());

        azure.arm.clearFaults();
        RetryFunction.over(w).run(dev.aksrouteguard.queue.RetryMessages.write(azure.retries.submitted.get(0).request()),
                new TestContext(RetryFunction.NAME));
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(), "the retry repaired it");
    }

    /**
     * Mapping an event may read ARM too — a VNet write on a cold worker lists the clusters, a cluster or agent-pool write
     * reads the cluster — and those reads answer the delivery's budget like the reconciles do: the function returns
     * while ARM still stalls (the emulator records a request once it has answered it), the event is handed on, and the
     * retry maps and repairs it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"vnet", "cluster", "agentPool"})
    void anArmStallWhileMappingAnEventIsAnsweredInTimeAndTheQueuedRetryRepairsTheSubnet(String kind) {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.EVENT_TIME_BUDGET, "PT2S");
        EventJson event;
        String stalled;
        if (kind.equals("vnet")) {
            event = EventJson.vnetWrite(c.virtualNetworkId()); // a cold worker: the clusters must be listed first
            stalled = ".*/providers/Microsoft.ContainerService/managedClusters$";
        } else {
            w.guard().kubenetClusters(); // a warm worker: the cluster is read again, since the write may have moved it
            event = kind.equals("cluster") ? EventJson.clusterWrite(c.clusterId())
                    : EventJson.write(c.clusterId() + "/agentPools/nodepool1",
                            "Microsoft.ContainerService/managedClusters/agentPools/write");
            stalled = ".*/managedClusters/[^/]+$";
        }
        azure.arm.clearRequests();
        azure.arm.inject(Fault.on("GET", stalled).delay(Duration.ofSeconds(6)).times(1));

        EventGridFunction.over(w).run(event.eventGrid().toString(), context);

        assertEquals(List.of(), azure.arm.requests().stream().map(RecordedRequest::path).toList(),
                "the function answered while ARM was still stalling on the read that maps the event");
        assertEquals(1, azure.retries.submitted.size(), "the unmapped event was handed on");
        assertEquals(kind.equals("vnet") ? c.virtualNetworkId() : event.eventGrid().get("subject").getAsString(),
                azure.retries.submitted.get(0).request().target().toString(), "the event itself, to be mapped again");
        assertTrue(context.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("not mapped yet: event ")),
                context.log.all());
        assertTrue(context.log.lines(Level.WARNING).stream().noneMatch(l -> l.startsWith("failed ")),
                "a stall the retry may mend is no failure yet: " + context.log.all());

        azure.arm.clearFaults();
        RetryFunction.over(w).run(dev.aksrouteguard.queue.RetryMessages.write(azure.retries.submitted.get(0).request()),
                new TestContext(RetryFunction.NAME));
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(), "the retry repaired it");
    }

    /**
     * An event that cannot be mapped to subnets through every retry names no subnet, so no subnet outcome says it
     * failed: giving it up writes a {@code failed} Warning of its own, the line the failed-outcome alert reads.
     */
    @Test
    void anEventNeverMappedThroughEveryRetryIsGivenUpWithAFailedLine() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = azure.wiring();
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$")
                .respond(503, "ServiceUnavailable", "try later").always());
        EventGridFunction.over(w).run(EventJson.vnetWrite(c.virtualNetworkId()).eventGrid().toString(), context);
        assertEquals(1, azure.retries.submitted.size(), context.log.all());

        dev.aksrouteguard.core.model.RetryRequest request = azure.retries.submitted.get(0).request();
        for (int i = 1; i < dev.aksrouteguard.core.Guard.MAX_RETRIES; i++) {
            request = request.next();
        }
        TestContext retry = new TestContext(RetryFunction.NAME);
        RetryFunction.over(w).run(dev.aksrouteguard.queue.RetryMessages.write(request), retry);

        assertEquals(List.of(request), azure.retries.givenUp);
        List<String> failed = retry.log.lines(Level.WARNING).stream().filter(l -> l.startsWith("failed ")).toList();
        assertEquals(1, failed.size(), retry.log.all());
        assertTrue(failed.get(0).startsWith("failed " + c.virtualNetworkId() + " mode=enforce :: gave up after "
                + dev.aksrouteguard.core.Guard.MAX_RETRIES + " tries: could not read the clusters"), failed.get(0));
        assertNull(azure.routeTableOf(c.nodeSubnetId()), "nothing was written");
    }

    @Test
    void malformedEventsAreLoggedOnceAndDroppedWithoutThrowing() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        EventGridFunction f = function();
        azure.arm.clearRequests();
        JsonObject noSubject = EventJson.subnetWrite(c.nodeSubnetId()).eventGrid();
        noSubject.remove("subject");
        for (String poison : List.of("not json", "{}", noSubject.toString(),
                EventJson.write("storage-account-7", "Microsoft.Network/virtualNetworks/subnets/write").eventGrid().toString())) {
            f.run(poison, context);
        }
        assertEquals(0, azure.arm.requests().size());
        assertEquals(4, context.log.lines(Level.WARNING).stream().filter(l -> l.startsWith("failed event ") && l.contains(": malformed, dropped")).count(), context.log.all());
    }

    @Test
    void aWarmWorkerAnswersASubnetNoClusterUsesWithoutAReadAndAColdOneWithTheClustersList() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        EventGridFunction f = function();
        azure.arm.clearRequests();
        f.run(EventJson.subnetWrite(c.virtualNetworkId() + "/subnets/not-a-node-subnet").eventGrid().toString(), context);
        assertEquals(List.of("/subscriptions/" + Emulated.SUB + "/providers/Microsoft.ContainerService/managedClusters"),
                azure.arm.requests().stream().map(RecordedRequest::path).toList(),
                "a cold worker reads only the clusters list to know the subnet is not a kubenet node subnet");
        f.run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        f.run(EventJson.subnetWrite(c.virtualNetworkId() + "/subnets/not-a-node-subnet").eventGrid().toString(), context);
        long listCalls = azure.arm.requests().stream().filter(r -> !r.path().contains("/subnets/")).count();
        assertEquals(3, listCalls, "clusters once, route tables and VNets once, for all three events");
        assertEquals(1, azure.arm.requests().stream().filter(r -> r.path().contains("/subnets/")).count(),
                "the node subnet is read fresh; the other subnet costs no read");
    }

    @Test
    void aStormOfEventsCostsOneReadPerDistinctSubnet() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").nodePools(20).subnetPerPool().seed(azure.arm);
        List<JsonObject> events = new java.util.ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            String subnet = c.nodeSubnetIds().get(i % 20);
            events.add(i % 2 == 0
                    ? EventJson.subnetWrite(subnet).id("e" + i).eventGrid()
                    : EventJson.write(c.clusterId() + "/agentPools/pool" + (i % 20), "Microsoft.ContainerService/managedClusters/agentPools/write")
                            .id("e" + i).eventGrid());
        }
        EventGridFunction f = function();
        azure.arm.clearRequests();
        f.run(EventJson.delivery(events.toArray(JsonObject[]::new)), context);
        long subnetGets = azure.arm.requests().stream().filter(r -> r.method().equals("GET") && r.path().matches("(?i).*/subnets/[^/]+$")).count();
        long clusterGets = azure.arm.requests().stream().filter(r -> r.method().equals("GET")
                && r.path().equalsIgnoreCase(c.clusterId())).count();
        assertEquals(20, subnetGets, "one read per distinct subnet");
        assertTrue(clusterGets <= 1, "the cluster named by 1,000 agent-pool events is read at most once: " + clusterGets);
        assertEquals(20, azure.alerts.outcomes.size(), "one outcome per subnet, not per event");
        assertEquals(0, azure.writes().size());
    }
}
