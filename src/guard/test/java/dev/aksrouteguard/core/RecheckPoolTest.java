package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.core.port.InventorySource;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Re-reads of other subscriptions for writes newer than their listing, while one subscription hangs: a burst of events
 * shares one re-read of it, so a healthy subscription's re-read never queues behind the hanging one's.
 */
class RecheckPoolTest {

    final TestClock clock = TestClock.system();
    final CountDownLatch gateB = new CountDownLatch(1);
    final CountDownLatch bEntered = new CountDownLatch(1);
    volatile boolean holdB;
    final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();

    InventorySource source(String id) {
        return new InventorySource() {
            @Override
            public List<Cluster> clusters() {
                reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id.equals("b") && holdB) {
                    bEntered.countDown();
                    try {
                        gateB.await(60, TimeUnit.SECONDS); // a bound, so that a broken test fails instead of hanging
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return List.of();
            }

            @Override
            public Optional<Cluster> cluster(ResourceId rid) {
                return Optional.empty();
            }

            @Override
            public Network network() {
                return new Network(List.of(), List.of());
            }
        };
    }

    @Test
    void aBurstOfEventsWhileOneSubscriptionHangsReadsItOnceAndTheHealthyOnesAtOnce() throws Exception {
        ClusterDirectory d = new ClusterDirectory(GuardedSubscriptions.fixed(List.of("a", "b", "c"), "AZURE_SUBSCRIPTION_IDS"),
                this::source, clock, ClusterDirectory.DEFAULT_TTL, true, w -> {});
        d.refresh();
        clock.advance(Duration.ofMinutes(1));
        holdB = true;
        ExecutorService callers = Executors.newFixedThreadPool(12);
        try {
            Future<ClusterDirectory.Recheck> first = callers.submit(() -> d.recheckClusters("a", clock.instant()));
            assertTrue(bEntered.await(10, TimeUnit.SECONDS), "b's re-read started");
            assertTrue(first.get().unconfirmed().containsKey("b"), "b did not answer within the wait");
            List<Future<ClusterDirectory.Recheck>> burst = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                burst.add(callers.submit(() -> d.recheckClusters("a", clock.instant())));
            }
            for (Future<ClusterDirectory.Recheck> f : burst) {
                ClusterDirectory.Recheck r = f.get(30, TimeUnit.SECONDS);
                assertEquals(List.of("b"), List.copyOf(r.unconfirmed().keySet()), "only the hanging subscription: " + r);
            }
            assertEquals(2, reads.get("b").get(), "the first listing, then the one re-read the whole burst shared");
        } finally {
            gateB.countDown();
            callers.shutdownNow();
        }
    }

