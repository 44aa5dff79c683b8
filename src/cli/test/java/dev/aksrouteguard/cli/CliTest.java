package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line, in process, against the emulator: output, JSON and exit codes. */
class CliTest {

    /** A well-formed subnet ID in the emulated subscription. */
    static final String ANY_SUBNET = "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s";

    final Emulated azure = Emulated.start();
    final Captured cli = new Captured();
    String stdin = "";

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        azure.close();
    }

    int run(Map<String, String> env, String... args) {
        return cli.run(env, stdin, azure.options(), args);
    }

    int run(String... args) {
        return run(azure.env(), args);
    }

    String out() {
        return cli.out();
    }

    String err() {
        return cli.err();
    }

    Path file(String content) throws Exception {
        Path f = dir.resolve("event-" + System.nanoTime() + ".json");
        Files.writeString(f, content);
        return f;
    }

    @Test
    void handleEventRepairsAndPrintsJsonWithTheActionWords() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Path f = file(EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));
        assertEquals(0, run("handle-event", f.toString(), "--json"), err());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        assertEquals(1, rows.size());
        JsonObject row = rows.get(0).getAsJsonObject();
        assertEquals("reassociated", row.get("action").getAsString());
        assertEquals(c.nodeSubnetId(), row.get("subnet").getAsString());
        assertEquals(c.clusterId().toLowerCase(), row.get("cluster").getAsString().toLowerCase());
        assertEquals(c.routeTableId().toLowerCase(), row.get("routeTable").getAsString().toLowerCase());
        assertTrue(row.get("message").getAsString().length() > 10);
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
    }

    @Test
    void handleEventReadsStandardInput() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        stdin = EventJson.subnetWrite(c.nodeSubnetId()).cloudEvent().toString();
        assertEquals(0, run("handle-event", "-"), err());
        assertTrue(out().contains("reassociated"), out());
        assertTrue(out().contains("1 subnet: 1 reassociated"), out());
    }

    @Test
    void malformedEventsExitTwoWithAClearMessageAndWriteNothing() throws Exception {
        Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.clearRequests();
        assertEquals(2, run("handle-event", file("{\"id\": 1,").toString()));
        assertTrue(err().contains("malformed event"), err());
        assertTrue(err().contains("not JSON"), err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void aMissingFileIsUnusableInput() {
        assertEquals(2, run("handle-event", dir.resolve("nope.json").toString()));
        assertTrue(err().contains("no such file"), err());
    }

    @Test
    void aBadSettingExitsTwoNamingIt() {
        assertEquals(2, run(azure.env("REMEDIATION_MODE", "fix"), "reconcile", ANY_SUBNET));
        assertTrue(err().contains("setting REMEDIATION_MODE is invalid"), err());
    }

    @Test
    void reconcileRepairsOneSubnetAndRejectsWhatIsNotASubnetId() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        assertEquals(2, run("reconcile", c.virtualNetworkId()));
        assertTrue(err().contains("not a subnet ID"), err());
        assertEquals(0, run("reconcile", c.nodeSubnetId()), err());
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
    }

    @Test
    void reconcileRefusesASubnetOfAnotherSubscription() {
        assertEquals(2, run("reconcile", "/subscriptions/11111111-2222-3333-4444-555555555555/resourceGroups/rg/providers/"
                + "Microsoft.Network/virtualNetworks/v/subnets/s"));
        assertTrue(err().contains("outside the guarded subscription"), err());
    }

    @Test
    void aFailedRemediationExitsOneAndNamesThePermission() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Emulated.ROLE_WITHOUT_ROUTE_TABLE_JOIN);
        assertEquals(1, run("reconcile", c.nodeSubnetId(), "--json"));
        JsonObject row = JsonParser.parseString(out()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("failed", row.get("action").getAsString());
        assertTrue(row.get("nextStep").getAsString().contains("Microsoft.Network/routeTables/join/action"), row.toString());
        assertNull(azure.routeTableOf(c.nodeSubnetId()));
    }

    @Test
    void unknownCommandsAndOptionsAreUsageErrors() {
        assertEquals(2, run("frobnicate"));
        assertEquals(2, run("audit", "--json", "--markdown"));
        assertEquals(2, run());
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        assertEquals(0, run("--help"));
        for (String word : new String[] {"handle-event", "reconcile", "sweep", "audit", "demo", "emulator", "Exit codes"}) {
            assertTrue(out().contains(word), word + " in " + out());
        }
    }

    @Test
    void everyCommandAnswersHelpWithItsOwnUsage() {
        for (String command : new String[] {"handle-event", "reconcile", "sweep", "audit", "prevent", "demo", "emulator"}) {
            for (String flag : new String[] {"--help", "-h"}) {
                cli.reset();
                assertEquals(0, run(command, flag), command + " " + flag + ": " + err());
                assertTrue(out().startsWith("Usage: aks-route-guard " + command), command + " " + flag + ": " + out());
            }
        }
        assertEquals(0, azure.arm.requests().size(), "help reads nothing");
    }

    @Test
    void theDemoRepairsTheSubnetAndWritesTheCardItWouldSend() throws Exception {
        assertEquals(0, run(Map.of(), "demo", "--out", dir.toString()), out() + err());
        assertTrue(out().contains("decision: reassociated snet-aks-nodes"), out());
        assertTrue(out().contains("other properties: unchanged"), out());
        assertTrue(out().contains("writes to anything else (the Azure CNI subnet, the plain subnet, the VNet): 0"), out());
        assertTrue(out().contains("If-Match: W/"), out());
        JsonObject card = JsonParser.parseString(Files.readString(dir.resolve("demo-teams-card.json"))).getAsJsonObject();
        assertEquals("message", card.get("type").getAsString());
        assertEquals("application/vnd.microsoft.card.adaptive",
                card.getAsJsonArray("attachments").get(0).getAsJsonObject().get("contentType").getAsString());
    }

    @Test
    void theDemoInReportModeWritesNothingAndSaysSo() {
        assertEquals(0, run(Map.of(), "demo", "--report", "--out", dir.toString()), out() + err());
        assertTrue(out().contains("decision: drift-reported"), out());
        assertTrue(out().contains("route table: none"), out());
    }

    @Test
    void theEmulatorCommandPrintsTheEnvironmentForOtherShells() throws Exception {
        Path store = dir.resolve("trust.p12");
        assertEquals(0, run(Map.of(), "emulator", "--once", "--trust-store", store.toString()), err());
        assertTrue(out().contains("export AZURE_RESOURCE_MANAGER_ENDPOINT=https://127.0.0.1:"), out());
        assertTrue(out().contains("export IDENTITY_ENDPOINT=http://127.0.0.1:"), out());
        assertTrue(out().contains("-Djavax.net.ssl.trustStore=" + store.toAbsolutePath()), out());
        assertTrue(Files.size(store) > 100);
    }

    @Test
    void auditIsReadOnlyAndItsJsonNamesEveryDriftedSubnet() {
        azure.arm.pageSize(5);
        dev.aksrouteguard.emulator.LargeSubscription.Seeded seeded = Fixtures.largeSubscription(30).seed(azure.arm);
        azure.arm.clearRequests();
        assertEquals(0, run("audit", "--json"), err());
        assertEquals(0, azure.arm.writeCount(), "audit never writes");
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        assertEquals(seeded.kubenet().size(), rows.size(), "one row per node subnet of every kubenet cluster");
        Set<String> drifted = new java.util.HashSet<>();
        for (var e : rows) {
            JsonObject row = e.getAsJsonObject();
            assertEquals("2028-03-31", row.get("migrateBefore").getAsString());
            if (row.get("action").getAsString().equals("drift-reported")) {
                drifted.add(row.get("subnet").getAsString().toLowerCase());
                assertTrue(row.get("routeTable").getAsString().contains("routeTables/"), row.toString());
                assertTrue(row.get("currentRouteTable").isJsonNull(), row.toString());
            }
        }
        Set<String> expected = new java.util.HashSet<>();
        seeded.drifted().forEach(c -> expected.add(c.nodeSubnetId().toLowerCase()));
        assertEquals(expected, drifted);
    }

    @Test
    void auditFailOnDriftExitsThreeAndTheTableSaysWhatToMigrate() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-ok", "aks-ok").seed(azure.arm);
        assertEquals(3, run("audit", "--fail-on-drift"));
        assertTrue(out().contains("drift-reported"), out());
        assertTrue(out().contains("2 subnets: 1 in-sync, 1 drift-reported"), out());
        assertTrue(out().contains("az aks update -g rg-app -n aks-app --network-plugin azure --network-plugin-mode overlay"), out());
        assertNull(azure.routeTableOf(c.nodeSubnetId()));
        cli.resetOut();
        assertEquals(0, run("audit", "--markdown"));
        assertTrue(out().startsWith("| Verdict | Cluster |"), out());
        assertTrue(out().contains("| `drift-reported` | aks-app |"), out());
        assertTrue(out().contains("### Kubenet retirement"), out());
    }

    @Test
    void auditWithoutDriftExitsZeroEvenWithFailOnDrift() {
        Fixtures.kubenetCluster("rg-ok", "aks-ok").seed(azure.arm);
        assertEquals(0, run("audit", "--fail-on-drift"), out());
    }

    @Test
    void sweepRepairsAndExitsZeroOrOneWhenARepairFailed() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        assertEquals(0, run("sweep"), err());
        assertTrue(out().contains("sweep mode=enforce subnets=1"), out());
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        SeededCluster broken = Fixtures.kubenetCluster("rg-b", "aks-b").drifted().seed(azure.arm);
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("PUT", ".*/subnets/.*").respond(400, "SubnetWriteBlocked", "denied by policy").always());
        cli.resetOut();
        assertEquals(1, run("sweep", "--json"));
        assertTrue(out().contains("\"failed\""), out());
        assertNull(azure.routeTableOf(broken.nodeSubnetId()));
    }

    @Test
    void aSweepCutByItsTimeBudgetListsWhatItDidNotReachAndExitsFour() {
        Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").drifted().seed(azure.arm);
        assertEquals(Main.UNFINISHED, run(azure.env("SWEEP_TIME_BUDGET", "PT0.001S"), "sweep", "--json"), err());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        long notReached = rows.asList().stream().filter(r -> r.getAsJsonObject().get("action").getAsString().equals("not-reached")).count();
        assertEquals(2, notReached, out());
        assertEquals(0, azure.writes().size(), "nothing was started after the budget");
    }

    @Test
    void aDeliveryMixingValidAndMalformedEventsExitsByTheValidOnesAndNeverTwoAfterWriting() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        JsonObject broken = new JsonObject();
        broken.addProperty("id", "broken-1");
        broken.addProperty("eventType", "Microsoft.Resources.ResourceWriteSuccess");
        Path f = file(EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid(), broken));
        assertEquals(0, run("handle-event", f.toString()), err());
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(), "the valid event was acted on");
        assertTrue(err().contains("malformed event broken-1"), err());
    }

    @Test
    void anEventOfATypeTheGuardDoesNotActOnIsASkippedRowInTheJson() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Path f = file(EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).type("Microsoft.Resources.ResourceDeleteSuccess")
                .id("delete-1").eventGrid()));
        assertEquals(0, run("handle-event", f.toString(), "--json"), err());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        assertEquals(1, rows.size(), out());
        JsonObject row = rows.get(0).getAsJsonObject();
        assertEquals("skipped", row.get("action").getAsString(), out());
        assertEquals("delete-1", row.get("event").getAsString());
        assertEquals("Microsoft.Resources.ResourceDeleteSuccess", row.get("eventType").getAsString());
        assertEquals(0, azure.arm.requests().size(), "nothing read for it");
    }

    @Test
    void theEmulatorRefusesANegativeClusterCount() {
        assertEquals(2, run("emulator", "--clusters", "-1", "--once"));
        assertTrue(err().contains("--clusters"), err());
    }

    @Test
    void theAuditGroupsSeveralSubscriptionsByNameAndItsJsonNamesEachRowsSubscription() {
        String other = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
        Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(other).seed(azure.arm);
        azure.arm.subscription(other, "Payments", azure.arm.tenantRootGroup());
        Map<String, String> env = azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS", Emulated.SUB + "," + other);

        assertEquals(0, run(env, "audit"), err());
        assertTrue(out().contains("== Payments (" + other + "): 1 subnet: 1 in-sync"), out());
        // each heading with its own counts (the emulator names a subscription it was not told about after its ID)
        assertTrue(out().contains("== Emulated subscription " + Emulated.SUB + " (" + Emulated.SUB + "): 1 subnet: 1 drift-reported\n"),
                out());

        cli.resetOut();
        assertEquals(0, run(env, "audit", "--json"), err());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        assertEquals(2, rows.size());
        JsonObject payments = rows.asList().stream().map(r -> r.getAsJsonObject())
                .filter(r -> r.get("subscription").getAsString().equals(other)).findFirst().orElseThrow();
        assertEquals("Payments", payments.get("subscriptionName").getAsString());
        assertEquals(0, azure.writes().size(), "the audit never writes");
    }

    // ---- several subscriptions: what a sweep or an audit did not cover is in its output and its exit code ----------

    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
    static final String C = "7a3c9e51-6d2f-4b8a-9c1e-2f4d6b8a0c3e";

    private Map<String, String> listed(String... subscriptions) {
        return azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS", String.join(",", subscriptions));
    }

    private static java.util.List<JsonObject> rows(String json) {
        return JsonParser.parseString(json).getAsJsonArray().asList().stream().map(e -> e.getAsJsonObject()).toList();
    }

    private static JsonObject rowOf(java.util.List<JsonObject> rows, String subscription) {
        return rows.stream().filter(r -> r.get("subnet").isJsonNull() && r.get("subscription").getAsString().equals(subscription))
                .findFirst().orElseThrow(() -> new AssertionError("no row for subscription " + subscription + " in " + rows));
    }

    /** B answers 403 to its clusters listing, quoting a SAS signature; C's network listing has no value array. */
    private void breakBAndC() {
        String quoted = "denied; see https://logs.blob.core.windows.net/x?sv=2024&" + "s" + "ig=" + dev.aksrouteguard.testing.TestSecrets.SAS_SIGNATURE;
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", "^/subscriptions/" + B + "/providers/Microsoft.ContainerService/managedClusters$")
                .respond(403, "AuthorizationFailed", quoted).always());
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", "^/subscriptions/" + C + "/providers/Microsoft.Network/virtualNetworks$")
                .respondRaw(200, "{\"value\": null}").always());
    }

    /** The start of a minute whose number since the epoch is a multiple of 5. */
    static final java.time.Instant LIST_ORDER_MINUTE = java.time.Instant.ofEpochSecond(60L * 5 * 4_000_000);

    @Test
    void aSweepThatDidNotReachEverySubscriptionListsThoseItDidNotReachAndExitsFour() {
        // the sweep reads 4 subscriptions at a time, and a subscription that waits for a place starts only within budget
        String[] subs = {Emulated.SUB, B, C, "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"};
        for (int i = 1; i < subs.length; i++) {
            azure.arm.subscription(subs[i], "Team " + i, azure.arm.tenantRootGroup());
        }
        Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);

        // The start order moves on every minute (Sweeper.startOrder): a clock that runs in real time from a minute whose
        // number is a multiple of 5 starts the five in list order, so the last one is the one that waits for a place.
        dev.aksrouteguard.testing.TestClock clock = dev.aksrouteguard.testing.TestClock.runningFrom(LIST_ORDER_MINUTE);
        assertEquals(Main.UNFINISHED, cli.run(azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS", String.join(",", subs),
                "SWEEP_TIME_BUDGET", "PT0.001S"), stdin, azure.options().withClock(clock), "sweep", "--json"), err());

        java.util.List<JsonObject> rows = rows(out());
        JsonObject last = rowOf(rows, subs[4]);
        assertEquals("not-reached", last.get("action").getAsString(), last.toString());
        assertEquals("Team 4", last.get("subscriptionName").getAsString());
        assertTrue(last.get("message").getAsString().contains("not reached"), last.toString());
        assertTrue(rows.stream().anyMatch(r -> !r.get("subnet").isJsonNull() && r.get("action").getAsString().equals("not-reached")),
                "the drifted subnet of the first subscription is not reached either: " + out());
        assertTrue(err().contains(" subscriptions=5 unreadable=0 subscriptions-not-reached=1"), err());
        assertTrue(err().contains("not reached (time budget spent; the next sweep sweeps it): subscription Team 4 (" + subs[4] + ")"), err());
        assertEquals(0, azure.writes().size(), "nothing was started after the budget");
    }

    @Test
    void aSweepWithUnreadableSubscriptionsSweepsTheOthersButExitsOneAndListsEachWithoutSecrets() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-c", "aks-c").subscription(C).seed(azure.arm);
        azure.arm.subscription(B, "Payments", azure.arm.tenantRootGroup());
        breakBAndC();

        assertEquals(Main.FAILED, run(listed(Emulated.SUB, B, C), "sweep", "--json"), err());

        assertEquals(a.routeTableId().toLowerCase(), azure.routeTableOf(a.nodeSubnetId()).toLowerCase(), "A was still swept");
        assertNull(azure.routeTableOf(b.nodeSubnetId()));
        java.util.List<JsonObject> rows = rows(out());
        JsonObject payments = rowOf(rows, B);
        assertEquals("failed", payments.get("action").getAsString());
        assertEquals("Payments", payments.get("subscriptionName").getAsString());
        assertTrue(payments.get("message").getAsString().contains("403"), payments.toString());
        assertTrue(payments.get("nextStep").getAsString().contains("aks-route-guard role"), payments.toString());
        JsonObject untrusted = rowOf(rows, C);
        assertEquals("failed", untrusted.get("action").getAsString());
        assertTrue(untrusted.get("message").getAsString().contains("has no value array"), untrusted.toString());
        assertFalse(out().contains(dev.aksrouteguard.testing.TestSecrets.SAS_SIGNATURE), out());
        assertFalse(err().contains(dev.aksrouteguard.testing.TestSecrets.SAS_SIGNATURE), err());
        assertTrue(err().contains("2 of 3 guarded subscriptions could not be read"), err());

        cli.resetOut();
        assertEquals(Main.FAILED, run(listed(Emulated.SUB, B, C), "sweep"), err());
        assertTrue(out().contains("failed subscription Payments (" + B + "): could not be read"), out());
        assertTrue(out().contains(" subscriptions=3 unreadable=2 subscriptions-not-reached=0"), out());
    }

    @Test
    void exitCodesWhenSeveralApplyAreOneThenFourThenThree() {
        assertEquals(Main.FAILED, Main.exitCode(true, true, true));
        assertEquals(Main.UNFINISHED, Main.exitCode(false, true, true));
        assertEquals(Main.DRIFT, Main.exitCode(false, false, true));
        assertEquals(Main.OK, Main.exitCode(false, false, false));
    }

    @Test
    void anAuditWithUnreadableSubscriptionsReportsTheOthersAndTheUnreadableOnesAndExitsOneWhateverTheFlags() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        Fixtures.kubenetCluster("rg-c", "aks-c").subscription(C).seed(azure.arm);
        azure.arm.subscription(B, "Payments", azure.arm.tenantRootGroup());
        breakBAndC();
        Map<String, String> env = listed(Emulated.SUB, B, C);

        assertEquals(Main.FAILED, run(env, "audit"), err());
        assertTrue(out().contains(" (" + Emulated.SUB + "): 1 subnet: 1 drift-reported"), "the readable subscription is audited: " + out());
        assertTrue(out().contains("== Payments (" + B + "): failed: could not be read, not audited: "), out());
        assertTrue(out().contains("(" + C + "): failed: could not be read, not audited: list virtual networks"), out());
        assertTrue(out().contains("1 subnet: 1 drift-reported; 2 of 3 subscriptions not audited (could not be read)"), out());
        assertTrue(err().contains("the audit is incomplete: 2 of 3 guarded subscriptions could not be read"), err());

        for (String[] args : new String[][] {{"audit", "--fail-on-drift"}, {"audit", "--markdown"}, {"audit", "--json", "--fail-on-drift"}}) {
            cli.resetOut();
            assertEquals(Main.FAILED, run(env, args), String.join(" ", args) + ": " + err());
        }
        java.util.List<JsonObject> rows = rows(out());
        assertTrue(rows.stream().anyMatch(r -> !r.get("subnet").isJsonNull()
                && r.get("subnet").getAsString().equalsIgnoreCase(a.nodeSubnetId()) && r.get("action").getAsString().equals("drift-reported")), out());
        assertEquals("failed", rowOf(rows, B).get("action").getAsString());
        assertEquals("Payments", rowOf(rows, B).get("subscriptionName").getAsString());
        assertTrue(rowOf(rows, C).get("message").getAsString().contains("has no value array"), out());
        assertFalse(out().contains(dev.aksrouteguard.testing.TestSecrets.SAS_SIGNATURE), out());

        cli.resetOut();
        assertEquals(Main.FAILED, run(env, "audit", "--markdown"));
        assertTrue(out().contains("### Payments (" + B + "): failed: could not be read"), out());
        assertEquals(0, azure.writes().size(), "the audit never writes");
    }

    @Test
    void anAuditOfSeveralSubscriptionsNoneReadableListsEachAndExitsOne() {
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        Fixtures.kubenetCluster("rg-c", "aks-c").subscription(C).seed(azure.arm);
        breakBAndC();

        assertEquals(Main.FAILED, run(listed(B, C), "audit", "--json"), err());

        java.util.List<JsonObject> rows = rows(out());
        assertEquals(java.util.List.of("failed", "failed"), rows.stream().map(r -> r.get("action").getAsString()).toList(), out());
        assertEquals(java.util.Set.of(B, C), java.util.Set.copyOf(rows.stream().map(r -> r.get("subscription").getAsString()).toList()));
    }

    @Test
    void anAuditOfAManagementGroupWithoutSubscriptionsExitsOneSayingTheScopeIsEmpty() {
        azure.arm.managementGroup("empty-lz", "Empty landing zones", azure.arm.tenantRootGroup());

        assertEquals(Main.FAILED, run(azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_MANAGEMENT_GROUP_ID", "empty-lz"),
                "audit", "--fail-on-drift", "--json"));

        assertTrue(err().contains("nothing to audit: management group empty-lz has no subscription below it "
                + "(AZURE_MANAGEMENT_GROUP_ID); an empty scope is not a passing audit"), err());
        assertEquals("", out(), "no rows that a pipeline could read as a clean audit");
    }

    @Test
    void anAuditAfterAFailedDiscoveryOfTheManagementGroupSaysItAuditedTheListKnownBefore() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(Emulated.SUB, "Team A", "lz");
        Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        dev.aksrouteguard.wiring.Wiring w = azure.wiring("AZURE_SUBSCRIPTION_ID", "", "AZURE_MANAGEMENT_GROUP_ID", "lz");
        assertNull(w.guard().auditBySubscription().discoveryProblem());
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", "/descendants$").respond(403, "AuthorizationFailed", "no descendants").always());

        dev.aksrouteguard.core.Guard.Audit audit = w.guard().auditBySubscription();

        assertEquals(java.util.List.of(Emulated.SUB), audit.subscriptions(), "the list known before");
        assertEquals(1, audit.rows().size());
        String table = Output.bySubscription(audit, false);
        assertTrue(table.startsWith("Note: could not discover the guarded subscriptions again; audited the 1 known before"), table);
        assertTrue(table.contains("403"), table);
        assertTrue(Output.bySubscription(audit, true).startsWith("> **Note:** could not discover"), table);
    }

    @Test
    void theMarkdownAuditHeadsEachSubscriptionWithItsNameIdAndItsOwnCounts() {
        String payments = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
        String sandbox = "7a3c9e51-6d2f-4b8a-9c1e-2f4d6b8a0c3e";
        azure.arm.subscription(Emulated.SUB, "Team A", azure.arm.tenantRootGroup());
        azure.arm.subscription(payments, "Payments", azure.arm.tenantRootGroup());
        azure.arm.subscription(sandbox, "Sandbox", azure.arm.tenantRootGroup());
        Fixtures.kubenetCluster("rg-a1", "aks-a1").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-a2", "aks-a2").seed(azure.arm);
        Fixtures.kubenetCluster("rg-p", "aks-p").subscription(payments).seed(azure.arm);
        Fixtures.kubenetCluster("rg-s1", "aks-s1").subscription(sandbox).drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-s2", "aks-s2").subscription(sandbox).drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-s3", "aks-s3").subscription(sandbox).drifted().seed(azure.arm);
        Map<String, String> env = azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS",
                String.join(",", sandbox, Emulated.SUB, payments));

        assertEquals(0, run(env, "audit", "--markdown"), err());

        Map<String, List<String>> sections = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : out().split("\n")) {
            if (line.startsWith("### ")) {
                current = new ArrayList<>();
                sections.put(line, current);
            } else if (current != null && line.startsWith("| `")) {
                current.add(line);
            }
        }
        List<String> headings = sections.keySet().stream().filter(h -> h.contains(" subnet")).toList();
        assertEquals(List.of(
                "### Sandbox (" + sandbox + "): 3 subnets: 3 drift-reported",
                "### Team A (" + Emulated.SUB + "): 2 subnets: 1 in-sync, 1 drift-reported",
                "### Payments (" + payments + "): 1 subnet: 1 in-sync"), headings, "in the order guarded: " + out());
        Map<String, String> clusters = Map.of("Sandbox", "| aks-s", "Team A", "| aks-a", "Payments", "| aks-p");
        Map<String, Integer> sizes = Map.of("Sandbox", 3, "Team A", 2, "Payments", 1);
        for (String heading : headings) {
            String name = heading.substring(4, heading.indexOf(" ("));
            List<String> rows = sections.get(heading);
            assertEquals(sizes.get(name), rows.size(), heading + ": its own rows, under it: " + rows);
            assertTrue(rows.stream().allMatch(r -> r.contains(clusters.get(name))), heading + ": its own clusters: " + rows);
        }
        assertTrue(out().contains("6 subnets"), "and the whole audit's count: " + out());
        assertEquals(0, azure.writes().size(), "the audit never writes");
    }
}
