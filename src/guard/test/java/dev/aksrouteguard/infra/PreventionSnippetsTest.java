package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.infra.ArmBodyCheck.Report;
import dev.aksrouteguard.prevention.Declaration;
import dev.aksrouteguard.prevention.Fixes;
import dev.aksrouteguard.prevention.Prevention;
import dev.aksrouteguard.prevention.Subject;
import dev.aksrouteguard.prevention.Tool;
import dev.aksrouteguard.testing.Emulated;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fixes the guard hands out are checked as the tools would check them, against the vendored schemas: every
 * Terraform argument and block against azurerm 4.58.0, 4.81.0 and 5.2.0 (and the text parsed by
 * {@code @cdktf/hcl2json}), every Bicep property against {@code microsoft.network@2025-03-01}, the read-back module's
 * parameters against its call. A fix that invents an argument fails here.
 */
class PreventionSnippetsTest {

    static final String SUB = "6a2f0c4e-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    static final SubnetId NODES = SubnetId.of(SUB, "rg-net", "vnet-spoke", "snet-aks-nodes");
    static final SubnetId SYSTEM = SubnetId.of(SUB, "rg-net", "vnet-spoke", "snet-aks-system");
    static final ResourceId AKS_TABLE = ResourceId.parse("/subscriptions/" + SUB
            + "/resourceGroups/MC_rg-aks_aks-prod_westeurope/providers/Microsoft.Network/routeTables/aks-agentpool-12345678-routetable");
    static final ResourceId BYO_TABLE = ResourceId.parse("/subscriptions/" + SUB
            + "/resourceGroups/rg-net/providers/Microsoft.Network/routeTables/rt-aks-prod");
    static final ResourceId CLUSTER = ResourceId.parse("/subscriptions/" + SUB
            + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod");

    @TempDir
    Path dir;

    static final String POOL = "/subscriptions/" + SUB
            + "/resourceGroups/rg-platform/providers/Microsoft.Network/networkManagers/nm-platform/ipamPools/pool-aks";

    static Subject subject(SubnetId subnet, ResourceId table, Declaration declaration, boolean associated, List<String> prefixes) {
        return subject(subnet, table, declaration, associated, prefixes, List.of());
    }

    static Subject subject(SubnetId subnet, ResourceId table, Declaration declaration, boolean associated, List<String> prefixes,
            List<String> ipamPools) {
        return new Subject(subnet, prefixes, ipamPools, table, CLUSTER, declaration, associated, Tool.TERRAFORM, "test");
    }

    /** Every declaration, both kinds of table, an association that exists or not, one prefix or two, from a pool or not. */
    static Stream<List<Subject>> cases() {
        List<List<Subject>> all = new ArrayList<>();
        for (Declaration d : Declaration.values()) {
            all.add(List.of(subject(NODES, AKS_TABLE, d, true, List.of("10.10.0.0/22"))));
            all.add(List.of(subject(NODES, BYO_TABLE, d, false, List.of("10.10.0.0/22", "fd00:db8:10::/64"))));
            all.add(List.of(subject(NODES, AKS_TABLE, d, true, List.of("10.10.0.0/26", "10.10.0.64/28"), List.of(POOL))));
        }
        // the cluster's (AKS) table in the cluster's subscription, the node subnet in another: named with its subscription
        ResourceId otherSubscriptionTable = ResourceId.parse(AKS_TABLE.value().replace(SUB, "1b2c3d4e-5f60-4718-9a0b-1c2d3e4f5a6b"));
        for (Declaration d : Declaration.values()) {
            all.add(List.of(subject(NODES, otherSubscriptionTable, d, true, List.of("10.10.0.0/22"))));
        }
        // one VNet's two node subnets of one cluster, as prevent --all groups them: one lookup, one VNet
        all.add(List.of(subject(NODES, AKS_TABLE, Declaration.SEPARATE, true, List.of("10.10.0.0/22")),
                subject(SYSTEM, AKS_TABLE, Declaration.UNKNOWN, true, List.of("10.10.4.0/24"))));
        return all.stream();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyTerraformFixParsesAndUsesOnlyArgumentsEveryProviderVersionDocuments(List<Subject> subjects) {
        Fixes fixes = Prevention.fixes(subjects);
        checkTerraform(fixes.terraform(), subjects);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everyBicepFixMatchesTheNetworkTypesAndItsReadBackModule(List<Subject> subjects) {
        checkBicep(Prevention.fixes(subjects).bicep(), subjects);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void everySnippetNamesTheRealSubnetVnetAndRouteTable(List<Subject> subjects) {
        Fixes fixes = Prevention.fixes(subjects);
        for (Subject s : subjects) {
            for (Tool t : Tool.values()) {
                String text = fixes.of(t);
                assertTrue(text.contains(s.subnet().name()), t + " names the subnet");
                assertTrue(text.contains(s.subnet().virtualNetworkName()), t + " names the VNet");
                assertTrue(text.contains(s.subnet().resourceGroup()), t + " names the VNet's resource group");
                assertTrue(text.contains(s.routeTable().name()), t + " names the route table");
                assertTrue(text.contains(s.routeTable().resourceGroup()), t + " names the table's resource group");
            }
            assertTrue(fixes.terraform().contains(s.routeTable().toString()), "the pinned table ID is offered");
            assertTrue(fixes.azureCli().contains("--route-table " + s.routeTable()), "the CLI passes the table's full ID");
        }
    }

    @Test
    void aFixFromARealAuditOfTheEmulatorPassesTheSameChecks() {
        try (Emulated azure = Emulated.start()) {
            SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
            List<Outcome> rows = azure.wiring().guard().audit();
            Outcome row = rows.stream().filter(o -> o.subnet().toString().equalsIgnoreCase(c.nodeSubnetId())).findFirst().orElseThrow();
            assertEquals(Action.DRIFT_REPORTED, row.action());
            Subject s = Prevention.subject(row);
            assertEquals(Declaration.UNKNOWN, s.declaration(), "an audit has no write to tell inline from separate");
            assertFalse(s.associated(), "drifted: nothing to import");
            assertEquals(List.of("10.10.0.0/22"), s.addressPrefixes(), "the prefixes as listed");
            Fixes fixes = Prevention.fixes(row);
            checkTerraform(fixes.terraform(), List.of(s));
            checkBicep(fixes.bicep(), List.of(s));
            assertFalse(fixes.terraform().contains("import {"), "an association that does not exist is created, not imported");
        }
    }

    /**
     * A node subnet allocated from an IPAM pool, as the audit lists it: the fix keeps the allocation and does not write
     * the allocated prefixes as the subnet's own (a template that did would release the subnet from its pool).
     */
    @Test
    void aFixForAPoolAllocatedSubnetFromARealAuditLeavesItsPrefixesToThePool() {
        try (Emulated azure = Emulated.start()) {
            SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").ipamPool(POOL).drifted().seed(azure.arm);
            Outcome row = azure.wiring().guard().audit().stream()
                    .filter(o -> o.subnet().toString().equalsIgnoreCase(c.nodeSubnetId())).findFirst().orElseThrow();
            assertEquals(Action.DRIFT_REPORTED, row.action());
            assertEquals(List.of(POOL), row.ipamPools(), "the listing names the pool");
            Subject s = Prevention.subject(row);
            Fixes fixes = Prevention.fixes(row);
            checkTerraform(fixes.terraform(), List.of(s));
            checkBicep(fixes.bicep(), List.of(s));
            assertFalse(fixes.bicep().contains("addressPrefix: ") || fixes.bicep().contains("addressPrefixes: ["), fixes.bicep());
            assertTrue(fixes.bicep().contains("ipamPoolPrefixAllocations: as it is. The prefixes 10.10.0.0/22 are allocated from"
                    + " IPAM pool pool-aks"), fixes.bicep());
            assertTrue(fixes.terraform().contains("  # These prefixes are allocated from IPAM pool pool-aks, which an inline"),
                    fixes.terraform());
        }
    }

    @Test
    void theChecksFailOnAnInventedArgument() {
        Subject s = subject(NODES, AKS_TABLE, Declaration.UNKNOWN, true, List.of("10.10.0.0/22"));
        Fixes fixes = Prevention.fixes(s);
        Report tf = TerraformCheck.checkSource(InfraModel.repoRoot(), "fix.tf",
                fixes.terraform().replace("route_table_id = data", "route_table_idd = data"));
        assertFalse(tf.ok(), "an unknown association argument is caught");
        Report inline = checkInlineSubnets(Prevention.fixes(s).terraform().replace("  route_table_id   =", "  route_table    ="));
        assertFalse(inline.ok(), "an unknown inline subnet argument is caught");
        Report bicep = checkBicepText(fixes.bicep().replace("routeTable: {", "routeTables: {"));
        assertFalse(bicep.ok(), "an unknown subnet property is caught");
    }

    @Test
    void theAssociationIsImportedByTheSubnetIdAsEveryProviderVersionDocuments() throws IOException {
        for (String version : TerraformCheck.AZURERM_VERSIONS) {
            String page = Files.readString(InfraModel.repoRoot().resolve(
                    "src/guard/test/resources/schemas/terraform-azurerm/" + version + "/subnet_route_table_association.html.markdown"));
            assertTrue(page.contains("can be imported using the `resource id` of the Subnet"), version);
            String vnet = Files.readString(InfraModel.repoRoot().resolve(
                    "src/guard/test/resources/schemas/terraform-azurerm/" + version + "/virtual_network.html.markdown"));
            assertTrue(vnet.contains("* `route_table_id` - (Optional) The ID of the Route Table that should be associated with this subnet."),
                    version + ": the inline subnet block takes route_table_id");
        }
    }

    // ---- the checks ----

    void checkTerraform(String text, List<Subject> subjects) {
        Path tfDir = write("tf", "fix.tf", text);
        TerraformJson json = TerraformJson.read(InfraModel.repoRoot(), tfDir); // parses, or throws with hcl2json's error
        Report r = TerraformCheck.checkSource(InfraModel.repoRoot(), "fix.tf", text);
        assertTrue(r.ok(), "Terraform a provider version would reject:" + r.describe() + "\n" + text);
        assertTrue(r.skipped().stream().noneMatch(s -> s.path().startsWith("data.azurerm_resources") && s.why().contains("no provider pages")),
                "the lookup is checked, not skipped: " + r.describe());
        Report inline = checkInlineSubnets(text);
        assertTrue(inline.ok(), "inline subnet blocks a provider version would reject:" + inline.describe());

        JsonObject root = json.root();
        Set<String> associations = root.has("resource")
                ? root.getAsJsonObject("resource").getAsJsonObject("azurerm_subnet_route_table_association").keySet() : Set.of();
        JsonArray subnetBlocks = root.has("subnet") ? root.getAsJsonArray("subnet") : new JsonArray();
        JsonArray imports = root.has("import") ? root.getAsJsonArray("import") : new JsonArray();
        int expectAssociations = 0;
        int expectInline = 0;
        int expectImports = 0;
        for (Subject s : subjects) {
            boolean separate = s.declaration() != Declaration.INLINE;
            boolean inlineForm = s.declaration() != Declaration.SEPARATE;
            expectAssociations += separate ? 1 : 0;
            expectInline += inlineForm ? 1 : 0;
            expectImports += separate && s.associated() ? 1 : 0;
        }
        assertEquals(expectAssociations, associations.size(), "one association per subnet declared on its own: " + text);
        // route_table_id forces a replacement, which deletes the association before creating it: a strip of its own
        // on a letter-case difference of the table's ID (terraform-provider-azurerm#20678) or a stale pinned ID.
        for (String a : associations) {
            JsonObject body = root.getAsJsonObject("resource").getAsJsonObject("azurerm_subnet_route_table_association")
                    .getAsJsonArray(a).get(0).getAsJsonObject();
            JsonArray lifecycle = body.has("lifecycle") ? body.getAsJsonArray("lifecycle") : new JsonArray();
            assertEquals(1, lifecycle.size(), "the association " + a + " has a lifecycle block: " + text);
            JsonObject l = lifecycle.get(0).getAsJsonObject();
            assertTrue(l.has("ignore_changes") && l.getAsJsonArray("ignore_changes").contains(new JsonPrimitive("${route_table_id}")),
                    "a change of the table's ID never replaces the association " + a + ": " + l);
        }
        assertEquals(expectInline, subnetBlocks.size(), "one subnet block per subnet declared inline");
        assertEquals(expectImports, imports.size(), "an import block exactly for each association that exists in Azure");
        Set<String> subnetIds = new HashSet<>();
        subjects.forEach(s -> subnetIds.add(s.subnet().toString()));
        for (JsonElement i : imports) {
            JsonObject imp = i.getAsJsonObject();
            String to = imp.get("to").getAsString().replace("${", "").replace("}", "");
            assertTrue(to.startsWith("azurerm_subnet_route_table_association."), to);
            assertTrue(associations.contains(to.substring(to.indexOf('.') + 1)), "the import adopts a declared association: " + to);
            assertTrue(subnetIds.contains(imp.get("id").getAsString()), "imported by the subnet's ID: " + imp);
        }
        // A table in another subscription than its subnet is pinned: azurerm_resources looks only in the provider's.
        Set<String> pinned = new HashSet<>();
        subjects.stream().filter(s -> !s.routeTable().subscriptionId().equals(s.subnet().subscriptionId()))
                .forEach(s -> pinned.add(s.routeTable().toString()));
        for (JsonElement b : subnetBlocks) {
            JsonObject block = b.getAsJsonObject();
            String table = block.get("route_table_id").getAsString();
            assertTrue(table.startsWith("${data.azurerm_resources.") || pinned.contains(table), block.toString());
        }
        long lookups = subjects.stream().map(Subject::routeTable).filter(t -> !pinned.contains(t.toString())).distinct().count();
        JsonObject data = root.has("data") ? root.getAsJsonObject("data").getAsJsonObject("azurerm_resources") : new JsonObject();
        assertEquals(lookups, data.size(), "one lookup per route table in its subnet's subscription");
        data.entrySet().forEach(e -> {
            JsonObject lookup = e.getValue().getAsJsonArray().get(0).getAsJsonObject();
            assertEquals("Microsoft.Network/routeTables", lookup.get("type").getAsString());
            assertTrue(lookup.has("lifecycle"), "a lookup that finds the wrong number of tables fails the plan");
        });
    }

    /** Each top-level {@code subnet {}} block of the text, inside a VNet resource, checked against every version. */
    Report checkInlineSubnets(String text) {
        List<String> blocks = new ArrayList<>();
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("subnet {")) {
                StringBuilder b = new StringBuilder();
                for (; !lines.get(i).equals("}"); i++) {
                    b.append("  ").append(lines.get(i)).append('\n');
                }
                blocks.add(b.append("  }\n").toString());
            }
        }
        StringBuilder vnet = new StringBuilder("resource \"azurerm_virtual_network\" \"check\" {\n  name = \"vnet\"\n"
                + "  resource_group_name = \"rg\"\n  location = \"westeurope\"\n  address_space = [\"10.0.0.0/8\"]\n");
        blocks.forEach(vnet::append);
        vnet.append("}\n");
        return TerraformCheck.checkSource(InfraModel.repoRoot(), "vnet.tf", vnet.toString());
    }

    void checkBicep(String text, List<Subject> subjects) {
        Report r = checkBicepText(text);
        assertTrue(r.ok(), "Bicep the compiler or ARM would reject:" + r.describe() + "\n" + text);
        String[] files = text.split(java.util.regex.Pattern.quote("// ==== read-back-route-table.bicep"), 2);
        assertEquals(2, files.length, "the read-back module comes with the fix");
        for (Subject s : subjects) {
            if (s.declaration() != Declaration.SEPARATE) {
                assertTrue(text.contains("var "), "an inline subnet is given as an entry to put in properties.subnets");
            }
            if (s.declaration() != Declaration.INLINE) {
                assertTrue(text.contains("'Microsoft.Network/virtualNetworks/subnets@2025-03-01' = {"), "a subnet resource");
            }
        }
    }

    /** The main template (with each inline entry placed in a VNet) and the read-back module, as a directory. */
    Report checkBicepText(String text) {
        int marker = text.indexOf("// ==== read-back-route-table.bicep");
        String main = text.substring(0, marker);
        String module = text.substring(text.indexOf('\n', marker) + 1);
        StringBuilder vnet = new StringBuilder();
        for (String line : main.lines().toList()) {
            if (line.startsWith("var ")) {
                String var = line.substring(4, line.indexOf(' ', 4));
                vnet.append("\nresource check").append(var).append(" 'Microsoft.Network/virtualNetworks@2025-03-01' = {\n")
                        .append("  name: 'vnet-check'\n  location: 'westeurope'\n  properties: {\n    subnets: [\n      ")
                        .append(var).append("\n    ]\n  }\n}\n");
            }
        }
        Path bicep = write("bicep", "main.bicep", main + vnet);
        write("bicep", "read-back-route-table.bicep", module);
        return BicepCheck.checkDirectory(bicep.getParent(), bicep.getParent());
    }

    private Path write(String sub, String name, String text) {
        try {
            Path d = Files.createDirectories(dir.resolve(sub));
            Path f = d.resolve(name);
            Files.writeString(f, text);
            return sub.equals("tf") ? d : f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
