package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code handle-event} for two subscriptions when the other subscription's clusters listing fails (503): the command
 * line waits for every first listing, and one that fails leaves the subnet undecided — exit 4, naming the subscription
 * and its error — never {@code ignored} with exit 0 on what the event's own subscription alone says.
 */
class CliUnreadSubscriptionTest {

    static final String A = Emulated.SUB;
    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";

    final Emulated azure = Emulated.start();
    final Captured cli = new Captured();
    SeededCluster mine;

    @TempDir
    Path dir;

    @BeforeEach
    void aSubnetOfAOnlyAClusterInBUsesAndBsListingFails() {
        mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        JsonObject cluster = azure.resource(theirs.clusterId());
        for (JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", mine.nodeSubnetId());
        }
        azure.arm.put(theirs.clusterId(), cluster);
        azure.arm.delete(mine.clusterId());
        azure.arm.inject(Fault.on("GET", "^/subscriptions/" + B + "/providers/Microsoft.ContainerService/managedClusters$")
                .respond(503, "ServiceUnavailable", "try later").retryAfter(0).always());
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    /** The CLI as shipped: no retry queue. */
    int handle(EventJson event, String... more) throws Exception {
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(event.eventGrid()));
        List<String> args = new java.util.ArrayList<>(List.of("handle-event", f.toString()));
        args.addAll(List.of(more));
        return cli.run(azure.env(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS, A + "," + B),
                azure.options().withRetries(null), args.toArray(String[]::new));
    }

    String output() {
        return cli.out() + cli.err();
    }

    @Test
    void aSubnetWriteIsDeferredWithExitFourNamingTheSubscriptionAndItsError() throws Exception {
        assertEquals(Main.UNFINISHED, handle(EventJson.subnetWrite(mine.nodeSubnetId())), output());

        assertTrue(output().contains("deferred") && output().contains(B) && output().contains("503"), output());
        assertNull(azure.routeTableOf(mine.nodeSubnetId()));
        assertEquals(List.of(), azure.writes());
    }

    @Test
    void aVnetWriteWhoseOtherSubscriptionCouldNotBeReadIsNotFinishedEither() throws Exception {
        assertEquals(Main.UNFINISHED, handle(EventJson.vnetWrite(mine.virtualNetworkId())),
                "not 0: the node subnets of B's clusters in this VNet are not known: " + output());

        assertTrue(output().contains("not fully mapped") && output().contains(B),
                "without --verbose too, a Warning names the subscription not read: " + output());
        assertEquals(List.of(), azure.writes());
    }

    @Test
    void aVnetWriteMappedOnlyInPartIsARowOfItsOwnInTheJson() throws Exception {
        assertEquals(Main.UNFINISHED, handle(EventJson.vnetWrite(mine.virtualNetworkId()), "--json"), output());
        com.google.gson.JsonArray rows = com.google.gson.JsonParser.parseString(cli.out())
                .getAsJsonArray();
        com.google.gson.JsonObject row = rows.asList().stream().map(com.google.gson.JsonElement::getAsJsonObject)
                .filter(r -> r.has("event")).findFirst().orElseThrow(() -> new AssertionError("no event row: " + rows));
        assertEquals("not-reached", row.get("action").getAsString(), row.toString());
        assertTrue(row.get("message").getAsString().contains(B), row.toString());
    }

    @Test
    void aSubscriptionWhoseReadIsRefusedIsSkippedWithAWarningNamingIt() throws Exception {
        azure.arm.clearFaults();
        azure.arm.inject(Fault.on("GET", "^/subscriptions/" + B + "/providers/").respond(403, "AuthorizationFailed",
                "no access to this subscription").always());

        assertEquals(Main.OK, handle(EventJson.vnetWrite(mine.virtualNetworkId())), output());

        assertTrue(cli.err().contains("subscription " + B + " is skipped: reading its clusters was refused")
                && cli.err().contains("AuthorizationFailed"), "without --verbose too: " + output());
        assertEquals(List.of(), azure.writes());
    }

    @Test
    void anAuditAsJsonOfOneSubscriptionThatCannotBeReadIsOneFailedRow() {
        azure.arm.clearFaults();
        azure.arm.inject(Fault.on("GET", "^/subscriptions/" + A + "/providers/").respond(403, "AuthorizationFailed",
                "no access to this subscription").always());

        assertEquals(Main.FAILED, cli.run(azure.env(), azure.options(), "audit", "--json"), output());

        com.google.gson.JsonArray rows = com.google.gson.JsonParser.parseString(cli.out()).getAsJsonArray();
        assertEquals(1, rows.size(), rows.toString());
        com.google.gson.JsonObject row = rows.get(0).getAsJsonObject();
        assertEquals("failed", row.get("action").getAsString(), row.toString());
        assertEquals(A, row.get("subscription").getAsString(), row.toString());
        assertTrue(row.get("message").getAsString().contains("AuthorizationFailed"), row.toString());
        assertTrue(cli.err().contains("could not list the subscription: "), cli.err());
    }

    @Test
    void anAuditAsJsonWhoseSubscriptionsCannotBeDiscoveredIsOneFailedRowNotAnEmptyArray() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.subscription(A, "Team A", "lz");
        azure.arm.inject(Fault.on("GET", "/managementGroups/lz/descendants$").respond(403, "AuthorizationFailed", "no access")
                .always());

        assertEquals(Main.FAILED, cli.run(azure.env(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz"),
                azure.options(), "audit", "--json"), output());

        com.google.gson.JsonArray rows = com.google.gson.JsonParser.parseString(cli.out()).getAsJsonArray();
        assertEquals(1, rows.size(), cli.out());
        com.google.gson.JsonObject row = rows.get(0).getAsJsonObject();
        assertEquals("failed", row.get("action").getAsString());
        assertTrue(row.get("scope").getAsString().contains("management group lz"), row.toString());
        assertTrue(row.get("message").getAsString().contains("AuthorizationFailed"), row.toString());
    }
}
