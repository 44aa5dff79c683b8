package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.port.InventorySource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The warm worker's memory of the subscription, in two parts read with list calls: the managed clusters (which
 * subnets are kubenet node subnets) and the network (route tables and subnets). Each part is read again when older
 * than the TTL, both on demand (the sweep), and one cluster when it was written (cluster and agent-pool writes).
 * An event for a subnet that is not a kubenet node subnet needs only the clusters part — a page per 100 clusters per
 * TTL — so it costs at most one ARM read, amortized. The directory only answers "whose subnet is this, and which
 * table is the cluster's?": every decision to write is made on a fresh GET of the subnet. One read at a time.
 */
public final class ClusterDirectory {

    /** How long a part is trusted before it is read again. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    private final InventorySource source;
    private final Clock clock;
    private final Duration ttl;
    private final Object lock = new Object();
    private volatile @Nullable Part<List<Cluster>> clusters;
    private volatile @Nullable Part<InventorySource.Network> network;
    /** Built from the parts on demand; null whenever a part changed. */
    private volatile @Nullable Inventory owners;
    private volatile @Nullable Inventory full;

    private record Part<T>(T value, Instant readAt) {}

    public ClusterDirectory(InventorySource source, Clock clock, Duration ttl) {
        this.source = Objects.requireNonNull(source, "source == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.ttl = Objects.requireNonNull(ttl, "ttl == null");
    }

    /**
     * The clusters only (no route tables, no subnets): enough to tell whether a subnet is a kubenet node subnet and
     * which node subnets a VNet holds. @throws ArmException when the clusters cannot be listed
     */
    public Inventory owners() {
        Inventory cached = owners;
        if (cached != null && fresh(clusters)) {
            return cached;
        }
        synchronized (lock) {
            if (!fresh(clusters)) {
                setClusters(source.clusters(), clock.instant());
            }
            Part<List<Cluster>> c = Objects.requireNonNull(clusters);
            if (owners == null) {
                owners = new Inventory(c.value(), List.of(), List.of(), c.readAt());
            }
            return owners;
        }
    }

    /** Clusters and network, each read again first when older than the TTL. @throws ArmException when a read fails */
    public Inventory current() {
        Inventory cached = full;
        if (cached != null && fresh(clusters) && fresh(network)) {
            return cached;
        }
        synchronized (lock) {
            boolean staleClusters = !fresh(clusters);
            boolean staleNetwork = !fresh(network);
            if (staleClusters && staleNetwork) {
                load(source.readAll());
            } else if (staleClusters) {
                setClusters(source.clusters(), clock.instant());
            } else if (staleNetwork) {
                setNetwork(source.network(), clock.instant());
            }
            return combined();
        }
    }

    /**
     * Reads one cluster again (it was just written) and puts it in the directory in place of what was known of it:
     * one ARM read, where re-listing the subscription would cost a page per 100 clusters, route tables and VNets.
     * The parts keep their age; a directory not read yet is read whole instead.
     *
     * @return the directory with the cluster as it is now (absent when it was deleted)
     * @throws ArmException when the cluster cannot be read
     */
    public Inventory updateCluster(ResourceId id) {
        Objects.requireNonNull(id, "id == null");
        synchronized (lock) {
            Part<List<Cluster>> c = clusters;
            if (c == null || !fresh(c)) {
                return current();
            }
            Optional<Cluster> now = source.cluster(id);
            List<Cluster> updated = new ArrayList<>(c.value().size() + 1);
            for (Cluster known : c.value()) {
                if (!known.id().equals(id)) {
                    updated.add(known);
                }
            }
            now.ifPresent(updated::add);
            setClusters(List.copyOf(updated), c.readAt());
            return current();
        }
    }

    /** Reads both parts again now. @throws ArmException when a read fails */
    public Inventory refresh() {
        synchronized (lock) {
            load(source.readAll());
            return combined();
        }
    }

    private boolean fresh(@Nullable Part<?> part) {
        return part != null && Duration.between(part.readAt(), clock.instant()).compareTo(ttl) < 0;
    }

    private void load(InventorySource.Parts parts) {
        Instant now = clock.instant();
        setClusters(parts.clusters(), now);
        setNetwork(parts.network(), now);
    }

    private void setClusters(List<Cluster> value, Instant readAt) {
        clusters = new Part<>(value, readAt);
        owners = null;
        full = null;
    }

    private void setNetwork(InventorySource.Network value, Instant readAt) {
        network = new Part<>(value, readAt);
        full = null;
    }

    /** Both parts as one inventory, dated by the older part; built once per change of a part. */
    private Inventory combined() {
        Inventory f = full;
        if (f == null) {
            Part<List<Cluster>> c = Objects.requireNonNull(clusters);
            Part<InventorySource.Network> n = Objects.requireNonNull(network);
            Instant readAt = c.readAt().isBefore(n.readAt()) ? c.readAt() : n.readAt();
            f = new Inventory(c.value(), n.value().routeTables(), n.value().subnets(), readAt);
            full = f;
        }
        return f;
    }
}
