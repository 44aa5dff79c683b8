package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpRequest;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.InterceptingHttpClient;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    /** The start of a minute whose number since the epoch is a multiple of 20 (and so of 4 and of 5). */
    static final java.time.Instant LIST_ORDER_MINUTE = java.time.Instant.ofEpochSecond(60L * 20 * 1_000_000);

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

    @Test
    void aSubscriptionTheBudgetDidNotReachIsSweptFirstByTheNextSweep() {
        assertTrue(Wiring.CONCURRENCY < 5, "more subscriptions than the bound, or none waits for a place");
        List<String> subscriptions = new ArrayList<>();
        for (int i = 0; i < Wiring.CONCURRENCY + 1; i++) {
            String sub = String.format("%08d-1111-4222-8333-444455556666", i);
            subscriptions.add(sub);
            Fixtures.kubenetCluster("rg-" + i, "aks-" + i).subscription(sub).drifted().seed(azure.arm);
        }
        // The start order moves on every minute (Sweeper.startOrder): a clock that runs from a minute whose number is a
        // multiple of 20 starts the five in list order, and the four the first sweep reached in list order too.
        TestClock clock = TestClock.runningFrom(LIST_ORDER_MINUTE);
        SpendsTheBudget http = new SpendsTheBudget(clock, ArmClients.httpClient(azure.arm.clientSslContext()));
        Wiring w = Wiring.build(azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS,
                String.join(",", subscriptions)), azure.options().withClock(clock).withHttpClient(http));

        SweepReport first = w.guard().sweep(BUDGET);
        String last = subscriptions.get(subscriptions.size() - 1);
        assertEquals(List.of(last), first.subscriptionsNotReached().stream().map(SweepReport.Subscription::id).toList(),
                first.summaryLine());

        http.spent.set(false);
        // The first sweep moved the clock 31 s past its budget: the second would start on the next minute (and rotate the
        // others by one) after 29 s of real time. It starts at a minute that is a multiple of 20 too, however long the
        // first one took.
        clock.advance(Duration.between(clock.instant(), LIST_ORDER_MINUTE.plus(Duration.ofMinutes(20))));
        SweepReport second = w.guard().sweep(BUDGET);

        assertTrue(second.subscriptions().stream().anyMatch(s -> s.id().equals(last) && s.reached()),
                "the subscription left out last time is not left out again: " + second.subscriptionsNotReached());
        assertEquals(List.of(subscriptions.get(subscriptions.size() - 2)),
                second.subscriptionsNotReached().stream().map(SweepReport.Subscription::id).toList(),
                "the one left out goes first, so the last of the others waits instead: " + second.summaryLine());
        assertEquals(subscriptions, second.subscriptions().stream().map(SweepReport.Subscription::id).toList(),
                "reported in the same order as ever");
        assertTrue(java.util.stream.Stream.concat(second.outcomes().stream(), second.notReached().stream())
                .anyMatch(o -> o.subnet().subscriptionId().equals(last)), "its node subnet was decided: " + second.outcomes());
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