    /**
     * A re-read already queued for an older write must not answer a newer one: the write the second caller answers came
     * after subscription b's listing started, so b is read again before "no cluster uses it" is taken from that listing.
     * The pool is held busy by four hanging re-reads, so that the older write's re-read of b is still queued when the
     * newer write asks; no timing decides the order.
     */
    @Test
    void aQueuedReReadForAnOlderWriteIsNotTakenAsTheReReadOfANewerOne() throws Exception {
        List<String> slow = List.of("c1", "c2", "c3", "c4");
        CountDownLatch slowEntered = new CountDownLatch(slow.size());
        CountDownLatch slowGate = new CountDownLatch(1);
        CountDownLatch aRead = new CountDownLatch(2);
        CountDownLatch eRead = new CountDownLatch(2);
        java.util.concurrent.atomic.AtomicBoolean holdSlow = new java.util.concurrent.atomic.AtomicBoolean();
        InventorySource.Network none = new InventorySource.Network(List.of(), List.of());
        java.util.function.Function<String, InventorySource> sources = id -> new InventorySource() {
            @Override
            public List<Cluster> clusters() {
                reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (slow.contains(id) && holdSlow.get()) {
                    slowEntered.countDown();
                    try {
                        slowGate.await(60, TimeUnit.SECONDS); // a bound, so that a broken test fails instead of hanging
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                (id.equals("a") ? aRead : id.equals("e") ? eRead : new CountDownLatch(0)).countDown();
                return List.of();
            }

            @Override
            public Optional<Cluster> cluster(ResourceId rid) {
                return Optional.empty();
            }

            @Override
            public Network network() {
                return none;
            }
        };
        // b after the slow ones, so that the older write's re-read of b queues behind them in the pool
        ClusterDirectory d = new ClusterDirectory(GuardedSubscriptions.fixed(List.of("c1", "c2", "c3", "c4", "b", "a", "e"),
                "AZURE_SUBSCRIPTION_IDS"), sources::apply, clock, ClusterDirectory.DEFAULT_TTL, true, w -> {});
        java.time.Instant t0 = clock.instant();
        for (String s : List.of("c1", "c2", "c3", "c4", "a", "e")) {
            assertEquals(null, d.refresh(s));
        }
        clock.advance(Duration.ofSeconds(30));
        assertEquals(null, d.refresh("b")); // b listed at t0 + 30 s
        clock.advance(Duration.ofMinutes(1)); // every listing older than the re-read floor
        holdSlow.set(true);
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            // A write at t0 + 10 s (a retry of an older event): b's listing is newer, so its re-read has nothing to do.
            Future<ClusterDirectory.Recheck> older = callers.submit(() -> d.recheckClusters("a", t0.plusSeconds(10)));
            assertTrue(slowEntered.await(10, TimeUnit.SECONDS), "the four slow re-reads hold the pool");
            assertTrue(aRead.await(10, TimeUnit.SECONDS), "the older write's re-reads are all asked for (its own one last)");
            // A write at t0 + 60 s: after b's listing started, so b must be read again for it.
            Future<ClusterDirectory.Recheck> newer = callers.submit(() -> d.recheckClusters("e", t0.plusSeconds(60)));
            assertTrue(eRead.await(10, TimeUnit.SECONDS), "the newer write's re-reads are all asked for");
            slowGate.countDown();
            older.get(30, TimeUnit.SECONDS);
            ClusterDirectory.Recheck r = newer.get(30, TimeUnit.SECONDS);
            assertTrue(r.unconfirmed().isEmpty(), "every subscription answered within the wait: " + r);
            assertEquals(2, reads.get("b").get(), "b, listed before the newer write, was read again for it (not answered by the "
                    + "re-read queued for the older write, which had nothing to read)");
        } finally {
            slowGate.countDown();
            callers.shutdownNow();
        }
    }

    /**
     * A re-read of another subscription that ends in an Error (a StackOverflowError in a parser, a LinkageError) must
     * still complete its shared result: the re-read queued behind it for a later write is started only when it
     * completes, and every caller after that joins the queued one. Left uncompleted, that subscription is never re-read
     * again on this worker, and every later write whose subnet no listed cluster uses is deferred until it is given up.
     */
    @Test
    void aReReadThatEndsInAnErrorDoesNotLeaveTheReReadQueuedBehindItUnstarted() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failB = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.function.Function<String, InventorySource> sources = id -> new InventorySource() {
            @Override
            public List<Cluster> clusters() {
                reads.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                if (id.equals("b") && failB.getAndSet(false)) {
                    bEntered.countDown();
                    try {
                        gateB.await(60, TimeUnit.SECONDS); // a bound, so that a broken test fails instead of hanging
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    throw new StackOverflowError("a listing that could not be parsed");
                }
                return List.of();
            }

            @Override
            public Optional<Cluster> cluster(ResourceId rid) {
                return Optional.empty();
            }

            @Override
            public Network network() {
                return new Network(List.of(), List.of());
            }
        };
        ClusterDirectory d = new ClusterDirectory(GuardedSubscriptions.fixed(List.of("a", "b"), "AZURE_SUBSCRIPTION_IDS"),
                sources::apply, clock, ClusterDirectory.DEFAULT_TTL, true, w -> {});
        d.refresh();
        clock.advance(Duration.ofMinutes(1)); // every listing older than the re-read floor
        failB.set(true);
        ExecutorService callers = Executors.newFixedThreadPool(1);
        try {
            Future<ClusterDirectory.Recheck> first = callers.submit(() -> d.recheckClusters("a", clock.instant()));
            assertTrue(bEntered.await(10, TimeUnit.SECONDS), "b's re-read started");
            // A later write while it runs: its re-read of b is queued behind the running one.
            clock.advance(Duration.ofSeconds(30));
            assertTrue(d.recheckClusters("a", clock.instant()).unconfirmed().containsKey("b"), "b is still being read");
            gateB.countDown(); // the running re-read ends in an Error
            assertTrue(first.get(30, TimeUnit.SECONDS).unconfirmed().containsKey("b"));
            // b answers again: a later write must get its re-read (the queued one, or a new one), not a dead one.
            ClusterDirectory.Recheck r = d.recheckClusters("a", clock.instant());
            assertTrue(r.unconfirmed().isEmpty(), "b can be read again, and was: " + r);
            assertTrue(reads.get("b").get() >= 3, "the first listing, the failed re-read, then one that worked: " + reads);
        } finally {
            gateB.countDown();
            callers.shutdownNow();
        }
    }
}
