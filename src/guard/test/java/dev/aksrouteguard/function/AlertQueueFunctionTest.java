package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueMessageItem;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.teams.TeamsAlertQueue;
import dev.aksrouteguard.teams.TeamsWebhookAlertSink;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.Repo;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.testing.TestSecrets;
import dev.aksrouteguard.wiring.Wiring;
import java.nio.file.Files;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The queue-triggered function, invoked as the Functions host invokes it, over the function app's graph: the ARM
 * emulator, Azurite's Table and Queue services, a local stand-in for Teams. The Event Grid function queues the alert
 * of its repair; this function posts it.
 */
@ExtendWith(AzuriteExtension.class)
class AlertQueueFunctionTest {

    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-platform");

    final Emulated azure = Emulated.start();
    final FakeTeams teams = new FakeTeams();
    final TestContext context = new TestContext(AlertQueueFunction.NAME);
    final Azurite azurite;
    QueueClient queue;

    AlertQueueFunctionTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @BeforeEach
    void emptyTheQueue() {
        queue = new QueueClientBuilder().connectionString(azurite.connectionString()).queueName(TeamsAlertQueue.NAME)
                .messageEncoding(QueueMessageEncoding.BASE64).buildClient();
        queue.createIfNotExists();
        queue.clearMessages();
    }

    @AfterEach
    void stop() {
        try {
            TestSecrets.assertNoSecretIn(context.log.records);
            TestSecrets.assertNoSecretIn(azure.log.records);
        } finally {
            teams.close();
            azure.close();
        }
    }

    Settings settings() {
        return azure.settings(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl(), Settings.STORAGE, azurite.connectionString());
    }

    /** The graph as the function app builds it, with the real Teams sink. */
    Wiring functionApp() {
        return Wiring.functionApp(settings(), azure.options().withAlerts(TeamsWebhookAlertSink::create));
    }

