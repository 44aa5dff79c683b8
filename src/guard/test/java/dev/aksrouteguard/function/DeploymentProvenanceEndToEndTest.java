package dev.aksrouteguard.function;

import static dev.aksrouteguard.function.PreventionEndToEndTest.facts;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.FirstPartyApps;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.teams.TeamsWebhookAlertSink;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.FakeTeams;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Who stripped the subnet, end to end over HTTPS: the deployment lookup never holds a repair (more stripped subnets
 * than the guard's 4 repair slots, the deployments listing held by the emulator until the test has seen every subnet
 * repaired), a Bicep parent and its module told apart, and writes made through Microsoft's own clients named by their
 * client in the outcome and the card.
 */
@ExtendWith(AzuriteExtension.class)
class DeploymentProvenanceEndToEndTest {

    static final Principal PIPELINE = Principal.servicePrincipal("sp-bicep-release");
    /** More than the 4 repair slots of the function app's graph ({@code Wiring.CONCURRENCY}). */
    static final int SUBNETS = 6;
    static final String DEPLOYMENTS_LISTING = "/providers/Microsoft.Resources/deployments$";

    final Azurite azurite;
    final Emulated azure = Emulated.start();
    final FakeTeams teams = new FakeTeams();
    final String group = "rg-who-" + UUID.randomUUID().toString().substring(0, 8);

    DeploymentProvenanceEndToEndTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @AfterEach
    void stop() {
        teams.close();
        azure.close();
    }

    Wiring instance() {
        return Wiring.build(azure.settings(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl(), Settings.STORAGE, azurite.connectionString()),
                azure.options().withAlerts(TeamsWebhookAlertSink::create));
    }

    /** Every event published so far through the Event Grid function, then the alerts flushed, as the host does. */
    TestContext deliver(Wiring wiring) {
        TestContext context = new TestContext(EventGridFunction.NAME);
        EventGridFunction f = EventGridFunction.over(wiring);
        for (JsonObject event : azure.arm.drainEvents()) {
            f.run(event.toString(), context);
        }
        wiring.alerts().flush(Duration.ofSeconds(30));
        return context;
    }

    List<JsonObject> cards() {
        return teams.requests().stream().map(r -> JsonParser.parseString(r.body()).getAsJsonObject()
                .getAsJsonArray("attachments").get(0).getAsJsonObject().getAsJsonObject("content")).toList();
    }

    static List<String> reassociated(TestContext context) {
        return context.log.lines(Level.INFO).stream().filter(l -> l.startsWith("reassociated ")).toList();
    }

    boolean allRepaired(SeededCluster c) {
        return c.nodeSubnetIds().stream().allMatch(s -> azure.routeTableOf(s) != null);
    }

