package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.port.InventorySource;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** An inventory source over a supplier of inventories, counting how often each part is read. */
final class CountingSource implements InventorySource {

    final AtomicInteger clusterReads = new AtomicInteger();
    final AtomicInteger networkReads = new AtomicInteger();
    private final Supplier<Inventory> world;

    CountingSource(Supplier<Inventory> world) {
        this.world = world;
    }

    /** A source whose every read fails with {@code e}. */
    static CountingSource failing(ArmException e) {
        return new CountingSource(() -> {
            throw e;
        });
    }

    private volatile ArmException failNext;

    /** The next list call fails with {@code e}, once. */
    void failNext(ArmException e) {
        failNext = e;
    }

    private void maybeFail() {
        ArmException e = failNext;
        if (e != null) {
            failNext = null;
            throw e;
        }
    }

    @Override
    public List<Cluster> clusters() {
        maybeFail();
        clusterReads.incrementAndGet();
        return world.get().clusters();
    }

    final AtomicInteger clusterGets = new AtomicInteger();

    @Override
    public java.util.Optional<Cluster> cluster(ResourceId id) {
        clusterGets.incrementAndGet();
        return java.util.Optional.ofNullable(world.get().cluster(id));
    }

    @Override
    public Network network() {
        networkReads.incrementAndGet();
        Inventory i = world.get();
        return new Network(i.routeTables(), List.copyOf(i.subnets()));
    }

    int reads() {
        return clusterReads.get() + networkReads.get() + clusterGets.get();
    }
}