    /** A drifted kubenet subnet, repaired by the Event Grid function over {@code wiring}. */
    void repairThroughEventGrid(Wiring wiring) {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM);
        List<JsonObject> events = azure.arm.drainEvents();
        EventGridFunction.over(wiring).run(events.get(0).toString(), new TestContext(EventGridFunction.NAME));
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
    }

    int waiting() {
        return queue.getProperties().getApproximateMessagesCount();
    }

    @Test
    void theRepairsAlertIsQueuedByTheEventGridFunctionAndPostedByThisOne() {
        Wiring wiring = functionApp();
        repairThroughEventGrid(wiring);
        assertEquals(0, teams.requests().size(), "the Event Grid function never waits for Teams");
        assertEquals(1, waiting());

        QueueMessageItem m = queue.receiveMessage();
        AlertQueueFunction.over(wiring).run(m.getBody().toString(), m.getDequeueCount(), context);

        assertEquals(1, teams.requests().size());
        assertTrue(teams.requests().get(0).body().contains("Repaired: route table"), teams.requests().get(0).body());
    }

    @Test
    void aFailureARetryCanFixThrowsSoTheHostDeliversAgainAndTheLastAttemptIsOneWarning() {
        Wiring wiring = functionApp();
        repairThroughEventGrid(wiring);
        String message = queue.receiveMessage().getBody().toString();
        AlertQueueFunction f = AlertQueueFunction.over(wiring);

        teams.then(503).then(503).then(503);
        assertThrows(AlertQueueFunction.RedeliveryException.class, () -> f.run(message, 1, context));
        assertTrue(context.log.lines(Level.WARNING).isEmpty(), "not the last attempt: the host retries");

        teams.then(503).then(503).then(503);
        assertThrows(AlertQueueFunction.RedeliveryException.class,
                () -> f.run(message, TeamsAlertQueue.MAX_DEQUEUE_COUNT, context), "thrown, so the host moves it to the poison queue");
        List<String> warnings = context.log.lines(Level.WARNING);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).endsWith("; the message goes to " + TeamsAlertQueue.POISON_NAME), warnings.get(0));

        f.run(message, 1, context); // Teams answers again: delivered, nothing thrown
        assertEquals(7, teams.requests().size());
    }

    @Test
    void anAlertQueuedBeforeTheWebhooksKeyVaultReferenceStoppedResolvingIsKeptForTheHostToDeliverAgain() {
        repairThroughEventGrid(functionApp());
        String message = queue.receiveMessage().getBody().toString();
        Wiring unresolved = Wiring.functionApp(azure.settings(Settings.TEAMS_WEBHOOK_URL,
                "@Microsoft.KeyVault(VaultName=kv-guard;SecretName=teams-webhook)", Settings.STORAGE, azurite.connectionString()),
                azure.options().withAlerts(TeamsWebhookAlertSink::create));

        assertThrows(AlertQueueFunction.RedeliveryException.class,
                () -> AlertQueueFunction.over(unresolved).run(message, 1, context), "kept: the host delivers it again");
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.startsWith("failed alerts: " + Settings.TEAMS_WEBHOOK_URL
                + " is a Key Vault reference that App Service could not resolve") && l.endsWith("the queue delivers it again")),
                context.log.all());
        assertEquals(0, teams.requests().size());

        AlertQueueFunction.over(functionApp()).run(message, 2, context); // resolved again (the app restarted): delivered
        assertEquals(1, teams.requests().size());
    }

    @Test
    void anAlertPoisonedWhileTheWebhooksKeyVaultReferenceDidNotResolveGivesItsClaimBack() {
        // A finding of its own: the alert memory's table is shared by the tests on this Azurite.
        SubnetId subnet = SubnetId.of(Emulated.SUB, "rg-net", "vnet-kv", "snet-" + java.util.UUID.randomUUID());
        java.time.Instant now = java.time.Instant.now();
        Outcome conflict = Outcome.decided(subnet, null, List.of(), null, null, Action.CONFLICT,
                "associated with rt-firewall, which is not the cluster's route table; not swapped",
                "associate the cluster's route table by hand", false, Mode.ENFORCE, new Trigger.Manual("test"), now, now,
                List.of(), List.of());
        Wiring before = functionApp();
        before.alerts().outcome(conflict);
        assertTrue(before.alerts().flush(java.time.Duration.ofSeconds(30)));
        QueueMessageItem m = queue.receiveMessage();
        queue.deleteMessage(m.getMessageId(), m.getPopReceipt());
        Wiring unresolved = Wiring.functionApp(azure.settings(Settings.TEAMS_WEBHOOK_URL,
                "@Microsoft.KeyVault(VaultName=kv-guard;SecretName=teams-webhook)", Settings.STORAGE, azurite.connectionString()),
                azure.options().withAlerts(TeamsWebhookAlertSink::create));

        assertThrows(AlertQueueFunction.RedeliveryException.class, () -> AlertQueueFunction.over(unresolved)
                .run(m.getBody().toString(), TeamsAlertQueue.MAX_DEQUEUE_COUNT, context), "the host moves it to the poison queue");

        Wiring restarted = functionApp(); // the reference resolves again
        restarted.alerts().outcome(conflict);
        assertTrue(restarted.alerts().flush(java.time.Duration.ofSeconds(30)));
        assertEquals(1, waiting(), "the claim was given back: the finding's next occurrence is alerted, not suppressed for "
                + "ALERT_REPEAT_HOURS");
    }

    @Test
    void aMessageThatIsNotAnAlertIsDroppedAndNotRetried() {
        AlertQueueFunction.over(functionApp()).run("{\"unrelated\":true}", 1, context);
        assertEquals(1, context.log.lines(Level.WARNING).size());
        assertEquals(0, teams.requests().size());
    }

    @Test
    void theCliGraphPostsInlineEvenWithStorageConfiguredForItHasNoQueueConsumer() {
        Wiring cli = Wiring.build(settings(), azure.options().withAlerts(TeamsWebhookAlertSink::create));
        repairThroughEventGrid(cli);
        assertTrue(cli.alerts().flush(java.time.Duration.ofSeconds(30)));
        assertEquals(1, teams.requests().size(), "posted directly");
        assertEquals(0, waiting());
    }

    @Test
    void theHostRetriesAsOftenAsTheFunctionExpectsAndDecodesWhatTheGuardWrites() throws Exception {
        JsonObject queues = JsonParser.parseString(Files.readString(Repo.file("host.json"))).getAsJsonObject()
                .getAsJsonObject("extensions").getAsJsonObject("queues");
        assertEquals(TeamsAlertQueue.MAX_DEQUEUE_COUNT, queues.get("maxDequeueCount").getAsInt());
        assertEquals("base64", queues.get("messageEncoding").getAsString(), "the guard sends Base64 (StorageClients)");
        assertEquals("00:00:30", queues.get("visibilityTimeout").getAsString());
    }
}
