package dev.aksrouteguard.teams;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.config.CardFormat;
import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.LogCapture;
import dev.aksrouteguard.testing.TestClock;
import dev.aksrouteguard.testing.TestSecrets;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Delivery against a local server standing in for Teams; every test also checks that no secret reached a log. */
class WebhookDeliveryTest {

    private static final Duration FLUSH = Duration.ofSeconds(30);

    private FakeTeams teams;
    private LogCapture logs;
    private final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() {
        teams = new FakeTeams();
        logs = LogCapture.includingRoot();
    }

    @AfterEach
    void stopAndCheckNoSecretWasLogged() {
        try {
            TestSecrets.assertNoSecretIn(logs.everything());
        } finally {
            logs.close();
            teams.close();
        }
    }

    private TeamsWebhookAlertSink sink(String url, HttpClient http) {
        return TeamsWebhookAlertSink.of(Secret.of(url), null, http, AlertMemory.NONE, Fixtures.context(Duration.ofHours(24)),
                TestClock.at(Fixtures.FINISHED), pauses::add, logs.logger());
    }

    @Test
    void aRepairIsPostedOnceAsAnAdaptiveCardMessage() {
        try (TeamsWebhookAlertSink sink = sink(TestSecrets.logicAppUrl(), teams.proxyClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-nodes")));
            assertTrue(sink.flush(FLUSH));
        }
        List<FakeTeams.Request> requests = teams.requests();
        assertEquals(1, requests.size());
        FakeTeams.Request r = requests.get(0);
        assertEquals("POST", r.method());
        assertEquals("application/json; charset=utf-8", r.contentType());
        assertEquals(TestSecrets.FAKE_LOGIC_HOST + ":443", r.host());
        JsonObject card = TeamsMessagesTest.adaptiveCard(r.body());
        assertEquals("1.4", card.get("version").getAsString());
        assertTrue(TeamsMessagesTest.firstLine(card).startsWith("Repaired: route table aks-agentpool-12345678-routetable"));
        assertTrue(logs.at(Level.WARNING).isEmpty());
    }

    @Test
    void inSyncAndIgnoredOutcomesAreNotAlerted() {
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.outcome(Fixtures.inSync(subnet("snet-a")));
            sink.outcome(Fixtures.outcome(subnet("snet-b"), dev.aksrouteguard.core.model.Action.IGNORED, null, null,
                    "not a node subnet of any managed cluster", null, Fixtures.event()));
            sink.outcome(Fixtures.conflict(subnet("snet-c")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(1, teams.requests().size());
        assertTrue(teams.requests().get(0).body().contains("Conflict, left alone: subnet snet-c"));
    }

    @Test
    void a429WithRetryAfterIsRetriedAfterThePauseItAsksForThenSucceeds() {
        teams.then(429, Map.of("Retry-After", "3"), "").then(202);
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.outcome(Fixtures.forbidden(subnet("snet-a"), "r-1"));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(2, teams.requests().size(), "exactly one retry");
        assertEquals(teams.requests().get(0).body(), teams.requests().get(1).body(), "the same message again");
        assertEquals(List.of(Duration.ofSeconds(3)), pauses);
        assertTrue(logs.at(Level.WARNING).isEmpty(), "a retry that heals itself is not worth a line");
    }

    @Test
    void retryAfterIsCapped() {
        teams.then(429, Map.of("Retry-After", "3600"), "").then(202);
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(List.of(Webhook.MAX_PAUSE), pauses);
        assertEquals(2, teams.requests().size());
    }

    @Test
    void a500NeverReachesTheCallerIsRetriedABoundedNumberOfTimesAndIsOneWarning() {
        for (int i = 0; i < 5; i++) {
            teams.then(500, Map.of(), "upstream exploded at " + teams.workflowUrl());
        }
        Outcome repaired = Fixtures.reassociated(subnet("snet-a"));
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.outcome(repaired); // returns at once and does not throw
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(Webhook.MAX_ATTEMPTS, teams.requests().size());
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2)), pauses);
        List<LogRecord> warnings = logs.at(Level.WARNING);
        assertEquals(1, warnings.size());
        assertEquals("failed alerts: Teams alert not delivered (reassociated snet-a): HTTP 500 after 3 attempts", warnings.get(0).getMessage());
    }

    @Test
    void a400IsNotRetried() {
        teams.then(400, Map.of(), "Bad payload");
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(1, teams.requests().size());
        assertTrue(logs.at(Level.WARNING).get(0).getMessage().contains("HTTP 400 (Teams refused the card)"));
    }

