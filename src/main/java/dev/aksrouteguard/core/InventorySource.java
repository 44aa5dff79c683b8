package dev.aksrouteguard.core;

import java.util.List;

/**
 * Port: read the subscription with list calls, following every page. Two parts, because they are needed at
 * different times: the managed clusters answer "is this a kubenet node subnet?" (every event), the network (route
 * tables, and the virtual networks' inline subnets) is needed only to decide a node subnet. Implemented over ARM by
 * {@code ArmInventory}.
 */
public interface InventorySource {

    /** The managed clusters, agent pools inline. @throws ArmException when a list call fails */
    List<Cluster> clusters();

    /** Route tables (routes and associated subnets inline) and subnets. @throws ArmException when a list call fails */
    Network network();

    /** Both parts; an implementation may read them side by side. @throws ArmException when a list call fails */
    default Parts readAll() {
        return new Parts(clusters(), network());
    }

    /** The network part of the subscription. */
    record Network(List<RouteTable> routeTables, List<SubnetState> subnets) {
        public Network {
            routeTables = List.copyOf(routeTables);
            subnets = List.copyOf(subnets);
        }
    }

    /** Both parts, read together. */
    record Parts(List<Cluster> clusters, Network network) {
        public Parts {
            clusters = List.copyOf(clusters);
        }
    }
}
