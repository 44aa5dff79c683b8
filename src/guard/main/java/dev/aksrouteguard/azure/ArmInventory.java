package dev.aksrouteguard.azure;

import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.Inventories;
import dev.aksrouteguard.core.port.InventorySource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A subscription in three subscription-wide list calls, following every {@code nextLink}: managed clusters (agent
 * pools inline), route tables (routes and associated subnets inline) and virtual networks (subnets inline). Cost
 * grows with the number of pages, not with the number of clusters or subnets. Calls of one read run side by side, each
 * on its own pipeline, and never wait for a thread.
 *
 * <p>The subscription a listing lists is a parameter of each list call; this source lists the one it was made for. A
 * listing that cannot be trusted (a page without {@code value}, an item without an ID or from another subscription, a
 * {@code nextLink} that repeats) fails rather than returning fewer rows. A single cluster is read by its full ID.
 */
final class ArmInventory implements Inventories {

    /** The api-version of azure-resourcemanager-containerservice 2.56.1, whose models read the answers. */
    static final String AKS_API_VERSION = "2025-09-01";
    /** The Network api-version of every list call, the same as the subnet reads ({@link ArmSubnets#API_VERSION}). */
    static final String NETWORK_API_VERSION = ArmSubnets.API_VERSION;

    private final ArmRest clusters;
    private final ArmRest routeTables;
    private final ArmRest virtualNetworks;
    /**
     * The threads on which a read's other listings run beside the one its own thread runs: up to 12, made when needed.
     * A listing never queues for one. When all are busy (the sweep, background reads and an event's read all at once,
     * for many subscriptions), the asking thread runs the listing itself: the directory keeps the reads that someone
     * waits for apart from the background ones, and a queue shared here would make them wait behind those after all.
     */
    private final ThreadPoolExecutor pool = new ThreadPoolExecutor(0, 12, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "arm-list");
        t.setDaemon(true);
        return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());

    /**
     * @param clusters, routeTables, virtualNetworks the transports of the three listings (separate pipelines, so that
     *     parallel listings do not wait on one token cache)
     */
    ArmInventory(ArmRest clusters, ArmRest routeTables, ArmRest virtualNetworks) {
        this.clusters = Objects.requireNonNull(clusters, "clusters == null");
        this.routeTables = Objects.requireNonNull(routeTables, "routeTables == null");
        this.virtualNetworks = Objects.requireNonNull(virtualNetworks, "virtualNetworks == null");
    }

    /** The source of one subscription: its three listings, and any cluster by its full ID. */
    @Override
    public InventorySource of(String subscriptionId) {
        Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        return new InventorySource() {
            @Override
            public List<Cluster> clusters() {
                return listClusters(subscriptionId);
            }

            @Override
            public Optional<Cluster> cluster(ResourceId id) {
                return ArmInventory.this.cluster(id);
            }

            /** The two list calls side by side, the VNets' on this thread. */
            @Override
            public Network network() {
                CompletableFuture<List<RouteTable>> t = async(() -> listRouteTables(subscriptionId));
                CompletableFuture<List<SubnetState>> s = here(() -> listSubnets(subscriptionId));
                return new Network(join(t), join(s));
            }

            /** The three list calls side by side, the VNets' on this thread. */
            @Override
            public Parts readAll() {
                CompletableFuture<List<Cluster>> c = async(() -> listClusters(subscriptionId));
                CompletableFuture<List<RouteTable>> t = async(() -> listRouteTables(subscriptionId));
                CompletableFuture<List<SubnetState>> s = here(() -> listSubnets(subscriptionId));
                return new Parts(join(c), new Network(join(t), join(s)));
            }
        };
    }

    Optional<Cluster> cluster(ResourceId id) {
        String what = "GET managed cluster " + id.name();
        ArmRest.Answer answer;
        try {
            answer = clusters.get(id.value(), AKS_API_VERSION, what);
        } catch (ArmException e) {
            if (e.kind() == ArmException.Kind.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
        ManagedClusterInner inner = read(answer.body(), ManagedClusterInner::fromJson, what);
        if (inner == null || inner.id() == null || !ResourceId.isValid(inner.id()) || !ResourceId.parse(inner.id()).equals(id)) {
            throw ArmErrors.invalid(what + ": the answer is not the cluster asked for (" + (inner == null ? "no body" : inner.id())
                    + "); not used");
        }
        return Optional.of(map(() -> ArmMapping.cluster(inner), what));
    }

    List<Cluster> listClusters(String subscription) {
        String what = "list managed clusters of subscription " + subscription;
        List<Cluster> out = new ArrayList<>();
        for (ManagedClusterInner inner : clusters.list(subscription, "/providers/Microsoft.ContainerService/managedClusters",
                AKS_API_VERSION, what, ManagedClusterInner::fromJson)) {
            requireInSubscription(inner.id(), subscription, what);
            out.add(map(() -> ArmMapping.cluster(inner), what));
        }
        return out;
    }

    List<RouteTable> listRouteTables(String subscription) {
        String what = "list route tables of subscription " + subscription;
        List<RouteTable> out = new ArrayList<>();
        for (RouteTableInner inner : routeTables.list(subscription, "/providers/Microsoft.Network/routeTables",
                NETWORK_API_VERSION, what, RouteTableInner::fromJson)) {
            requireInSubscription(inner.id(), subscription, what);
            out.add(map(() -> ArmMapping.routeTable(inner), what));
        }
        return out;
    }

    List<SubnetState> listSubnets(String subscription) {
        String what = "list virtual networks of subscription " + subscription;
        List<SubnetState> out = new ArrayList<>();
        for (VirtualNetworkInner vnet : virtualNetworks.list(subscription, "/providers/Microsoft.Network/virtualNetworks",
                NETWORK_API_VERSION, what, VirtualNetworkInner::fromJson)) {
            requireInSubscription(vnet.id(), subscription, what);
            if (vnet.subnets() == null) {
                continue;
            }
            ResourceId network = ResourceId.parse(vnet.id());
            for (SubnetInner s : vnet.subnets()) {
                SubnetId id = ArmMapping.subnetId(s.id());
                if (id == null || !id.virtualNetwork().equals(network)) {
                    // A node subnet missing from the listing would read as "not listed", never as a failure.
                    throw ArmErrors.invalid(what + ": virtual network " + vnet.id() + " lists a subnet with "
                            + (s.id() == null ? "no ID" : "the ID " + s.id() + ", which is not one of its subnets")
                            + "; the listing cannot be trusted");
                }
                out.add(ArmMapping.subnet(id, s));
            }
        }
        return out;
    }

    /** A listed item names itself by an ID in the listed subscription, or the listing is not what was asked for. */
    private static void requireInSubscription(@Nullable String id, String subscription, String what) {
        if (id == null || !ResourceId.isValid(id)) {
            throw ArmErrors.invalid(what + ": an item has " + (id == null ? "no ID" : "an ID that is not an ARM ID: " + id)
                    + "; the listing cannot be trusted");
        }
        if (!ResourceId.parse(id).subscriptionId().equalsIgnoreCase(subscription)) {
            throw ArmErrors.invalid(what + ": an item is in another subscription (" + id + "); the listing cannot be trusted");
        }
    }

    private static <T> T map(Supplier<T> mapping, String what) {
        try {
            return mapping.get();
        } catch (IllegalArgumentException e) {
            throw ArmErrors.invalid(what + ": " + e.getMessage());
        }
    }

    private static <T> @Nullable T read(byte[] body, com.azure.json.ReadValueCallback<JsonReader, T> model, String what) {
        try (JsonReader reader = JsonProviders.createReader(body)) {
            return model.read(reader);
        } catch (IOException | RuntimeException e) {
            throw ArmErrors.invalid(what + ": the answer is not a JSON object (" + e.getMessage() + ")");
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    private <T> CompletableFuture<T> async(Supplier<T> call) {
        return CompletableFuture.supplyAsync(call, pool);
    }

    /** Runs {@code call} on this thread; its failure is reported in the same order as those of {@link #async} calls. */
    private static <T> CompletableFuture<T> here(Supplier<T> call) {
        try {
            return CompletableFuture.completedFuture(call.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
