package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.azure.core.http.HttpRequest;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.InterceptingHttpClient;
import java.time.Clock;
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

    ArmClients connect(Gate gate) {
        gate.delegate = ArmClients.httpClient(azure.arm.clientSslContext());
        return ArmClients.connect(azure.settings(), azure.arm.credential(Principal.GUARD), gate);
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
