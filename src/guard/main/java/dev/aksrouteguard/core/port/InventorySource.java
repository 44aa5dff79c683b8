package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Route;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetState;
import java.util.List;
import java.util.Optional;

/**
 * Port: read the subscription with list calls, following every page. Two parts, because they are needed at
 * different times: the managed clusters answer "is this a kubenet node subnet?" (every event), the network (route
 * tables, and the virtual networks' inline subnets) is needed only to decide a node subnet. Implemented over ARM by
 * {@code ArmInventory}.
 */
public interface InventorySource {

    /** The managed clusters, agent pools inline. @throws ArmException when a list call fails */
    List<Cluster> clusters();

    /**
     * One managed cluster, read fresh (after a write to it), or empty when it no longer exists.
     *
     * @throws ArmException when it cannot be read
     */
    Optional<Cluster> cluster(ResourceId id);

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
