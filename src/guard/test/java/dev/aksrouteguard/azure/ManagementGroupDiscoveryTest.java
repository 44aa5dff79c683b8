package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestClock;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A management group's subscriptions, discovered through the Management Groups API over HTTPS against the emulator's
 * hierarchy: when the discovery is asked again (its TTL on a clock the test moves, an event naming a subscription not
 * known yet, at most once a minute), what a failed discovery leaves in place, and a descendants listing of several
 * pages. The emulator's request log counts the discoveries.
 */
class ManagementGroupDiscoveryTest {

    static final String A = Emulated.SUB;
    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
    static final String C = "7a3c9e51-6d2f-4b8a-9c1e-2f4d6b8a0c3e";

    final Emulated azure = Emulated.start();
    final TestClock clock = TestClock.at(Instant.parse("2026-05-01T10:00:00Z"));

    @BeforeEach
    void hierarchy() {
        azure.arm.managementGroup("lz", "Landing zones", azure.arm.tenantRootGroup());
        azure.arm.managementGroup("lz-corp", "Corp", "lz");
        azure.arm.subscription(A, "Team A", "lz");
        azure.arm.subscription(B, "Team B", "lz-corp"); // below a child group: descendants at any depth
        azure.arm.subscription(C, "Team C", azure.arm.tenantRootGroup());
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    GuardedSubscriptions guarded() {
        return ArmClients.connect(azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz"),
                azure.arm.credential(Principal.GUARD), ArmClients.httpClient(azure.arm.clientSslContext()), ArmLimits.DEFAULT, clock)
                .subscriptions();
    }

    long discoveries() {
        return azure.arm.requests().stream().filter(r -> r.path().equals("/providers/Microsoft.Management/managementGroups/lz/descendants"))
                .count();
    }

    @Test
    void theDiscoveredListIsTrustedForItsTtlThenDiscoveredAgain() {
        GuardedSubscriptions g = guarded();

        assertEquals(List.of(B, A).stream().sorted().toList(), g.list());
        assertEquals(1, discoveries());
        azure.arm.moveSubscription(C, "lz");
        clock.advance(ArmSubscriptions.TTL.minusSeconds(1));
        assertEquals(2, g.list().size(), "still within the TTL: the list as discovered");
        assertTrue(g.contains(A));
        assertEquals(1, discoveries(), "no call within the TTL");

        clock.advance(Duration.ofSeconds(1));

        assertEquals(List.of(A, B, C).stream().sorted().toList(), g.list(), "after the TTL: discovered again");
        assertEquals(2, discoveries());
        assertEquals(3, g.list().size());
        assertEquals(2, discoveries(), "and trusted again for a TTL");
    }

    @Test
    void anEventFromASubscriptionNotKnownYetDiscoversAgainAtMostOnceAMinute() {
        GuardedSubscriptions g = guarded();
        g.list();
        assertEquals(1, discoveries());

        clock.advance(ArmSubscriptions.UNKNOWN_RETRY);
        assertFalse(g.contains(C), "not below the group");
        assertEquals(2, discoveries(), "an unknown subscription asks again");
        azure.arm.moveSubscription(C, "lz");
        clock.advance(ArmSubscriptions.UNKNOWN_RETRY.minusSeconds(1));
        assertFalse(g.contains(C), "within a minute of the last discovery: not asked again, so not known yet");
        assertFalse(g.contains("00000000-1111-4222-8333-444455556666"));
        assertFalse(g.contains("not-a-subscription-id"));
        assertEquals(2, discoveries(), "rate-limited, and a name that is no subscription ID never asks");

        clock.advance(Duration.ofSeconds(1));

        assertTrue(g.contains(C), "a minute on: discovered again, and the new subscription is guarded");
        assertEquals(3, discoveries());
        assertTrue(g.list().contains(C));
        assertEquals(3, discoveries());
    }

    @Test
    void aFailedDiscoveryKeepsTheLastListAndSaysWhy() {
        GuardedSubscriptions g = guarded();
        List<String> first = g.list();
        azure.arm.moveSubscription(C, "lz");
        azure.arm.inject(Fault.on("GET", "/descendants$").respond(403, "AuthorizationFailed", "no access to the group").always());

        assertEquals(first, g.refresh(), "the sweep's discovery failed: the last list stands");
        assertNotNull(((ArmSubscriptions) g).problem());
        assertTrue(((ArmSubscriptions) g).problem().getMessage().contains("403"), ((ArmSubscriptions) g).problem().getMessage());
        assertEquals(2, discoveries());
        clock.advance(ArmSubscriptions.TTL);
        assertEquals(first, g.list(), "the TTL passed and the discovery fails: still the last list");
        assertEquals(3, discoveries());
        for (int event = 0; event < 5; event++) {
            clock.advance(Duration.ofSeconds(10));
            assertTrue(g.contains(A));
            assertFalse(g.contains(C), "an unknown subscription while the discovery fails: not guarded, no exception");
            assertEquals(first, g.list());
        }
        assertEquals(3, discoveries(), "within a minute of a failed discovery, events do not ask again");
        clock.advance(Duration.ofSeconds(10));
        assertFalse(g.contains(C));
        assertEquals(4, discoveries(), "a minute on, the next event asks (once), and still keeps the last list");

        azure.arm.clearFaults();
        assertEquals(List.of(A, B, C).stream().sorted().toList(), g.refresh(), "the next discovery that works replaces it");
        assertNull(((ArmSubscriptions) g).problem());
    }

    @Test
    void aFirstDiscoveryThatFailsHasNoListToKeepAndSaysSo() {
        azure.arm.inject(Fault.on("GET", "/descendants$").respond(403, "AuthorizationFailed", "no access to the group").always());
        GuardedSubscriptions g = guarded();

        ArmException e = assertThrows(ArmException.class, g::refresh);

        assertTrue(e.getMessage().contains("list the subscriptions below management group lz"), e.getMessage());
    }

    @Test
    void aSweepOfAManagementGroupWithoutSubscriptionsIsNotReportedAsASuccessfulSweep() {
        azure.arm.managementGroup("empty-lz", "Empty landing zones", azure.arm.tenantRootGroup());
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "empty-lz");

        SweepReport r = w.guard().sweep(Duration.ofMinutes(5));

        assertTrue(r.anyFailed(), "a guard of nothing is not a passing sweep (the audit fails for it too): " + r.summaryLine());
        assertTrue(r.summaryLine().contains(" error=") && r.summaryLine().contains("empty-lz"),
                "the line the health alerts read says so: " + r.summaryLine());
    }