    /** Waits (bounded) until {@code condition} holds; false if it never did. */
    static boolean eventually(java.util.function.BooleanSupplier condition, Duration within) throws InterruptedException {
        Instant end = Instant.now().plus(within);
        while (Instant.now().isBefore(end)) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(20);
        }
        return condition.getAsBoolean();
    }

    SeededCluster clusterWith(int subnets) {
        return Fixtures.kubenetCluster(group, "aks-app").nodePools(subnets).subnetPerPool().seed(azure.arm);
    }

    // ---- the lookup is never on the path to a repair -------------------------------------------------------

    @Test
    void everySubnetIsRepairedWhileTheDeploymentLookupIsHeldAndTheOutcomesNameTheDeploymentOnceItAnswers() throws Exception {
        SeededCluster c = clusterWith(SUBNETS);
        Wiring guard = instance();
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-42", null, PIPELINE);
        assertEquals(SUBNETS, c.nodeSubnetIds().size());
        assertTrue(c.nodeSubnetIds().stream().allMatch(s -> azure.routeTableOf(s) == null), "the deployment stripped them all");
        CountDownLatch release = new CountDownLatch(1);
        azure.arm.inject(Fault.on("GET", DEPLOYMENTS_LISTING).holdUntil(release));
        azure.arm.clearRequests();

        CompletableFuture<TestContext> delivery = CompletableFuture.supplyAsync(() -> deliver(guard));
        // A repair that waited for the lookup would never let this hold: the lookup answers only after it does.
        boolean repairedWhileHeld = eventually(() -> allRepaired(c), Duration.ofSeconds(30));
        release.countDown();
        TestContext context = delivery.get(60, TimeUnit.SECONDS);

        assertTrue(repairedWhileHeld, "all " + SUBNETS + " subnets repaired while the deployments listing was held");
        List<RecordedRequest> byGuard = azure.arm.requests().stream().filter(r -> Principal.GUARD.equals(r.principal())).toList();
        List<Integer> writes = new ArrayList<>();
        int listing = -1;
        for (int i = 0; i < byGuard.size(); i++) {
            RecordedRequest r = byGuard.get(i);
            if (r.method().equals("PUT") && r.path().contains("/subnets/")) {
                writes.add(i);
            } else if (r.path().endsWith("/providers/Microsoft.Resources/deployments")) {
                assertEquals(-1, listing, "one list call for the event: " + byGuard);
                listing = i;
            }
        }
        assertEquals(SUBNETS, writes.size(), byGuard.toString());
        int lastWrite = writes.get(writes.size() - 1);
        assertTrue(listing > lastWrite, "the listing answered after every repair was written (requests are logged as answered): " + byGuard);
        List<String> lines = reassociated(context);
        assertEquals(SUBNETS, lines.size(), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.contains("in deployment vnet-release-42 (resource group " + group)),
                "each outcome names the deployment once it arrived: " + lines);
        List<JsonObject> cards = cards();
        assertEquals(SUBNETS, cards.size());
        assertTrue(cards.stream().allMatch(card -> String.valueOf(facts(card).get("Deployment")).startsWith("vnet-release-42 (resource group "
                + group)), "each card names it too");
        assertFalse(azure.log.all().contains("was not found within"), azure.log.all());
    }

    @Test
    void aLookupStillHeldWhenTheWaitEndsLeavesTheOutcomesNamingThePrincipalSaysSoOnceAndTheHistoryGetsTheDeploymentLater()
            throws Exception {
        SeededCluster c = clusterWith(2);
        Wiring guard = instance();
        IacRedeploy.Deployed deployed = IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-43", null, PIPELINE);
        CountDownLatch release = new CountDownLatch(1);
        azure.arm.inject(Fault.on("GET", DEPLOYMENTS_LISTING).holdUntil(release));

        TestContext context;
        try {
            context = deliver(guard); // returns once the bounded wait for the lookup is over
        } finally {
            release.countDown();
        }

        assertTrue(allRepaired(c));
        List<String> lines = reassociated(context);
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.stream().noneMatch(l -> l.contains("in deployment")), lines.toString());
        assertTrue(lines.stream().allMatch(l -> l.contains("service principal sp-bicep-release")), lines.toString());
        String log = azure.log.all();
        String late = "the deployment that wrote " + SubnetId.parse(c.nodeSubnetId()).virtualNetworkName() + " (correlation ID "
                + deployed.correlationId() + ") was not found within 5000 ms";
        assertTrue(log.contains(late), log);
        assertEquals(log.indexOf(late), log.lastIndexOf(late), "said once for the event, not once per subnet");
        assertTrue(cards().stream().allMatch(card -> facts(card).get("Deployment") == null));
        // the deployment exists: the card must not say none does, nor put Terraform first
        cards().forEach(card -> PreventionEndToEndTest.assertNoToolGuessed(card, "had not answered in time"));

        SubnetId first = SubnetId.parse(c.nodeSubnetId());
        assertTrue(eventually(() -> {
            Map<SubnetId, Recurrence> r = guard.guard().recurrences(List.of(first));
            return r != null && r.get(first) != null && r.get(first).last() != null && r.get(first).last().deployment() != null;
        }, Duration.ofSeconds(30)), "the strip is recorded with the deployment once the lookup answers");
        assertEquals("vnet-release-43 in resource group " + group,
                guard.guard().recurrences(List.of(first)).get(first).last().deployment());
        assertEquals(dev.aksrouteguard.core.model.Attribution.Kind.FOUND,
                guard.guard().recurrences(List.of(first)).get(first).last().lookup());
    }

    // ---- a parent deployment and its Bicep module ----------------------------------------------------------

    /** A module's deployment under the parent's correlation ID, started a second after it, reporting {@code outputs}. */
    void seedModule(IacRedeploy.Deployed parent, String name, String... outputs) {
        JsonObject properties = new JsonObject();
        properties.addProperty("correlationId", parent.correlationId());
        properties.addProperty("provisioningState", "Succeeded");
        properties.addProperty("timestamp", Instant.now().plusSeconds(2).toString());
        properties.addProperty("duration", "PT1S");
        properties.addProperty("templateHash", "4242");
        JsonArray resources = new JsonArray();
        for (String id : outputs) {
            JsonObject ref = new JsonObject();
            ref.addProperty("id", id);
            resources.add(ref);
        }
        properties.add("outputResources", resources);
        JsonObject body = new JsonObject();
        body.add("properties", properties);
        azure.arm.put("/subscriptions/" + Emulated.SUB + "/resourceGroups/" + group + "/providers/Microsoft.Resources/deployments/" + name, body);
    }

    @Test
    void theModuleWhoseOutputResourcesNameTheVnetIsNamedNotItsParentThatListsFirst() {
        SeededCluster c = clusterWith(1);
        Wiring guard = instance();
        IacRedeploy.Deployed parent = IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "main", null, PIPELINE);
        seedModule(parent, "main-network", c.virtualNetworkId());
        seedModule(parent, "main-storage", "/subscriptions/" + Emulated.SUB + "/resourceGroups/" + group
                + "/providers/Microsoft.Storage/storageAccounts/stapp");

        TestContext context = deliver(guard);

        String line = reassociated(context).get(0);
        assertTrue(line.contains("in deployment main-network (resource group " + group + ", template hash 4242"),
                "the module that deployed the VNet, though its parent is listed first: " + line);
        assertTrue(facts(cards().get(0)).get("Deployment").startsWith("main-network (resource group "), cards().get(0).toString());
    }

    @Test
    void whenNoDeploymentReportsTheVnetTheTopLevelOneThatStartedFirstIsNamedWhateverTheListingOrder() {
        SeededCluster c = clusterWith(1);
        Wiring guard = instance();
        IacRedeploy.Deployed parent = IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-44", null, PIPELINE);
        // listed before the parent (the listing is by name), started after it, reporting nothing of the VNet
        seedModule(parent, "a-network-module");

        TestContext context = deliver(guard);

        String line = reassociated(context).get(0);
        assertTrue(line.contains("in deployment vnet-release-44 (resource group " + group), line);
        assertFalse(line.contains("a-network-module"), line);
    }

    // ---- Microsoft's own clients ------------------------------------------------------------------------------

    /** A person signed in through the Microsoft client with {@code appId}. */
    static Principal person(String upn, String appId) {
        return new Principal(UUID.nameUUIDFromBytes(("oid:" + upn).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString(),
                appId, upn, upn, Principal.Kind.USER);
    }

    void assertNamedByClient(String appId, String client) {
        SeededCluster c = clusterWith(1);
        Wiring guard = instance();
        String upn = "alice@contoso.com";
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), person(upn, appId));

        TestContext context = deliver(guard);

        assertNotNull(azure.routeTableOf(c.nodeSubnetId()), "repaired");
        String line = reassociated(context).get(0);
        assertTrue(line.contains(upn + " via " + client + " (app " + appId + ")"), line);
        Map<String, String> facts = facts(cards().get(0));
        assertEquals(client + " (a Microsoft client: a person signed in)", facts.get("Client"), facts.toString());
        assertNull(facts.get("Deployment"), "no deployment carries a write made at a keyboard");
    }

    @Test
    void aWriteThroughAzurePowerShellIsSaidToBeInTheOutcomeAndTheCard() {
        assertNamedByClient(FirstPartyApps.AZURE_POWERSHELL, "Azure PowerShell");
    }

    @Test
    void aWriteInTheAzurePortalIsSaidToBeInTheOutcomeAndTheCard() {
        assertNamedByClient(FirstPartyApps.AZURE_PORTAL, "the Azure portal");
    }

    @Test
    void aWriteThroughTheAzureCliIsSaidToBeInTheOutcomeAndTheCard() {
        assertNamedByClient(FirstPartyApps.AZURE_CLI, "Azure CLI");
    }
}
