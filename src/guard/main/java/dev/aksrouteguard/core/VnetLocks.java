package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ResourceId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Serializes the read-decide-write of subnets within one virtual network in this process: Azure gives a VNet and its
 * subnets one etag and refuses parallel subnet PUTs in a VNet ({@code AnotherOperationInProgress}), so a write that
 * waited behind another must read its etag after that one. A fixed set of striped locks: no map that grows with the
 * subscription.
 */
final class VnetLocks {

    private final ReentrantLock[] stripes;

    VnetLocks(int stripes) {
        this.stripes = new ReentrantLock[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new ReentrantLock();
        }
    }

    /**
     * Runs {@code work} holding the lock of {@code virtualNetwork}, waiting for it no later than {@code deadline}.
     *
     * @return the work's result, or empty when the lock could not be had in time (the work did not run)
     */
    <T> Optional<T> withLock(ResourceId virtualNetwork, Instant deadline, Clock clock, Supplier<T> work) {
        ReentrantLock lock = stripes[Math.floorMod(virtualNetwork.hashCode(), stripes.length)];
        long waitNanos = Math.max(0, Duration.between(clock.instant(), deadline).toNanos());
        try {
            if (!lock.tryLock(waitNanos, TimeUnit.NANOSECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        try {
            return Optional.of(work.get());
        } finally {
            lock.unlock();
        }
    }
}
