package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.ResourceId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Bicep fix: the subnet's {@code properties.routeTable.id} at {@value #NETWORK_API_VERSION} (the newest
 * Microsoft.Network version whose Bicep types the project checks against; {@code routeTable} has been in the subnet's
 * schema since the first versions), the table named by an {@code existing} declaration in its own resource group (AKS
 * creates it after the VNet, so the template cannot create it), and the read-back module — the modern form of the
 * linked-template cure — for templates that cannot name the table. An ARM JSON line follows for JSON templates.
 */
final class BicepFix {

    /** The API version of the generated resources. */
    static final String NETWORK_API_VERSION = "2025-03-01";
    /** The file name the read-back module is given. */
    static final String READ_BACK_FILE = "read-back-route-table.bicep";
    /** The line that starts the module's own file in the text. */
    static final String READ_BACK_MARKER = "// ==== " + READ_BACK_FILE + " (a file of its own, next to the template) ====";

    private BicepFix() {}

    static String of(List<Subject> subjects) {
        Names names = new Names();
        StringBuilder b = new StringBuilder();
        b.append("// aks-route-guard: keep each kubenet node subnet below associated with its cluster's route table.\n");
        b.append("// Microsoft.Network ").append(NETWORK_API_VERSION).append(". A re-deploy writes a subnet whole: without routeTable it"
                + " removes the association.\n");
        Map<ResourceId, String> tables = new LinkedHashMap<>();
        for (Subject s : subjects) {
            if (!tables.containsKey(s.routeTable())) {
                String symbol = names.bicepSymbol(s.routeTable().name());
                tables.put(s.routeTable(), symbol);
                existingTable(b, s, symbol);
            }
        }
        Map<ResourceId, String> vnets = new LinkedHashMap<>();
        for (Subject s : subjects) {
            String table = tables.get(s.routeTable()) + ".id";
            b.append('\n');
            b.append(TerraformFix.wrap(s.declaration().evidence(s.subnet().virtualNetworkName(), s.subnet().name()), "// "));
            switch (s.declaration()) {
                case SEPARATE -> separate(b, s, table, names, vnets, "");
                case INLINE -> inline(b, s, table, names, "");
                case UNKNOWN -> {
                    b.append("// Which one: if the template's virtual network ").append(s.subnet().virtualNetworkName())
                            .append(" lists its subnets (properties.subnets), use (B);\n// if ").append(s.subnet().name())
                            .append(" is a Microsoft.Network/virtualNetworks/subnets resource of its own, use (A).\n");
                    separate(b, s, table, names, vnets, "(A) ");
                    b.append('\n');
                    inline(b, s, table, names, "(B) ");
                }
            }
        }
        readBack(b, subjects, names);
        return b.toString();
    }

    private static void existingTable(StringBuilder b, Subject s, String symbol) {
        ResourceId table = s.routeTable();
        b.append('\n');
        b.append("// The cluster's route table, named by its resource group and name (").append(s.aksManagedTable()
                ? "AKS created it in the node resource group\n// after the VNet"
                : "brought by you").append("): no ID is hard-coded.\n");
        b.append("resource ").append(symbol).append(" 'Microsoft.Network/routeTables@").append(NETWORK_API_VERSION)
                .append("' existing = {\n");
        b.append("  name: ").append(Names.bicepString(table.name())).append('\n');
        // In another subscription than the subnet's (the template's), the scope and the ID name that subscription.
        String subscription = TerraformFix.otherSubscription(s) ? table.subscriptionId() : null;
        b.append("  scope: resourceGroup(").append(subscription == null ? "" : Names.bicepString(subscription) + ", ")
                .append(Names.bicepString(s.routeTableGroup())).append(")\n");
        b.append("}\n");
        b.append("// ARM JSON templates: \"routeTable\": { \"id\": \"[resourceId(").append(subscription == null ? "" : "'" + subscription + "', ")
                .append("'").append(s.routeTableGroup())
                .append("', 'Microsoft.Network/routeTables', '").append(table.name()).append("')]\" }\n");
    }

    private static void separate(StringBuilder b, Subject s, String table, Names names, Map<ResourceId, String> vnets,
            String label) {
        ResourceId vnetId = s.subnet().virtualNetwork();
        b.append("// ").append(label).append(s.subnet().name()).append(" as a resource of its own, deployed to resource group ")
                .append(s.subnet().resourceGroup()).append(".\n");
        String vnet = vnets.get(vnetId);
        if (vnet == null) {
            vnet = names.bicepSymbol(s.subnet().virtualNetworkName());
            vnets.put(vnetId, vnet);
            b.append("resource ").append(vnet).append(" 'Microsoft.Network/virtualNetworks@").append(NETWORK_API_VERSION)
                    .append("' existing = {\n");
            b.append("  name: ").append(Names.bicepString(s.subnet().virtualNetworkName())).append('\n');
            b.append("}\n\n");
        }
        String symbol = names.bicepSymbol(s.subnet().name());
        b.append("resource ").append(symbol).append(" 'Microsoft.Network/virtualNetworks/subnets@").append(NETWORK_API_VERSION)
                .append("' = {\n");
        b.append("  parent: ").append(vnet).append('\n');
        b.append("  name: ").append(Names.bicepString(s.subnet().name())).append('\n');
        properties(b, s, table, "  ");
        b.append("}\n");
    }

