package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One guarded node subnet, as much as its fixes need: the subnet (with its VNet and resource group), its prefixes, the
 * cluster's route table, how the IaC declares the subnet, whether the association exists in Azure now (then Terraform
 * adopts it with an {@code import} block), and which tool most likely stripped it.
 *
 * @param addressPrefixes the subnet's prefixes as read (empty when unknown: the fix then says to keep them)
 * @param ipamPools the Virtual Network Manager IPAM pools those prefixes are allocated from: then the fix does not
 *     write them (they are the pool's to give; written as the subnet's own they would replace the allocation)
 * @param cluster the kubenet cluster whose table it is, when known
 * @param associated true when the subnet carries the table in Azure now (repaired, or in sync)
 * @param likely the tool whose fix comes first (on the card, the one shown); null when nothing says which tool made the
 *     change (then no fix comes first)
 * @param likelyWhy why that tool, in one sentence
 */
public record Subject(SubnetId subnet, List<String> addressPrefixes, List<String> ipamPools, ResourceId routeTable,
        @Nullable ResourceId cluster, Declaration declaration, boolean associated, @Nullable Tool likely, String likelyWhy) {

    /** The name AKS gives the route table it manages in the node resource group. */
    static final Pattern AKS_ROUTE_TABLE = Pattern.compile("aks-agentpool-\\d+-routetable", Pattern.CASE_INSENSITIVE);

    public Subject {
        Objects.requireNonNull(subnet, "subnet == null");
        addressPrefixes = List.copyOf(addressPrefixes);
        ipamPools = List.copyOf(ipamPools);
        Objects.requireNonNull(routeTable, "routeTable == null");
        Objects.requireNonNull(declaration, "declaration == null");
        Objects.requireNonNull(likelyWhy, "likelyWhy == null");
    }

    /** True for AKS's own table ({@code aks-agentpool-<digits>-routetable}, in the node resource group). */
    boolean aksManagedTable() {
        return AKS_ROUTE_TABLE.matcher(routeTable.name()).matches();
    }

    String routeTableGroup() {
        return Objects.requireNonNull(routeTable.resourceGroup(), "route table without a resource group");
    }
}
