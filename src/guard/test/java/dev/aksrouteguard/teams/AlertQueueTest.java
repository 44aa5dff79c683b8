package dev.aksrouteguard.teams;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.models.PeekedMessageItem;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.LogCapture;
import dev.aksrouteguard.testing.TestClock;
import dev.aksrouteguard.testing.TestSecrets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Durable alerts: the sink claims and renders, then queues the card in Azurite's Queue service; {@link TeamsAlertQueue}
 * delivers it as the queue-triggered function does, with this test playing the Functions host (receive, delete on
 * success, make visible again on failure, move to the poison queue after the last attempt).
 */
@ExtendWith(AzuriteExtension.class)
class AlertQueueTest {

    private static final Duration REPEAT = Duration.ofHours(24);
    private static final Duration FLUSH = Duration.ofSeconds(30);

    private final Azurite azurite;
    private final String queueName = "alerts-" + UUID.randomUUID().toString().substring(0, 8);
    private final TestClock clock = TestClock.at(Fixtures.FINISHED);
    private final List<Duration> pauses = Collections.synchronizedList(new ArrayList<>());
    private FakeTeams teams;
    private LogCapture logs;
    private QueueClient queue;
    private QueueClient poison;
    private AlertMemory memory;

    AlertQueueTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @BeforeEach
    void start() {
        teams = new FakeTeams();
        logs = LogCapture.includingRoot();
        queue = Fixtures.queue(azurite.connectionString(), queueName);
        poison = Fixtures.queue(azurite.connectionString(), queueName + "-poison");
        poison.createIfNotExists();
        memory = new TableAlertMemory(Fixtures.table(azurite.connectionString(), Azurite.freshTable()), REPEAT,
                logs.logger(), Redaction.of(null));
    }

    @AfterEach
    void stop() {
        try {
            TestSecrets.assertNoSecretIn(logs.everything());
        } finally {
            logs.close();
            teams.close();
        }
    }

    private TeamsWebhookAlertSink sink(QueueClient to) {
        return TeamsWebhookAlertSink.of(Secret.of(teams.workflowUrl()), null, teams.directClient(), memory, to,
                Fixtures.context(REPEAT), clock, pauses::add, logs.logger());
    }

    private TeamsAlertQueue consumer() {
        Secret url = Secret.of(teams.workflowUrl());
        return new TeamsAlertQueue(new Webhook(url, teams.directClient(), pauses::add, Redaction.of(url)), memory);
    }

    private void raise(Outcome o) {
        try (TeamsWebhookAlertSink sink = sink(queue)) {
            sink.outcome(o);
            assertTrue(sink.flush(FLUSH));
        }
    }

    /** One turn of the Functions host: receive a message, run the function, then settle the message as the host does. */
    private TeamsAlertQueue.Result hostDeliversNext(TeamsAlertQueue consumer) {
        QueueMessageItem m = queue.receiveMessage();
        assertTrue(m != null, "a message is waiting");
        TeamsAlertQueue.Result r = consumer.deliver(m.getBody().toString(), m.getDequeueCount(), logs.logger());
        if (!r.redeliver()) {
            queue.deleteMessage(m.getMessageId(), m.getPopReceipt());
        } else if (m.getDequeueCount() >= TeamsAlertQueue.MAX_DEQUEUE_COUNT) {
            poison.sendMessage(m.getBody().toString());
            queue.deleteMessage(m.getMessageId(), m.getPopReceipt());
        } else {
            queue.updateMessage(m.getMessageId(), m.getPopReceipt(), null, Duration.ZERO); // visible again
        }
        return r;
    }

    private int waiting(QueueClient q) {
        return q.getProperties().getApproximateMessagesCount();
    }

    @Test
    void theRepairPathOnlyQueuesTheRenderedCardWhichCarriesNoWebhookUrl() {
        raise(Fixtures.reassociated(subnet("snet-a")));

        assertEquals(0, teams.requests().size(), "nothing is posted by the sink: the queue's function does that");
        assertEquals(1, waiting(queue));
        PeekedMessageItem peeked = queue.peekMessage();
        AlertMessage message = AlertMessage.parse(peeked.getBody().toString());
        assertEquals("reassociated snet-a", message.subject());
        assertTrue(TeamsMessagesTest.firstLine(TeamsMessagesTest.adaptiveCard(message.card()))
                .startsWith("Repaired: route table aks-agentpool-12345678-routetable"));
        TestSecrets.assertNoSecretIn(peeked.getBody().toString(), "the queue message");

        // On the wire the message is Base64, as host.json's messageEncoding tells the Functions host.
        QueueClient raw = new QueueClientBuilder().connectionString(azurite.connectionString()).queueName(queueName)
                .httpClient(ArmClients.httpClient(null)).buildClient();
        String onTheWire = raw.peekMessage().getBody().toString();
        assertEquals(peeked.getBody().toString(),
                new String(Base64.getDecoder().decode(onTheWire), StandardCharsets.UTF_8));
    }

