package dev.aksrouteguard.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
    private final Map<ResourceId, RouteTable> tablesById = new HashMap<>();
    private final List<PodRoute> podRoutes = new ArrayList<>();

    /** A route that can carry pod traffic: next hop VirtualAppliance, prefix and next hop parsed once. */
    record PodRoute(RouteTable table, Route route, Cidr prefix, Cidr nextHop) {}

    public Inventory(Collection<Cluster> clusters, Collection<RouteTable> routeTables, Collection<SubnetState> subnets, Instant readAt) {
        this.clusters = List.copyOf(clusters);
        this.routeTables = List.copyOf(routeTables);
        Map<SubnetId, SubnetState> byId = new LinkedHashMap<>();
        subnets.forEach(s -> byId.put(s.id(), s));
        this.subnets = Map.copyOf(byId);
        this.readAt = Objects.requireNonNull(readAt, "readAt == null");
        for (Cluster c : this.clusters) {
            clustersById.put(c.id(), c);
            for (SubnetId s : c.nodeSubnets()) {
                clustersBySubnet.computeIfAbsent(s, k -> new ArrayList<>()).add(c);
            }
        }
        for (RouteTable t : this.routeTables) {
            tablesById.put(t.id(), t);
            for (Route r : t.routes()) {
                if (!"VirtualAppliance".equalsIgnoreCase(r.nextHopType())) {
                    continue;
                }
                Cidr prefix = Cidr.parse(r.addressPrefix());
                Cidr hop = Cidr.parse(r.nextHopIpAddress());
                if (prefix != null && hop != null) {
                    podRoutes.add(new PodRoute(t, r, prefix, hop));
                }
            }
        }
    }

    public static Inventory empty(Instant readAt) {
        return new Inventory(List.of(), List.of(), List.of(), readAt);
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

    public @Nullable RouteTable routeTable(ResourceId id) {
        return tablesById.get(id);
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

    /** The node subnets of kubenet clusters that lie in {@code virtualNetwork}. */
    public Set<SubnetId> kubenetNodeSubnetsIn(ResourceId virtualNetwork) {
        Set<SubnetId> out = new LinkedHashSet<>();
        for (SubnetId s : kubenetNodeSubnets()) {
            if (s.virtualNetwork().equals(virtualNetwork)) {
                out.add(s);
            }
        }
        return out;
    }

    List<PodRoute> podRoutes() {
        return podRoutes;
    }
}
