package dev.aksrouteguard.prevention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Attribution;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.FirstPartyApps;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which fix comes first, and which form of the subnet, from what the outcome knows. */
class PreventionTest {

    static final String SUB = "6a2f0c4e-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    static final SubnetId NODES = SubnetId.of(SUB, "rg-net", "vnet-spoke", "snet-aks-nodes");
    static final ResourceId TABLE = ResourceId.parse("/subscriptions/" + SUB
            + "/resourceGroups/MC_rg-aks_aks-prod_westeurope/providers/Microsoft.Network/routeTables/aks-agentpool-12345678-routetable");
    static final ResourceId VNET = NODES.virtualNetwork();
    static final Instant T = Instant.parse("2026-05-08T12:00:00Z");

    static Outcome outcome(Action action, Trigger trigger) {
        return Outcome.decided(NODES, null, List.of("nodepool1"), TABLE, null, action, "m", null, false, Mode.ENFORCE, trigger, T, T,
                List.of("10.10.0.0/22"), List.of());
    }

    static Trigger event(String operation, String appId, String principal) {
        return new Trigger.Event(new ArmWrite("e1", operation, operation.endsWith("subnets/write") ? NODES.id() : VNET, T, "c1",
                new Actor(principal, appId, null)));
    }

    @Test
    void aWriteByAnArmDeploymentPutsTheBicepFixFirst() {
        Deployment d = new Deployment(ResourceId.parse("/subscriptions/" + SUB + "/resourceGroups/rg-net/providers/Microsoft.Resources/deployments/net-7"),
                null, null, null);
        Outcome o = outcome(Action.REASSOCIATED, event(Declaration.VNET_WRITE, "70a21af4-f749-3bc1-9a80-84ab5563d21d", "sp-bicep"))
                .withAttribution(Attribution.found(d));

        Fixes f = Prevention.fixes(o);

        assertEquals(Tool.BICEP, f.primary());
        assertTrue(f.why().startsWith("ARM deployment net-7 (resource group rg-net) made the write"), f.why());
        assertEquals(List.of(Tool.TERRAFORM, Tool.AZURE_CLI), f.others());
    }

    @Test
    void aWriteNoDeploymentCarriesPutsTerraformFirstEvenThroughAnAzureCliSignIn() {
        Fixes f = Prevention.fixes(outcome(Action.REASSOCIATED, event(Declaration.VNET_WRITE, FirstPartyApps.AZURE_CLI, "alice@contoso.com"))
                .withAttribution(Attribution.NONE_FOUND));
        assertEquals(Tool.TERRAFORM, f.primary());
        assertTrue(f.why().startsWith("No ARM deployment carries the write's correlation ID"), f.why());
        assertTrue(f.why().contains("signed in through Azure CLI, as a local terraform apply is"), f.why());
    }

    @Test
    void aChangeInThePortalThatNoDeploymentMadePutsTheCommandFirst() {
        Fixes f = Prevention.fixes(outcome(Action.REASSOCIATED, event(Declaration.SUBNET_WRITE, FirstPartyApps.AZURE_PORTAL, "bob@contoso.com"))
                .withAttribution(Attribution.NONE_FOUND));
        assertEquals(Tool.AZURE_CLI, f.primary());
        assertTrue(f.why().contains("Azure portal"), f.why());
    }

    @Test
    void aLookupThatWasLateFailedOrRefusedNamesNoToolAndPutsNoFixFirst() {
        for (Attribution.Reason reason : Attribution.Reason.values()) {
            for (String appId : List.of("70a21af4-f749-3bc1-9a80-84ab5563d21d", FirstPartyApps.AZURE_PORTAL)) {
                Outcome o = outcome(Action.REASSOCIATED, event(Declaration.VNET_WRITE, appId, "sp-release"))
                        .withAttribution(Attribution.unknown(reason));

                Fixes f = Prevention.fixes(o);

                assertEquals(null, f.primary(), reason + ": " + f.why());
                assertEquals(List.of(Tool.TERRAFORM, Tool.BICEP, Tool.AZURE_CLI), f.others(), "every fix, none first");
                assertTrue(f.why().startsWith("Which tool made the change is not known: the deployment lookup by the write's"
                        + " correlation ID " + reason.words()), f.why());
                assertFalse(f.why().contains("No ARM deployment carries"), "it was not found not to: " + f.why());
                assertFalse(f.why().contains("most often Terraform"), f.why());
                assertEquals(Declaration.INLINE, Prevention.subject(o).declaration(), "how it is declared is still known");
            }
        }
    }

    @Test
    void anEventWhoseWriteWasNotLookedUpNamesNoTool() {
        Fixes f = Prevention.fixes(outcome(Action.DRIFT_REPORTED, event(Declaration.SUBNET_WRITE, "a", "p")));
        assertEquals(null, f.primary());
        assertTrue(f.why().contains("the write's correlation ID was not looked up"), f.why());
    }

