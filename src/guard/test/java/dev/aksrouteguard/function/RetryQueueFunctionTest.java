package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import com.azure.storage.queue.models.QueueMessageItem;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.queue.RetryMessages;
import dev.aksrouteguard.queue.StorageRetryQueue;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The retry path end to end, as the function app runs it: the Event Grid function hands unfinished work to the
 * Storage queue (Azurite), and the queue-triggered function, given the message as the Functions host gives it, repairs
 * the subnet on a fresh read; work that never finishes ends in the poison queue with a failed alert.
 */
@ExtendWith(AzuriteExtension.class)
class RetryQueueFunctionTest {

    final Emulated azure = Emulated.start();
    final TestContext context = new TestContext(EventGridFunction.NAME);
    final Azurite azurite;
    QueueClient queue;
    QueueClient poison;

    RetryQueueFunctionTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @BeforeEach
    void emptyTheQueues() {
        queue = client(StorageRetryQueue.NAME);
        poison = client(StorageRetryQueue.POISON_NAME);
    }

    private QueueClient client(String name) {
        QueueClient c = new QueueClientBuilder().connectionString(azurite.connectionString()).queueName(name)
                .messageEncoding(QueueMessageEncoding.BASE64).buildClient();
        c.createIfNotExists();
        c.clearMessages();
        return c;
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    /** The function app's graph: the retry queue is the Storage queue (no recorder). */
    Wiring functionApp(String... extra) {
        List<String> env = new ArrayList<>(List.of(Settings.STORAGE, azurite.connectionString()));
        env.addAll(List.of(extra));
        return Wiring.functionApp(azure.settings(env.toArray(String[]::new)), azure.options().withRetries(null));
    }

    /** Receives what the host would hand the function: every message visible now, as text. */
    private List<String> visible(QueueClient client) {
        List<String> texts = new ArrayList<>();
        for (QueueMessageItem m : client.receiveMessages(32, Duration.ofSeconds(30), null, null)) {
            texts.add(m.getBody().toString());
            client.deleteMessage(m.getMessageId(), m.getPopReceipt());
        }
        return texts;
    }

    @Test
    void aRetryRequestGoesOnTheQueueHiddenForItsDelayAndComesBackWhole() {
        StorageRetryQueue retries = new StorageRetryQueue(queue, poison, java.util.logging.Logger.getAnonymousLogger());
        RetryRequest request = RetryRequest.first(SubnetId.parse(ANY_SUBNET), new Trigger.Event(write(ANY_SUBNET)));
        retries.submit(request, Duration.ofSeconds(30));
        assertEquals(1, queue.getProperties().getApproximateMessagesCount());
        assertEquals(List.of(), visible(queue), "hidden for its delay: the visibility timeout is the backoff");
        retries.submit(request.next(), Duration.ZERO);
        List<String> now = visible(queue);
        assertEquals(1, now.size());
        assertEquals(request.next(), RetryMessages.read(now.get(0)), "the whole request, trigger and actor included");
    }

    @Test
    void workTheEventFunctionCouldNotFinishIsQueuedAndRepairedByTheRetryFunction() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = functionApp(Settings.EVENT_TIME_BUDGET, "PT2S");
        azure.arm.inject(Fault.on("GET", ".*/subnets/[^/]+$").respond(503, "ServiceUnavailable", "try later").always());

        EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        assertEquals(1, queue.getProperties().getApproximateMessagesCount(), "one message on " + StorageRetryQueue.NAME);
        assertEquals(List.of(), visible(queue), "hidden for the first retry's delay");
        assertTrue(azure.routeTableOf(c.nodeSubnetId()) == null);

        // The host hands the message over once it is visible (30 s later); the test hands over the same request.
        azure.arm.clearFaults();
        RetryRequest handedOn = RetryRequest.first(SubnetId.parse(c.nodeSubnetId()), new Trigger.Event(write(c.nodeSubnetId())));
        RetryFunction.over(w).run(RetryMessages.write(handedOn), new TestContext(RetryFunction.NAME));
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(), "the retry repaired it");
        assertEquals(Action.REASSOCIATED, azure.alerts.outcomes.get(azure.alerts.outcomes.size() - 1).action());
        assertEquals(1, queue.getProperties().getApproximateMessagesCount(), "nothing more was handed on");
    }

    /**
     * Storage that takes the connection and never answers (a stalled account): handing the work on must not hold the
     * Event Grid function past its budget plus {@link Guard#HAND_OFF}, and work that could not be handed on is a
     * {@code failed} Warning (the line the failed-outcome alert reads), never said to be "handed to the retry queue".
     * The test ends at all only because the hand-off is bounded: each send alone may wait up to twice 10 s.
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void workThatCannotBeHandedToAStalledStorageIsAFailedLineAndTheFunctionStillReturns() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/subnets/[^/]+$").respond(503, "ServiceUnavailable", "try later").always());
        try (java.net.ServerSocket stalled = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
            List<java.net.Socket> held = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(stalled.accept()); // read nothing, answer nothing
                        connections.incrementAndGet();
                    }
                } catch (java.io.IOException closed) {
                    // the test is over
                }
            }, "stalled-storage");
            acceptor.setDaemon(true);
            acceptor.start();
            String endpoint = "http://127.0.0.1:" + stalled.getLocalPort() + "/" + AzuriteExtension.ACCOUNT;
            Wiring w = Wiring.functionApp(azure.settings(Settings.STORAGE, "DefaultEndpointsProtocol=http;AccountName="
                    + AzuriteExtension.ACCOUNT + ";AccountKey=" + AzuriteExtension.KEY + ";TableEndpoint=" + endpoint
                    + ";QueueEndpoint=" + endpoint + ";", Settings.EVENT_TIME_BUDGET, "PT2S"), azure.options().withRetries(null));

            EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

            assertTrue(azure.arm.requests().stream().anyMatch(r -> r.method().equals("GET")
                    && r.path().equalsIgnoreCase(c.nodeSubnetId())), "the subnet was read");
            assertTrue(connections.get() >= 1, "the hand-off reached the stalled Storage, which never answered");
            List<String> failed = context.log.lines(Level.WARNING).stream()
                    .filter(l -> l.startsWith("failed " + c.nodeSubnetId()) && l.contains("could not hand it to the retry queue")).toList();
            assertEquals(1, failed.size(), context.log.all());
            assertTrue(context.log.lines().stream().noneMatch(l -> l.contains("handed to the retry queue")), context.log.all());
            held.forEach(s -> {
                try {
                    s.close();
                } catch (java.io.IOException ignored) {
                    // closing a socket the test held
                }
            });
        }
    }

    static final String ANY_SUBNET = "/subscriptions/" + Emulated.SUB
            + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s";

    static ArmWrite write(String subnet) {
        return new ArmWrite("e1", "Microsoft.Network/virtualNetworks/subnets/write", ResourceId.parse(subnet),
                java.time.Instant.parse("2026-12-04T10:00:00Z"), "corr-1", new Actor("alice@contoso.com", "app-1", "203.0.113.7"));
    }

    @Test
    void workThatNeverFinishesIsGivenUpIntoThePoisonQueueWithAFailedAlert() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Wiring w = functionApp();
        azure.arm.inject(Fault.anotherOperationInProgress("PUT", ".*/subnets/.*").always());
        RetryRequest last = new RetryRequest(ResourceId.parse(c.nodeSubnetId()), new Trigger.Manual("test"), Guard.MAX_RETRIES);

        RetryFunction.over(w).run(RetryMessages.write(last), context);

        assertEquals(List.of(RetryMessages.write(last)), visible(poison), "kept where an operator looks");
        assertEquals(0, queue.getProperties().getApproximateMessagesCount(), "not handed on again");
        var alerted = azure.alerts.outcomes.get(azure.alerts.outcomes.size() - 1);
        assertEquals(Action.FAILED, alerted.action());
        assertTrue(alerted.message().startsWith("gave up after 5 tries"), alerted.message());
        assertTrue(context.log.lines(Level.WARNING).stream().anyMatch(l -> l.contains(StorageRetryQueue.POISON_NAME)),
                context.log.all());
    }

    @Test
    void aRetriedEventThatNowConcernsNoSubnetEndsWithALineSayingSo() {
        String plain = Fixtures.plainSubnet(azure.arm, Emulated.SUB, "rg-g", "vnet-plain", "snet-plain");
        String vnet = plain.substring(0, plain.indexOf("/subnets/"));
        dev.aksrouteguard.core.model.ArmWrite write = new dev.aksrouteguard.core.model.ArmWrite("e1",
                "Microsoft.Network/virtualNetworks/write", ResourceId.parse(vnet), java.time.Instant.parse("2026-11-26T10:00:00Z"),
                "corr-1", dev.aksrouteguard.core.model.Actor.UNKNOWN);
        RetryRequest request = new RetryRequest(ResourceId.parse(vnet), new Trigger.Event(write), 2);

        RetryFunction.over(functionApp()).run(RetryMessages.write(request), context);

        assertTrue(context.log.lines(Level.INFO).stream().anyMatch(l -> l.startsWith("retry 2 of " + vnet + ": nothing to decide")),
                context.log.all());
        assertEquals(0, queue.getProperties().getApproximateMessagesCount(), "done: not handed on again");
    }

    @Test
    void aRetryMessageThatCannotBeReadIsDroppedWithOneWarning() {
        RetryFunction.over(functionApp()).run("{\"v\":1,\"target\":\"not an id\"}", context);
        assertEquals(1, context.log.lines(Level.WARNING).size(), context.log.all());
        assertTrue(context.log.lines(Level.WARNING).get(0).startsWith("failed retry: dropped a retry message"), context.log.all());
    }
}