    @Test
    void theSweepFollowsEveryPageOfTheDescendants() {
        azure.arm.pageSize(2);
        List<String> more = IntStream.range(0, 5).mapToObj(i -> String.format("%08d-1111-4222-8333-444455556666", i)).toList();
        for (int i = 0; i < more.size(); i++) {
            azure.arm.subscription(more.get(i), "Team " + i, i % 2 == 0 ? "lz" : "lz-corp");
        }
        String last = more.get(more.size() - 1);
        Fixtures.kubenetCluster("rg-last", "aks-last").subscription(last).drifted().seed(azure.arm);
        Wiring w = azure.wiring(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, "lz");
        azure.arm.clearRequests();

        SweepReport r = w.guard().sweep(Duration.ofMinutes(5));

        List<String> expected = Stream.concat(Stream.of(A, B), more.stream()).sorted().toList();
        assertEquals(expected, r.subscriptions().stream().map(SweepReport.Subscription::id).toList());
        // 7 subscriptions and 1 child group below lz: 8 descendants, 4 pages of 2
        assertEquals(4, discoveries(), "every page of the descendants, each once");
        assertEquals("Team 4", r.subscriptions().stream().filter(s -> s.id().equals(last)).findFirst().orElseThrow().name(),
                "named from a later page");
        assertTrue(r.outcomes().stream().anyMatch(o -> o.subnet().subscriptionId().equals(last)
                && o.action() == dev.aksrouteguard.core.model.Action.REASSOCIATED), "a subscription from the last page was swept");
    }

