package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A management group whose subscriptions cannot be discovered again: the sweep keeps sweeping the list it knew, and
 * says so (a Warning line, the summary line, the report), since that list can miss a subscription added since.
 */
class StaleDiscoveryTest {

    final Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    private SweepReport sweep(Wiring w, TestContext context) {
        SweepFunction.over(w).run("{\"IsPastDue\":false}", context);
        return azure.alerts.sweeps.get(azure.alerts.sweeps.size() - 1);
    }

    @Test
    void aFailedRediscoverySweepsTheListKnownBeforeAndSaysSoInTheLogAndTheSummary() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(Emulated.SUB, "Team A", "lz");
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");
        SweepReport first = sweep(w, new TestContext(SweepFunction.NAME));
        assertNull(first.discoveryProblem());
        assertTrue(!first.summaryLine().contains("discovery="), first.summaryLine());

        azure.arm.inject(Fault.on("GET", "/managementGroups/lz/descendants$").respond(403, "AuthorizationFailed",
                "the client has no access to the management group").always());
        azure.arm.clearRequests();
        TestContext context = new TestContext(SweepFunction.NAME);
        SweepReport stale = sweep(w, context);

        assertEquals(List.of(Emulated.SUB), stale.subscriptions().stream().map(SweepReport.Subscription::id).toList(),
                "the list known before is swept");
        assertTrue(azure.arm.requests().stream().anyMatch(r -> r.path().toLowerCase(Locale.ROOT).contains(Emulated.SUB)
                && r.path().endsWith("/managedClusters")), "A was read");
        assertTrue(stale.discoveryProblem() != null && stale.discoveryProblem().contains("403"), String.valueOf(stale.discoveryProblem()));
        assertNull(stale.error(), "the sweep ran");
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("stale subscriptions: could not discover "
                + "the guarded subscriptions again, swept the 1 known before") && l.contains("403")), context.log.all());
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("sweep mode=") && l.endsWith(" discovery=stale")),
                "the summary line is a Warning and says it: " + context.log.all());

        azure.arm.clearFaults();
        SweepReport again = sweep(w, new TestContext(SweepFunction.NAME));
        assertNull(again.discoveryProblem(), "discovered again: the list is current");
        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(a.nodeSubnetId()).toLowerCase(Locale.ROOT));
    }

    /**
     * A cold worker of a management group whose first discovery fails (here 503, transient) cannot tell whether the
     * event's subscription is guarded: the function does not throw, the event is handed to the retry queue, and once
     * the group can be read again the retry repairs the subnet.
     */
    @Test
    void aFirstDiscoveryThatFailsNeitherThrowsNorDropsTheEventTheRetryRepairsIt() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(Emulated.SUB, "Team A", "lz");
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");
        azure.arm.inject(Fault.on("GET", "/managementGroups/lz/descendants$").respond(503, "ServiceUnavailable",
                "try later").always());
        TestContext context = new TestContext(EventGridFunction.NAME);

        EventGridFunction.over(w).run(dev.aksrouteguard.events.EventJson.subnetWrite(a.nodeSubnetId()).eventGrid().toString(),
                context);

        assertEquals(1, azure.retries.submitted.size(), context.log.all());
        assertTrue(context.log.all().contains("could not discover the guarded subscriptions"), context.log.all());
        assertNull(azure.routeTableOf(a.nodeSubnetId()), "nothing written while the scope is unknown");

        azure.arm.clearFaults();
        RetryFunction.over(w).run(dev.aksrouteguard.queue.RetryMessages.write(azure.retries.submitted.get(0).request()),
                new TestContext(RetryFunction.NAME));
        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(a.nodeSubnetId()).toLowerCase(Locale.ROOT),
                "the retry repaired it");
    }

    /**
     * A subscription moved into the group while discovery fails: its event cannot be told apart from one of a
     * subscription outside the group, so it is not ignored at Info as "outside": a transient failure hands it to the
     * retry queue, a lasting one is a {@code failed} Warning line, which the failed-outcome alert reads.
     */
    @Test
    void anEventFromASubscriptionUnknownWhileDiscoveryFailsIsNotIgnoredAsOutside() {
        String added = "7a3c9e51-6d2f-4b8a-9c1e-2f4d6b8a0c3e";
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(Emulated.SUB, "Team A", "lz");
        azure.arm.subscription(added, "Team C", azure.arm.tenantRootGroup());
        SeededCluster c = Fixtures.kubenetCluster("rg-c", "aks-c").subscription(added).drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");
        sweep(w, new TestContext(SweepFunction.NAME)); // discovered: Team A only
        azure.arm.moveSubscription(added, "lz");
        azure.arm.inject(Fault.on("GET", "/managementGroups/lz/descendants$").respond(503, "ServiceUnavailable", "try later")
                .retryAfter(0).always());
        assertTrue(sweep(w, new TestContext(SweepFunction.NAME)).discoveryProblem() != null, "discovery is failing");
        String event = dev.aksrouteguard.events.EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString();

        TestContext transientFailure = new TestContext(EventGridFunction.NAME);
        EventGridFunction.over(w).run(event, transientFailure);
        assertEquals(1, azure.retries.submitted.size(), transientFailure.log.all());
        assertTrue(transientFailure.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("not mapped yet: ")
                && l.contains("which was not among the subscriptions below management group lz (1) when last discovered, and "
                        + "discovering them again failed") && l.contains("ServiceUnavailable")), transientFailure.log.all());
        assertTrue(transientFailure.log.lines(Level.INFO).stream().noneMatch(l -> l.startsWith("ignored ")), transientFailure.log.all());
        TestContext retry = new TestContext(RetryFunction.NAME); // discovery still failing at the retry: handed on again
        RetryFunction.over(w).run(dev.aksrouteguard.queue.RetryMessages.write(azure.retries.submitted.get(0).request()), retry);
        assertEquals(2, azure.retries.submitted.size(), retry.log.all());
        assertEquals(2, azure.retries.submitted.get(1).request().attempt());
        assertTrue(retry.log.lines(Level.WARNING).stream().noneMatch(l -> l.contains("does not guard")), retry.log.all());

        azure.arm.clearFaults();
        azure.arm.inject(Fault.on("GET", "/managementGroups/lz/descendants$").respond(403, "AuthorizationFailed",
                "the client has no access to the management group").always());
        sweep(w, new TestContext(SweepFunction.NAME));
        TestContext lasting = new TestContext(EventGridFunction.NAME);
        EventGridFunction.over(w).run(event, lasting);
        assertEquals(2, azure.retries.submitted.size(), "not retried: " + lasting.log.all());
        assertTrue(lasting.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("failed event ") && l.contains(added)
                && l.contains("AuthorizationFailed")), lasting.log.all());
        assertNull(azure.routeTableOf(c.nodeSubnetId()), "nothing written while the scope is unknown");
    }
}
