package dev.aksrouteguard.bench;

import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.TestClock;
import dev.aksrouteguard.wiring.Wiring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * (a) ARM calls per event kind: one production object graph (Azure SDK over HTTPS) against an in-process emulator
 * whose subnet writes are long-running (one InProgress poll, Retry-After 1 s), events delivered through
 * {@link Deliveries#handle} exactly as the Event Grid function does, calls counted from the emulator's request log
 * and checked against what the design says each kind of event costs.
 */
final class EventCosts {

    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-network");

    /** What the design says an event costs, by kind of ARM call. */
    record Expect(String text, int lists, int clusterGets, int subnetGets, int polls, int writes) {
        static final Expect NONE = new Expect("0", 0, 0, 0, 0, 0);

        static Expect subnetGets(int n) {
            return new Expect(n + " GET", 0, 0, n, 0, 0);
        }

        boolean met(ArmCalls c, int clusterGetsSeen) {
            return c.lists() == lists && clusterGetsSeen == clusterGets && c.gets() - clusterGetsSeen == subnetGets
                    && c.polls() == polls && c.writes() == writes;
        }
    }

    /** One event and what it cost. */
    record Row(String event, Expect expected, ArmCalls calls, int clusterGets, CallCount traffic, String actions,
            long wallNanos) {}

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

            TestClock clock = TestClock.system();
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
                    new Expect("1 list page (clusters only)", 1, 0, 0, 0, 0), subnetWrite(plain)));
            Row refresh = rows.get(0);
            rows.add(measure(arm, w, "subnet write, not a node subnet (plain VNet)", Expect.NONE, subnetWrite(plain)));
            rows.add(measure(arm, w, "subnet write, Azure CNI node subnet", Expect.NONE, subnetWrite(cni.nodeSubnetId())));
            rows.add(measure(arm, w, "VNet write, VNet without node subnets", Expect.NONE, vnetWrite(plainVnet)));
            rows.add(measure(arm, w, "first event for a node subnet (network part of the directory still unread): in sync",
                    new Expect("2 list pages (route tables, VNets) + 1 GET", 2, 0, 1, 0, 0), subnetWrite(inSync.nodeSubnetId())));
            rows.add(measure(arm, w, "subnet write, kubenet node subnet in sync", Expect.subnetGets(1),
                    subnetWrite(inSync.nodeSubnetId())));

            IacRedeploy.dropRouteTables(arm, drifting.virtualNetworkId(), TERRAFORM);
            rows.add(measure(arm, w, "subnet write, drifted kubenet node subnet (LRO: 1 InProgress poll, Retry-After 1 s)",
                    new Expect("GET + GET of the cluster (confirmed before the write) + PUT + 2 polls + final GET, then 1 list page "
                            + "(the group's deployments)", 1, 1, 2, 2, 1),
                    subnetWrite(drifting.nodeSubnetId())));
            rows.add(measure(arm, w, "the guard's own write, replayed (loop safety)",
                    new Expect("1 GET, no write", 0, 0, 1, 0, 0), subnetWrite(drifting.nodeSubnetId())));

            IacRedeploy.dropRouteTables(arm, twoSubnets.virtualNetworkId(), TERRAFORM);
            rows.add(measure(arm, w, "VNet write that stripped 2 node subnets",
                    new Expect("2 × (GET + GET of the cluster + PUT + 2 polls + final GET), then 1 list page (the group's deployments, "
                            + "once for the event)", 1, 2, 4, 4, 2), vnetWrite(twoSubnets.virtualNetworkId())));

            rows.add(measure(arm, w, "cluster write (kubenet, 1 node subnet in sync)",
                    new Expect("1 GET of the cluster + 1 GET of its subnet", 0, 1, 1, 0, 0), clusterWrite(inSync.clusterId())));
            rows.add(measure(arm, w, "agent-pool write (kubenet, 2 node subnets in sync)",
                    new Expect("1 GET of the cluster + 2 GET of its subnets", 0, 1, 2, 0, 0),
                    EventJson.write(twoSubnets.clusterId() + "/agentPools/nodepool2",
                            "Microsoft.ContainerService/managedClusters/agentPools/write").eventGrid()));

            // A write newer than the listing: a "no" is not taken from a listing made before the write it answers.
            clock.advance(java.time.Duration.ofMinutes(1));
            rows.add(measure(arm, w, "write made after the clusters were listed (a minute before): subnet write, not a node subnet",
                    new Expect("1 list page (clusters only, read again)", 1, 0, 0, 0, 0),
                    EventJson.subnetWrite(plain).time(clock.instant().toString()).eventGrid()));
            clock.advance(java.time.Duration.ofSeconds(1));
            rows.add(measure(arm, w, "… and another such write a second later", Expect.NONE,
                    EventJson.subnetWrite(plain).time(clock.instant().toString()).eventGrid()));

            String ttl = " (" + ClusterDirectory.DEFAULT_TTL.toMinutes() + " min)";
            clock.advance(ClusterDirectory.DEFAULT_TTL);
            rows.add(measure(arm, w, "directory past its TTL" + ttl + ": subnet write, not a node subnet",
                    new Expect("1 list page (clusters only)", 1, 0, 0, 0, 0), subnetWrite(plain)));
            clock.advance(ClusterDirectory.DEFAULT_TTL);
            rows.add(measure(arm, w, "directory past its TTL" + ttl + ": subnet write, kubenet node subnet in sync",
                    new Expect("3 list pages + 1 GET", 3, 0, 1, 0, 0), subnetWrite(inSync.nodeSubnetId())));
            clock.advance(ClusterDirectory.DEFAULT_TTL);
            rows.add(measure(arm, w, "directory past its TTL" + ttl + ": cluster write (kubenet, 1 node subnet in sync)",
                    new Expect("3 list pages (the directory is read whole instead of the cluster) + 1 GET", 3, 0, 1, 0, 0),
                    clusterWrite(inSync.clusterId())));
            return new Result(rows, refresh.calls().lists());
        }
    }

    private static JsonObject subnetWrite(String subnetId) {
        return EventJson.subnetWrite(subnetId).eventGrid();
    }

    private static JsonObject vnetWrite(String vnetId) {
        return EventJson.vnetWrite(vnetId).eventGrid();
    }

    private static JsonObject clusterWrite(String clusterId) {
        return EventJson.write(clusterId, "Microsoft.ContainerService/managedClusters/write").eventGrid();
    }

    private static Row measure(ArmEmulator arm, Wiring w, String event, Expect expected, JsonObject json) {
        String delivery = EventJson.delivery(json);
        arm.clearRequests();
        CallCount before = w.traffic().snapshot();
        long started = System.nanoTime();
        // A deadline far enough that the bench clock, moved past the directory's TTL, never reaches it.
        Deliveries.Report report = Deliveries.handle(delivery, w.guard(), java.time.Instant.now().plus(java.time.Duration.ofDays(1)),
                Quiet.logger());
        long wall = System.nanoTime() - started;
        CallCount traffic = w.traffic().snapshot().minus(before);
        String actions = report.outcomes().isEmpty() ? "(no subnet concerned)"
                : report.outcomes().stream().map(o -> o.action().word()).collect(Collectors.joining(", "));
        List<RecordedRequest> requests = arm.requests();
        return new Row(event, expected, ArmCalls.of(requests), ArmCalls.clusterGets(requests), traffic, actions, wall);
    }

    static void write(Result result, Markdown md) {
        List<List<String>> rows = new ArrayList<>();
        for (Row r : result.rows()) {
            ArmCalls c = r.calls();
            rows.add(List.of(r.event(), r.expected().text(), String.valueOf(c.lists()), String.valueOf(r.clusterGets()),
                    String.valueOf(c.gets() - r.clusterGets()), String.valueOf(c.polls()), String.valueOf(c.writes()),
                    r.traffic().reads() + " / " + r.traffic().writes(), r.expected().met(c, r.clusterGets()) ? "yes" : "**no**",
                    r.actions(), Stats.ms(r.wallNanos())));
        }
        md.table(List.of("event (Event Grid schema, one per delivery)", "expected", "list pages", "GET cluster",
                "GET subnet", "polls", "PUT", "SDK count reads / writes", "as expected", "outcome", "wall ms (emulator)"),
                rows);

        int small = result.refreshPages();
        int large = SweepScaling.pages(1_125); // 1,000 kubenet + 125 Azure CNI clusters
        long floor = ClusterDirectory.RECHECK_FLOOR.toSeconds();
        List<List<String>> amortized = new ArrayList<>();
        for (double perMinute : List.of(0.05, 0.1, 1.0, 10.0, 60.0)) {
            double eventsPerFloor = perMinute * floor / 60.0;
            amortized.add(List.of(String.format(Locale.ROOT, "%s per minute", trim(perMinute)),
                    String.format(Locale.ROOT, "%.2f", small / Math.max(1, eventsPerFloor)),
                    String.format(Locale.ROOT, "%.2f", large / Math.max(1, eventsPerFloor))));
        }
        md.para("Amortized ARM reads per event for a subnet that is not a kubenet node subnet: such an event needs only the "
                + "clusters part of the directory, and its \"no\" is not taken from a listing made before its write, so an "
                + "event newer than the listing reads it again (P list pages) unless the listing is less than " + floor
                + " s old, which the events of those " + floor + " s share (with several guarded subscriptions, each listed before the write "
                + "is read again, side by side): the cost is P / max(1, rate × " + floor + " s) per subscription — an "
                + "*estimate* by that formula (the TTL of " + ClusterDirectory.DEFAULT_TTL.toMinutes() + " minutes, and the "
                + "sweep's own reads, no longer spare a write newer than them). P = " + small + " here (measured above); P = "
                + large + " for 1,000 kubenet and 125 Azure CNI clusters at 100 per page.");
        md.table(List.of("event rate", "reads / event, P = " + small, "reads / event, P = " + large), amortized);
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
