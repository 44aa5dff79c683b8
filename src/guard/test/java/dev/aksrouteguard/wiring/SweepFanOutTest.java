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
 * listing is held at the HTTP client until as many subscriptions as the bound have arrived, then until one more has
 * (or 2 s pass), and the test counts how many subscriptions were held at once. A sweep one subscription at a time
 * leaves each alone at the gate; a sweep without a bound lets one more in than the bound allows.
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
        Gate gate = new Gate(Wiring.CONCURRENCY, ArmClients.httpClient(azure.arm.clientSslContext()));
        Wiring w = Wiring.build(azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS,
                String.join(",", subscriptions)), azure.options().withHttpClient(gate));

        SweepReport r = w.guard().sweep(Duration.ofMinutes(5));

        assertEquals(SUBSCRIPTIONS, gate.seen.size(), "every subscription's clusters were listed: " + gate.seen);
        assertTrue(r.subscriptions().stream().allMatch(s -> s.error() == null && s.reached()), r.summaryLine());
        assertTrue(gate.peak.get() > 1, "subscriptions read side by side, not one after another (peak " + gate.peak + ")");
        assertEquals(Wiring.CONCURRENCY, gate.peak.get(), "as many at once as the bound allows, and no more");
    }

    /**
     * Holds each subscription's cluster listing until {@code bound} of them have arrived (however late the last of them
     * is: the 20 s limit, after which nothing is held any more, only keeps a sweep that never fills the bound from
     * hanging), then on until one more has arrived or 2 s pass, so that a sweep without a bound shows one more; and
     * records how many were held at once. The only time waited for is a reader that should not come: a slow machine can
     * let a broken sweep pass, never fail a sound one.
     */
    static final class Gate extends InterceptingHttpClient {
        final CountDownLatch full;
        final CountDownLatch overFull;
        final java.util.concurrent.atomic.AtomicBoolean neverFull = new java.util.concurrent.atomic.AtomicBoolean();
        final AtomicInteger held = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final Set<String> seen = ConcurrentHashMap.newKeySet();

        Gate(int bound, HttpClient delegate) {
            super(delegate);
            this.full = new CountDownLatch(bound);
            this.overFull = new CountDownLatch(bound + 1);
        }

        @Override
        protected void before(HttpRequest request) {
            String path = request.getUrl().getPath().toLowerCase(Locale.ROOT);
            if (!path.endsWith("/providers/microsoft.containerservice/managedclusters") || !seen.add(path)) {
                return; // not a listing's first page, or a retry of one already counted
            }
            peak.accumulateAndGet(held.incrementAndGet(), Math::max);
            full.countDown();
            overFull.countDown();
            try {
                if (neverFull.get()) {
                    return; // a sweep that never filled the bound: the peak says so already
                }
                if (full.await(20, TimeUnit.SECONDS)) {
                    overFull.await(2, TimeUnit.SECONDS);
                } else {
                    neverFull.set(true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.decrementAndGet();
            }
        }
    }
}
