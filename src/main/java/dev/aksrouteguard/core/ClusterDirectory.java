package dev.aksrouteguard.core;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;

/**
 * The warm worker's memory of the subscription: which clusters are kubenet, their node subnets and the route
 * tables. Refreshed when older than its TTL and on demand (cluster and agent-pool writes); one refresh at a time.
 * It only answers "whose subnet is this?" cheaply: every decision to write is made on a fresh GET of the subnet.
 */
public final class ClusterDirectory {

    /** How long a directory is trusted before it is read again. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    private final InventorySource source;
    private final Clock clock;
    private final Duration ttl;
    private final Object refreshLock = new Object();
    private volatile @Nullable Inventory inventory;

    public ClusterDirectory(InventorySource source, Clock clock, Duration ttl) {
        this.source = Objects.requireNonNull(source, "source == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.ttl = Objects.requireNonNull(ttl, "ttl == null");
    }

    /** The directory, read again first when it is older than the TTL. @throws ArmException when that read fails */
    public Inventory current() {
        Inventory now = inventory;
        if (now != null && !isStale(now)) {
            return now;
        }
        synchronized (refreshLock) {
            now = inventory;
            if (now != null && !isStale(now)) {
                return now;
            }
            return load();
        }
    }

    /** Reads the subscription again now. @throws ArmException when that read fails */
    public Inventory refresh() {
        synchronized (refreshLock) {
            return load();
        }
    }

    /** Forgets the directory; the next {@link #current()} reads it again. */
    public void invalidate() {
        inventory = null;
    }

    private boolean isStale(Inventory inv) {
        return Duration.between(inv.readAt(), clock.instant()).compareTo(ttl) >= 0;
    }

    private Inventory load() {
        Inventory fresh = source.read();
        inventory = fresh;
        return fresh;
    }
}