    private static void inline(StringBuilder b, Subject s, String table, Names names, String label) {
        String symbol = names.bicepSymbol(s.subnet().name(), "subnet");
        b.append("// ").append(label).append("Inline subnets: in properties.subnets of virtual network ").append(s.subnet().virtualNetworkName())
                .append(" (resource group ").append(s.subnet().resourceGroup()).append("),\n// the entry of ")
                .append(s.subnet().name()).append(" (write it in place, or put this var in the array):\n");
        b.append("var ").append(symbol).append(" = {\n");
        b.append("  name: ").append(Names.bicepString(s.subnet().name())).append('\n');
        properties(b, s, table, "  ");
        b.append("}\n");
    }

    private static void properties(StringBuilder b, Subject s, String table, String indent) {
        b.append(indent).append("properties: {\n");
        List<String> prefixes = s.addressPrefixes();
        if (!s.ipamPools().isEmpty()) {
            // The pool's prefixes written as the subnet's own, a template that leaves the allocation out releases the
            // subnet from its pool (hashicorp/terraform-provider-azurerm#32769 saw a PUT without it remove it).
            b.append(TerraformFix.wrap("ipamPoolPrefixAllocations: as it is. The prefixes " + Names.prefixes(prefixes)
                    + " are allocated from IPAM pool " + Names.pools(s) + ": do not write them as addressPrefix or"
                    + " addressPrefixes.", indent + "  // "));
        } else if (prefixes.size() == 1) {
            b.append(indent).append("  addressPrefix: ").append(Names.bicepString(prefixes.get(0))).append('\n');
        } else if (prefixes.size() > 1) {
            b.append(indent).append("  addressPrefixes: [\n");
            prefixes.forEach(p -> b.append(indent).append("    ").append(Names.bicepString(p)).append('\n'));
            b.append(indent).append("  ]\n");
        } else {
            b.append(indent).append("  // addressPrefix: as it is\n");
        }
        b.append(indent).append("  routeTable: {\n");
        b.append(indent).append("    id: ").append(table).append('\n');
        b.append(indent).append("  }\n");
        b.append(indent).append("  // keep the subnet's other properties (networkSecurityGroup, natGateway, serviceEndpoints, ...) as they are\n");
        b.append(indent).append("}\n");
    }

    /**
     * The read-back: a module reads each subnet as it is now (before the template writes it) and the template carries
     * its table forward. The 2019 cure did this with a linked template and {@code reference()}; a module is a nested
     * deployment, so the read happens before the write.
     */
    private static void readBack(StringBuilder b, List<Subject> subjects, Names names) {
        b.append('\n');
        b.append("// Read-back, for a template that cannot name the table (it must work before and after AKS creates it): a module\n");
        b.append("// reads the subnet as it is now, before the template writes it, and the template carries its table forward.\n");
        b.append("// This is the modern form of the linked-template cure. It needs the subnet to exist: leave it out of the\n");
        b.append("// first deployment of a new environment.\n");
        for (Subject s : subjects) {
            String symbol = names.bicepSymbol(s.subnet().name(), "readBack");
            b.append("module ").append(symbol).append(" '").append(READ_BACK_FILE).append("' = {\n");
            b.append("  name: ").append(Names.bicepString(deploymentName("read-back-" + s.subnet().virtualNetworkName() + "-" + s.subnet().name())))
                    .append('\n');
            b.append("  params: {\n");
            b.append("    virtualNetworkName: ").append(Names.bicepString(s.subnet().virtualNetworkName())).append('\n');
            b.append("    subnetName: ").append(Names.bicepString(s.subnet().name())).append('\n');
            b.append("  }\n");
            b.append("}\n");
            b.append("// then, in ").append(s.subnet().name()).append("'s properties: routeTable: empty(").append(symbol)
                    .append(".outputs.routeTableId) ? null : { id: ").append(symbol).append(".outputs.routeTableId }\n");
        }
        b.append('\n').append(READ_BACK_MARKER).append('\n');
        b.append("param virtualNetworkName string\n");
        b.append("param subnetName string\n\n");
        b.append("resource current 'Microsoft.Network/virtualNetworks/subnets@").append(NETWORK_API_VERSION).append("' existing = {\n");
        b.append("  name: '${virtualNetworkName}/${subnetName}'\n");
        b.append("}\n\n");
        b.append("output routeTableId string = current.properties.?routeTable.?id ?? ''\n");
    }

    /**
     * A deployment name of at most 64 characters (ARM's limit): a longer one is cut and ends in a hash of the whole, so
     * that two subnets whose names differ only past the cut do not get one name (two modules of one name are an error).
     */
    static String deploymentName(String s) {
        if (s.length() <= 64) {
            return s;
        }
        String hash = String.format("%08x", s.hashCode());
        return s.substring(0, 64 - hash.length() - 1) + "-" + hash;
    }
}
