package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.Emulated;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit's strips with the repair history on (Azurite), in process against the emulator: {@code --json} gives every
 * subnet its {@code strippedCount} (0 when never stripped), while the table and {@code --markdown} list only the subnets
 * with a strip recorded in the window, as docs/deploy.md says.
 */
@ExtendWith(AzuriteExtension.class)
class AuditStripsTest {

    final Emulated azure = Emulated.start();
    final Captured cli = new Captured();
    final Azurite azurite;
    final String suffix = UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path dir;

    AuditStripsTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    int run(String... args) {
        cli.reset();
        return cli.run(azure.env("AzureWebJobsStorage", azurite.connectionString(), "RECURRENCE_THRESHOLD", "2"), azure.options(), args);
    }

    String out() {
        return cli.out();
    }

    String err() {
        return cli.err();
    }

    /** The events the emulator published since the last call, as one Event Grid delivery in a file. */
    Path delivery() throws Exception {
        JsonArray events = new JsonArray();
        azure.arm.drainEvents().forEach(events::add);
        Path f = dir.resolve("delivery-" + System.nanoTime() + ".json");
        Files.writeString(f, events.toString());
        return f;
    }

    static String shortName(String subnetId) {
        String[] p = subnetId.split("/");
        return p[p.length - 3] + "/" + p[p.length - 1];
    }

    @Test
    void theMarkdownStripsTableListsOnlyTheSubnetsStrippedInTheWindowWhileTheJsonCountsEverySubnet() throws Exception {
        SeededCluster stripped = Fixtures.kubenetCluster("rg-app-" + suffix, "aks-app").seed(azure.arm);
        SeededCluster quiet = Fixtures.kubenetCluster("rg-quiet-" + suffix, "aks-quiet").addressSpace("10.20.0.0/16").seed(azure.arm);
        Principal pipeline = Principal.servicePrincipal("sp-bicep-release");
        for (int i = 1; i <= 2; i++) {
            IacRedeploy.viaDeployment(azure.arm, stripped.virtualNetworkId(), "vnet-release-" + i, null, pipeline);
            assertEquals(0, run("handle-event", delivery().toString()), err());
            azure.arm.drainEvents(); // the guard's own repair write, in sync next time
        }

        assertEquals(0, run("audit", "--markdown"), err());

        String markdown = out();
        int start = markdown.indexOf("### Stripped this week");
        assertTrue(start >= 0, markdown);
        List<String> section = Arrays.stream(markdown.substring(start).split("\n", -1)).skip(2).takeWhile(l -> !l.isBlank()).toList();
        assertEquals("| Subnet | Stripped | Last stripped by |", section.get(0), markdown);
        assertEquals("|---|---|---|", section.get(1));
        assertEquals(List.of("| " + shortName(stripped.nodeSubnetId()) + " | 2 (recurring) | service principal sp-bicep-release (app "
                + pipeline.appId() + ") (deployment vnet-release-2 in resource group rg-app-" + suffix + ") |"), section.subList(2, section.size()),
                "one row, for the subnet stripped twice; none for the subnet never stripped: " + markdown);
        assertFalse(markdown.contains("repair history off"), markdown);

        assertEquals(0, run("audit", "--json"), err());
        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        JsonObject quietRow = null;
        for (JsonElement e : rows) {
            if (e.getAsJsonObject().get("subnet").getAsString().equalsIgnoreCase(quiet.nodeSubnetId())) {
                quietRow = e.getAsJsonObject();
            }
        }
        assertTrue(quietRow != null, out());
        assertEquals(0, quietRow.get("strippedCount").getAsInt(), "every subnet has a count in JSON, 0 when never stripped");
        assertTrue(quietRow.get("lastStrippedBy").isJsonNull());
    }

    JsonObject auditRow(String subnetId) {
        assertEquals(0, run("audit", "--json"), err());
        for (JsonElement e : JsonParser.parseString(out()).getAsJsonArray()) {
            if (e.getAsJsonObject().get("subnet").getAsString().equalsIgnoreCase(subnetId)) {
                return e.getAsJsonObject();
            }
        }
        throw new AssertionError("no row for " + subnetId + ": " + out());
    }

