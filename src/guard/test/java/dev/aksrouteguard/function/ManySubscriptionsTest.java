package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One guard for several subscriptions, end to end through the functions, the Azure SDK pipeline over HTTPS and the
 * emulator serving several subscriptions and a management-group hierarchy.
 */
class ManySubscriptionsTest {

    static final String A = Emulated.SUB;
    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
    static final String C = "7a3c9e51-6d2f-4b8a-9c1e-2f4d6b8a0c3e";
    static final String OUTSIDE = "0f9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";

    /** What the guard's enforce role allows, at one scope (RoleCoversTheCodeTest holds the role to the code). */
    static final Set<String> ROLE = Set.of("Microsoft.Network/*/read", "Microsoft.ContainerService/managedClusters/read",
            "Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/routeTables/join/action",
            "Microsoft.Network/networkSecurityGroups/join/action", "Microsoft.Network/natGateways/join/action",
            "Microsoft.Network/serviceEndpointPolicies/join/action", "Microsoft.Resources/subscriptions/read",
            "Microsoft.Management/managementGroups/descendants/read");

    final Emulated azure = Emulated.start();
    final TestContext context = new TestContext(SweepFunction.NAME);

    @AfterEach
    void stop() {
        azure.close();
    }

    Wiring listed(String... subscriptions) {
        return azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS, String.join(",", subscriptions));
    }

    SweepReport sweep(Wiring w) {
        SweepFunction.over(w).run("{\"IsPastDue\":false}", context);
        return azure.alerts.sweeps.get(azure.alerts.sweeps.size() - 1);
    }

    private String tableOf(SeededCluster c) {
        String t = azure.routeTableOf(c.nodeSubnetId());
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    @Test
    void oneProcessRepairsSubnetsInTwoSubscriptionsBySweepAndByEvent() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).drifted().seed(azure.arm);
        azure.arm.subscription(B, "Payments", azure.arm.tenantRootGroup());
        Wiring w = listed(A, B);

        SweepReport r = sweep(w);

        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), tableOf(a));
        assertEquals(b.routeTableId().toLowerCase(Locale.ROOT), tableOf(b));
        assertEquals(List.of(A, B), r.subscriptions().stream().map(SweepReport.Subscription::id).toList());
        assertEquals("Payments (" + B + ")", r.subscriptions().get(1).label(), "named, for the card and the audit");
        assertEquals(1, r.counts(B).get(Action.REASSOCIATED));
        assertTrue(r.summaryLine().contains(" subscriptions=2 unreadable=0"), r.summaryLine());

        // and by event, in the second subscription
        com.google.gson.JsonObject vnet = azure.resource(b.virtualNetworkId());
        dev.aksrouteguard.emulator.IacRedeploy.dropRouteTables(azure.arm, b.virtualNetworkId(),
                dev.aksrouteguard.emulator.Principal.servicePrincipal("sp-terraform"));
        assertNull(azure.routeTableOf(b.nodeSubnetId()), "stripped again: " + vnet.get("name"));
        EventGridFunction.over(w).run(EventJson.vnetWrite(b.virtualNetworkId()).eventGrid().toString(),
                new TestContext(EventGridFunction.NAME));
        assertEquals(b.routeTableId().toLowerCase(Locale.ROOT), tableOf(b));
    }

    @Test
    void anEventFromASubscriptionThatIsNotGuardedIsIgnoredWithoutACallToIt() {
        SeededCluster outside = Fixtures.kubenetCluster("rg-x", "aks-x").subscription(OUTSIDE).drifted().seed(azure.arm);
        Wiring w = listed(A, B);
        azure.arm.clearRequests();
        TestContext events = new TestContext(EventGridFunction.NAME);

        EventGridFunction.over(w).run(EventJson.subnetWrite(outside.nodeSubnetId()).eventGrid().toString(), events);

        assertTrue(azure.arm.requests().stream().noneMatch(r -> r.path().toLowerCase(Locale.ROOT).contains(OUTSIDE)),
                "no call to the unguarded subscription");
        assertNull(azure.routeTableOf(outside.nodeSubnetId()));
        assertTrue(events.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("ignored event") && l.contains(OUTSIDE)),
                events.log.all());
    }

    @Test
    void aClusterInOneGuardedSubscriptionWithItsNodeSubnetInAnotherIsDecidedLikeAnyOther() throws InterruptedException {
        SeededCluster here = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        SeededCluster there = Fixtures.kubenetCluster("rg-net", "aks-net").subscription(B).drifted().seed(azure.arm);
        // the cluster in A runs its pool in B's subnet; its table (in A's node resource group) carries routes via B's nodes
        JsonObject cluster = azure.resource(here.clusterId());
        for (JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", there.nodeSubnetId());
        }
        azure.arm.put(here.clusterId(), cluster);
        azure.arm.delete(there.clusterId()); // B's own cluster is gone; the subnet is the A cluster's now
        Wiring w = listed(A, B);
        TestContext events = new TestContext(EventGridFunction.NAME);
        azure.arm.clearRequests();

        EventGridFunction.over(w).run(EventJson.subnetWrite(there.nodeSubnetId()).eventGrid().toString(), events);

        // A cold worker has read only B, the event's subscription: no cluster there uses the subnet, and A's clusters
        // (read in the background, never waited for) could, so it is handed on rather than ignored; the retry decides it.
        assertEquals(1, azure.retries.submitted.size(), events.log.all());
        assertTrue(events.log.all().contains("deferred") && events.log.all().contains(A), events.log.all());
        assertNull(azure.routeTableOf(there.nodeSubnetId()), "nothing written before A was read");
        var retry = azure.retries.submitted.get(0).request();
        Outcome o = null;
        for (int i = 0; i < 200 && (o == null || o.action() == Action.DEFERRED); i++) {
            Thread.sleep(25); // A's first listing, in the background
            o = w.guard().onRetry(retry, java.time.Instant.now().plusSeconds(20)).outcomes().get(0);
        }
        assertEquals(Action.REASSOCIATED, o.action(), "decided by its owner in the other subscription, not ignored: " + o.logLine());
        assertEquals("aks-app", o.cluster().name(), o.logLine());
        // the owner's own table (in A, its node resource group), not the table B's deleted cluster left behind
        assertEquals(here.routeTableId().toLowerCase(Locale.ROOT), tableOf(there));
        assertEquals(List.of(there.nodeSubnetId().toLowerCase(Locale.ROOT)),
                azure.writes().stream().map(r -> r.path().toLowerCase(Locale.ROOT)).toList(), "one write, B's subnet");
    }

    /** A cluster in A whose pools run in a subnet of {@code OUTSIDE}, a subscription no setting covers. */
    SeededCluster clusterWithItsNodeSubnetOutside() {
        SeededCluster here = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        SeededCluster outside = Fixtures.kubenetCluster("rg-x", "aks-x").subscription(OUTSIDE).drifted().seed(azure.arm);
        JsonObject cluster = azure.resource(here.clusterId());
        for (JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", outside.nodeSubnetId());
        }
        azure.arm.put(here.clusterId(), cluster);
        azure.arm.clearRequests();
        return here;
    }

    /** The outcome for the outside subnet, by the cluster's write event (a reconcile) and by a sweep (the listing's decision). */
    List<Outcome> outcomesForTheOutsideSubnet(Wiring w, SeededCluster here) {
        EventGridFunction.over(w).run(EventJson.clusterWrite(here.clusterId()).eventGrid().toString(),
                new TestContext(EventGridFunction.NAME));
        Outcome byEvent = azure.alerts.outcomes.stream().filter(o -> o.subnet().subscriptionId().equalsIgnoreCase(OUTSIDE))
                .reduce((first, second) -> second).orElseThrow(() -> new AssertionError("no outcome: " + azure.alerts.outcomes));
        Outcome bySweep = sweep(w).outcomes().stream().filter(o -> o.subnet().subscriptionId().equalsIgnoreCase(OUTSIDE))
                .findFirst().orElseThrow();
        assertTrue(azure.arm.requests().stream().noneMatch(r -> r.path().toLowerCase(Locale.ROOT).contains(OUTSIDE)),
                "never read or written: " + azure.arm.requests());
        assertEquals(0, azure.writes().size());
        return List.of(byEvent, bySweep);
    }

    @Test
    void aNodeSubnetOutsideTheListedSubscriptionsNamesTheListThatWouldCoverIt() {
        SeededCluster here = clusterWithItsNodeSubnetOutside();

        for (Outcome o : outcomesForTheOutsideSubnet(listed(A, B), here)) {
            assertEquals(Action.FAILED, o.action(), o.logLine());
            assertTrue(o.message().contains("subscription " + OUTSIDE + ", which this guard does not guard (it guards 2 subscriptions"),
                    o.logLine());
            assertEquals("add subscription " + OUTSIDE + " to AZURE_SUBSCRIPTION_IDS", o.nextStep(), o.logLine());
        }
    }

    @Test
    void aNodeSubnetOutsideTheManagementGroupSaysToMoveItsSubscriptionBelowTheGroup() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(A, "Team A", "lz");
        azure.arm.subscription(OUTSIDE, "Sandbox", azure.arm.tenantRootGroup());
        SeededCluster here = clusterWithItsNodeSubnetOutside();
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");

        for (Outcome o : outcomesForTheOutsideSubnet(w, here)) {
            assertEquals(Action.FAILED, o.action(), o.logLine());
            assertTrue(o.message().contains("(it guards the subscriptions below management group lz"), o.logLine());
            assertEquals("move subscription " + OUTSIDE + " below management group lz (the guard finds it within 10 minutes, "
                    + "or at the next sweep)", o.nextStep(), o.logLine());
        }
    }

    @Test
    void aSubscriptionAddedToTheManagementGroupIsPickedUpByTheNextSweep() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(A, "Team A", "lz");
        azure.arm.subscription(C, "Team C", azure.arm.tenantRootGroup());
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        SeededCluster c = Fixtures.kubenetCluster("rg-c", "aks-c").subscription(C).drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");

        SweepReport first = sweep(w);
        assertEquals(List.of(A), first.subscriptions().stream().map(SweepReport.Subscription::id).toList());
        assertEquals("Team A", first.subscriptions().get(0).name());
        assertNull(azure.routeTableOf(c.nodeSubnetId()), "not guarded yet");

        azure.arm.moveSubscription(C, "lz");
        SweepReport second = sweep(w);

        assertEquals(List.of(A, C).stream().sorted().toList(), second.subscriptions().stream().map(SweepReport.Subscription::id).toList());
        assertEquals(c.routeTableId().toLowerCase(Locale.ROOT), tableOf(c), "guarded without a redeploy");
        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), tableOf(a));

        azure.arm.moveSubscription(C, azure.arm.tenantRootGroup());
        SweepReport third = sweep(w);
        assertEquals(List.of(A), third.subscriptions().stream().map(SweepReport.Subscription::id).toList(),
                "moved out of the group: no longer guarded");
    }

    @Test
    void aSubscriptionTheIdentityCannotReadIsReportedAndTheOthersAreStillSwept() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).drifted().seed(azure.arm);
        azure.arm.allowActions("/subscriptions/" + A, ROLE); // the role is assigned in A only
        Wiring w = listed(A, B);

        SweepReport r = sweep(w);

        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), tableOf(a), "A was swept");
        assertNull(azure.routeTableOf(b.nodeSubnetId()));
        SweepReport.Subscription unreadable = r.subscriptions().stream().filter(s -> s.id().equals(B)).findFirst().orElseThrow();
        assertTrue(unreadable.error() != null && unreadable.error().contains("403"), String.valueOf(unreadable.error()));
        assertNull(r.error(), "the sweep as a whole ran");
        assertTrue(r.summaryLine().contains("unreadable=1"), r.summaryLine());
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("failed subscription " + B)),
                context.log.all());
    }

    /** The start of a minute whose number since the epoch is even. */
    static final java.time.Instant EVEN_MINUTE = java.time.Instant.ofEpochSecond(60L * 2 * 10_000_000);

    /**
     * B is listed first, so a sweep that took the subscriptions one at a time would finish B (throttled until its
     * listing gives up) before it started A: A's repair must fall inside B's throttled window, not after it.
     */
    @Test
    void aThrottledSubscriptionDoesNotDelayTheRepairsOfTheOthers() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).drifted().seed(azure.arm);
        azure.arm.inject(Fault.throttled("GET", "^/subscriptions/" + B + "/providers/", 2).always());
        // The sweep starts the subscriptions from a place that moves on every minute (Sweeper.startOrder): on an odd
        // minute A would start first, and a sweep one subscription at a time would pass. From an even minute, B starts first.
        Wiring w = Wiring.build(azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS, B + "," + A),
                azure.options().withClock(dev.aksrouteguard.testing.TestClock.runningFrom(EVEN_MINUTE)));

        SweepReport r = sweep(w);

        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), tableOf(a));
        List<RecordedRequest> log = azure.arm.requests();
        int firstThrottled = indexOf(log, q -> q.status() == 429 && q.path().toLowerCase(Locale.ROOT).contains(B));
        int firstOfA = indexOf(log, q -> q.path().toLowerCase(Locale.ROOT).startsWith("/subscriptions/" + A + "/providers/"));
        int repairOfA = indexOf(log, q -> q.method().equals("PUT") && q.path().toLowerCase(Locale.ROOT).contains(A));
        int lastThrottled = lastIndexOf(log, q -> q.status() == 429 && q.path().toLowerCase(Locale.ROOT).contains(B));
        assertTrue(firstThrottled >= 0 && firstOfA >= 0 && repairOfA > firstOfA, log.toString());
        assertTrue(lastThrottled > firstOfA && lastThrottled > repairOfA,
                "A was listed and repaired while B was still being throttled (A listed at " + firstOfA + ", PUT at " + repairOfA
                        + ", B's 429s from " + firstThrottled + " to " + lastThrottled + ")");
        assertEquals(List.of(B, A), r.subscriptions().stream().map(SweepReport.Subscription::id).toList(), "reported in list order");
        SweepReport.Subscription throttled = r.subscriptions().get(0);
        assertTrue(throttled.error() != null && throttled.error().contains("429"), "B's listing gave up, bounded, and was reported: "
                + throttled.error());
        assertNull(r.subscriptions().get(1).error());
    }

    private static int indexOf(List<RecordedRequest> log, java.util.function.Predicate<RecordedRequest> p) {
        for (int i = 0; i < log.size(); i++) {
            if (p.test(log.get(i))) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(List<RecordedRequest> log, java.util.function.Predicate<RecordedRequest> p) {
        for (int i = log.size() - 1; i >= 0; i--) {
            if (p.test(log.get(i))) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void theAuditOfTenSubscriptionsCostsTheirListPagesAndNothingMore() {
        azure.arm.pageSize(10);
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        int pages = 0;
        int kubenet = 0;
        for (int i = 0; i < 10; i++) {
            String sub = String.format("%08d-1111-4222-8333-444455556666", i);
            azure.arm.subscription(sub, "Team " + i, "lz");
            var seeded = Fixtures.largeSubscription(25).subscription(sub).seed(azure.arm);
            int clusters = seeded.kubenet().size() + seeded.azureCni().size();
            pages += pages(clusters) + pages(seeded.kubenet().size()) + pages(clusters + seeded.plainSubnetIds().size());
            kubenet += seeded.kubenet().size();
        }
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");
        azure.arm.clearRequests();

        var audit = w.guard().auditBySubscription();

        assertEquals(kubenet, audit.rows().size());
        assertEquals(10, audit.names().size(), "named from the discovery, without a call per subscription");
        long descendantPages = azure.arm.requests().stream().filter(r -> r.path().endsWith("/descendants")).count();
        assertEquals(pages + descendantPages, azure.arm.readCount(),
                "each subscription's list pages (" + pages + ") and the discovery's (" + descendantPages + "), nothing per cluster");
        assertEquals(0, azure.arm.writeCount());
    }

    private static int pages(int items) {
        return Math.max(1, (items + 9) / 10);
    }
}
