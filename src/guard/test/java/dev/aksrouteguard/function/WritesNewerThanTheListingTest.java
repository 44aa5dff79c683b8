package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.queue.RetryMessages;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestClock;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A warm worker's listings are trusted for ten minutes, but a "no" for a write (not a node subnet, no node subnet in
 * this VNet, no route table) is never taken from a listing made before that write: a cluster created since, or known
 * only to another worker (the retry queue's function runs on its own instances), is looked for first.
 */
class WritesNewerThanTheListingTest {

    final Emulated azure = Emulated.start();
    final TestClock clock = TestClock.system();

    @AfterEach
    void stop() {
        azure.close();
    }

    Wiring worker() {
        return Wiring.build(azure.settings(), azure.options().withClock(clock));
    }

    /** A worker that has listed the clusters and the network (an event for A's node subnet), a minute ago. */
    EventGridFunction warm(Wiring w, SeededCluster a) {
        EventGridFunction f = EventGridFunction.over(w);
        f.run(EventJson.subnetWrite(a.nodeSubnetId()).time(clock.instant().toString()).eventGrid().toString(),
                new TestContext(EventGridFunction.NAME));
        clock.advance(Duration.ofMinutes(1));
        return f;
    }

    void strip(SeededCluster c) {
        JsonObject subnet = azure.resource(c.nodeSubnetId());
        subnet.getAsJsonObject("properties").remove("routeTable");
        azure.arm.put(c.nodeSubnetId(), subnet);
    }

    String now() {
        return clock.instant().toString();
    }

    long clusterListings() {
        return azure.arm.requests().stream().filter(r -> r.method().equals("GET")
                && r.path().toLowerCase(Locale.ROOT).endsWith("/providers/microsoft.containerservice/managedclusters")).count();
    }

    @Test
    void aStripOfAClusterCreatedSinceTheListingIsRepaired() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        EventGridFunction f = warm(worker(), a);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").seed(azure.arm); // its own write event went to another worker
        strip(b);
        TestContext context = new TestContext(EventGridFunction.NAME);

        f.run(EventJson.subnetWrite(b.nodeSubnetId()).time(now()).eventGrid().toString(), context);

        assertEquals(b.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(b.nodeSubnetId()).toLowerCase(Locale.ROOT),
                context.log.all());
    }

    @Test
    void aVnetRedeployStrippingANewClustersSubnetIsRepaired() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        EventGridFunction f = warm(worker(), a);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").seed(azure.arm);
        azure.arm.drainEvents();
        IacRedeploy.dropRouteTables(azure.arm, b.virtualNetworkId(), Principal.servicePrincipal("sp-terraform"));
        List<JsonObject> events = azure.arm.drainEvents();
        JsonObject vnetWrite = events.get(events.size() - 1);
        vnetWrite.addProperty("eventTime", now());
        TestContext context = new TestContext(EventGridFunction.NAME);

        f.run(vnetWrite.toString(), context);

        assertNotNull(azure.routeTableOf(b.nodeSubnetId()), "left stripped: " + context.log.all());
    }

    @Test
    void aRetryOnAWorkerThatNeverSawTheClusterRepairsIt() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        Wiring retryWorker = worker();
        warm(retryWorker, a);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").seed(azure.arm);
        strip(b);
        // what an event worker handed on (its VNet was busy), tried on the retry queue's own instance
        RetryRequest handedOn = RetryRequest.first(SubnetId.parse(b.nodeSubnetId()), new Trigger.Event(
                dev.aksrouteguard.events.ArmEvents.parse(EventJson.subnetWrite(b.nodeSubnetId()).time(now()).eventGrid().toString())
                        .stream().map(e -> ((dev.aksrouteguard.events.ParsedEvent.Write) e).write()).findFirst().orElseThrow()));
        clock.advance(Duration.ofSeconds(30));
        TestContext context = new TestContext(RetryFunction.NAME);

        RetryFunction.over(retryWorker).run(RetryMessages.write(handedOn), context);

        assertNotNull(azure.routeTableOf(b.nodeSubnetId()), "the retry dropped the repair: " + context.log.all());
    }

    @Test
    void aNewClustersTableIsFoundNotReportedMissing() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        EventGridFunction f = warm(worker(), a);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").seed(azure.arm); // AKS made B, then its table
        f.run(EventJson.clusterWrite(b.clusterId()).time(now()).eventGrid().toString(), new TestContext(EventGridFunction.NAME));
        strip(b);
        clock.advance(Duration.ofSeconds(20));
        TestContext context = new TestContext(EventGridFunction.NAME);

        f.run(EventJson.subnetWrite(b.nodeSubnetId()).time(now()).eventGrid().toString(), context);

        assertNotNull(azure.routeTableOf(b.nodeSubnetId()), context.log.all());
        assertTrue(context.log.lines(Level.WARNING).stream().noneMatch(l -> l.startsWith("route-table-missing")), context.log.all());
    }

    @Test
    void eventsForOtherSubnetsReadTheClustersAgainAtMostOnceABurst() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        EventGridFunction f = warm(worker(), a);
        String plain = Fixtures.plainSubnet(azure.arm, Emulated.SUB, "rg-g", "vnet-plain", "snet-plain");
        azure.arm.clearRequests();

        for (int i = 0; i < 10; i++) { // an IaC apply writing subnets that are no node subnets, a second apart
            f.run(EventJson.subnetWrite(plain).time(now()).eventGrid().toString(), new TestContext(EventGridFunction.NAME));
            clock.advance(Duration.ofSeconds(1));
        }
        assertEquals(1, clusterListings(), "one listing after the writes began, shared by the burst: " + azure.arm.requests());

        f.run(EventJson.subnetWrite(plain).time(clock.instant().minus(Duration.ofMinutes(5)).toString()).eventGrid().toString(),
                new TestContext(EventGridFunction.NAME));
        assertEquals(1, clusterListings(), "an old write is answered from the listing made after it");
        assertEquals(0, azure.writes().size());
    }

    @Test
    void aNewClusterInAnotherGuardedSubscriptionThanItsSubnetIsFoundToo() {
        String b = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
        SeededCluster there = Fixtures.kubenetCluster("rg-net", "aks-net").subscription(b).seed(azure.arm);
        azure.arm.delete(there.clusterId()); // B's VNet, no cluster of its own
        Wiring w = Wiring.build(azure.settings(dev.aksrouteguard.config.Settings.AZURE_SUBSCRIPTION_ID, "",
                dev.aksrouteguard.config.Settings.AZURE_SUBSCRIPTION_IDS, Emulated.SUB + "," + b), azure.options().withClock(clock));
        SweepFunction.over(w).run("{\"IsPastDue\":false}", new TestContext(SweepFunction.NAME)); // warm: both listed
        clock.advance(Duration.ofMinutes(1));
        SeededCluster here = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm); // created since, in A, on B's subnet
        JsonObject cluster = azure.resource(here.clusterId());
        for (com.google.gson.JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", there.nodeSubnetId());
        }
        azure.arm.put(here.clusterId(), cluster);
        strip(there);
        TestContext context = new TestContext(EventGridFunction.NAME);

        EventGridFunction.over(w).run(EventJson.subnetWrite(there.nodeSubnetId()).time(now()).eventGrid().toString(), context);

        assertNotNull(azure.routeTableOf(there.nodeSubnetId()), "left stripped: " + context.log.all());
    }

    @Test
    void aListingThatCannotBeReadAgainDefersTheWriteOnceAndIsNotListedByEveryEvent() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        EventGridFunction f = warm(worker(), a);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").seed(azure.arm);
        strip(b);
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", "/providers/Microsoft.ContainerService/managedClusters$")
                .respond(503, "ServiceUnavailable", "try later").retryAfter(0).always());
        azure.arm.clearRequests();
        TestContext context = new TestContext(EventGridFunction.NAME);

        f.run(EventJson.subnetWrite(b.nodeSubnetId()).time(now()).eventGrid().toString(), context);
        long afterOne = clusterListings();
        assertEquals(1, azure.retries.submitted.size(), "not ignored on the old listing: handed on " + context.log.all());
        assertTrue(context.log.all().contains("were listed before this write and could not be read again"), context.log.all());
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            f.run(EventJson.subnetWrite(b.nodeSubnetId()).time(now()).eventGrid().toString(), new TestContext(EventGridFunction.NAME));
        }
        assertEquals(afterOne, clusterListings(), "a listing that just failed is not tried again by every event of the burst");
        assertEquals(6, azure.retries.submitted.size());

        azure.arm.clearFaults();
        clock.advance(Duration.ofMinutes(1)); // the retry, once the subscription answers again
        RetryFunction.over(worker()).run(RetryMessages.write(azure.retries.submitted.get(0).request()),
                new TestContext(RetryFunction.NAME));
        assertNotNull(azure.routeTableOf(b.nodeSubnetId()));
    }
}