    @Test
    void afterADeploymentLookupTheGuardWasRefusedTheAuditNamesNoToolInJsonAndMarkdown() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app-" + suffix, "aks-app").seed(azure.arm);
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(java.util.Set.of("Microsoft.Network/*/read",
                "Microsoft.ContainerService/managedClusters/read", "Microsoft.Network/virtualNetworks/subnets/write",
                "Microsoft.Network/routeTables/join/action", "Microsoft.Network/networkSecurityGroups/join/action",
                "Microsoft.Network/natGateways/join/action", "Microsoft.Resources/subscriptions/read"));
        Principal pipeline = Principal.servicePrincipal("sp-bicep-release");
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-1", null, pipeline);
        assertEquals(0, run("handle-event", delivery().toString()), err());
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-2", null, pipeline); // drift, not delivered
        azure.arm.drainEvents();

        JsonObject row = auditRow(c.nodeSubnetId());

        assertEquals("drift-reported", row.get("action").getAsString(), row.toString());
        JsonObject prevention = row.getAsJsonObject("prevention");
        assertTrue(prevention.get("mostLikely").isJsonNull(), "a deployment made it, the lookup was refused: no tool guessed " + row);
        assertTrue(prevention.get("why").getAsString().startsWith("Which tool made the change is not known: the deployment lookup of the"
                + " last strip's write gave no answer"), prevention.toString());
        assertEquals(0, run("audit", "--markdown"), err());
        assertTrue(out().contains("stop the IaC stripping its route table (which tool: not known)</summary>"), out());
        assertFalse(out().contains("Terraform first"), out());
    }

    @Test
    void afterALookupThatFoundNoDeploymentTheAuditPutsTerraformFirst() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app-" + suffix, "aks-app").seed(azure.arm);
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), Principal.servicePrincipal("sp-terraform-platform"));
        assertEquals(0, run("handle-event", delivery().toString()), err());
        azure.arm.drainEvents();

        JsonObject prevention = auditRow(c.nodeSubnetId()).getAsJsonObject("prevention");

        assertEquals("terraform", prevention.get("mostLikely").getAsString(), prevention.toString());
        assertTrue(prevention.get("why").getAsString().startsWith("No ARM deployment carried the correlation ID of the last strip's write"
                + " (by service principal sp-terraform-platform"), prevention.toString());
    }

    /**
     * The principal's name comes from the event's claims: a service principal's display name is whatever its owner (any
     * user who may register an app) typed. In the Markdown table it stays inside its cell: a backslash cannot un-escape
     * the pipe, a carriage return (a line ending in CommonMark) cannot start a line of its own, and neither a link, an
     * image nor HTML is rendered from it.
     */
    @Test
    void aPrincipalNameFromTheEventStaysInsideItsMarkdownTableCell() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app-" + suffix, "aks-app").seed(azure.arm);
        Principal pipeline = Principal.servicePrincipal("sp\\| forged cell\r| forged row |\r[approve](https://phish.example) <img src=x>");
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-1", null, pipeline);
        assertEquals(0, run("handle-event", delivery().toString()), err());
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-2", null, pipeline); // drift, not delivered
        azure.arm.drainEvents();

        assertEquals(0, run("audit", "--markdown"), err());

        String markdown = out();
        assertTrue(markdown.contains("<details>"), "the fix names the last strip's principal: " + markdown);
        int start = markdown.indexOf("### Stripped this week");
        assertTrue(start >= 0, markdown);
        assertFalse(markdown.contains("\r"), "a carriage return ends a line in Markdown: " + markdown);
        List<String> rows = Arrays.stream(markdown.substring(start).split("\n", -1)).skip(4).takeWhile(l -> !l.isBlank()).toList();
        assertEquals(1, rows.size(), markdown);
        assertEquals(3, cells(rows.get(0)), "one row of three cells: " + rows.get(0));
        assertFalse(java.util.regex.Pattern.compile("(?<!\\\\)(\\[approve|<img)").matcher(markdown).find(),
                "no link or HTML from the name, in the table or in the fix's explanation: " + markdown);
    }

    /** How many cells GitHub-flavoured Markdown reads in a table row: split at every pipe no backslash escapes. */
    static int cells(String row) {
        int pipes = 0;
        for (int i = 0; i < row.length(); i++) {
            if (row.charAt(i) == '\\') {
                i++;
            } else if (row.charAt(i) == '|') {
                pipes++;
            }
        }
        return pipes - 1;
    }
}
