package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Action;

import static org.junit.jupiter.api.Assertions.assertFalse;

import static org.junit.jupiter.api.Assertions.assertNotEquals;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.LogCapture;
import dev.aksrouteguard.testing.TestClock;
import dev.aksrouteguard.testing.TestSecrets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Repeat suppression across separate sink instances (as two function instances, or two CLI runs) that share one
 * Azurite table; each instance has its own Table client, memory and sink.
 */
@ExtendWith(AzuriteExtension.class)
class RepeatSuppressionTest {

    private static final Duration REPEAT = Duration.ofHours(24);
    private static final Duration FLUSH = Duration.ofSeconds(30);

    private final Azurite azurite;
    private final String table = Azurite.freshTable();
    private final TestClock clock = TestClock.at(Fixtures.FINISHED);
    private FakeTeams teams;
    private LogCapture logs;

    RepeatSuppressionTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @BeforeEach
    void start() {
        teams = new FakeTeams();
        logs = LogCapture.includingRoot();
    }

    @AfterEach
    void stop() {
        try {
            TestSecrets.assertNoSecretIn(logs.everything());
            for (LogRecord r : logs.everything()) {
                assertTrue(!String.valueOf(r.getMessage()).contains(AzuriteExtension.KEY), "the storage key was logged");
            }
        } finally {
            logs.close();
            teams.close();
        }
    }

    private AlertMemory memory(String connectionString) {
        return new TableAlertMemory(Fixtures.table(connectionString, table), REPEAT, logs.logger(), Redaction.of(null));
    }

    /** A separate instance: its own Table client, memory and sink, over the shared table. */
    private TeamsWebhookAlertSink instance() {
        return TeamsWebhookAlertSink.of(Secret.of(teams.workflowUrl()), null, teams.directClient(),
                memory(azurite.connectionString()), Fixtures.context(REPEAT), clock, d -> { }, logs.logger());
    }

    private int send(TeamsWebhookAlertSink sink, Outcome o) {
        sink.outcome(o);
        assertTrue(sink.flush(FLUSH));
        return teams.requests().size();
    }

    private int send(TeamsWebhookAlertSink sink, SweepReport r) {
        sink.sweep(r);
        assertTrue(sink.flush(FLUSH));
        return teams.requests().size();
    }

