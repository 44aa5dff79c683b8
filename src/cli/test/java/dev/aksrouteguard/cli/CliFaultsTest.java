package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestSecrets;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against an ARM that misbehaves: every wait ends, with exit 1 and one clear line, and nothing is
 * written. (The adapters' own bounds are tested in {@code BoundedWaitsTest}; these are the commands pipelines run.)
 */
class CliFaultsTest {

    final Emulated azure = Emulated.start();
    final Captured cli = new Captured();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        azure.close();
    }

    int run(String... args) {
        return cli.run(azure.env(), azure.options(), args);
    }

    String out() {
        return cli.out();
    }

    String err() {
        return cli.err();
    }

    @Test
    void anAuditWhoseClusterListingPointsAtItselfEndsWithExitOne() {
        Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$").nextLinkToItself().always());
        assertEquals(1, run("audit", "--fail-on-drift"), err());
        assertTrue(err().toLowerCase().contains("nextlink"), err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void aSweepWhoseClusterListingPointsAtItselfEndsWithExitOneAndWritesNothing() {
        Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$").nextLinkToItself().always());
        assertEquals(1, run("sweep", "--json"), err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void anEventUnderThrottlingThatAsksForTwoMinutesEndsWithExitOneWithoutWaitingThem() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*").respond(429, "TooManyRequests", "throttled").retryAfter(120).always());
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));
        azure.arm.clearRequests();
        assertEquals(1, run("handle-event", f.toString(), "--json"), err());
        assertTrue(err().contains("429") || err().toLowerCase().contains("throttl"), err());
        assertEquals(0, azure.writes().size());
        // A GET asked to wait 120 s is not tried again: the wait is longer than any the guard takes (the next event or
        // sweep reads again). Waiting it would show here as a second GET of the same path.
        java.util.Map<String, Long> gets = azure.arm.requests().stream().filter(r -> r.method().equals("GET"))
                .collect(java.util.stream.Collectors.groupingBy(r -> r.path().toLowerCase(), java.util.stream.Collectors.counting()));
        assertFalse(gets.isEmpty(), "the throttled GET was made");
        assertTrue(gets.values().stream().allMatch(n -> n == 1L), "no throttled GET was retried: " + gets);
    }

    /** An ARM message quoting a SAS URL and a bearer token, assembled at run time (no secret-shaped string in the sources). */
    static String quotingSecrets() {
        return "The client does not have authorization to perform action 'Microsoft.Network/virtualNetworks/subnets/read'; "
                + "diagnostics at https://diag.blob.core.windows.net/logs/x.json?sv=2020-08-04&sp=r&" + "si" + "g="
                + TestSecrets.SAS_SIGNATURE + " with header Authorization: " + "Bear" + "er eyJ0eXAiSECRETtoken.abc";
    }

    /**
     * ARM's 403 quoting a SAS URL, on the cluster listing that maps a VNet-write event and on the subnet read of a
     * subnet-write event: neither the table, nor {@code --json}, nor stderr (with {@code -v}, the function's own lines)
     * carries the signature; the event that could not be mapped is a {@code --json} row of its own saying why.
     */
    @Test
    void forbiddenReadsWhoseMessageQuotesASasUrlShowNoSignatureInTheTableTheJsonOrStderr() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$")
                .respond(403, "AuthorizationFailed", quotingSecrets()).always());
        azure.arm.inject(Fault.on("GET", ".*/subnets/[^/]+$").respond(403, "AuthorizationFailed", quotingSecrets()).always());
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(EventJson.vnetWrite(c.virtualNetworkId()).id("e-vnet").eventGrid(),
                EventJson.subnetWrite(c.nodeSubnetId()).id("e-subnet").eventGrid()));

        assertEquals(1, run("-v", "handle-event", f.toString()), err());
        String table = out();
        assertTrue(table.contains("failed event e-vnet") && table.contains("sig=***"), table);

        cli.resetOut();
        assertEquals(1, run("-v", "handle-event", f.toString(), "--json"), err());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        JsonObject event = rows.asList().stream().map(JsonElement::getAsJsonObject)
                .filter(r -> r.get("subnet").isJsonNull()).findFirst().orElseThrow(() -> new AssertionError(out()));
        assertEquals("failed", event.get("action").getAsString());
        assertEquals("e-vnet", event.get("event").getAsString());
        assertEquals(c.virtualNetworkId().toLowerCase(), event.get("subject").getAsString().toLowerCase());
        assertTrue(event.get("message").getAsString().contains("sig=***"), event.toString());
        assertTrue(rows.asList().stream().map(JsonElement::getAsJsonObject).anyMatch(r -> !r.get("subnet").isJsonNull()
                && r.get("action").getAsString().equals("failed")), "the subnet's own failed row: " + out());

        TestSecrets.assertNoSecretIn(table, "the table");
        TestSecrets.assertNoSecretIn(out(), "--json");
        TestSecrets.assertNoSecretIn(err(), "stderr");
        assertTrue(err().contains("failed "), "-v shows the function's lines: " + err());
    }

    /**
     * An event whose mapping is cut by the time limit (the cluster listing stalls past it) is unfinished, not failed:
     * exit 4, as for a subnet not reached, and a {@code --json} row saying so.
     */
    @Test
    void anEventNotMappedByTheTimeLimitExitsFourWithARowSayingSo() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        // A cold CLI lists the clusters to map a VNet write: the listing stalls past the limit.
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$")
                .delay(java.time.Duration.ofSeconds(6)).times(1));
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(EventJson.vnetWrite(c.virtualNetworkId()).id("e-vnet").eventGrid()));

        assertEquals(4, run("handle-event", f.toString(), "--json", "--time-limit", "PT2S"), err() + out());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        assertEquals(1, rows.size(), out());
        JsonObject event = rows.get(0).getAsJsonObject();
        assertEquals("not-reached", event.get("action").getAsString());
        assertEquals("e-vnet", event.get("event").getAsString());
        assertTrue(event.get("message").getAsString().contains("deadline"), event.toString());
        assertEquals(0, azure.writes().size());
    }

    /**
     * A token endpoint that hangs: the token wait is bounded, so the command ends with exit 1, a clear line saying no
     * token came, and no ARM call at all.
     */
    @Test
    void anEventWhileTheTokenEndpointHangsEndsWithExitOneAndNoArmCall() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));
        azure.arm.tokenDelay(java.time.Duration.ofHours(1));
        azure.arm.clearRequests();
        try {
            assertEquals(1, run("handle-event", f.toString()), err() + out());
        } finally {
            azure.arm.tokenDelay(java.time.Duration.ZERO);
        }
        assertTrue((out() + err()).contains("no access token within"), out() + err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
        assertEquals(List.of(), azure.arm.requests(), "no ARM call without a token");
    }

    @Test
    void aTimeLimitThatIsNotADurationIsBadInput() throws Exception {
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(EventJson.subnetWrite(Fixtures.kubenetCluster("rg-app", "aks-app")
                .seed(azure.arm).nodeSubnetId()).eventGrid()));
        assertEquals(2, run("handle-event", f.toString(), "--time-limit", "soon"), err());
        assertTrue(err().contains("--time-limit"), err());
        for (String huge : new String[] {"PT9999999999999H", "P106751991167300D", "PT25H"}) { // past Instant's range, or just long
            assertEquals(2, run("handle-event", f.toString(), "--time-limit", huge), huge + ": " + err());
            assertTrue(err().contains("--time-limit"), err());
        }
        assertEquals(0, azure.arm.requests().stream().filter(r -> !r.method().equals("GET")).count());
    }
}
