package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.ResourceId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The Terraform fix (azurerm 4.x and 5.x; every argument is one the provider documents in both):
 * {@code azurerm_subnet_route_table_association} with an {@code import} block for the association that exists in
 * Azure, or {@code route_table_id} in the VNet's inline {@code subnet {}} block; the table found with an
 * {@code azurerm_resources} lookup in its resource group, so no route table ID is hard-coded (the pinned ID follows as
 * a comment). {@code azurerm_subnet} has no {@code route_table_id} argument to {@code ignore_changes}: none in 2.x to
 * 4.x, and in 5.x only a read-only attribute, which Terraform leaves out of {@code ignore_changes} with a "Redundant
 * ignore_changes element" warning (internal/services/network/subnet_resource.go at v4.81.0 and v5.2.0).
 *
 * <p>The association ignores changes to its own {@code route_table_id}: in azurerm it forces a replacement, and a
 * replacement deletes the association (a subnet write without the table) before creating it again, which is the strip
 * itself. ARM can return the table's ID in another letter case than the lookup or the pin
 * (hashicorp/terraform-provider-azurerm#20678, #24893), and a re-created cluster's table is not a pinned one. Which
 * table the subnet carries is the cluster's; Terraform only has to keep it associated.
 */
final class TerraformFix {

    private TerraformFix() {}

    static String of(List<Subject> subjects) {
        Names names = new Names();
        StringBuilder tf = new StringBuilder();
        Subject first = subjects.get(0);
        tf.append("# aks-route-guard: keep each kubenet node subnet below associated with its cluster's route table.\n");
        tf.append("# azurerm 4.x and 5.x. ignore_changes = [route_table_id] on azurerm_subnet keeps nothing: 4.x has no such\n");
        tf.append("# attribute, and 5.x only a read-only one (Terraform drops it from ignore_changes, with a warning).\n");
        tf.append("# Declare the association, as below.\n");
        Map<ResourceId, String> lookups = new LinkedHashMap<>();
        for (Subject s : subjects) {
            if (!otherSubscription(s)) {
                lookups.computeIfAbsent(s.routeTable(), t -> names.terraformName(t.name()));
            }
        }
        for (Map.Entry<ResourceId, String> l : lookups.entrySet()) {
            Subject owner = subjects.stream().filter(s -> s.routeTable().equals(l.getKey())).findFirst().orElse(first);
            lookup(tf, owner, l.getValue());
        }
        for (Subject s : subjects) {
            tf.append('\n');
            String table;
            if (otherSubscription(s)) {
                table = Names.hclString(s.routeTable().toString());
                tf.append(wrap("The cluster's route table " + s.routeTable().name() + " is in subscription "
                        + s.routeTable().subscriptionId() + ", not in the subnet's " + s.subnet().subscriptionId()
                        + ": azurerm_resources looks only in its provider's subscription, so the table's ID is pinned.", "# "));
            } else {
                table = "data.azurerm_resources." + lookups.get(s.routeTable()) + ".resources[0].id";
            }
            tf.append(wrap(s.declaration().evidence(s.subnet().virtualNetworkName(), s.subnet().name()), "# "));
            switch (s.declaration()) {
                case SEPARATE -> association(tf, s, table, names, "");
                case INLINE -> inline(tf, s, table, "");
                case UNKNOWN -> {
                    tf.append("# Which one: if your azurerm_virtual_network for ").append(s.subnet().virtualNetworkName())
                            .append(" has subnet {} blocks, use (B); if\n# ").append(s.subnet().name())
                            .append(" is an azurerm_subnet of its own (or Terraform does not manage it), use (A). Never both for one subnet.\n");
                    association(tf, s, table, names, "(A) ");
                    tf.append('\n');
                    inline(tf, s, table, "(B) ");
                }
            }
        }
        return tf.toString();
    }

    /** The table, found in its resource group: AKS's own by type in the node resource group, a brought one by name. */
    private static void lookup(StringBuilder tf, Subject s, String name) {
        ResourceId table = s.routeTable();
        tf.append('\n');
        if (s.aksManagedTable()) {
            tf.append("# The cluster's route table ").append(table.name()).append(", found by type in the node resource group\n")
                    .append("# ").append(s.routeTableGroup()).append(" (AKS creates it with the cluster; no ID is hard-coded, so a re-created\n")
                    .append("# cluster's table is found too). The lookup needs the cluster to exist when the plan runs. An apply\n")
                    .append("# that creates the cluster needs none of this: AKS associates its new table with the subnet itself\n")
                    .append("# (and azurerm will not create an association that exists: it must be imported), so add it once the\n")
                    .append("# cluster exists, before the next apply that writes the subnet. With the cluster in this configuration,\n")
                    .append("# resource_group_name = azurerm_kubernetes_cluster.<name>.node_resource_group may name the group for the\n")
                    .append("# association (not for an inline subnet: the cluster depends on the VNet, a cycle).\n");
        } else {
            tf.append("# The cluster's route table ").append(table.name()).append(", brought by you in resource group ")
                    .append(s.routeTableGroup()).append(",\n# found by name (no ID is hard-coded). If this configuration declares the table, use its\n")
                    .append("# azurerm_route_table.<name>.id instead (AKS needs it associated before the cluster is created).\n");
        }
        tf.append("data \"azurerm_resources\" \"").append(name).append("\" {\n");
        if (!s.aksManagedTable()) {
            tf.append("  name                = ").append(Names.hclString(table.name())).append('\n');
        }
        tf.append("  resource_group_name = ").append(Names.hclString(s.routeTableGroup())).append('\n');
        tf.append("  type                = \"Microsoft.Network/routeTables\"\n\n");
        tf.append("  lifecycle {\n");
        tf.append("    postcondition {\n");
        tf.append("      condition     = length(self.resources) == 1\n");
        tf.append("      error_message = ").append(Names.hclString("expected exactly one route table "
                + (s.aksManagedTable() ? "in " + s.routeTableGroup() + " (the cluster's " + table.name() + ")" : table.name()
                        + " in " + s.routeTableGroup()))).append('\n');
        tf.append("    }\n");
        tf.append("  }\n");
        tf.append("}\n");
    }

    private static void association(StringBuilder tf, Subject s, String table, Names names, String label) {
        String name = names.terraformName(s.subnet().virtualNetworkName() + "_" + s.subnet().name());
        tf.append("# ").append(label).append(s.subnet().name()).append(" as a separate subnet (VNet ").append(s.subnet().virtualNetworkName())
                .append(", resource group ").append(s.subnet().resourceGroup()).append("): declare the association.\n");
        tf.append("resource \"azurerm_subnet_route_table_association\" \"").append(name).append("\" {\n");
        tf.append("  subnet_id      = ").append(Names.hclString(s.subnet().toString())).append(" # or azurerm_subnet.<name>.id\n");
        tf.append("  route_table_id = ").append(table).append('\n');
        if (!otherSubscription(s)) {
            tf.append("  # pinned instead: route_table_id = ").append(Names.hclString(s.routeTable().toString())).append('\n');
        }
        tf.append('\n');
        tf.append("  lifecycle {\n");
        tf.append("    # A change of route_table_id replaces the association, and a replacement removes it before creating it\n");
        tf.append("    # again: a strip of its own. ARM may spell the table's ID in another letter case than the lookup\n");
        tf.append("    # (terraform-provider-azurerm#20678), and a re-created cluster's table is not a pinned one. Which table\n");
        tf.append("    # it is is the cluster's; Terraform keeps the association in place.\n");
        tf.append("    ignore_changes = [route_table_id]\n");
        tf.append("  }\n");
        tf.append("}\n");
        if (s.associated()) {
            tf.append("\n# The association exists in Azure now (the guard keeps it): adopt it instead of creating it\n");
            tf.append("# (Terraform 1.5 or later; the association is imported by the subnet's ID).\n");
            tf.append("import {\n");
            tf.append("  to = azurerm_subnet_route_table_association.").append(name).append('\n');
            tf.append("  id = ").append(Names.hclString(s.subnet().toString())).append('\n');
            tf.append("}\n");
        }
    }

    private static void inline(StringBuilder tf, Subject s, String table, String label) {
        tf.append("# ").append(label).append("Inline subnets: in your azurerm_virtual_network for ").append(s.subnet().virtualNetworkName())
                .append(" (resource group ").append(s.subnet().resourceGroup()).append("),\n# the subnet block of ")
                .append(s.subnet().name()).append(" carries the table. Do not also declare an association for it.\n");
        tf.append("subnet {\n");
        tf.append("  name             = ").append(Names.hclString(s.subnet().name())).append('\n');
        if (!s.ipamPools().isEmpty()) {
            // address_prefixes is required here, so the block can only write the allocated prefixes as the subnet's own.
            tf.append(wrap("These prefixes are allocated from IPAM pool " + Names.pools(s) + ", which an inline subnet block"
                    + " cannot declare (it has no ip_address_pool): an apply writes them as the subnet's own. Declaring"
                    + " the subnet as an azurerm_subnet with ip_address_pool, and using (A), keeps the allocation.", "  # "));
        }
        if (s.addressPrefixes().isEmpty()) {
            tf.append("  # address_prefixes: as they are\n");
        } else {
            tf.append("  address_prefixes = [").append(s.addressPrefixes().stream().map(Names::hclString).collect(Collectors.joining(", ")))
                    .append("]\n");
        }
        tf.append("  route_table_id   = ").append(table).append('\n');
        if (!otherSubscription(s)) {
            tf.append("  # pinned instead: route_table_id = ").append(Names.hclString(s.routeTable().toString())).append('\n');
        }
        tf.append("  # keep the block's other arguments (security_group, service endpoints, delegation, ...) as they are\n");
        tf.append("}\n");
    }

    /** True when the subnet's route table is in another subscription than the subnet (the cluster's, say). */
    static boolean otherSubscription(Subject s) {
        return !s.routeTable().subscriptionId().equalsIgnoreCase(s.subnet().subscriptionId());
    }

    /** A sentence as comment lines of at most about 110 characters. */
    static String wrap(String text, String prefix) {
        StringBuilder out = new StringBuilder();
        StringBuilder line = new StringBuilder(prefix);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > 112 && line.length() > prefix.length()) {
                out.append(line.toString().stripTrailing()).append('\n');
                line = new StringBuilder(prefix);
            }
            line.append(word).append(' ');
        }
        out.append(line.toString().stripTrailing()).append('\n');
        return out.toString();
    }
}