    /** Events arriving at once: each thread asks {@code ask}; their answers (or failures), in order. */
    static List<java.util.concurrent.Future<List<String>>> atOnce(int n, java.util.concurrent.Callable<List<String>> ask,
            java.util.concurrent.ExecutorService threads) {
        return IntStream.range(0, n).mapToObj(i -> threads.submit(ask)).toList();
    }

    /** Waits (bounded; no timing asserted) until {@code n} callers wait for the discovery another holds. */
    static void awaitWaiting(GuardedSubscriptions g, int n) throws InterruptedException {
        for (int i = 0; i < 3000 && ((ArmSubscriptions) g).waitingForDiscovery() < n; i++) {
            Thread.sleep(10);
        }
        assertEquals(n, ((ArmSubscriptions) g).waitingForDiscovery(), "the others wait for the one discovery under way");
    }

    @Test
    void concurrentEventsWhoseListRanOutTogetherShareOneDiscovery() throws Exception {
        GuardedSubscriptions g = guarded();
        g.list();
        assertEquals(1, discoveries());
        clock.advance(ArmSubscriptions.TTL);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        azure.arm.inject(Fault.on("GET", "/descendants$").holdUntil(release).times(1)); // the first discovery is held
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<List<String>>> answers = atOnce(6, g::list, threads);
            awaitWaiting(g, 5);
            release.countDown();

            for (java.util.concurrent.Future<List<String>> a : answers) {
                assertEquals(List.of(A, B).stream().sorted().toList(), a.get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        assertEquals(2, discoveries(), "six events past the TTL at once: one descendants listing, not six");
    }

    @Test
    void concurrentEventsOnAColdWorkerWhoseDiscoveryFailsShareOneFailedDiscoveryAndItsRetries() throws Exception {
        azure.arm.inject(Fault.on("GET", "/descendants$").respond(503, "ServiceUnavailable", "try later").retryAfter(0).always());
        assertThrows(ArmException.class, guarded()::list);
        long oneFailedDiscovery = discoveries(); // the listing and its retries
        assertTrue(oneFailedDiscovery > 1, "a 503 is retried: " + oneFailedDiscovery);
        azure.arm.clearFaults();
        azure.arm.clearRequests();
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        azure.arm.inject(Fault.on("GET", "/descendants$").respond(503, "ServiceUnavailable", "try later").retryAfter(0)
                .holdUntil(release).always());
        GuardedSubscriptions g = guarded(); // a cold worker: no list to keep
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<List<String>>> answers = atOnce(6, g::list, threads);
            awaitWaiting(g, 5);
            release.countDown();

            for (java.util.concurrent.Future<List<String>> a : answers) {
                java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                        () -> a.get(60, java.util.concurrent.TimeUnit.SECONDS));
                assertTrue(e.getCause() instanceof ArmException && e.getCause().getMessage().contains("503"), String.valueOf(e.getCause()));
            }
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        assertEquals(oneFailedDiscovery, discoveries(), "six events at once pay for one failed discovery, not six");
    }

    @Test
    void concurrentEventsFromASubscriptionNotKnownYetShareOneDiscovery() throws Exception {
        GuardedSubscriptions g = guarded();
        g.list();
        azure.arm.moveSubscription(C, "lz");
        clock.advance(ArmSubscriptions.UNKNOWN_RETRY);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        azure.arm.inject(Fault.on("GET", "/descendants$").holdUntil(release).times(1));
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(6);
        try {
            List<java.util.concurrent.Future<List<String>>> answers = atOnce(6, () -> List.of(String.valueOf(g.contains(C))), threads);
            awaitWaiting(g, 5);
            release.countDown();

            for (java.util.concurrent.Future<List<String>> a : answers) {
                assertEquals(List.of("true"), a.get(60, java.util.concurrent.TimeUnit.SECONDS), "each sees the new subscription");
            }
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
        assertEquals(2, discoveries(), "six events naming it at once: one descendants listing");
    }
}
