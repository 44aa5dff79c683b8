package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ResourceId;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes subnet writes within one virtual network in this process: parallel subnet PUTs in one VNet fail in
 * Azure (AnotherOperationInProgress). A fixed set of striped locks: no map that grows with the subscription.
 */
final class VnetLocks {

    private final ReentrantLock[] stripes;

    VnetLocks(int stripes) {
        this.stripes = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new ReentrantLock();
        }
    }

    <T> T withLock(ResourceId virtualNetwork, Supplier<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(virtualNetwork.hashCode(), stripes.length)];
        lock.lock();
        try {
            return work.get();
        } finally {
            lock.unlock();
        }
    }
}
