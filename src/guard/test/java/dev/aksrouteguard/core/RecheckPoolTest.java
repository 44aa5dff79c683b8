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
}
