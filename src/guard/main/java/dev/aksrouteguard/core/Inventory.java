package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Route;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What the subscription looked like at one moment: its managed clusters, route tables and subnets, read with
 * subscription-wide list calls. Immutable; lookups are indexed, so deciding one subnet does not scan the
 * subscription.
 */
public final class Inventory {

    private final List<Cluster> clusters;
    private final List<RouteTable> routeTables;
    private final Map<SubnetId, SubnetState> subnets;
    private final Instant readAt;
    private final Map<SubnetId, List<Cluster>> clustersBySubnet = new HashMap<>();
    private final Map<ResourceId, Cluster> clustersById = new HashMap<>();
    private final NavigableMap<BigInteger, List<PodRoute>> podRoutesByHopV4 = new TreeMap<>();
    private final NavigableMap<BigInteger, List<PodRoute>> podRoutesByHopV6 = new TreeMap<>();
    private final Map<String, List<RouteTable>> tablesByGroup = new HashMap<>();
    private final Map<SubnetId, List<RouteTable>> tablesBySubnet = new HashMap<>();
    private final Map<ResourceId, Set<SubnetId>> kubenetSubnetsByVnet = new HashMap<>();
    private final Map<String, List<Cluster>> clustersByNodeGroup = new HashMap<>();

    /** A route that can carry pod traffic: next hop VirtualAppliance, prefix and next hop parsed once. */
    record PodRoute(RouteTable table, Cidr prefix, Cidr nextHop) {}

    Inventory(Collection<Cluster> clusters, Collection<RouteTable> routeTables, Collection<SubnetState> subnets, Instant readAt) {
        this.clusters = List.copyOf(clusters);
        this.routeTables = List.copyOf(routeTables);
        Map<SubnetId, SubnetState> byId = new LinkedHashMap<>();
        subnets.forEach(s -> byId.put(s.id(), s));
        this.subnets = Map.copyOf(byId);
        this.readAt = Objects.requireNonNull(readAt, "readAt == null");
        for (Cluster c : this.clusters) {
            clustersById.put(c.id(), c);
            if (c.nodeResourceGroup() != null) {
                clustersByNodeGroup.computeIfAbsent(groupKey(c.id().subscriptionId(), c.nodeResourceGroup()), k -> new ArrayList<>()).add(c);
            }
            for (SubnetId s : c.nodeSubnets()) {
                clustersBySubnet.computeIfAbsent(s, k -> new ArrayList<>()).add(c);
                if (c.isKubenet()) {
                    kubenetSubnetsByVnet.computeIfAbsent(s.virtualNetwork(), k -> new LinkedHashSet<>()).add(s);
                }
            }
        }
        for (RouteTable t : this.routeTables) {
            String group = t.id().resourceGroup() == null ? "" : t.id().resourceGroup().toLowerCase(Locale.ROOT);
            tablesByGroup.computeIfAbsent(group, k -> new ArrayList<>()).add(t);
            t.subnets().forEach(s -> tablesBySubnet.computeIfAbsent(s, k -> new ArrayList<>()).add(t));
            for (Route r : t.routes()) {
                if (!"VirtualAppliance".equalsIgnoreCase(r.nextHopType())) {
                    continue;
                }
                Cidr prefix = Cidr.parse(r.addressPrefix());
                Cidr hop = Cidr.parse(r.nextHopIpAddress());
                if (prefix != null && hop != null) {
                    PodRoute pod = new PodRoute(t, prefix, hop);
                    (hop.isIpv4() ? podRoutesByHopV4 : podRoutesByHopV6).computeIfAbsent(hop.number(), k -> new ArrayList<>()).add(pod);
                }
            }
        }
    }

    public List<Cluster> clusters() {
        return clusters;
    }

    public List<RouteTable> routeTables() {
        return routeTables;
    }

    public Collection<SubnetState> subnets() {
        return subnets.values();
    }

    public Instant readAt() {
        return readAt;
    }

    public @Nullable SubnetState subnet(SubnetId id) {
        return subnets.get(id);
    }

    public @Nullable Cluster cluster(ResourceId id) {
        return clustersById.get(id);
    }

    /** Every cluster (of any network plugin) with a node pool in {@code subnet}. */
    public List<Cluster> clustersUsing(SubnetId subnet) {
        return List.copyOf(clustersBySubnet.getOrDefault(subnet, List.of()));
    }

    /** The node subnets of kubenet clusters, in cluster order. */
    public Set<SubnetId> kubenetNodeSubnets() {
        Set<SubnetId> out = new LinkedHashSet<>();
        clusters.stream().filter(Cluster::isKubenet).forEach(c -> out.addAll(c.nodeSubnets()));
        return out;
    }

    /** The node subnets of kubenet clusters that lie in {@code virtualNetwork} (an index lookup). */
    public Set<SubnetId> kubenetNodeSubnetsIn(ResourceId virtualNetwork) {
        return new LinkedHashSet<>(kubenetSubnetsByVnet.getOrDefault(virtualNetwork, Set.of()));
    }

    /** The pod routes whose next hop lies inside {@code prefix}: a range lookup, not a scan. */
    List<PodRoute> podRoutesVia(Cidr prefix) {
        NavigableMap<BigInteger, List<PodRoute>> byHop = prefix.isIpv4() ? podRoutesByHopV4 : podRoutesByHopV6;
        List<PodRoute> out = new ArrayList<>();
        byHop.subMap(prefix.first(), true, prefix.last(), true).values().forEach(out::addAll);
        return out;
    }

    /** The route tables in a resource group (case-insensitive). */
    List<RouteTable> routeTablesIn(@Nullable String resourceGroup) {
        return resourceGroup == null ? List.of() : tablesByGroup.getOrDefault(resourceGroup.toLowerCase(Locale.ROOT), List.of());
    }

    /** The clusters whose node resource group is {@code resourceGroup} in {@code subscriptionId} (case-insensitive). */
    List<Cluster> clustersWithNodeResourceGroup(String subscriptionId, @Nullable String resourceGroup) {
        return resourceGroup == null ? List.of() : clustersByNodeGroup.getOrDefault(groupKey(subscriptionId, resourceGroup), List.of());
    }

    private static String groupKey(String subscriptionId, String resourceGroup) {
        return subscriptionId.toLowerCase(Locale.ROOT) + '/' + resourceGroup.toLowerCase(Locale.ROOT);
    }

    /** The route tables ARM reports as associated with {@code subnet}. */
    List<RouteTable> routeTablesOf(SubnetId subnet) {
        return tablesBySubnet.getOrDefault(subnet, List.of());
    }
}
