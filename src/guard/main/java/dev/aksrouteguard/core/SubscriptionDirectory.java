package dev.aksrouteguard.core;

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
 * What a warm worker knows of one subscription, in two parts read with that subscription's list calls: its managed
 * clusters, and its network (route tables and subnets). Each part is read again when older than the TTL, both on
 * demand, and one cluster when it was written. One read at a time per subscription; subscriptions never wait for each
 * other. Parts are immutable; a read replaces them.
 */
final class SubscriptionDirectory {

    /**
     * A part, when its read started (a write made after that may be missing from it; the TTL counts from then too) and
     * when it was stored (the re-read floor counts from then); parts are compared by identity to tell whether a combined
     * view is current.
     */
    record Part<T>(T value, Instant readAt, Instant storedAt) {}

    private final String subscriptionId;
    private final InventorySource source;
    private final Clock clock;
    private final Duration ttl;
    /** A subscription whose read failed is not read again for another's sake sooner than this. */
    static final Duration QUIET_AFTER_FAILURE = Duration.ofMinutes(1);

    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private volatile @Nullable Instant lastFailure;
    /** The first failure of the reads failing since the last one that worked, or null when the last read worked. */
    private volatile @Nullable Instant failingSince;
    private volatile @Nullable RuntimeException lastError;
    private volatile @Nullable Part<List<Cluster>> clusters;
    private volatile @Nullable Part<InventorySource.Network> network;

