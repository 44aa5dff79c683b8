package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.RetryQueue;
import dev.aksrouteguard.testing.LogCapture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** Values built on first use: once, whoever asks first, and again after a build that threw. */
class LazyTest {

    static final SubnetId SUBNET = SubnetId.parse("/subscriptions/9b2f6c1e-4d3a-4e8b-a7c5-1f0e2d3c4b5a/resourceGroups/rg/"
            + "providers/Microsoft.Network/virtualNetworks/v/subnets/s");

    @Test
    void isBuiltOnceWhenManyThreadsAskAtOnce() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        Lazy<Object> lazy = Lazy.of(() -> {
            builds.incrementAndGet();
            return new Object();
        });
        assertFalse(lazy.built());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Object>> got = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                got.add(pool.submit(() -> {
                    start.await(10, TimeUnit.SECONDS);
                    return lazy.get();
                }));
            }
            start.countDown();
            Object first = got.get(0).get(10, TimeUnit.SECONDS);
            for (Future<Object> f : got) {
                assertSame(first, f.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, builds.get());
        assertTrue(lazy.built());
    }

    @Test
    void aBuildThatThrowsIsTriedAgainByTheNextCaller() {
        AtomicInteger builds = new AtomicInteger();
        Lazy<String> lazy = Lazy.of(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("not yet");
            }
            return "built";
        });
        assertThrows(IllegalStateException.class, lazy::get);
        assertFalse(lazy.built());
        assertEquals("built", lazy.get());
        assertEquals(2, builds.get());
    }

    @Test
    void theRetryQueueIsEnabledAtOnceAndBuiltWhenWorkIsFirstHandedOn() {
        AtomicInteger builds = new AtomicInteger();
        List<RetryRequest> submitted = new ArrayList<>();
        RetryQueue real = new RetryQueue() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public boolean submit(RetryRequest request, Duration delay) {
                submitted.add(request);
                return true;
            }

            @Override
            public void giveUp(RetryRequest request, dev.aksrouteguard.core.model.Outcome last) {}
        };
        LogCapture log = new LogCapture();
        LazyRetryQueue queue = new LazyRetryQueue(Lazy.of(() -> {
            builds.incrementAndGet();
            return real;
        }), log.logger());

        assertTrue(queue.enabled());
        assertEquals(0, builds.get(), "asking whether work can be handed on builds nothing");
        RetryRequest request = RetryRequest.first(SUBNET, new Trigger.Manual("test"));
        queue.submit(request, Duration.ofSeconds(30));
        queue.submit(request, Duration.ofSeconds(30));
        assertEquals(1, builds.get());
        assertEquals(List.of(request, request), submitted);
        assertTrue(log.lines(Level.WARNING).isEmpty());
    }

    @Test
    void aRetryQueueWhoseClientsDidNotBuildSaysSoForEachPieceOfWork() {
        LogCapture log = new LogCapture();
        LazyRetryQueue queue = new LazyRetryQueue(Lazy.of(() -> RetryQueue.NONE), log.logger());
        queue.submit(RetryRequest.first(SUBNET, new Trigger.Manual("test")), Duration.ofSeconds(30));
        queue.giveUp(RetryRequest.first(SUBNET, new Trigger.Manual("test")), null);
        List<String> warnings = log.lines(Level.WARNING);
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("the next sweep checks it"), warnings.get(0));
    }
}
