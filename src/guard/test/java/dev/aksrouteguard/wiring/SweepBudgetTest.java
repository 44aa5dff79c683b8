package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpRequest;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.InterceptingHttpClient;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the sweep does when its time budget runs out, through the wired graph over HTTPS against the emulator. The
 * budget is spent by moving a test clock when the sweep's first listing goes out, not by waiting.
 */
class SweepBudgetTest {

    static final Duration BUDGET = Duration.ofSeconds(30);

    final Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    @Test
    void aConflictTheListingMayHaveMadeIsNotReportedWhenTheBudgetRanOutBeforeTheSubnetCouldBeRead() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-byo").bringYourOwnRouteTable().networkResourceGroup("rg-network")
                .drifted().seed(azure.arm);
        azure.arm.listedIpConfigurationsLimit(2); // three nodes: the VNet listing shows none of them
        TestClock clock = TestClock.system();
        Wiring w = Wiring.build(azure.settings(), azure.options().withClock(clock)
                .withHttpClient(new SpendsTheBudget(clock, ArmClients.httpClient(azure.arm.clientSslContext()))));

        SweepReport r = w.guard().sweep(BUDGET);

        Outcome o = r.outcomes().stream().filter(x -> x.subnet().toString().equalsIgnoreCase(c.nodeSubnetId())).findFirst()
                .orElseThrow(() -> new AssertionError(r.outcomes().toString()));
        assertNotEquals(Action.CONFLICT, o.action(), "a conflict only the listing showed, never checked on a read: " + o);
        assertEquals(Action.DEFERRED, o.action(), o.toString());
        assertTrue(r.anyUnfinished(), "left for the next sweep, and said so: " + r.summaryLine());
        assertTrue(azure.writes().isEmpty(), "nothing written after the budget");
        assertNull(azure.routeTableOf(c.nodeSubnetId()));
    }

    /** Moves the clock past the budget when a sweep's first cluster listing goes out: the budget is spent from then on. */
    static final class SpendsTheBudget extends InterceptingHttpClient {
        final TestClock clock;
        final AtomicBoolean spent = new AtomicBoolean();

        SpendsTheBudget(TestClock clock, com.azure.core.http.HttpClient delegate) {
            super(delegate);
            this.clock = clock;
        }

        @Override
        protected void before(HttpRequest request) {
            String path = request.getUrl().getPath().toLowerCase(Locale.ROOT);
            if (path.endsWith("/providers/microsoft.containerservice/managedclusters") && spent.compareAndSet(false, true)) {
                clock.advance(BUDGET.plusSeconds(1));
            }
        }
    }
}