    @Test
    void anUnresolvedFindingIsAlertedOncePerWindowAcrossInstances() {
        SubnetId snet = subnet("snet-nodes");
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(1, send(first, Fixtures.conflict(snet)), "first occurrence");
            assertEquals(1, send(second, Fixtures.conflict(snet)), "the other instance suppresses within the window");
            assertEquals(1, send(first, Fixtures.conflict(snet)), "and so does the first");

            clock.advance(REPEAT.minusMinutes(1));
            assertEquals(1, send(second, Fixtures.conflict(snet)), "still inside the window");

            clock.advance(Duration.ofMinutes(2));
            assertEquals(2, send(second, Fixtures.conflict(snet)), "after the window it is alerted again");
            assertTrue(teams.requests().get(1).body().contains("still unresolved since 2025-03-04 10:15:44 UTC"),
                    "the repeat says since when");
            assertEquals(2, send(first, Fixtures.conflict(snet)), "once");
        }
    }

    @Test
    void aDifferentReasonForTheSameSubnetIsAlertedAtOnce() {
        SubnetId snet = subnet("snet-nodes");
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(1, send(first, Fixtures.conflict(snet)));
            assertEquals(2, send(second, Fixtures.forbidden(snet, "req-1")), "failed is another finding");
            assertEquals(2, send(first, Fixtures.forbidden(snet, "req-2")), "same failure, other request ID: same finding");
            assertEquals(3, send(first, Fixtures.conflict(subnet("snet-other"))), "another subnet is another finding");
        }
    }

    @Test
    void aResolvedFindingIsForgottenSoARecurrenceIsAlertedAtOnce() {
        SubnetId snet = subnet("snet-nodes");
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(1, send(first, Fixtures.conflict(snet)));
            assertEquals(1, send(second, Fixtures.inSync(snet)), "in-sync is not alerted, but resolves");
            assertEquals(2, send(second, Fixtures.conflict(snet)), "the recurrence is news");

            assertEquals(3, send(first, Fixtures.reassociated(snet)), "a repair is always sent, and resolves");
            assertEquals(4, send(second, Fixtures.reassociated(snet)), "always");
            assertEquals(5, send(first, Fixtures.conflict(snet)), "after a repair the finding is news again");
        }
    }

    @Test
    void aDeliveryThatFailedGivesItsClaimBack() {
        SubnetId snet = subnet("snet-nodes");
        teams.then(500).then(500).then(500);
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(3, send(first, Fixtures.conflict(snet)), "three attempts, none delivered");
            assertEquals(4, send(second, Fixtures.conflict(snet)), "not remembered as alerted: sent at the next occurrence");
            assertEquals(4, send(first, Fixtures.conflict(snet)), "and now remembered");
        }
    }

    @Test
    void aRepeatThatCouldNotBeDeliveredPutsThePreviousAlertTimeBackSoTheNextOccurrenceRepeats() {
        SubnetId snet = subnet("snet-nodes");
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(1, send(first, Fixtures.conflict(snet)), "first alert");
            clock.advance(REPEAT.plusMinutes(1));
            teams.then(500).then(500).then(500);
            assertEquals(4, send(second, Fixtures.conflict(snet)), "the repeat: three attempts, none delivered");
            assertEquals(5, send(first, Fixtures.conflict(snet)), "given back: repeated at the next occurrence");
            assertTrue(teams.requests().get(4).body().contains("still unresolved since 2025-03-04 10:15:44 UTC"),
                    "still a repeat of the first alert");
            assertEquals(5, send(second, Fixtures.conflict(snet)), "and now remembered");
        }
    }

    @Test
    void givingUpIsANewFindingNotARepeatOfTheTransientFailureBeforeIt() {
        Outcome transientFailure = Fixtures.outcome(subnet("snet-nodes"), Action.FAILED, Fixtures.ROUTE_TABLE, null,
                "gave up after 4 attempts: PUT subnet failed: HTTP 503", "none: transient; the work is tried again (retry "
                        + "queue, redelivery or the next sweep)", Fixtures.event());
        Outcome gaveUp = transientFailure.gaveUp("gave up after 5 tries: " + transientFailure.message());

        assertNotEquals(Finding.of(transientFailure), Finding.of(gaveUp), "the give-up is alerted though the failure was");
        assertFalse(gaveUp.nextStep().startsWith("none"), gaveUp.nextStep());
        Outcome forbidden = Fixtures.forbidden(subnet("snet-nodes"), "r-1");
        assertTrue(forbidden.gaveUp("gave up").nextStep().endsWith("; " + forbidden.nextStep()), "a step to take is kept");
    }

    @Test
    void releasingAnOlderClaimNeverUndoesANewerOne() {
        AlertMemory memory = memory(azurite.connectionString());
        Finding f = Finding.of(Fixtures.conflict(subnet("snet-nodes")));
        AlertMemory.Claim older = memory.claim(f, clock.instant());
        memory.forget(f.subject()); // resolved, then back again
        AlertMemory.Claim newer = memory.claim(f, clock.instant());
        assertEquals(AlertMemory.Decision.FIRST, older.decision());
        assertEquals(AlertMemory.Decision.FIRST, newer.decision());

        memory.release(older.claimId());

        assertEquals(AlertMemory.Decision.SUPPRESS, memory.claim(f, clock.instant()).decision(), "the newer claim stands");
        memory.release(newer.claimId());
        assertEquals(AlertMemory.Decision.FIRST, memory.claim(f, clock.instant()).decision(), "its own release works");
    }

    @Test
    void twoInstancesRacingForTheSameFindingSendItOnce() throws Exception {
        AlertMemory a = memory(azurite.connectionString());
        AlertMemory b = memory(azurite.connectionString());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int i = 0; i < 15; i++) {
                Finding f = Finding.of(Fixtures.conflict(subnet("snet-race-" + i)));
                List<AlertMemory.Decision> decisions = race(pool, a, b, f);
                assertEquals(1, decisions.stream().filter(AlertMemory.Decision::send).count(), "first alert " + i + ": " + decisions);
            }
            clock.advance(REPEAT.plusMinutes(1));
            for (int i = 0; i < 15; i++) {
                Finding f = Finding.of(Fixtures.conflict(subnet("snet-race-" + i)));
                List<AlertMemory.Decision> decisions = race(pool, a, b, f);
                assertEquals(1, decisions.stream().filter(AlertMemory.Decision::send).count(), "repeat " + i + ": " + decisions);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private List<AlertMemory.Decision> race(ExecutorService pool, AlertMemory a, AlertMemory b, Finding f) throws Exception {
        CyclicBarrier start = new CyclicBarrier(2);
        Future<AlertMemory.Decision> one = pool.submit(() -> {
            start.await();
            return a.claim(f, clock.instant()).decision();
        });
        Future<AlertMemory.Decision> two = pool.submit(() -> {
            start.await();
            return b.claim(f, clock.instant()).decision();
        });
        return List.of(one.get(), two.get());
    }

    @Test
    void aSweepSendsASummaryOnlyWhenItHasNews() {
        SubnetId drifted = subnet("snet-drifted");
        SubnetId fine = subnet("snet-fine");
        SweepReport driftAndFine = Fixtures.sweep(List.of(Fixtures.driftReported(drifted, Fixtures.sweepTrigger()), Fixtures.inSync(fine)));
        SweepReport allFine = Fixtures.sweep(List.of(Fixtures.inSync(drifted), Fixtures.inSync(fine)));
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(1, send(first, driftAndFine), "the finding is news");
            assertEquals(1, send(second, driftAndFine), "the next sweep, on another instance, has nothing new");
            assertEquals(1, send(first, Fixtures.driftReported(drifted, Fixtures.sweepTrigger())),
                    "the event path shares the memory with the sweep");

            SweepReport plusRepair = Fixtures.sweep(List.of(Fixtures.driftReported(drifted, Fixtures.sweepTrigger()),
                    Fixtures.reassociated(fine)));
            assertEquals(2, send(second, plusRepair), "a repair is news");
            String body = teams.requests().get(1).body();
            assertTrue(body.contains("1 unresolved finding alerted within the last 24 h, not listed again"), body);
            assertTrue(!body.contains("\"text\":\"snet-drifted"), "the old finding is not listed again");

            assertEquals(2, send(first, allFine), "all in sync: nothing to say, but the finding is resolved");
            assertEquals(3, send(second, driftAndFine), "so its recurrence is news at once");
        }
    }

    @Test
    void aSweepThatCouldNotRunIsAlertedOncePerWindowAndResolvedByTheNextGoodSweep() {
        SweepReport broken = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, dev.aksrouteguard.core.model.Mode.ENFORCE, List.of(), List.of(),
                new dev.aksrouteguard.core.model.CallCount(1, 0), "could not list the subscription's clusters: AuthorizationFailed (request 1234)");
        SweepReport brokenAgain = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, dev.aksrouteguard.core.model.Mode.ENFORCE, List.of(), List.of(),
                new dev.aksrouteguard.core.model.CallCount(1, 0), "could not list the subscription's clusters: AuthorizationFailed (request 5678)");
        try (TeamsWebhookAlertSink first = instance(); TeamsWebhookAlertSink second = instance()) {
            assertEquals(1, send(first, broken));
            assertTrue(teams.requests().get(0).body().contains("Drift sweep could not run"));
            assertEquals(1, send(second, brokenAgain), "same error, other request ID: not repeated");
            assertEquals(1, send(first, Fixtures.sweep(List.of(Fixtures.inSync(subnet("snet-a"))))), "a good sweep: nothing to say");
            assertEquals(2, send(second, brokenAgain), "the error came back after a good sweep: news");
        }
    }

    @Test
    void anUnreachableStoreFailsOpenAndSaysSoOnce() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        String nowhere = azurite.connectionString().replace(":" + azurite.tablePort() + "/", ":" + closedPort + "/");
        try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.of(Secret.of(teams.workflowUrl()), null, teams.directClient(),
                memory(nowhere), Fixtures.context(REPEAT), clock, d -> { }, logs.logger())) {
            assertEquals(1, send(sink, Fixtures.conflict(subnet("snet-a"))));
            assertEquals(2, send(sink, Fixtures.conflict(subnet("snet-a"))), "no memory: sent again");
            assertEquals(3, send(sink, Fixtures.bigSweep(3, 10)), "sweeps too");
        }
        List<LogRecord> warnings = logs.at(Level.WARNING);
        assertEquals(1, warnings.size(), "one line for the outage: " + warnings.stream().map(LogRecord::getMessage).toList());
        assertTrue(warnings.get(0).getMessage().startsWith("Teams alerts: the alert memory in Table storage is unavailable ("),
                warnings.get(0).getMessage());
    }

    @Test
    void theSettingsFactoryUsesAzureWebJobsStorageForTheMemory() {
        Settings settings = Fixtures.settings(Map.of(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl(),
                Settings.STORAGE, azurite.connectionString()));
        List<Integer> counts = new ArrayList<>();
        for (int run = 0; run < 2; run++) { // two CLI runs, one after the other
            try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.create(settings, Fixtures.storage(settings, false), logs.logger())) {
                counts.add(send(sink, Fixtures.forbidden(subnet("snet-" + table), "r")));
                assertTrue(sink.suppressesRepeats());
                assertTrue(sink.describe().contains("repeat suppression on: an unresolved finding is alerted again at most every 24 h"),
                        sink.describe());
            }
        }
        assertEquals(List.of(1, 1), counts, "the second run remembers the first run's alert");
    }
}
