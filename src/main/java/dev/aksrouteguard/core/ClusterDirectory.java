package dev.aksrouteguard.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The warm worker's memory of the subscription, in two parts read with list calls: the managed clusters (which
 * subnets are kubenet node subnets) and the network (route tables and subnets). Each part is read again when older
 * than the TTL, and both on demand (cluster and agent-pool writes, the sweep). An event for a subnet that is not a
 * kubenet node subnet needs only the clusters part — a page per 100 clusters per TTL — so it costs at most one ARM read,
 * amortized. It only answers "whose subnet is this, and which table is the cluster's?": every decision to write is
 * made on a fresh GET of the subnet. One refresh at a time.
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
    private volatile @Nullable Inventory owners;
    private volatile @Nullable Inventory full;
    private @Nullable Part<?> ownersFrom;
    private @Nullable Part<?> fullFromClusters;
    private @Nullable Part<?> fullFromNetwork;

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
                clusters = new Part<>(source.clusters(), clock.instant());
            }
            Part<List<Cluster>> c = Objects.requireNonNull(clusters);
            if (owners == null || ownersFrom != c) {
                owners = new Inventory(c.value(), List.of(), List.of(), c.readAt());
                ownersFrom = c;
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
            boolean c = !fresh(clusters);
            boolean n = !fresh(network);
            if (c && n) {
                load(source.readAll());
            } else if (c) {
                clusters = new Part<>(source.clusters(), clock.instant());
            } else if (n) {
                network = new Part<>(source.network(), clock.instant());
            }
            return combined();
        }
    }

    /** Reads both parts again now. @throws ArmException when a read fails */
    public Inventory refresh() {
        synchronized (lock) {
            load(source.readAll());
            return combined();
        }
    }

    /** Forgets both parts; the next call reads them again. */
    public void invalidate() {
        synchronized (lock) {
            clusters = null;
            network = null;
            owners = null;
            full = null;
            ownersFrom = null;
            fullFromClusters = null;
            fullFromNetwork = null;
        }
    }

    private boolean fresh(@Nullable Part<?> part) {
        return part != null && Duration.between(part.readAt(), clock.instant()).compareTo(ttl) < 0;
    }

    private void load(InventorySource.Parts parts) {
        Instant now = clock.instant();
        clusters = new Part<>(parts.clusters(), now);
        network = new Part<>(parts.network(), now);
    }

    /** The combined inventory, rebuilt only when a part changed; dated by its older part. */
    private Inventory combined() {
        Part<List<Cluster>> c = Objects.requireNonNull(clusters);
        Part<InventorySource.Network> n = Objects.requireNonNull(network);
        Inventory f = full;
        if (f == null || fullFromClusters != c || fullFromNetwork != n) {
            Instant readAt = c.readAt().isBefore(n.readAt()) ? c.readAt() : n.readAt();
            f = new Inventory(c.value(), n.value().routeTables(), n.value().subnets(), readAt);
            full = f;
            fullFromClusters = c;
            fullFromNetwork = n;
        }
        return f;
    }
}
