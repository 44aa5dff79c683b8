package dev.aksrouteguard.azure;

import com.azure.core.util.Context;
import com.azure.resourcemanager.containerservice.fluent.ManagedClustersClient;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.network.fluent.RouteTablesClient;
import com.azure.resourcemanager.network.fluent.VirtualNetworksClient;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.InventorySource;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The subscription in three subscription-wide list calls, following every {@code nextLink}: managed clusters (agent
 * pools inline), route tables (routes and associated subnets inline) and virtual networks (subnets inline). Cost
 * grows with the number of pages, not with the number of clusters or subnets. Calls of one read run side by side.
 */
final class ArmInventory implements InventorySource {

    private final ManagedClustersClient clusters;
    private final RouteTablesClient routeTables;
    private final VirtualNetworksClient virtualNetworks;
    private final ExecutorService pool = Executors.newFixedThreadPool(3, r -> {
        Thread t = new Thread(r, "arm-list");
        t.setDaemon(true);
        return t;
    });

    ArmInventory(ManagedClustersClient clusters, RouteTablesClient routeTables, VirtualNetworksClient virtualNetworks) {
        this.clusters = Objects.requireNonNull(clusters, "clusters == null");
        this.routeTables = Objects.requireNonNull(routeTables, "routeTables == null");
        this.virtualNetworks = Objects.requireNonNull(virtualNetworks, "virtualNetworks == null");
    }

    @Override
    public List<Cluster> clusters() {
        return join(async("list managed clusters", this::listClusters));
    }

    @Override
    public Optional<Cluster> cluster(ResourceId id) {
        try {
            ManagedClusterInner inner = clusters.getByResourceGroupWithResponse(
                    Objects.requireNonNull(id.resourceGroup(), "a cluster ID has a resource group"), id.name(), Context.NONE).getValue();
            return inner == null || inner.id() == null ? Optional.empty() : Optional.of(ArmMapping.cluster(inner));
        } catch (RuntimeException e) {
            ArmException mapped = ArmErrors.map("GET managed cluster " + id.name(), e);
            if (mapped.kind() == ArmException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw mapped;
        }
    }

    @Override
    public Network network() {
        CompletableFuture<List<RouteTable>> t = async("list route tables", this::listRouteTables);
        CompletableFuture<List<SubnetState>> s = async("list virtual networks", this::listSubnets);
        return new Network(join(t), join(s));
    }

    /** The three list calls side by side. */
    @Override
    public Parts readAll() {
        CompletableFuture<List<Cluster>> c = async("list managed clusters", this::listClusters);
        CompletableFuture<List<RouteTable>> t = async("list route tables", this::listRouteTables);
        CompletableFuture<List<SubnetState>> s = async("list virtual networks", this::listSubnets);
        return new Parts(join(c), new Network(join(t), join(s)));
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
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