    @Test
    void anAlertQueuedWhileTeamsIsDownIsDeliveredLater() {
        teams.then(503).then(503).then(503);
        raise(Fixtures.conflict(subnet("snet-a")));

        assertEquals(TeamsAlertQueue.Result.RETRY, hostDeliversNext(consumer()), "Teams is down: the host keeps the message");
        assertEquals(3, teams.requests().size(), "the webhook's own bounded retry, then back to the queue");
        assertEquals(1, waiting(queue));

        assertEquals(TeamsAlertQueue.Result.DELIVERED, hostDeliversNext(consumer()), "Teams is back");
        assertEquals(4, teams.requests().size());
        assertEquals(teams.requests().get(0).body(), teams.requests().get(3).body(), "the same card");
        assertTrue(teams.requests().get(3).body().contains("Conflict, left alone: subnet snet-a"));
        assertEquals(0, waiting(queue));
        assertTrue(logs.at(Level.WARNING).isEmpty(), "a delivery that heals itself is not worth a Warning");

        raise(Fixtures.conflict(subnet("snet-a")));
        assertEquals(0, waiting(queue), "delivered, so the claim stands: the same finding is suppressed");
    }

    @Test
    void aMessageThatExhaustsItsAttemptsEndsInThePoisonQueueAsOneWarningAndGivesItsClaimBack() {
        for (int i = 0; i < 3 * TeamsAlertQueue.MAX_DEQUEUE_COUNT; i++) {
            teams.then(503, Map.of(), "upstream failed for " + teams.workflowUrl());
        }
        raise(Fixtures.conflict(subnet("snet-a")));

        List<TeamsAlertQueue.Result> results = new ArrayList<>();
        for (int i = 0; i < TeamsAlertQueue.MAX_DEQUEUE_COUNT; i++) {
            results.add(hostDeliversNext(consumer()));
        }

        assertEquals(List.of(TeamsAlertQueue.Result.RETRY, TeamsAlertQueue.Result.RETRY, TeamsAlertQueue.Result.RETRY,
                TeamsAlertQueue.Result.RETRY, TeamsAlertQueue.Result.POISONED), results);
        assertEquals(0, waiting(queue));
        assertEquals(1, waiting(poison), "the host moved it to " + queueName + "-poison");
        List<LogRecord> warnings = logs.at(Level.WARNING);
        assertEquals(1, warnings.size(), warnings.stream().map(LogRecord::getMessage).toList().toString());
        assertEquals("failed alerts: Teams alert not delivered (conflict snet-a) after 5 deliveries from the queue: HTTP 503 after 3 "
                + "attempts; the message goes to routeguard-alerts-poison", warnings.get(0).getMessage());

        raise(Fixtures.conflict(subnet("snet-a")));
        assertEquals(1, waiting(queue), "the claim was given back: the next occurrence is alerted again");
    }

    @Test
    void aCardTeamsRefusesIsDroppedAtOnceWithOneWarningAndItsClaimGivenBack() {
        teams.then(400, Map.of(), "Bad payload");
        raise(Fixtures.forbidden(subnet("snet-a"), "r-1"));

        assertEquals(TeamsAlertQueue.Result.DROPPED, hostDeliversNext(consumer()));
        assertEquals(1, teams.requests().size(), "no retry can help");
        assertEquals(0, waiting(queue));
        assertEquals(List.of("failed alerts: Teams alert not delivered (failed snet-a): HTTP 400 (Teams refused the card)"),
                logs.lines(Level.WARNING));
        raise(Fixtures.forbidden(subnet("snet-a"), "r-2"));
        assertEquals(1, waiting(queue), "not remembered as alerted");
    }

    @Test
    void aMessageThatIsNotAnAlertIsDroppedWithoutBeingQuoted() {
        String foreign = "{\"hello\":\"" + teams.workflowUrl() + "\"}";
        assertEquals(TeamsAlertQueue.Result.DROPPED, consumer().deliver(foreign, 1, logs.logger()));
        assertEquals(TeamsAlertQueue.Result.DROPPED, consumer().deliver("not json at all", 1, logs.logger()));
        assertEquals(0, teams.requests().size());
        assertEquals(List.of("failed alerts: dropped a message of the routeguard-alerts queue that is not an alert (not a version 1 alert message)",
                "failed alerts: dropped a message of the routeguard-alerts queue that is not an alert (not JSON)"),
                logs.lines(Level.WARNING));
    }