    @Test
    void theWriteThatStrippedTheTableSaysHowTheSubnetIsDeclared() {
        Subject inline = Prevention.subject(outcome(Action.REASSOCIATED, event(Declaration.VNET_WRITE, "a", "p")));
        Subject separate = Prevention.subject(outcome(Action.REASSOCIATED, event(Declaration.SUBNET_WRITE, "a", "p")));
        Subject sweep = Prevention.subject(outcome(Action.REASSOCIATED, new Trigger.Sweep(T)));

        assertEquals(Declaration.INLINE, inline.declaration());
        assertEquals(Declaration.SEPARATE, separate.declaration());
        assertEquals(Declaration.UNKNOWN, sweep.declaration(), "the sweep has no evidence");
        assertFalse(Prevention.fixes(inline).terraform().contains("azurerm_subnet_route_table_association"),
                "never both forms for one subnet");
        assertFalse(Prevention.fixes(separate).terraform().contains("\nsubnet {"));
        assertTrue(Prevention.fixes(sweep).terraform().contains("Which one:"), "both, with the rule for choosing");
    }

    @Test
    void withoutAnEventTheHistorysLastStripSaysHowAndWho() {
        Strip last = new Strip(NODES, "event:e9", T.minusSeconds(3600), "reassociated", Declaration.VNET_WRITE, "service principal sp",
                "net-7 in resource group rg-net", "c9");
        Outcome audited = outcome(Action.DRIFT_REPORTED, new Trigger.Manual("audit"))
                .withRecurrence(new Recurrence(1, last, Recurrence.Policy.DEFAULT));

        Subject s = Prevention.subject(audited);

        assertEquals(Declaration.INLINE, s.declaration());
        assertEquals(Tool.BICEP, s.likely());
        assertFalse(s.associated(), "drifted: there is no association to import");
    }

    static Outcome auditedAfter(Attribution.Kind lookup) {
        Strip last = new Strip(NODES, "event:e9", T.minusSeconds(3600), "reassociated", Declaration.VNET_WRITE, "service principal sp",
                null, "c9", lookup);
        return outcome(Action.DRIFT_REPORTED, new Trigger.Manual("audit")).withRecurrence(new Recurrence(1, last, Recurrence.Policy.DEFAULT));
    }

    @Test
    void inTheAuditOnlyALastStripWhoseLookupFoundNoDeploymentPutsTerraformFirst() {
        Fixes none = Prevention.fixes(auditedAfter(Attribution.Kind.NONE_FOUND));
        Fixes unknown = Prevention.fixes(auditedAfter(Attribution.Kind.UNKNOWN));
        Fixes notLooked = Prevention.fixes(auditedAfter(null));
        Fixes noHistory = Prevention.fixes(outcome(Action.DRIFT_REPORTED, new Trigger.Manual("audit")));

        assertEquals(Tool.TERRAFORM, none.primary());
        assertTrue(none.why().contains("No ARM deployment carried the correlation ID of the last strip's write (by service principal sp)"),
                none.why());
        for (Fixes f : List.of(unknown, notLooked, noHistory)) {
            assertEquals(null, f.primary(), f.why());
            assertTrue(f.why().startsWith("Which tool made the change is not known"), f.why());
            assertFalse(f.why().contains("most often Terraform") || f.why().contains("most reported"), f.why());
        }
        assertTrue(unknown.why().contains("the deployment lookup of the last strip's write gave no answer"), unknown.why());
    }

    @Test
    void onlyASubnetWhoseTableIsKnownAndMeantToBeThereHasAFix() {
        assertTrue(Prevention.applies(outcome(Action.IN_SYNC, new Trigger.Manual("audit"))));
        assertTrue(Prevention.applies(outcome(Action.DRIFT_REPORTED, new Trigger.Manual("audit"))));
        assertFalse(Prevention.applies(outcome(Action.CONFLICT, new Trigger.Manual("audit"))), "another table may be there on purpose");
        assertFalse(Prevention.applies(outcome(Action.FAILED, new Trigger.Manual("audit"))));
        assertThrows(IllegalArgumentException.class, () -> Prevention.fixes(outcome(Action.CONFLICT, new Trigger.Manual("audit"))));
    }

    @Test
    void namesThatAreNotIdentifiersBecomeValidAndUniqueOnes() {
        Names names = new Names();
        assertEquals("aks_agentpool_12345678_routetable", names.terraformName("aks-agentpool-12345678-routetable"));
        assertEquals("aks_agentpool_12345678_routetable_2", names.terraformName("aks-agentpool-12345678-routetable"));
        assertEquals("n_1nodes", names.terraformName("1nodes"));
        assertEquals("snetAksNodes", names.bicepSymbol("snet-aks-nodes"));
        assertEquals("r1nodes", names.bicepSymbol("1nodes"));
        assertEquals("\"a$${b}\\\"\"", Names.hclString("a${b}\""));
        assertEquals("'it\\'s \\${x}'", Names.bicepString("it's ${x}"));
    }

