package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.LargeSubscription;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The timer-triggered drift sweep, end to end against the emulator, through the annotated method. */
class SweepFunctionTest {

    static final String TIMER = "{\"Schedule\":{\"AdjustForDST\":true},\"ScheduleStatus\":null,\"IsPastDue\":false}";

    final Emulated azure = Emulated.start();
    final TestContext context = new TestContext(SweepFunction.NAME);

    @AfterEach
    void stop() {
        azure.close();
    }

    /** A subscription with one of each case the sweep must tell apart. */
    record Mix(SeededCluster drifted, SeededCluster inSync, SeededCluster conflict, SeededCluster cni, SeededCluster ignored,
            SeededCluster migrated, String plain, String foreignTable) {}

    Mix seedMix() {
        SeededCluster drifted = Fixtures.kubenetCluster("rg-a", "aks-drifted").drifted().seed(azure.arm);
        SeededCluster inSync = Fixtures.kubenetCluster("rg-b", "aks-insync").seed(azure.arm);
        SeededCluster conflict = Fixtures.kubenetCluster("rg-c", "aks-conflict").seed(azure.arm);
        String foreign = "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg-c/providers/Microsoft.Network/routeTables/rt-firewall";
        JsonObject table = new JsonObject();
        table.addProperty("location", Fixtures.LOCATION);
        table.add("properties", new JsonObject());
        azure.arm.put(foreign, table);
        rebind(conflict.nodeSubnetId(), foreign);
        SeededCluster cni = Fixtures.azureCniCluster("rg-d", "aks-cni").seed(azure.arm);
        SeededCluster ignored = Fixtures.kubenetCluster("rg-e", "aks-ignored").tag("AKS-Route-Guard", "Ignore").drifted().seed(azure.arm);
        SeededCluster migrated = Fixtures.kubenetCluster("rg-f", "aks-migrated").drifted().seed(azure.arm);
        JsonObject cluster = azure.resource(migrated.clusterId());
        JsonObject network = cluster.getAsJsonObject("properties").getAsJsonObject("networkProfile");
        network.addProperty("networkPlugin", "azure");
        network.addProperty("networkPluginMode", "overlay");
        azure.arm.put(migrated.clusterId(), cluster);
        String plain = Fixtures.plainSubnet(azure.arm, Emulated.SUB, "rg-g", "vnet-plain", "snet-plain");
        return new Mix(drifted, inSync, conflict, cni, ignored, migrated, plain, foreign);
    }

    void rebind(String subnetId, String tableId) {
        JsonObject subnet = azure.resource(subnetId);
        JsonObject ref = new JsonObject();
        ref.addProperty("id", tableId);
        subnet.getAsJsonObject("properties").add("routeTable", ref);
        azure.arm.put(subnetId, subnet);
    }

    Map<String, Action> bySubnet(SweepReport r) {
        return r.outcomes().stream().collect(Collectors.toMap(o -> o.subnet().toString().toLowerCase(Locale.ROOT), Outcome::action));
    }