    SubscriptionDirectory(String subscriptionId, InventorySource source, Clock clock, Duration ttl) {
        this.subscriptionId = Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        this.source = Objects.requireNonNull(source, "source == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.ttl = Objects.requireNonNull(ttl, "ttl == null");
    }

    String subscriptionId() {
        return subscriptionId;
    }

    /** The clusters part, read again first when stale. @throws dev.aksrouteguard.core.model.ArmException when it cannot be */
    Part<List<Cluster>> clusters() {
        return clusters(null);
    }

    /**
     * {@link #clusters()}, waiting for another read of this subscription no later than {@code until} (null: as long as
     * that read takes, which its ARM bounds end).
     *
     * @throws DeadlineReached when another read still holds the subscription at {@code until} (nothing read)
     */
    Part<List<Cluster>> clusters(@Nullable Instant until) {
        Part<List<Cluster>> c = clusters;
        if (fresh(c)) {
            return c;
        }
        lockBy(until, "its clusters");
        try {
            if (!fresh(clusters)) {
                Instant started = clock.instant();
                clusters = new Part<>(failures(source::clusters), started, clock.instant());
            }
            return Objects.requireNonNull(clusters);
        } finally {
            lock.unlock();
        }
    }

    boolean freshClusters() {
        return fresh(clusters);
    }

    boolean freshNetwork() {
        return fresh(network);
    }

    /**
     * The clusters part for a question about another subscription, never read on the calling thread: fresh, or — when
     * stale — the last one read while it is read again in the background, so that a slow or throttled subscription
     * never holds up another's work. A part never read is null: its first read is started in the background (unless it
     * is being read already, or failed a moment ago), and the caller decides what it may decide without it.
     */
    @Nullable Part<List<Cluster>> clustersNoWait(java.util.concurrent.Executor background) {
        Part<List<Cluster>> c = clusters;
        if (fresh(c)) {
            return c;
        }
        if (c == null) {
            if (!failedRecently()) {
                readInBackground(background);
            }
            return null;
        }
        readInBackground(background);
        return c;
    }

    /** Starts a read of the clusters part on {@code background}, unless one started so is still running. */
    private void readInBackground(java.util.concurrent.Executor background) {
        if (refreshing.compareAndSet(false, true)) {
            try {
                background.execute(() -> {
                    try {
                        clusters();
                    } catch (RuntimeException e) {
                        // remembered by failures(); the next question tries again
                    } finally {
                        refreshing.set(false);
                    }
                });
            } catch (RuntimeException e) {
                refreshing.set(false);
                throw e;
            }
        }
    }

    /** Why the last read of this subscription failed, or null when it did not (or none was made). */
    @Nullable RuntimeException lastError() {
        return lastError;
    }

    /** True when the last read failed less than {@link #QUIET_AFTER_FAILURE} ago: not read again for another's sake yet. */
    boolean failedRecently() {
        Instant failed = lastFailure;
        return failed != null && Duration.between(failed, clock.instant()).compareTo(QUIET_AFTER_FAILURE) < 0;
    }

    /**
     * How long this subscription's reads have kept failing: from the first failure since the last read that worked to
     * the latest failure (zero after a single one), or null when the last read worked or none was made. Time without a
     * read does not count: only reads that were tried and failed.
     */
    @Nullable Duration failingFor() {
        Instant since = failingSince;
        Instant latest = lastFailure;
        return since == null || latest == null || lastError == null ? null : Duration.between(since, latest);
    }

    private final java.util.concurrent.atomic.AtomicBoolean refreshing = new java.util.concurrent.atomic.AtomicBoolean();

    /** The clusters part as last read, stale or not, or null when it was never read. */
    @Nullable Part<List<Cluster>> lastClusters() {
        return clusters;
    }

    /** The network part, read again first when stale. @throws dev.aksrouteguard.core.model.ArmException when it cannot be */
    Part<InventorySource.Network> network() {
        return network(null);
    }

    /**
     * {@link #network()}, waiting for another read of this subscription no later than {@code until} (null: as long as
     * that read takes).
     *
     * @throws DeadlineReached when another read still holds the subscription at {@code until} (nothing read)
     */
    Part<InventorySource.Network> network(@Nullable Instant until) {
        Part<InventorySource.Network> n = network;
        if (fresh(n)) {
            return n;
        }
        lockBy(until, "its route tables and subnets");
        try {
            boolean staleClusters = !fresh(clusters);
            if (!fresh(network)) {
                if (staleClusters) {
                    Instant started = clock.instant();
                    load(failures(source::readAll), started); // both at once, side by side
                } else {
                    Instant started = clock.instant();
                    network = new Part<>(failures(source::network), started, clock.instant());
                }
            }
            return Objects.requireNonNull(network);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads the clusters part again unless it was read at or after {@code readAfter}, or less than {@code floor} ago (or
     * never: a first read is the callers' own). One read at a time: those who waited for it find it current.
     *
     * @param lockUntil how long to wait for a read of this subscription already under way: no later than this (null: as
     *     long as it takes)
     * @return true when it was read again
     * @throws RuntimeException when the read fails, or (without a read) when the last one failed a moment ago
     * @throws DeadlineReached (without a read) when another read still holds the subscription at {@code lockUntil}
     */
    boolean rereadClusters(Instant readAfter, Duration floor, @Nullable Instant lockUntil) {
        if (!needsReread(clusters, readAfter, floor)) {
            return false; // current: no wait for the lock, which a slow listing of this subscription may hold
        }
        lockBy(lockUntil, "its clusters again");
        try {
            if (!needsReread(clusters, readAfter, floor)) {
                return false; // read again while this waited for the lock
            }
            throwIfFailedRecently();
            Instant started = clock.instant();
            clusters = new Part<>(failures(source::clusters), started, clock.instant());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Takes the lock, waiting no later than {@code until} (null: as long as the read holding it takes, which its ARM
     * bounds end; a time already past: only a lock that is free): a re-read for another subscription's question, or a
     * reconcile with a deadline, never waits longer than that for a slow listing of this one, such as a sweep's.
     *
     * @param what what the caller was to read, for the message
     * @throws DeadlineReached when the lock is still held at {@code until} (or the wait was interrupted)
     */
    private void lockBy(@Nullable Instant until, String what) {
        if (until == null) {
            lock.lock();
            return;
        }
        Instant start = clock.instant();
        long nanos = Math.max(0, Duration.between(start, until).toNanos());
        try {
            if (!lock.tryLock(nanos, java.util.concurrent.TimeUnit.NANOSECONDS)) {
                throw new DeadlineReached("another read of subscription " + subscriptionId + " was still under way when the "
                        + "wait for it ended (" + Duration.ofNanos(nanos).toMillis() + " ms); not read: " + what);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeadlineReached("interrupted while waiting for another read of subscription " + subscriptionId
                    + "; not read: " + what);
        }
    }

    /**
     * True when {@code part}'s read started before {@code readAfter} and it was stored at least {@code floor} ago (never
     * read: false).
     */
    private boolean needsReread(@Nullable Part<?> part, Instant readAfter, Duration floor) {
        // the floor counts from when the part was stored: a slow listing is not read again the moment it ends
        return part != null && part.readAt().isBefore(readAfter) && Duration.between(part.storedAt(), clock.instant()).compareTo(floor) >= 0;
    }

    /**
     * A read that failed less than {@link #QUIET_AFTER_FAILURE} ago is not tried again for a re-read: its failure
     * answers instead, so that events do not each list a subscription that is throttled or down.
     */
    private void throwIfFailedRecently() {
        RuntimeException last = lastError;
        if (last != null && failedRecently()) {
            throw last;
        }
    }

    /** {@link #rereadClusters} for the network part. */
    boolean rereadNetwork(Instant readAfter, Duration floor, @Nullable Instant lockUntil) {
        if (!needsReread(network, readAfter, floor)) {
            return false;
        }
        lockBy(lockUntil, "its route tables and subnets again");
        try {
            if (!needsReread(network, readAfter, floor)) {
                return false;
            }
            throwIfFailedRecently();
            Instant started = clock.instant();
            network = new Part<>(failures(source::network), started, clock.instant());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Reads both parts again now. @throws dev.aksrouteguard.core.model.ArmException when a read fails */
    void refresh() {
        refresh(null);
    }

    /**
     * {@link #refresh()}, waiting for another read of this subscription no later than {@code until} (null: as long as
     * it takes). @throws DeadlineReached when another read still holds it then (nothing read)
     */
    void refresh(@Nullable Instant until) {
        lockBy(until, "its clusters, route tables and subnets");
        try {
            Instant started = clock.instant();
            load(failures(source::readAll), started);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads one cluster of this subscription again (it was just written, or is about to be relied on) and puts it in
     * place of what was known of it: one ARM read. A clusters part not read yet, or stale, is read whole instead.
     *
     * @param until the latest a wait for another read of this subscription (a sweep's listing, a background one) may
     *     end (null: as long as that read takes)
     * @throws dev.aksrouteguard.core.model.ArmException when the cluster cannot be read
     * @throws DeadlineReached when another read still holds the subscription at {@code until} (nothing read)
     */
    void updateCluster(ResourceId id, @Nullable Instant until) {
        Objects.requireNonNull(id, "id == null");
        lockBy(until, "cluster " + id.name());
        try {
            Part<List<Cluster>> c = clusters;
            if (c == null || !fresh(c)) {
                Instant started = clock.instant();
                clusters = new Part<>(failures(source::clusters), started, clock.instant());
                return;
            }
            Optional<Cluster> now = source.cluster(id);
            List<Cluster> updated = new ArrayList<>(c.value().size() + 1);
            for (Cluster known : c.value()) {
                if (!known.id().equals(id)) {
                    updated.add(known);
                }
            }
            now.ifPresent(updated::add);
            clusters = new Part<>(List.copyOf(updated), c.readAt(), c.storedAt());
        } finally {
            lock.unlock();
        }
    }

    /** Runs a read, remembering when it failed. */
    private <T> T failures(java.util.function.Supplier<T> read) {
        try {
            T value = read.get();
            lastFailure = null;
            lastError = null;
            failingSince = null;
            return value;
        } catch (RuntimeException e) {
            Instant now = clock.instant();
            if (lastError == null || failingSince == null) {
                failingSince = now;
            }
            lastError = e;
            lastFailure = now;
            throw e;
        }
    }

    private boolean fresh(@Nullable Part<?> part) {
        return part != null && Duration.between(part.readAt(), clock.instant()).compareTo(ttl) < 0;
    }

    /** Both parts, stamped with when their read started: a write after that may be missing from them. */
    private void load(InventorySource.Parts parts, Instant started) {
        Instant stored = clock.instant();
        clusters = new Part<>(parts.clusters(), started, stored);
        network = new Part<>(parts.network(), started, stored);
    }
}