    /**
     * A connector answers 200 whatever Teams made of the card and puts Teams' own answer in the body (Microsoft in
     * MicrosoftDocs/msteams-docs#1810 and #4145; the connectors-using page: "Connectors do not throw 429s"): a card
     * Teams refused is not delivered, and is one Warning.
     */
    @Test
    void aConnectorThatAnswers200WithATeamsRefusalInTheBodyDidNotDeliverTheCard() {
        teams.then(200, Map.of(), "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 413 "
                + "with ContextId tcid=0,server=msgapi-canary-eus2-00,cv=AszFFaeXdEGdFrJhai0eUw.1.0..");
        try (TeamsWebhookAlertSink sink = sink(TestSecrets.legacyUrl(), teams.proxyClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(1, teams.requests().size(), "a card Teams refused is not sent again");
        List<LogRecord> warnings = logs.at(Level.WARNING);
        assertEquals(1, warnings.size());
        assertEquals("failed alerts: Teams alert not delivered (reassociated snet-a): HTTP 200 carrying Teams' HTTP error 413 "
                + "(the message is too large)", warnings.get(0).getMessage());
    }

    @Test
    void aConnectorThatAnswers200WithATeamsServerErrorInTheBodyIsRetried() {
        teams.then(200, Map.of(), "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 502 "
                + "with ContextId tcid=0,server=x,cv=y").then(200, Map.of(), "1");
        try (TeamsWebhookAlertSink sink = sink(TestSecrets.legacyUrl(), teams.proxyClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(2, teams.requests().size(), "retried once, then accepted with \"1\"");
        assertEquals(List.of(Duration.ofSeconds(1)), pauses);
    }

    @Test
    void aLegacyConnectorUrlGetsAMessagecardOnItsOwnHost() {
        try (TeamsWebhookAlertSink sink = sink(TestSecrets.legacyUrl(), teams.proxyClient())) {
            sink.outcome(Fixtures.conflict(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
            assertTrue(sink.describe().contains("MessageCards for a legacy Office 365 connector"), sink.describe());
        }
        FakeTeams.Request r = teams.requests().get(0);
        assertEquals(TestSecrets.LEGACY_HOST, r.host());
        assertEquals(TestSecrets.legacyUrl(), r.uri(), "the request went to the connector URL, through the proxy");
        JsonObject card = TeamsMessagesTest.parse(r.body());
        assertEquals("MessageCard", card.get("@type").getAsString());
        assertFalse(card.has("attachments"));
    }

    @Test
    void theCardFormatSettingOverridesTheGuessFromTheUrl() {
        try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.of(Secret.of(TestSecrets.legacyUrl()), CardFormat.ADAPTIVE,
                teams.proxyClient(), AlertMemory.NONE, Fixtures.context(Duration.ofHours(24)),
                TestClock.at(Fixtures.FINISHED), pauses::add, logs.logger())) {
            sink.outcome(Fixtures.conflict(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals("message", TeamsMessagesTest.parse(teams.requests().get(0).body()).get("type").getAsString());
    }

    @Test
    void anUnreachableWebhookIsOneWarningWithoutTheUrl() {
        String url = teams.workflowUrl();
        teams.close(); // nothing listens on the port any more
        try (TeamsWebhookAlertSink sink = sink(url, teams.directClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        List<LogRecord> warnings = logs.at(Level.WARNING);
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).getMessage().contains("connection refused or unreachable after 3 attempts"), warnings.get(0).getMessage());
    }

    @Test
    void theSettingsFactorySendsAndSaysOnceThatRepeatsAreNotSuppressedWithoutStorage() {
        Settings settings = Fixtures.settings(Map.of(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl()));
        try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.create(settings, AlertStorage.NONE, logs.logger())) {
            assertTrue(sink.enabled());
            assertFalse(sink.suppressesRepeats());
            sink.outcome(Fixtures.conflict(subnet("snet-a")));
            sink.outcome(Fixtures.conflict(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(2, teams.requests().size(), "without a memory every occurrence is sent");
        List<LogRecord> info = logs.at(Level.INFO);
        assertEquals(1, info.size());
        assertEquals("Teams alerts on (Adaptive Cards for a Teams Workflows webhook); repeat suppression off (no AzureWebJobsStorage): "
                + "every finding is alerted each time it is seen", info.get(0).getMessage());
        assertTrue(TeamsMessagesTest.adaptiveCard(teams.requests().get(0).body()).toString()
                .contains("sent each time it is seen (no alert memory)"));
    }

    @Test
    void aRetiredOfficeConnectorUrlIsOneWarningAtStartThatSaysWhatToUseInstead() {
        Settings settings = Fixtures.settings(Map.of(Settings.TEAMS_WEBHOOK_URL, "https://" + TestSecrets.LEGACY_HOST
                + TestSecrets.LEGACY_PATH));
        try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.create(settings, AlertStorage.NONE, logs.logger())) {
            assertTrue(sink.enabled());
        }
        List<LogRecord> warnings = logs.at(Level.WARNING);
        assertEquals(1, warnings.size());
        String warning = warnings.get(0).getMessage();
        assertTrue(warning.startsWith("TEAMS_WEBHOOK_URL is an Office 365 connector URL (*.webhook.office.com): Microsoft "
                + "has retired connectors in Teams. Create a Workflows webhook"), warning);

        TeamsWebhookAlertSink.create(Fixtures.settings(Map.of(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl())),
                AlertStorage.NONE, logs.logger()).close();
        assertEquals(1, logs.at(Level.WARNING).size(), "a Workflows URL is no reason to warn");
    }

    @Test
    void withoutAWebhookUrlTheSinkIsOffAndSaysSo() {
        TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.create(Fixtures.settings(Map.of()), AlertStorage.NONE, logs.logger());
        sink.outcome(Fixtures.reassociated(subnet("snet-a")));
        sink.sweep(Fixtures.bigSweep(3, 10));
        assertTrue(sink.flush(Duration.ZERO));
        sink.close();

        assertFalse(sink.enabled());
        assertEquals("Teams alerts off: TEAMS_WEBHOOK_URL is not set", sink.describe());
        assertTrue(teams.requests().isEmpty());
    }

    @Test
    void aSweepIsOneSummaryMessageUnderTheLimit() {
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.sweep(Fixtures.bigSweep(1000, 500));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(1, teams.requests().size());
        String body = teams.requests().get(0).body();
        assertTrue(body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < TeamsMessages.MAX_MESSAGE_BYTES);
        assertTrue(body.contains("more (run aks-route-guard audit"));
    }

    @Test
    void secretsAreScrubbedFromAnyTextBeforeItCanBeLogged() {
        Redaction r = Redaction.of(Secret.of(TestSecrets.logicAppUrl()));
        String leaky = "java.io.IOException: failed POST " + TestSecrets.logicAppUrl() + " (host " + TestSecrets.FAKE_LOGIC_HOST
                + ", path " + TestSecrets.WORKFLOW_PATH + ") with " + "Account" + "Key=abc123==;" + "SharedAccess" + "Signature=sv=2020&" + "si" + "g=zzz";
        String scrubbed = r.describe(new java.io.IOException(leaky));

        TestSecrets.assertNoSecretIn(scrubbed, "the scrubbed text");
        assertFalse(scrubbed.contains("abc123"));
        assertFalse(scrubbed.contains("sig=zzz"));
        assertTrue(scrubbed.startsWith("IOException: "));
    }

    @Test
    void aStuckWebhookNeverBlocksTheCallerTheQueueIsBoundedAndOverflowIsDroppedWithAWarning() throws Exception {
        java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        teams.then(503);
        int extra = 7;
        try (TeamsWebhookAlertSink sink = TeamsWebhookAlertSink.of(Secret.of(teams.workflowUrl()), null, teams.directClient(),
                AlertMemory.NONE, Fixtures.context(Duration.ofHours(24)), TestClock.at(Fixtures.FINISHED),
                d -> {
                    stuck.countDown();
                    release.await(); // the worker hangs in its first retry pause
                }, logs.logger())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-first")));
            stuck.await();
            for (int i = 0; i < BackgroundQueue.CAPACITY + extra; i++) {
                sink.outcome(Fixtures.reassociated(subnet("snet-" + i))); // returns at once although nothing moves
            }
            assertFalse(sink.flush(Duration.ZERO), "work is pending");
            assertEquals(extra, sink.dropped());
            release.countDown();
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(1 + 1 + BackgroundQueue.CAPACITY, teams.requests().size(), "503, its retry, then the queue");
        assertEquals(1, logs.at(Level.WARNING).size(), "one line for the overflow");
        assertTrue(logs.at(Level.WARNING).get(0).getMessage().startsWith("failed alerts: more than 200 alerts waiting; dropped reassociated snet-"));
    }

    @Test
    void retryAfterMayBeAnHttpDate() {
        teams.then(429, Map.of("Retry-After", java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
                .format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC).plusHours(1))), "").then(202);
        try (TeamsWebhookAlertSink sink = sink(teams.workflowUrl(), teams.directClient())) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(List.of(Webhook.MAX_PAUSE), pauses, "an hour away, capped");
        assertEquals(2, teams.requests().size());
    }
}
