package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpRequest;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.InterceptingHttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The sweep reads the guarded subscriptions side by side, and never more than {@link Wiring#CONCURRENCY} of them at
 * once. Proved without timing, through the wired graph over HTTPS against the emulator: each subscription's cluster
 * listing is held at the HTTP client until one more subscription than the bound has arrived (or 2 s pass), and the
 * test counts how many subscriptions were held at once. A sweep one subscription at a time leaves each alone at the
 * gate; a sweep without a bound lets one more in than the bound allows.
 */
class SweepFanOutTest {

    static final int SUBSCRIPTIONS = 6;

    final Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    @Test
    void theSweepReadsSubscriptionsSideBySideButNeverMoreThanTheBoundAtOnce() {
        assertTrue(SUBSCRIPTIONS > Wiring.CONCURRENCY, "more subscriptions than the bound, or the bound is never tested");
        List<String> subscriptions = new ArrayList<>();
        for (int i = 0; i < SUBSCRIPTIONS; i++) {
            String sub = String.format("%08d-1111-4222-8333-444455556666", i);
            subscriptions.add(sub);
            Fixtures.kubenetCluster("rg-" + i, "aks-" + i).subscription(sub).seed(azure.arm);
        }
        Gate gate = new Gate(Wiring.CONCURRENCY + 1, ArmClients.httpClient(azure.arm.clientSslContext()));
        Wiring w = Wiring.build(azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS,
                String.join(",", subscriptions)), azure.options().withHttpClient(gate));

        SweepReport r = w.guard().sweep(Duration.ofMinutes(5));

        assertEquals(SUBSCRIPTIONS, gate.seen.size(), "every subscription's clusters were listed: " + gate.seen);
        assertTrue(r.subscriptions().stream().allMatch(s -> s.error() == null && s.reached()), r.summaryLine());
        assertTrue(gate.peak.get() > 1, "subscriptions read side by side, not one after another (peak " + gate.peak + ")");
        assertEquals(Wiring.CONCURRENCY, gate.peak.get(), "as many at once as the bound allows, and no more");
    }

    /**
     * Holds each subscription's cluster listing until {@code release} of them have arrived or 2 s pass, and records
     * how many were held at once.
     */
    static final class Gate extends InterceptingHttpClient {
        final CountDownLatch arrived;
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final Set<String> seen = ConcurrentHashMap.newKeySet();

        Gate(int release, HttpClient delegate) {
            super(delegate);
            this.arrived = new CountDownLatch(release);
        }

        @Override
        protected void before(HttpRequest request) {
            String path = request.getUrl().getPath().toLowerCase(Locale.ROOT);
            if (!path.endsWith("/providers/microsoft.containerservice/managedclusters") || !seen.add(path)) {
                return; // not a listing's first page, or a retry of one already counted
            }
            peak.accumulateAndGet(held.incrementAndGet(), Math::max);
            arrived.countDown();
            try {
                arrived.await(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.decrementAndGet();
            }
        }
    }
}
