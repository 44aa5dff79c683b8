package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpRequest;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.InterceptingHttpClient;
import dev.aksrouteguard.core.port.Inventories;
import dev.aksrouteguard.core.port.InventorySource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listings of a cold directory go out side by side, not one after the other: a cold start pays one round of list
 * calls, not three. Proved without timing: each list request is held at the HTTP client until the others of its read
 * have arrived too (or a bound of 10 s passes), and the test asserts how many were in flight at once — one at a time
 * would leave each alone at the gate.
 */
class ParallelListingsTest {

    final Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    @Test
    void aColdDirectoryReadInFullListsClustersRouteTablesAndVnetsAtOnce() {
        Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Gate gate = new Gate(3);
        ClusterDirectory directory = ClusterDirectory.of(Emulated.SUB, connect(gate).inventories().of(Emulated.SUB), Clock.systemUTC(),
                ClusterDirectory.DEFAULT_TTL);

        directory.current(); // the sweep, the audit, a node subnet's first decision

        assertEquals(3, gate.lists.get(), "three listings");
        assertEquals(3, gate.peak.get(), "all three in flight together");
    }

    @Test
    void theNetworkPartListsRouteTablesAndVnetsAtOnce() {
        Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Gate gate = new Gate(2);

        connect(gate).inventories().of(Emulated.SUB).network(); // a node subnet's first decision after the clusters part was read

        assertEquals(2, gate.lists.get());
        assertEquals(2, gate.peak.get(), "route tables and VNets in flight together");
    }

    /**
     * A read never queues for a listing thread. Twelve reads of one subscription, each listing held at the HTTP client,
     * take every listing thread there is; a read of another subscription (an event's) must still complete while they
     * are held, by running its listings on its own thread. A shared queue would leave it waiting until the twelve are
     * released: the bound of 30 s here only keeps such a failure from hanging the build.
     */
    @Test
    void aReadOfAnotherSubscriptionDoesNotQueueBehindReadsThatHoldEveryListingThread() throws Exception {
        String other = "7c3e9a51-0d2b-4f6e-9a18-3b5c7d9e1f20";
        Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Fixtures.kubenetCluster("rg-other", "aks-other").subscription(other).seed(azure.arm);
        Hold hold = new Hold("/subscriptions/" + Emulated.SUB + "/");
        hold.delegate = ArmClients.httpClient(azure.arm.clientSslContext());
        Inventories inventories = ArmClients.connect(azure.settings(), azure.arm.credential(Principal.GUARD), hold).inventories();
        ExecutorService readers = Executors.newFixedThreadPool(13);
        try {
            List<Future<InventorySource.Parts>> held = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                held.add(readers.submit(() -> inventories.of(Emulated.SUB).readAll()));
            }
            assertTrue(hold.atLeast(24, Duration.ofSeconds(30)), "the twelve reads hold every listing thread (12) and their own"
                    + " (12) in listings: " + hold.held.get() + " held (reads whose listings queue for a thread hold fewer)");

            InventorySource.Network network = readers.submit(() -> inventories.of(other).network()).get(30, TimeUnit.SECONDS);

            assertEquals(1, network.routeTables().size(), "the other subscription's route table");
            assertTrue(!network.subnets().isEmpty()
                    && network.subnets().stream().allMatch(sn -> sn.id().id().subscriptionId().equalsIgnoreCase(other)),
                    network.subnets().toString());
            assertTrue(held.stream().noneMatch(Future::isDone), "the twelve were still held while it was read");
            hold.release.countDown();
            for (Future<InventorySource.Parts> f : held) {
                assertEquals(1, f.get(30, TimeUnit.SECONDS).clusters().size());
            }
        } finally {
            hold.release.countDown();
            readers.shutdownNow();
        }
    }

    ArmClients connect(Gate gate) {
        gate.delegate = ArmClients.httpClient(azure.arm.clientSslContext());
        return ArmClients.connect(azure.settings(), azure.arm.credential(Principal.GUARD), gate);
    }

    /** Holds every list request of one subscription until {@link #release} opens (60 s at most), counting them. */
    static final class Hold extends InterceptingHttpClient {
        final String subscriptionPath;
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger held = new AtomicInteger();

        Hold(String subscriptionPath) {
            this.subscriptionPath = subscriptionPath;
        }

        boolean atLeast(int n, Duration bound) throws InterruptedException {
            long end = System.nanoTime() + bound.toNanos();
            while (held.get() < n && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            return held.get() >= n;
        }

        @Override
        protected void before(HttpRequest request) {
            String path = request.getUrl().getPath();
            if (!path.startsWith(subscriptionPath) || !(path.endsWith("/managedClusters") || path.endsWith("/routeTables")
                    || path.endsWith("/virtualNetworks"))) {
                return;
            }
            held.incrementAndGet();
            try {
                release.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Holds each list request until {@code expected} list requests have arrived, and records how many were in flight. */
    static final class Gate extends InterceptingHttpClient {
        final CountDownLatch arrived;
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger lists = new AtomicInteger();

        Gate(int expected) {
            this.arrived = new CountDownLatch(expected);
        }

        @Override
        protected void before(HttpRequest request) {
            String path = request.getUrl().getPath();
            if (!(path.endsWith("/managedClusters") || path.endsWith("/routeTables") || path.endsWith("/virtualNetworks"))) {
                return;
            }
            lists.incrementAndGet();
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            arrived.countDown();
            try {
                arrived.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }
}