    @Test
    void repairsExactlyTheDriftedSubnetsAndLeavesEveryOtherSubnetUntouched() {
        Mix m = seedMix();
        azure.arm.clearRequests();

        SweepFunction.over(azure.wiring()).run(TIMER, context);

        SweepReport r = azure.alerts.sweeps.get(0);
        Map<String, Action> actions = bySubnet(r);
        assertEquals(Action.REASSOCIATED, actions.get(m.drifted().nodeSubnetId().toLowerCase(Locale.ROOT)));
        assertEquals(Action.IN_SYNC, actions.get(m.inSync().nodeSubnetId().toLowerCase(Locale.ROOT)));
        assertEquals(Action.CONFLICT, actions.get(m.conflict().nodeSubnetId().toLowerCase(Locale.ROOT)));
        assertEquals(Action.IGNORED, actions.get(m.ignored().nodeSubnetId().toLowerCase(Locale.ROOT)));
        assertEquals(4, actions.size(), "Azure CNI, migrated and plain subnets are not kubenet node subnets: " + actions);
        assertEquals(m.drifted().routeTableId().toLowerCase(), azure.routeTableOf(m.drifted().nodeSubnetId()).toLowerCase());
        assertEquals(m.foreignTable().toLowerCase(), azure.routeTableOf(m.conflict().nodeSubnetId()).toLowerCase(), "not swapped");
        assertNull(azure.routeTableOf(m.ignored().nodeSubnetId()), "a cluster tagged ignore is never written");
        assertNull(azure.routeTableOf(m.migrated().nodeSubnetId()), "the table a migration removed is never put back");
        List<RecordedRequest> writes = azure.writes();
        assertEquals(1, writes.size(), writes.toString());
        assertTrue(writes.get(0).path().equalsIgnoreCase(m.drifted().nodeSubnetId()));
        assertTrue(r.outcomes().stream().filter(o -> o.action() == Action.IGNORED).allMatch(o -> o.message().contains("tagged")));
        String summary = context.log.lines(Level.INFO).stream().filter(l -> l.startsWith("sweep ")).findFirst().orElseThrow();
        assertTrue(summary.contains("reassociated=1") && summary.contains("conflict=1") && summary.contains("armWrites=1"), summary);
        assertTrue(context.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("ignored ") && l.contains("tagged")), context.log.all());
    }

    @Test
    void readsGrowWithListPagesAndDriftedSubnetsNotWithClusters() {
        azure.arm.pageSize(20);
        LargeSubscription.Seeded seeded = Fixtures.largeSubscription(200).seed(azure.arm);
        int drifted = seeded.drifted().size();
        int kubenet = seeded.kubenet().size();
        int clusters = kubenet + seeded.azureCni().size();
        int vnets = clusters + seeded.plainSubnetIds().size();
        int pages = pages(clusters, 20) + pages(kubenet, 20) + pages(vnets, 20);
        azure.arm.clearRequests();

        SweepFunction.over(azure.wiring()).run(TIMER, context);

        long reads = azure.arm.readCount();
        long writes = azure.arm.writeCount();
        // The bound: one read per list page, plus before each write a fresh GET of the subnet and one of its cluster (the
        // owner is confirmed fresh before any write); writes = drifted subnets. Nothing per cluster or per in-sync
        // subnet. (Writes complete at once here; against ARM each write adds its operation polls and the SDK's final
        // GET: see ArmAdaptersTest and docs/performance.md.)
        assertEquals(drifted, writes, "one PUT per drifted subnet");
        assertEquals(pages + 2L * drifted, reads, "list pages " + pages + " + 2 GETs per drifted subnet (" + drifted + ")");
        assertTrue(reads < kubenet, "fewer reads than kubenet clusters: " + reads + " vs " + kubenet);
        SweepReport r = azure.alerts.sweeps.get(0);
        assertEquals(drifted, r.counts().get(Action.REASSOCIATED));
        assertEquals(kubenet - drifted, r.counts().get(Action.IN_SYNC));
        assertEquals(writes, r.calls().writes(), "the report counts what went on the wire");
        for (SeededCluster c : seeded.drifted()) {
            assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        }
    }

    static int pages(int items, int pageSize) {
        return Math.max(1, (items + pageSize - 1) / pageSize);
    }

    @Test
    void aSpentTimeBudgetStartsNoWriteAndReportsWhatItDidNotReach() {
        Mix m = seedMix();
        azure.arm.clearRequests();
        SweepFunction.over(azure.wiring("SWEEP_TIME_BUDGET", "PT0.001S")).run(TIMER, context);
        assertEquals(0, azure.writes().size());
        SweepReport r = azure.alerts.sweeps.get(0);
        assertEquals(1, r.notReached().size());
        assertEquals(m.drifted().nodeSubnetId().toLowerCase(), r.notReached().get(0).subnet().toString().toLowerCase());
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("not reached") && l.contains("aks-drifted") || l.contains(m.drifted().nodeSubnetId())),
                context.log.all());
        assertTrue(r.summaryLine().contains("not-reached=1"), r.summaryLine());
    }

    @Test
    void reportModeSweepsWriteNothingAndReportTheDrift() {
        Mix m = seedMix();
        azure.arm.clearRequests();
        SweepFunction.over(azure.wiring("REMEDIATION_MODE", "report")).run(TIMER, context);
        assertEquals(0, azure.writes().size());
        assertEquals(Action.DRIFT_REPORTED, bySubnet(azure.alerts.sweeps.get(0)).get(m.drifted().nodeSubnetId().toLowerCase(Locale.ROOT)));
    }

    @Test
    void everyDriftedSubnetOfAMultiSubnetClusterIsRepairedOneWritePerSubnet() {
        SeededCluster c = Fixtures.kubenetCluster("rg-a", "aks-multi").nodePools(3).subnetPerPool().drifted().seed(azure.arm);
        azure.arm.clearRequests();
        SweepFunction.over(azure.wiring()).run(TIMER, context);
        Set<String> written = new HashSet<>();
        azure.writes().forEach(w -> written.add(w.path().toLowerCase(Locale.ROOT)));
        assertEquals(c.nodeSubnetIds().stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet()), written);
        for (String s : c.nodeSubnetIds()) {
            assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(s).toLowerCase());
        }
    }

    @Test
    void aCustomerTableIsRestoredEvenWhenTheListingLeavesOutTheSubnetsNetworkInterfaces() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-byo").bringYourOwnRouteTable().networkResourceGroup("rg-network")
                .drifted().seed(azure.arm);
        azure.arm.listedIpConfigurationsLimit(2); // three nodes: the VNet listing shows none of them
        azure.arm.clearRequests();

        SweepFunction.over(azure.wiring()).run(TIMER, context);

        assertEquals(Action.REASSOCIATED, bySubnet(azure.alerts.sweeps.get(0)).get(c.nodeSubnetId().toLowerCase(Locale.ROOT)),
                azure.alerts.sweeps.get(0).outcomes().toString());
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        List<RecordedRequest> subnetReads = azure.arm.requests().stream()
                .filter(r -> r.method().equals("GET") && r.path().equalsIgnoreCase(c.nodeSubnetId())).toList();
        assertEquals(2, subnetReads.size(), "one read to decide, one before the write: " + subnetReads);
        assertEquals(1, azure.writes().size());
    }

    @Test
    void readsTheTimerPayloadTolerantly() {
        assertTrue(TimerInfo.parse("{\"IsPastDue\":true}").pastDue());
        assertTrue(TimerInfo.parse("{\"isPastDue\":\"true\"}").pastDue());
        assertEquals(false, TimerInfo.parse("{\"ispastdue\":false}").pastDue());
        assertEquals(false, TimerInfo.parse("not json").pastDue());
        assertEquals(false, TimerInfo.parse(null).pastDue());
    }

    @Test
    void alertsLeftUnsentWhenTheInvocationEndsAreAFailedLine() {
        Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        dev.aksrouteguard.core.port.AlertSink stuck = new dev.aksrouteguard.core.port.AlertSink() {
            @Override
            public void outcome(dev.aksrouteguard.core.model.Outcome outcome) {}

            @Override
            public void sweep(SweepReport report) {}

            @Override
            public boolean flush(java.time.Duration timeout) {
                return false; // a delivery still under way
            }
        };
        Wiring wiring = Wiring.build(azure.settings(), azure.options().withAlerts((settings, storage, log) -> stuck));

        SweepFunction.over(wiring).run(TIMER, context);

        assertTrue(context.log.lines(java.util.logging.Level.WARNING).contains(AlertFlush.LEFT), context.log.all());
        assertTrue(AlertFlush.LEFT.startsWith("failed "), "the failed-outcome health alert reads it");
    }
}
