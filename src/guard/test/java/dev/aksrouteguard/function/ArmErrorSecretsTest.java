package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.queue.RetryMessages;
import dev.aksrouteguard.teams.TeamsWebhookAlertSink;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.testing.TestSecrets;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Error text quoted from ARM is masked where the guard builds its error from the answer, so a SAS signature or a
 * bearer token that an ARM message quotes reaches neither the function's log lines nor a Teams card: a failed subnet
 * outcome, an event whose cluster could not be read, and work given up by the retry function.
 */
@ExtendWith(AzuriteExtension.class)
class ArmErrorSecretsTest {

    final Azurite azurite;
    final Emulated azure = Emulated.start();
    final FakeTeams teams = new FakeTeams();
    /** A group of its own, so that the alert memory in Azurite never suppresses this test's card as a repeat. */
    final String group = "rg-secrets-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    ArmErrorSecretsTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @AfterEach
    void stop() {
        teams.close();
        azure.close();
    }

    /** An ARM message quoting a SAS URL and a bearer token, assembled at run time (no secret-shaped string in the sources). */
    static String quotingSecrets() {
        return "The client does not have authorization to perform action 'Microsoft.Network/virtualNetworks/subnets/read'; "
                + "diagnostics at https://diag.blob.core.windows.net/logs/x.json?sv=2020-08-04&sp=r&" + "si" + "g="
                + TestSecrets.SAS_SIGNATURE + " with header Authorization: " + "Bear" + "er eyJ0eXAiSECRETtoken.abc";
    }

    Wiring instance() {
        return Wiring.build(azure.settings(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl(), Settings.STORAGE,
                azurite.connectionString()), azure.options().withAlerts(TeamsWebhookAlertSink::create));
    }

    void assertNothingSecretIn(TestContext context) {
        TestSecrets.assertNoSecretIn(context.log.records);
        assertFalse(teams.requests().isEmpty(), "a card was sent");
        teams.requests().forEach(r -> TestSecrets.assertNoSecretIn(r.body(), "the Teams card"));
    }

    @Test
    void aForbiddenSubnetReadQuotingASasUrlLeavesNoSignatureInTheLogOrTheCard() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/subnets/[^/]+$").respond(403, "AuthorizationFailed", quotingSecrets()).always());
        Wiring w = instance();
        TestContext context = new TestContext(EventGridFunction.NAME);

        EventGridFunction.over(w).run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);
        w.alerts().flush(Duration.ofSeconds(30));

        List<String> failed = context.log.lines(Level.WARNING).stream().filter(l -> l.startsWith("failed ")).toList();
        assertEquals(1, failed.size(), context.log.all());
        assertTrue(failed.get(0).contains("sig=***"), "the quote is kept, its signature masked: " + failed.get(0));
        assertNothingSecretIn(context);
    }

    @Test
    void aForbiddenClusterListingQuotingASasUrlLeavesNoSignatureInTheEventsFailedLineOrTheCard() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").drifted().seed(azure.arm);
        // A cold worker lists the clusters to map a VNet write; the subnet event's reconcile needs the same listing.
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$")
                .respond(403, "AuthorizationFailed", quotingSecrets()).always());
        Wiring w = instance();
        TestContext context = new TestContext(EventGridFunction.NAME);

        EventGridFunction.over(w).run(EventJson.delivery(EventJson.vnetWrite(c.virtualNetworkId()).eventGrid(),
                EventJson.subnetWrite(c.nodeSubnetId()).id("e2").eventGrid()), context);
        w.alerts().flush(Duration.ofSeconds(30));

        List<String> failedEvent = context.log.lines(Level.WARNING).stream().filter(l -> l.startsWith("failed event ")).toList();
        assertEquals(1, failedEvent.size(), context.log.all());
        assertTrue(failedEvent.get(0).contains("sig=***"), failedEvent.get(0));
        assertNothingSecretIn(context);
    }

    @Test
    void workGivenUpAfterATransientFailureQuotingASasUrlLeavesNoSignatureInTheGiveUpLine() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/managedClusters/[^/]+$").respond(503, "ServiceUnavailable", quotingSecrets()).always());
        Wiring w = instance();
        TestContext context = new TestContext(RetryFunction.NAME);
        ArmWrite write = new ArmWrite("e1", "Microsoft.ContainerService/managedClusters/write", ResourceId.parse(c.clusterId()),
                Instant.now(), "corr-1", Actor.UNKNOWN);
        RetryRequest last = new RetryRequest(write.subject(), new Trigger.Event(write), Guard.MAX_RETRIES);

        RetryFunction.over(w).run(RetryMessages.write(last), context);

        List<String> failed = context.log.lines(Level.WARNING).stream().filter(l -> l.startsWith("failed ")).toList();
        assertEquals(1, failed.size(), context.log.all());
        assertTrue(failed.get(0).contains("gave up after 5 tries") && failed.get(0).contains("sig=***"), failed.get(0));
        TestSecrets.assertNoSecretIn(context.log.records);
    }
}
