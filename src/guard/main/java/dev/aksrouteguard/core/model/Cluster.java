package dev.aksrouteguard.core.model;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A managed cluster, reduced to what ownership needs.
 *
 * @param networkPlugin {@code networkProfile.networkPlugin} ({@code kubenet}, {@code azure}, {@code none})
 * @param networkPluginMode {@code networkProfile.networkPluginMode} ({@code overlay}) or null
 * @param podCidrs {@code podCidr} and {@code podCidrs} merged
 * @param pools the agent pools that run in a customer subnet (pools without {@code vnetSubnetID} are left out)
 * @param tags the cluster's tags
 */
public record Cluster(
        ResourceId id,
        @Nullable String networkPlugin,
        @Nullable String networkPluginMode,
        @Nullable String provisioningState,
        List<String> podCidrs,
        @Nullable String nodeResourceGroup,
        List<NodePool> pools,
        Map<String, String> tags) {

    /** The tag that takes a cluster out of the guard's hands: {@code aks-route-guard: ignore} (case-insensitive). */
    public static final String IGNORE_TAG = "aks-route-guard";

    public static final String IGNORE_VALUE = "ignore";

    public Cluster {
        Objects.requireNonNull(id, "id == null");
        podCidrs = List.copyOf(podCidrs);
        pools = List.copyOf(pools);
        tags = Map.copyOf(tags);
    }

    public String name() {
        return id.name();
    }

    public boolean isKubenet() {
        return "kubenet".equalsIgnoreCase(networkPlugin);
    }

    /** The network plugin in words, e.g. {@code azure (overlay)}. */
    public String pluginDescription() {
        String plugin = networkPlugin == null ? "unknown" : networkPlugin.toLowerCase(Locale.ROOT);
        return networkPluginMode == null ? plugin : plugin + " (" + networkPluginMode.toLowerCase(Locale.ROOT) + ")";
    }

    /** True when tagged {@code aks-route-guard: ignore}, tag name and value case-insensitive. */
    public boolean ignoredByTag() {
        return tags.entrySet().stream()
                .anyMatch(t -> t.getKey().trim().equalsIgnoreCase(IGNORE_TAG)
                        && t.getValue() != null
                        && t.getValue().trim().equalsIgnoreCase(IGNORE_VALUE));
    }

    public boolean isBeingCreated() {
        return "Creating".equalsIgnoreCase(provisioningState);
    }

    public boolean isBeingDeleted() {
        return "Deleting".equalsIgnoreCase(provisioningState);
    }

    /** The distinct node subnets, in pool order. */
    public Set<SubnetId> nodeSubnets() {
        Set<SubnetId> subnets = new LinkedHashSet<>();
        pools.forEach(p -> subnets.add(p.subnet()));
        return subnets;
    }

    /** The names of the pools that run in {@code subnet}. */
    public List<String> poolsIn(SubnetId subnet) {
        return pools.stream().filter(p -> p.subnet().equals(subnet)).map(NodePool::name).toList();
    }
}