    @Test
    void whenTheQueueCannotTakeTheAlertItIsPostedDirectlyAfterOneWarning() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        QueueClient nowhere = Fixtures.queue(azurite.connectionString()
                .replace(":" + azurite.queuePort() + "/", ":" + closedPort + "/"), queueName);
        try (TeamsWebhookAlertSink sink = sink(nowhere)) {
            sink.outcome(Fixtures.reassociated(subnet("snet-a")));
            assertTrue(sink.flush(FLUSH));
        }
        assertEquals(1, teams.requests().size(), "not lost: sent directly");
        List<String> warnings = logs.lines(Level.WARNING);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("Teams alerts: could not queue reassociated snet-a for delivery ("),
                warnings.get(0));
    }

    @Test
    void aSweepSummaryIsOneSmallMessageWithOneClaimIdHoweverManyFindingsItClaimed() {
        try (TeamsWebhookAlertSink sink = sink(queue)) {
            sink.sweep(Fixtures.bigSweep(1000, 2000));
            assertTrue(sink.flush(FLUSH));
        }
        String body = queue.peekMessage().getBody().toString();
        AlertMessage message = AlertMessage.parse(body);
        assertEquals("sweep summary", message.subject());
        assertEquals(1, message.claimIds().size(), "800 findings claimed under one ID");
        assertTrue(message.card().getBytes(StandardCharsets.UTF_8).length <= CardSizing.BUDGET_BYTES);
        int base64Bytes = (body.getBytes(StandardCharsets.UTF_8).length + 2) / 3 * 4;
        assertTrue(base64Bytes < 64 * 1024, "a queue message holds at most 64 KiB: " + base64Bytes);

        assertEquals(TeamsAlertQueue.Result.DELIVERED, hostDeliversNext(consumer()));
        assertTrue(teams.requests().get(0).body().contains("Drift sweep: 200 re-associated, 800 failed of 1000 node subnets"));
    }

    @Test
    void withoutAWebhookUrlTheConsumerDropsTheAlertWithOneWarning() {
        raise(Fixtures.reassociated(subnet("snet-a")));
        TeamsAlertQueue off = new TeamsAlertQueue(null, memory);
        assertEquals(TeamsAlertQueue.Result.DROPPED, off.deliver(queue.peekMessage().getBody().toString(), 1, logs.logger()));
        assertEquals(List.of("failed alerts: TEAMS_WEBHOOK_URL is not set; dropped the queued alert (reassociated snet-a)"),
                logs.lines(Level.WARNING));
        assertFalse(TeamsAlertQueue.Result.DROPPED.redeliver());
    }

    @Test
    void aWebhookWhoseKeyVaultReferenceDidNotResolveKeepsTheAlertForALaterDeliveryThenPoisonsIt() {
        raise(Fixtures.reassociated(subnet("snet-a")));
        String problem = dev.aksrouteguard.config.Settings.from(Map.of(
                "AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-000000000001",
                "TEAMS_WEBHOOK_URL", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/teams/)")).alertsProblem();
        assertTrue(problem != null && problem.startsWith("failed alerts: "), problem);
        TeamsAlertQueue unresolved = new TeamsAlertQueue(null, memory, problem);
        String message = queue.peekMessage().getBody().toString();

        assertEquals(TeamsAlertQueue.Result.RETRY, unresolved.deliver(message, 1, logs.logger()));
        assertEquals(List.of(problem + ". The queued alert (reassociated snet-a) is kept: the queue delivers it again"),
                logs.lines(Level.WARNING));
        assertEquals(TeamsAlertQueue.Result.POISONED, unresolved.deliver(message, TeamsAlertQueue.MAX_DEQUEUE_COUNT, logs.logger()));
        assertTrue(logs.lines(Level.WARNING).get(1).endsWith("not delivered after 5 deliveries from the queue; the message goes to "
                + TeamsAlertQueue.POISON_NAME), logs.lines(Level.WARNING).toString());
        assertTrue(logs.lines(Level.WARNING).stream().noneMatch(l -> l.contains("kv.vault.azure.net/secrets/teams")),
                "the reference is not logged");
        assertEquals(0, teams.requests().size());
    }
}
