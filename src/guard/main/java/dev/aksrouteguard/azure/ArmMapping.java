package dev.aksrouteguard.azure;

import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.containerservice.models.ContainerServiceNetworkProfile;
import com.azure.resourcemanager.containerservice.models.ManagedClusterAgentPoolProfile;
import com.azure.resourcemanager.network.fluent.models.RouteInner;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.NodePool;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Route;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** SDK models to core records: only the fields the decision needs. */
final class ArmMapping {

    private ArmMapping() {}

    static SubnetState subnet(SubnetId id, SubnetInner inner) {
        Set<String> prefixes = new LinkedHashSet<>();
        if (inner.addressPrefix() != null) {
            prefixes.add(inner.addressPrefix());
        }
        if (inner.addressPrefixes() != null) {
            prefixes.addAll(inner.addressPrefixes());
        }
        ResourceId table = inner.routeTable() == null || inner.routeTable().id() == null
                ? null
                : ResourceId.parse(inner.routeTable().id());
        String state = inner.provisioningState() == null ? null : inner.provisioningState().toString();
        List<String> ipConfigurations = new ArrayList<>();
        if (inner.ipConfigurations() != null) {
            inner.ipConfigurations().stream().filter(c -> c != null && c.id() != null).forEach(c -> ipConfigurations.add(c.id()));
        }
        Set<String> pools = new LinkedHashSet<>();
        if (inner.ipamPoolPrefixAllocations() != null) {
            inner.ipamPoolPrefixAllocations().stream().filter(a -> a != null && a.id() != null && !a.id().isBlank())
                    .forEach(a -> pools.add(a.id()));
        }
        return new SubnetState(id, List.copyOf(prefixes), table, inner.etag(), state, ipConfigurations, List.copyOf(pools));
    }

    static RouteTable routeTable(RouteTableInner inner) {
        List<Route> routes = new ArrayList<>();
        if (inner.routes() != null) {
            for (RouteInner r : inner.routes()) {
                routes.add(new Route(r.name() == null ? "" : r.name(), r.addressPrefix(),
                        r.nextHopType() == null ? null : r.nextHopType().toString(), r.nextHopIpAddress()));
            }
        }
        List<SubnetId> subnets = new ArrayList<>();
        if (inner.subnets() != null) {
            for (SubnetInner s : inner.subnets()) {
                subnets.add(requireSubnetId(s.id(), "route table " + inner.id() + " is associated with"));
            }
        }
        return new RouteTable(ResourceId.parse(inner.id()), routes, subnets);
    }

    static Cluster cluster(ManagedClusterInner inner) {
        ContainerServiceNetworkProfile network = inner.networkProfile();
        String plugin = network == null || network.networkPlugin() == null ? null : network.networkPlugin().toString();
        String mode = network == null || network.networkPluginMode() == null ? null : network.networkPluginMode().toString();
        Set<String> podCidrs = new LinkedHashSet<>();
        if (network != null && network.podCidr() != null) {
            podCidrs.add(network.podCidr());
        }
        if (network != null && network.podCidrs() != null) {
            podCidrs.addAll(network.podCidrs());
        }
        List<NodePool> pools = new ArrayList<>();
        if (inner.agentPoolProfiles() != null) {
            for (ManagedClusterAgentPoolProfile p : inner.agentPoolProfiles()) {
                if (p.vnetSubnetId() == null || p.vnetSubnetId().isBlank()) {
                    continue; // AKS made the virtual network itself: no subnet of the customer's to guard
                }
                if (p.name() == null) {
                    throw new IllegalArgumentException("cluster " + inner.id() + " has a node pool without a name");
                }
                pools.add(new NodePool(p.name(), requireSubnetId(p.vnetSubnetId(), "node pool " + p.name() + " of cluster "
                        + inner.id() + " names")));
            }
        }
        Map<String, String> tags = new HashMap<>();
        if (inner.tags() != null) {
            inner.tags().forEach((k, v) -> {
                if (k != null && v != null) {
                    tags.put(k, v);
                }
            });
        }
        return new Cluster(ResourceId.parse(inner.id()), plugin, mode, inner.provisioningState(), List.copyOf(podCidrs),
                inner.nodeResourceGroup(), pools, tags);
    }

    /**
     * {@code id} as a subnet ID; a reference that is absent or not a subnet ID makes the whole answer untrustworthy (a
     * node subnet or an association dropped from it would read as "none", never as a failure).
     *
     * @throws IllegalArgumentException naming {@code what} refers to it
     */
    private static SubnetId requireSubnetId(@Nullable String id, String what) {
        SubnetId subnet = subnetId(id);
        if (subnet == null) {
            throw new IllegalArgumentException(what + (id == null ? " a subnet without an ID" : " " + id + ", which is not a subnet ID"));
        }
        return subnet;
    }

    /** A subnet ID, or null when the text is absent or not a subnet ID (AKS made its own VNet). */
    static @Nullable SubnetId subnetId(@Nullable String id) {
        if (id == null || !ResourceId.isValid(id)) {
            return null;
        }
        ResourceId r = ResourceId.parse(id);
        return r.isType(SubnetId.TYPE) ? new SubnetId(r) : null;
    }
}
