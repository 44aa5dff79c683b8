package dev.aksrouteguard.bench;

import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.AlertSink;
import dev.aksrouteguard.core.ArmTraffic;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.wiring.Wiring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * (a) ARM calls per event kind: one production object graph (Azure SDK over HTTPS) against an in-process emulator
 * whose subnet writes are long-running (one InProgress poll, Retry-After 1 s), events delivered through
 * {@link Deliveries#handle} exactly as the Event Grid function does, calls counted from the emulator's request log.
 */
final class EventCosts {

    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-network");

    /** One event and what it cost. */
    record Row(String event, String expected, ArmCalls calls, ArmTraffic.Calls traffic, String actions, long wallNanos) {}

    /** What was measured, and the size of one directory refresh in list pages. */
    record Result(List<Row> rows, int refreshPages) {}

    private EventCosts() {}

    static Result run() {
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.pageSize(100).asyncOperations(1, 1);
            BenchSubscription sub = BenchSubscription.seed(arm);
            SeededCluster inSync = sub.inSync();
            SeededCluster drifting = sub.drifting();
            SeededCluster twoSubnets = sub.twoSubnets();
            SeededCluster cni = sub.azureCni();
            String plain = sub.plainSubnet();
            String plainVnet = sub.plainVnet();

            BenchClock clock = new BenchClock();
            Settings settings = Settings.from(Map.of(Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID,
                    Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString()));
            Wiring w = Wiring.build(settings, Wiring.Options.production()
                    .withTrust(arm.clientSslContext())
                    .withCredential(arm.credential(Principal.GUARD))
                    .withAlerts((s, c, l) -> AlertSink.NONE)
                    .withClock(clock)
                    .withLog(Quiet.logger()));

            List<Row> rows = new ArrayList<>();
            rows.add(measure(arm, w, "cold directory (first event after start): subnet write, not a node subnet",
                    "1 list page (clusters only), 0 GET", subnetWrite(plain)));
            Row refresh = rows.get(0);
            rows.add(measure(arm, w, "subnet write, not a node subnet (plain VNet)", "0", subnetWrite(plain)));
            rows.add(measure(arm, w, "subnet write, Azure CNI node subnet", "0", subnetWrite(cni.nodeSubnetId())));
            rows.add(measure(arm, w, "VNet write, VNet without node subnets", "0", vnetWrite(plainVnet)));
            rows.add(measure(arm, w, "first event for a node subnet (network part of the directory still unread): in sync",
                    "2 list pages (route tables, VNets) + 1 GET", subnetWrite(inSync.nodeSubnetId())));
            rows.add(measure(arm, w, "subnet write, kubenet node subnet in sync", "1 GET", subnetWrite(inSync.nodeSubnetId())));

            IacRedeploy.dropRouteTables(arm, drifting.virtualNetworkId(), TERRAFORM);
            rows.add(measure(arm, w, "subnet write, drifted kubenet node subnet (LRO: 1 InProgress poll, Retry-After 1 s)",
                    "GET + PUT + 2 polls + final GET", subnetWrite(drifting.nodeSubnetId())));
            rows.add(measure(arm, w, "the guard's own write, replayed (loop safety)", "1 GET, no write",
                    subnetWrite(drifting.nodeSubnetId())));

            IacRedeploy.dropRouteTables(arm, twoSubnets.virtualNetworkId(), TERRAFORM);
            rows.add(measure(arm, w, "VNet write that stripped 2 node subnets", "2 × (GET + PUT + 2 polls + final GET)",
                    vnetWrite(twoSubnets.virtualNetworkId())));

            rows.add(measure(arm, w, "cluster write (kubenet, 1 node subnet in sync)",
                    "full refresh (3 pages) + 1 GET", EventJson.write(inSync.clusterId(),
                            "Microsoft.ContainerService/managedClusters/write").eventGrid()));
            rows.add(measure(arm, w, "agent-pool write (kubenet, 2 node subnets in sync)",
                    "full refresh (3 pages) + 2 GET", EventJson.write(twoSubnets.clusterId() + "/agentPools/nodepool2",
                            "Microsoft.ContainerService/managedClusters/agentPools/write").eventGrid()));

            String ttl = " (" + ClusterDirectory.DEFAULT_TTL.toMinutes() + " min)";
            clock.advance(ClusterDirectory.DEFAULT_TTL);
            rows.add(measure(arm, w, "directory past its TTL" + ttl + ": subnet write, not a node subnet",
                    "1 list page (clusters only)", subnetWrite(plain)));
            clock.advance(ClusterDirectory.DEFAULT_TTL);
            rows.add(measure(arm, w, "directory past its TTL" + ttl + ": subnet write, kubenet node subnet in sync",
                    "3 list pages + 1 GET", subnetWrite(inSync.nodeSubnetId())));
            return new Result(rows, refresh.calls().lists());
        }
    }

    private static JsonObject subnetWrite(String subnetId) {
        return EventJson.subnetWrite(subnetId).eventGrid();
    }

    private static JsonObject vnetWrite(String vnetId) {
        return EventJson.vnetWrite(vnetId).eventGrid();
    }

    private static Row measure(ArmEmulator arm, Wiring w, String event, String expected, JsonObject json) {
        String delivery = EventJson.delivery(json);
        arm.clearRequests();
        ArmTraffic.Calls before = w.traffic().snapshot();
        long started = System.nanoTime();
        Deliveries.Report report = Deliveries.handle(delivery, w.guard(), Quiet.logger());
        long wall = System.nanoTime() - started;
        ArmTraffic.Calls traffic = w.traffic().snapshot().minus(before);
        String actions = report.outcomes().isEmpty() ? "(no subnet concerned)"
                : report.outcomes().stream().map(o -> o.action().word()).collect(Collectors.joining(", "));
        return new Row(event, expected, ArmCalls.of(arm.requests()), traffic, actions, wall);
    }

    static void write(Result result, Markdown md) {
        List<List<String>> rows = new ArrayList<>();
        for (Row r : result.rows()) {
            ArmCalls c = r.calls();
            rows.add(List.of(r.event(), r.expected(), String.valueOf(c.lists()), String.valueOf(c.gets()),
                    String.valueOf(c.polls()), String.valueOf(c.writes()),
                    r.traffic().reads() + " / " + r.traffic().writes(), r.actions(), Stats.ms(r.wallNanos())));
        }
        md.table(List.of("event (Event Grid schema, one per delivery)", "expected", "list pages", "GET", "polls", "PUT",
                "SDK count reads / writes", "outcome", "wall ms (emulator)"), rows);

        int small = result.refreshPages();
        int large = SweepScaling.pages(1_125); // 1,000 kubenet + 125 Azure CNI clusters
        List<List<String>> amortized = new ArrayList<>();
        for (double perMinute : List.of(0.05, 0.1, 1.0, 10.0, 60.0)) {
            double eventsPerTtl = perMinute * ClusterDirectory.DEFAULT_TTL.toMinutes();
            amortized.add(List.of(String.format(Locale.ROOT, "%s per minute", trim(perMinute)),
                    String.format(Locale.ROOT, "%.2f", small / Math.max(1, eventsPerTtl)),
                    String.format(Locale.ROOT, "%.2f", large / Math.max(1, eventsPerTtl))));
        }
        md.para("Amortized ARM reads per event for a subnet that is not a kubenet node subnet, when only events keep the "
                + "directory warm: such an event needs only the clusters part of the directory, and the first one after the "
                + ClusterDirectory.DEFAULT_TTL.toMinutes() + "-minute TTL reads it again (P list pages), so the cost is "
                + "P / max(1, rate × " + ClusterDirectory.DEFAULT_TTL.toMinutes() + " min). P = " + small + " here (measured "
                + "above); P = " + large + " for 1,000 kubenet and 125 Azure CNI clusters at 100 per page. When the drift "
                + "sweep runs in the same worker (every 5 minutes by default) it refreshes the directory itself, so events "
                + "pay 0.");
        md.table(List.of("event rate", "reads / event, P = " + small, "reads / event, P = " + large), amortized);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
