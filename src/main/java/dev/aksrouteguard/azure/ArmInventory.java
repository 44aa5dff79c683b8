package dev.aksrouteguard.azure;

import com.azure.resourcemanager.containerservice.fluent.ManagedClustersClient;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.network.fluent.RouteTablesClient;
import com.azure.resourcemanager.network.fluent.VirtualNetworksClient;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import dev.aksrouteguard.core.ArmException;
import dev.aksrouteguard.core.Cluster;
import dev.aksrouteguard.core.Inventory;
import dev.aksrouteguard.core.InventorySource;
import dev.aksrouteguard.core.RouteTable;
import dev.aksrouteguard.core.SubnetId;
import dev.aksrouteguard.core.SubnetState;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The subscription in three subscription-wide list calls, run side by side and following every {@code nextLink}:
 * managed clusters (agent pools inline), route tables (routes and associated subnets inline) and virtual networks
 * (subnets inline). Cost grows with the number of pages, not with the number of clusters or subnets.
 */
final class ArmInventory implements InventorySource {

    private final ManagedClustersClient clusters;
    private final RouteTablesClient routeTables;
    private final VirtualNetworksClient virtualNetworks;
    private final Clock clock;
    private final ExecutorService pool = Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r, "arm-list");
        t.setDaemon(true);
        return t;
    });

    ArmInventory(ManagedClustersClient clusters, RouteTablesClient routeTables, VirtualNetworksClient virtualNetworks, Clock clock) {
        this.clusters = Objects.requireNonNull(clusters, "clusters == null");
        this.routeTables = Objects.requireNonNull(routeTables, "routeTables == null");
        this.virtualNetworks = Objects.requireNonNull(virtualNetworks, "virtualNetworks == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    @Override
    public Inventory read() {
        var readAt = clock.instant();
        CompletableFuture<List<Cluster>> c = async("list managed clusters", this::listClusters);
        CompletableFuture<List<RouteTable>> t = async("list route tables", this::listRouteTables);
        CompletableFuture<List<SubnetState>> s = async("list virtual networks", this::listSubnets);
        try {
            return new Inventory(c.join(), t.join(), s.join(), readAt);
        } catch (CompletionException e) {
            if (e.getCause() instanceof ArmException arm) {
                throw arm;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private <T> CompletableFuture<T> async(String what, Supplier<T> call) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.get();
            } catch (RuntimeException e) {
                throw ArmErrors.map(what, e);
            }
        }, pool);
    }

    private List<Cluster> listClusters() {
        List<Cluster> out = new ArrayList<>();
        for (ManagedClusterInner inner : clusters.list()) {
            if (inner.id() != null) {
                out.add(ArmMapping.cluster(inner));
            }
        }
        return out;
    }

    private List<RouteTable> listRouteTables() {
        List<RouteTable> out = new ArrayList<>();
        for (RouteTableInner inner : routeTables.list()) {
            if (inner.id() != null) {
                out.add(ArmMapping.routeTable(inner));
            }
        }
        return out;
    }

    private List<SubnetState> listSubnets() {
        List<SubnetState> out = new ArrayList<>();
        for (VirtualNetworkInner vnet : virtualNetworks.list()) {
            if (vnet.subnets() == null) {
                continue;
            }
            for (SubnetInner s : vnet.subnets()) {
                SubnetId id = ArmMapping.subnetId(s.id());
                if (id != null) {
                    out.add(ArmMapping.subnet(id, s));
                }
            }
        }
        return out;
    }
}
