package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code prevent} and the audit's fixes, in process, against the emulator (no storage: the history is off). */
class PreventCommandTest {

    final Emulated azure = Emulated.start();
    final Captured cli = new Captured();

    @AfterEach
    void stop() {
        azure.close();
    }

    int run(String... args) {
        cli.reset();
        return cli.run(azure.env(), azure.options(), args);
    }

    String out() {
        return cli.out();
    }

    String err() {
        return cli.err();
    }

    @Test
    void preventPrintsEveryToolsFixForOneSubnetWithItsRealIds() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);

        assertEquals(0, run("prevent", c.nodeSubnetId()), err());

        String text = out();
        for (String header : new String[] {"# ==== Terraform", "# ==== Bicep / ARM", "# ==== Azure CLI"}) {
            assertTrue(text.contains(header), header + " in\n" + text);
        }
        assertTrue(text.contains(c.nodeSubnetId()), "the subnet's ID");
        assertTrue(text.contains(c.routeTableId()), "the route table's ID");
        assertTrue(text.contains("resource_group_name = \"" + c.nodeResourceGroup() + "\""), "the lookup in the node resource group");
        assertTrue(text.contains("Which one:"), "no history: both forms, with the rule for choosing");
        assertTrue(err().contains("repair history off"), err());
        assertEquals(0, azure.writes().size(), "read-only");
    }

    @Test
    void oneFormatPrintsOnlyThatToolsText() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);

        assertEquals(0, run("prevent", c.nodeSubnetId(), "--format", "terraform"), err());
        assertTrue(out().startsWith("# aks-route-guard: keep each kubenet node subnet"), out());
        assertFalse(out().contains("===="), "nothing but HCL");
        assertTrue(out().contains("import {"), "in sync: the association exists and is adopted");

        assertEquals(0, run("prevent", c.nodeSubnetId(), "--format", "cli"), err());
        assertEquals("az network vnet subnet update --subscription " + Emulated.SUB + " --resource-group rg-app --vnet-name "
                + c.virtualNetworkId().substring(c.virtualNetworkId().lastIndexOf('/') + 1) + " --name "
                + c.nodeSubnetId().substring(c.nodeSubnetId().lastIndexOf('/') + 1) + " --route-table " + c.routeTableId() + "\n", out());
    }

    @Test
    void preventAllGroupsTheGuardedSubnetsByVirtualNetworkAndSaysWhichHaveNoFix() {
        Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").nodePools(2).subnetPerPool().drifted().seed(azure.arm);
        Fixtures.azureCniCluster("rg-c", "aks-c").seed(azure.arm);

        assertEquals(0, run("prevent", "--all", "--format", "bicep"), err());

        String text = out();
        assertEquals(2, text.split("######## VNet ", -1).length - 1, "one group per VNet of a kubenet cluster:\n" + text);
        assertTrue(text.contains("######## VNet vnet-aks-b (resource group rg-b): "), text);
        assertFalse(text.contains("aks-c"), "Azure CNI is not guarded");
    }

    @Test
    void badInputIsOneClearLineAndExit2() {
        SeededCluster cni = Fixtures.azureCniCluster("rg-c", "aks-c").seed(azure.arm);
        assertEquals(Main.USAGE, run("prevent", "/subscriptions/x/not-a-subnet"));
        assertEquals(Main.USAGE, run("prevent", cni.nodeSubnetId()));
        assertTrue(err().contains("not a node subnet of a kubenet cluster"), err());
        assertEquals(Main.USAGE, run("prevent", cni.nodeSubnetId(), "--format", "pulumi"));
        assertTrue(err().contains("--format: expected terraform, bicep, cli or all"), err());
        assertEquals(Main.USAGE, run("prevent"));
    }

    @Test
    void aSubnetOutsideTheGuardedListIsRefusedNamingTheSettingThatSaysSo() {
        String other = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
        SeededCluster elsewhere = Fixtures.kubenetCluster("rg-x", "aks-x").subscription("0b7c3e11-9a2d-4f6e-8c5b-1d2e3f4a5b6c")
                .seed(azure.arm);
        cli.reset();
        int exit = cli.run(azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS", Emulated.SUB + "," + other),
                azure.options(), "prevent", elsewhere.nodeSubnetId());
        assertEquals(Main.USAGE, exit);
        assertTrue(err().contains("outside the guarded") && err().contains("(AZURE_SUBSCRIPTION_IDS)"), err());
        assertEquals("", out(), "nothing printed for a subnet it does not guard");
    }

    @Test
    void anotherGuardedSubscriptionThatCannotBeReadStopsNeitherThisSubnetsFixNorTheOthers() {
        String refused = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        SeededCluster there = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(refused).seed(azure.arm);
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", "^/subscriptions/" + refused + "/providers/")
                .respond(403, "AuthorizationFailed", "no access to this subscription").always());
        String[] env = {"AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS", Emulated.SUB + "," + refused};

        cli.reset();
        assertEquals(0, cli.run(azure.env(env), azure.options(), "prevent", c.nodeSubnetId(), "--format", "cli"), err());
        assertTrue(out().startsWith("az network vnet subnet update --subscription " + Emulated.SUB), out());

        cli.reset();
        assertEquals(Main.FAILED, cli.run(azure.env(env), azure.options(), "prevent", there.nodeSubnetId(), "--format", "cli"));
        assertTrue(err().contains("could not list the subscription: " + refused) && err().contains("AuthorizationFailed"), err());
        assertEquals("", out());

        cli.reset();
        assertEquals(Main.FAILED, cli.run(azure.env(env), azure.options(), "prevent", "--all", "--format", "cli"),
                "the fixes of what could be read, and a failure for what could not");
        assertTrue(out().contains("######## VNet vnet-aks-app"), out());
        assertTrue(out().contains("# not read, so no fixes for its subnets: subscription " + refused), out());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void theAuditsJsonCarriesTheFixesPerGuardedSubnetAndSaysOnceThatTheHistoryIsOff() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);

        assertEquals(0, run("audit", "--json"), err());

        JsonArray rows = JsonParser.parseString(out()).getAsJsonArray();
        JsonObject row = rows.get(0).getAsJsonObject();
        assertEquals(c.nodeSubnetId(), row.get("subnet").getAsString());
        JsonObject prevention = row.getAsJsonObject("prevention");
        for (String key : new String[] {"terraform", "bicep", "azureCli"}) {
            assertTrue(prevention.get(key).getAsString().contains(c.routeTableId().substring(c.routeTableId().lastIndexOf('/') + 1)), key);
        }
        assertFalse(row.has("strippedCount"), "no history: no counts");
        assertEquals(1, err().split("Repair history off", -1).length - 1, "said once: " + err());
    }

    @Test
    void theAuditsMarkdownFoldsAFixUnderEachDriftedSubnetForAPullRequestComment() {
        Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        SeededCluster drifted = Fixtures.kubenetCluster("rg-b", "aks-b").drifted().seed(azure.arm);

        assertEquals(0, run("audit", "--markdown"), err());

        String md = out();
        assertEquals(1, md.split("<details>", -1).length - 1, "one fix: the drifted subnet's\n" + md);
        assertTrue(md.contains("<summary>Fix vnet-aks-b/"), md);
        assertTrue(md.contains("```hcl\n") && md.contains("```bicep\n") && md.contains("```sh\naz network vnet subnet update"), md);
        assertTrue(md.contains(drifted.routeTableId()), md);
        assertTrue(md.contains("Repair history off"), md);
    }

    @Test
    void theAuditTableSaysTheHistoryIsOff() {
        Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        assertEquals(0, run("audit"), err());
        assertTrue(out().contains("Repair history off: AzureWebJobsStorage is not set"), out());
    }

    @Test
    void aStorageConnectionThatCannotBeUsedIsSaidSoNotCalledUnset() {
        Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
        cli.reset();
        // Settings refuses what is certainly broken (an unknown key, a key misspelt); keys it knows in a combination the
        // Storage SDK refuses (the emulator's shortcut with an account of its own) pass it and are refused there.
        assertEquals(0, cli.run(azure.env("AzureWebJobsStorage", "UseDevelopmentStorage=true;AccountName=x;AccountKey=bm90LWJhc2U2NA=="),
                azure.options(), "audit"), err());
        assertTrue(out().contains("Repair history off (the AzureWebJobsStorage connection cannot be used for it)"), out());
        assertFalse(out().contains("is not set"), out());
        assertTrue(err().contains("the storage connection (AzureWebJobsStorage) cannot be used for the repair history"), err());
        assertFalse(err().contains("Teams alerts: the storage"), err());
        assertFalse((out() + err()).contains("bm90LWJhc2U2NA"), "the connection string is never echoed");
    }

    @Test
    void aSubnetWhoseClusterMayBeInASubscriptionThatCannotBeReadIsAFailureNotBadInput() {
        String refused = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(refused).seed(azure.arm);
        JsonObject cluster = azure.resource(theirs.clusterId());
        for (com.google.gson.JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", mine.nodeSubnetId()); // B's cluster on A's subnet
        }
        azure.arm.put(theirs.clusterId(), cluster);
        azure.arm.delete(mine.clusterId());
        azure.arm.inject(dev.aksrouteguard.emulator.Fault.on("GET", "^/subscriptions/" + refused + "/providers/")
                .respond(403, "AuthorizationFailed", "no access").always());

        cli.reset();
        assertEquals(Main.FAILED, cli.run(azure.env("AZURE_SUBSCRIPTION_ID", "", "AZURE_SUBSCRIPTION_IDS", Emulated.SUB + "," + refused),
                azure.options(), "prevent", mine.nodeSubnetId(), "--format", "cli"), err());
        assertTrue(err().contains("could not list the subscription: " + refused) && err().contains("may: no fix without it"), err());
        assertEquals("", out());
    }
}
