package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.cli.CliProcesses.Run;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repair history across separate processes of the packaged CLI sharing Azurite, as pipelines and laptops share the
 * function app's storage: the strips recorded by {@code handle-event} runs are counted by an {@code audit} run and tell a
 * {@code prevent} run how the IaC declares the subnet.
 */
@ExtendWith(AzuriteExtension.class)
class PreventProcessIT {

    ArmEmulator arm;
    CliProcesses processes;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        arm = ArmEmulator.start();
        arm.synchronousWrites(true);
        processes = new CliProcesses(arm, dir);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    Run cli(Map<String, String> extraEnv, String... args) throws Exception {
        return processes.cli(extraEnv, args);
    }

    /** The events the emulator published since the last call, as one Event Grid delivery in a file. */
    Path delivery() throws Exception {
        JsonArray events = new JsonArray();
        arm.drainEvents().forEach(events::add);
        Path f = dir.resolve("delivery-" + System.nanoTime() + ".json");
        Files.writeString(f, events.toString());
        return f;
    }

    @Test
    void stripsRecordedByOneProcessAreCountedByTheAuditAndShapeThePreventOfAnother(Azurite azurite) throws Exception {
        String group = "rg-app-" + UUID.randomUUID().toString().substring(0, 8);
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(arm);
        Map<String, String> env = Map.of("AzureWebJobsStorage", azurite.connectionString(), "RECURRENCE_THRESHOLD", "2");
        Principal pipeline = Principal.servicePrincipal("sp-bicep-release");

        for (int i = 1; i <= 2; i++) {
            IacRedeploy.viaDeployment(arm, c.virtualNetworkId(), "vnet-release-" + i, null, pipeline);
            Run handled = cli(env, "handle-event", delivery().toString(), "--json");
            assertEquals(0, handled.exit(), handled.err());
            JsonObject row = JsonParser.parseString(handled.out()).getAsJsonArray().get(0).getAsJsonObject();
            assertEquals("reassociated", row.get("action").getAsString(), handled.out());
            assertEquals("vnet-release-" + i, row.getAsJsonObject("deployment").get("name").getAsString());
            assertEquals(i, row.get("strippedCount").getAsInt(), "the history is shared by the processes");
        }

        Run audit = cli(env, "audit", "--json");
        assertEquals(0, audit.exit(), audit.err());
        JsonObject row = JsonParser.parseString(audit.out()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals(2, row.get("strippedCount").getAsInt());
        assertEquals("service principal sp-bicep-release (app " + pipeline.appId() + ") (deployment vnet-release-2 in resource group "
                + group + ")", row.get("lastStrippedBy").getAsString());
        assertEquals("bicep", row.getAsJsonObject("prevention").get("mostLikely").getAsString(), "the last strip was a deployment");

        Run prevent = cli(env, "prevent", c.nodeSubnetId(), "--format", "bicep");
        assertEquals(0, prevent.exit(), prevent.err());
        assertTrue(prevent.out().contains("declared inline"),
                "the last strip's VNet write says the subnets are inline: " + prevent.out());
        assertFalse(prevent.out().contains("Which one:"), "evidence, not a choice: " + prevent.out());
        assertTrue(prevent.out().contains("var snetAksNodesSubnet = {"), prevent.out());
        assertFalse(prevent.err().contains("repair history off"), prevent.err());

        Run table = cli(env, "audit");
        assertTrue(table.out().contains("Stripped this week (repair history; 2 or more: fix the IaC"), table.out());
        assertTrue(table.out().contains("2 (recurring)  last by service principal sp-bicep-release"), table.out());
        for (Run r : List.of(audit, prevent, table)) {
            assertFalse(r.out().contains(AzuriteExtension.KEY) || r.err().contains(AzuriteExtension.KEY), "the key leaked");
        }
    }

    static final String DEPLOYMENTS_LISTING = "/providers/Microsoft.Resources/deployments$";

    /**
     * A throttled, then slow, deployments listing (a 429 with {@code Retry-After: 3}, then an answer after 3.5 s: about
     * 7 s, past the 5 s an outcome waits but within the lookup's 10 s) answers after {@code handle-event} has printed its
     * outcome; the process still records the strip, with its deployment, before it exits.
     */
    @Test
    void aStripWhoseDeploymentLookupAnswersAfterTheOutcomeIsStillRecordedBeforeTheProcessExits(Azurite azurite) throws Exception {
        String group = "rg-slow-" + UUID.randomUUID().toString().substring(0, 8);
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(arm);
        Map<String, String> env = Map.of("AzureWebJobsStorage", azurite.connectionString());
        IacRedeploy.viaDeployment(arm, c.virtualNetworkId(), "vnet-release-9", null, Principal.servicePrincipal("sp-bicep-release"));
        arm.inject(dev.aksrouteguard.emulator.Fault.throttled("GET", DEPLOYMENTS_LISTING, 3).times(1));
        arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", DEPLOYMENTS_LISTING).delay(java.time.Duration.ofMillis(3500)).times(1));

        Run handled = cli(env, "handle-event", delivery().toString(), "--json");

        assertEquals(0, handled.exit(), handled.err());
        JsonObject row = JsonParser.parseString(handled.out()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals("reassociated", row.get("action").getAsString(), handled.out());
        assertFalse(row.has("deployment") && !row.get("deployment").isJsonNull(), "not known when the outcome went out: " + row);
        assertTrue(handled.err().contains("was not found within 5000 ms"), handled.err());
        assertFalse(handled.err().contains("still running after"), "drained in time: " + handled.err());
        arm.clearFaults();

        Run audit = cli(env, "audit", "--json");
        assertEquals(0, audit.exit(), audit.err());
        JsonObject audited = JsonParser.parseString(audit.out()).getAsJsonArray().get(0).getAsJsonObject();
        assertEquals(1, audited.get("strippedCount").getAsInt(), "the strip was recorded before the first process exited: " + audit.out());
        assertTrue(audited.get("lastStrippedBy").getAsString().endsWith("(deployment vnet-release-9 in resource group " + group + ")"),
                audited.toString());
        assertEquals("bicep", audited.getAsJsonObject("prevention").get("mostLikely").getAsString());
    }
}