    @Test
    void aRouteTableInAnotherSubscriptionIsNamedWithItsSubscriptionInEveryForm() {
        String clusterSub = "1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b";
        ResourceId table = ResourceId.parse(TABLE.value().replace(SUB, clusterSub));
        Subject s = new Subject(NODES, List.of("10.10.0.0/22"), List.of(), table, null, Declaration.UNKNOWN, true, null, "why");
        Fixes f = Prevention.fixes(s);

        String bicep = f.of(Tool.BICEP);
        assertTrue(bicep.contains("  scope: resourceGroup('" + clusterSub + "', 'MC_rg-aks_aks-prod_westeurope')\n"), bicep);
        assertTrue(bicep.contains("[resourceId('" + clusterSub + "', 'MC_rg-aks_aks-prod_westeurope', 'Microsoft.Network/routeTables', "
                + "'aks-agentpool-12345678-routetable')]"), bicep);
        String terraform = f.of(Tool.TERRAFORM);
        assertFalse(terraform.contains("data \"azurerm_resources\""), "that lookup searches only the provider's subscription: " + terraform);
        assertTrue(terraform.contains("route_table_id = \"" + table + "\"\n"), terraform);
        assertTrue(terraform.contains("route_table_id   = \"" + table + "\"\n"), terraform);
        assertTrue(terraform.replace("\n# ", " ").contains("is in subscription " + clusterSub + ", not in the subnet's " + SUB), terraform);
        assertTrue(f.of(Tool.AZURE_CLI).contains("--route-table " + table), f.of(Tool.AZURE_CLI));

        Fixes same = Prevention.fixes(new Subject(NODES, List.of("10.10.0.0/22"), List.of(), TABLE, null, Declaration.UNKNOWN, true, null, "why"));
        assertTrue(same.of(Tool.BICEP).contains("  scope: resourceGroup('MC_rg-aks_aks-prod_westeurope')\n"), same.of(Tool.BICEP));
        assertTrue(same.of(Tool.TERRAFORM).contains("data \"azurerm_resources\""), same.of(Tool.TERRAFORM));
    }

    @Test
    void readBackModulesOfLongNamesGetDistinctDeploymentNamesOfAtMost64Characters() {
        String vnet = "vnet-hub-spoke-aks-production-westeurope-0001-shared-services";
        List<Subject> subjects = List.of("snet-aks-nodes-pool1", "snet-aks-nodes-pool2").stream()
                .map(n -> new Subject(SubnetId.of(SUB, "rg-net", vnet, n), List.of("10.10.0.0/22"), List.of(), TABLE, null, Declaration.SEPARATE,
                        true, null, "why"))
                .toList();
        String bicep = Prevention.fixes(subjects).of(Tool.BICEP);
        List<String> moduleNames = bicep.lines().filter(l -> l.startsWith("  name: 'read-back-")).toList();
        assertEquals(2, moduleNames.size(), bicep);
        assertFalse(moduleNames.get(0).equals(moduleNames.get(1)), moduleNames.toString());
        for (String line : moduleNames) {
            String name = line.substring("  name: '".length(), line.length() - 1);
            assertTrue(name.length() <= 64, name);
        }
        assertEquals("read-back-vnet-a-snet-b", BicepFix.deploymentName("read-back-vnet-a-snet-b"), "short names are kept whole");
    }

    /** Prefixes allocated from an IPAM pool are the pool's: no fix writes them as the subnet's own. */
    @Test
    void aPoolAllocatedSubnetsFixesKeepTheAllocationAndDoNotWriteItsPrefixes() {
        String pool = "/subscriptions/" + SUB + "/resourceGroups/rg-platform/providers/Microsoft.Network/networkManagers/nm/ipamPools/pool-aks";
        Fixes f = Prevention.fixes(new Subject(NODES, List.of("10.10.0.0/26", "10.10.0.64/28"), List.of(pool), TABLE, null,
                Declaration.UNKNOWN, true, null, "why"));
        assertFalse(f.bicep().contains("addressPrefix: ") || f.bicep().contains("addressPrefixes: ["), f.bicep());
        assertTrue(f.bicep().contains("    // ipamPoolPrefixAllocations: as it is. The prefixes 10.10.0.0/26, 10.10.0.64/28 are allocated"
                + " from IPAM\n    // pool pool-aks: do not write them as addressPrefix or addressPrefixes.\n"), f.bicep());
        // azurerm's inline subnet block requires address_prefixes and has no ip_address_pool: (B) says what that costs
        assertTrue(f.terraform().contains("  # These prefixes are allocated from IPAM pool pool-aks, which an inline subnet block"),
                f.terraform());
        assertTrue(f.terraform().contains("  address_prefixes = [\"10.10.0.0/26\", \"10.10.0.64/28\"]"), f.terraform());
    }

    /** A pool ID is ARM's text: a line break in it cannot end the comment and put code into the fix. */
    @Test
    void aLineBreakInAPoolIdStaysInsideTheComment() {
        Fixes f = Prevention.fixes(new Subject(NODES, List.of("10.10.0.0/26"), List.of("pool\nresource evil 'x' = {}"), TABLE, null,
                Declaration.UNKNOWN, true, null, "why"));
        assertFalse(f.bicep().contains("\nresource evil"), f.bicep());
        assertFalse(f.terraform().contains("\nresource evil"), f.terraform());
        assertTrue(f.bicep().contains("pool?resource evil"), f.bicep());
    }
}
