package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Attribution;
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
import dev.aksrouteguard.testing.TestSecrets;
import dev.aksrouteguard.wiring.Wiring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * From repair to prevention, end to end: IaC re-deploys played against the emulator over HTTPS (an ARM/Bicep deployment,
 * or a direct VNet write as Terraform makes it), their own events through the Event Grid function, the Teams card
 * posted to a local stand-in, and the repair history shared through Azurite by separate instances.
 */
@ExtendWith(AzuriteExtension.class)
class PreventionEndToEndTest {

    static final Principal PIPELINE = Principal.servicePrincipal("sp-bicep-release");
    static final Principal TERRAFORM = Principal.servicePrincipal("sp-terraform-platform");

    final Azurite azurite;
    final Emulated azure = Emulated.start();
    final FakeTeams teams = new FakeTeams();
    /** Each test's own resource group, so that the shared history holds nothing of another test's subnets. */
    final String group = "rg-app-" + UUID.randomUUID().toString().substring(0, 8);

    PreventionEndToEndTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @AfterEach
    void stop() {
        teams.close();
        azure.close();
    }

    /** One instance of the guard: its own graph and sink, the emulator as ARM, Azurite as storage, posting to {@link #teams}. */
    Wiring instance(String... extra) {
        List<String> env = new ArrayList<>(List.of(Settings.TEAMS_WEBHOOK_URL, teams.workflowUrl(), Settings.STORAGE,
                azurite.connectionString()));
        env.addAll(List.of(extra));
        return Wiring.build(azure.settings(env.toArray(String[]::new)), azure.options().withAlerts(TeamsWebhookAlertSink::create));
    }

    /** Delivers every event the emulator published since the last call to {@code wiring}'s Event Grid function. */
    TestContext deliver(Wiring wiring) {
        TestContext context = new TestContext(EventGridFunction.NAME);
        EventGridFunction f = EventGridFunction.over(wiring);
        for (JsonObject event : azure.arm.drainEvents()) {
            f.run(event.toString(), context);
        }
        wiring.alerts().flush(java.time.Duration.ofSeconds(30));
        return context;
    }

    List<JsonObject> cards() {
        return teams.requests().stream().map(r -> JsonParser.parseString(r.body()).getAsJsonObject()
                .getAsJsonArray("attachments").get(0).getAsJsonObject().getAsJsonObject("content")).toList();
    }

    static String text(JsonObject card) {
        StringBuilder sb = new StringBuilder();
        collect(card.get("body"), sb);
        return sb.toString();
    }

    private static void collect(JsonElement e, StringBuilder sb) {
        if (e == null || e.isJsonNull()) {
            return;
        }
        if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> collect(x, sb));
        } else if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.has("text")) {
                sb.append(o.get("text").getAsString()).append('\n');
            }
            if (o.has("value")) {
                sb.append(o.get("title").getAsString()).append(": ").append(o.get("value").getAsString().replace("\\", "")).append('\n');
            }
            o.entrySet().forEach(m -> {
                if (!m.getKey().equals("text")) {
                    collect(m.getValue(), sb);
                }
            });
        }
    }

    static Map<String, String> facts(JsonObject card) {
        Map<String, String> facts = new HashMap<>();
        for (JsonElement e : card.getAsJsonArray("body")) {
            if (e.getAsJsonObject().get("type").getAsString().equals("FactSet")) {
                for (JsonElement f : e.getAsJsonObject().getAsJsonArray("facts")) {
                    facts.put(f.getAsJsonObject().get("title").getAsString(), f.getAsJsonObject().get("value").getAsString().replace("\\", ""));
                }
            }
        }
        return facts;
    }

    @Test
    void aBicepRedeployIsNamedByItsDeploymentInTheOutcomeTheLogAndTheCardWhichLeadsWithTheBicepFix() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(azure.arm);
        Wiring guard = instance();
        String sas = "sv=2024-11-04&sr=b&" + "si" + "g=" + TestSecrets.SAS_SIGNATURE; // built at run time: no secret in the sources
        IacRedeploy.Deployed deployed = IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-42",
                "https://stdeploy.blob.core.windows.net/templates/network/main.json?" + sas, PIPELINE);
        assertNull(azure.routeTableOf(c.nodeSubnetId()), "the deployment stripped the table");
        azure.arm.clearRequests();

        TestContext context = deliver(guard);

        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(), "repaired");
        List<RecordedRequest> byGuard = azure.arm.requests().stream().filter(r -> Principal.GUARD.equals(r.principal())).toList();
        int put = indexOf(byGuard, r -> r.method().equals("PUT") && r.path().contains("/subnets/"));
        int lookup = indexOf(byGuard, r -> r.path().endsWith("/providers/Microsoft.Resources/deployments"));
        assertTrue(put >= 0 && lookup > put, "the deployment is looked up only after the repair was written: " + byGuard);
        assertEquals(1, byGuard.stream().filter(r -> r.path().endsWith("/providers/Microsoft.Resources/deployments")).count(),
                "one list call for the event");
        String line = context.log.lines(Level.INFO).stream().filter(l -> l.startsWith("reassociated ")).findFirst().orElseThrow();
        assertTrue(line.contains("correlationId=" + deployed.correlationId()), line);
        assertTrue(line.contains("in deployment vnet-release-42 (resource group " + group
                + ", template https://stdeploy.blob.core.windows.net/templates/network/main.json, started "), line);
        assertTrue(line.contains("service principal sp-bicep-release (app " + PIPELINE.appId() + ")"), line);

        List<JsonObject> cards = cards();
        assertEquals(1, cards.size(), "one card: the repair");
        JsonObject card = cards.get(0);
        Map<String, String> facts = facts(card);
        assertTrue(facts.get("Deployment").startsWith("vnet-release-42 (resource group " + group), facts.toString());
        assertTrue(facts.get("Client").startsWith("service principal " + PIPELINE.appId()), facts.toString());
        String all = text(card);
        assertTrue(all.contains("Stop it recurring"), all);
        assertTrue(all.contains("ARM deployment vnet-release-42 (resource group " + group + ") made the write"), all);
        List<JsonObject> blocks = new ArrayList<>();
        card.getAsJsonArray("body").forEach(e -> blocks.add(e.getAsJsonObject()));
        JsonObject shown = blocks.stream().filter(b -> monospace(b) && !b.has("isVisible")).findFirst().orElseThrow();
        assertTrue(runs(shown).get(0).startsWith("Bicep / ARM"), "the deployment's tool comes first: " + runs(shown));
        assertTrue(runs(shown).get(1).contains("routeTable: {"), runs(shown).get(1));
        assertTrue(runs(shown).get(1).contains("name: '" + c.routeTableId().substring(c.routeTableId().lastIndexOf('/') + 1) + "'"));
        List<JsonObject> hidden = blocks.stream().filter(b -> b.has("isVisible") && !b.get("isVisible").getAsBoolean()).toList();
        assertEquals(Set.of("fix-terraform", "fix-azureCli"), Set.of(hidden.get(0).get("id").getAsString(), hidden.get(1).get("id").getAsString()));
        Set<String> toggled = new java.util.HashSet<>();
        for (JsonObject b : blocks) {
            if (!b.has("inlines")) {
                continue;
            }
            for (JsonElement run : b.getAsJsonArray("inlines")) {
                JsonObject select = run.getAsJsonObject().getAsJsonObject("selectAction");
                if (select != null && select.get("type").getAsString().equals("Action.ToggleVisibility")) {
                    select.getAsJsonArray("targetElements").forEach(t -> toggled.add(t.getAsString()));
                }
            }
        }
        assertEquals(Set.of("fix-terraform", "fix-azureCli"), toggled, "each hidden fix is one click away");
        assertTrue(runs(hidden.stream().filter(h -> h.get("id").getAsString().equals("fix-azureCli")).findFirst().orElseThrow())
                .get(1).startsWith("az network vnet subnet update --subscription " + Emulated.SUB + " --resource-group " + group));
        String posted = teams.requests().get(0).body();
        assertTrue(posted.getBytes(StandardCharsets.UTF_8).length < 20_000, "the card stays within its budget");
        assertFalse(posted.contains(TestSecrets.SAS_SIGNATURE), "the template link's SAS signature never reaches the card");
        assertFalse(line.contains(TestSecrets.SAS_SIGNATURE), "nor the log");
        TestSecrets.assertNoSecretIn(context.log.records);
    }

    @Test
    void aTerraformRedeployNamesThePrincipalAndLeadsWithTheInlineTerraformFix() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(azure.arm);
        Wiring guard = instance();
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), TERRAFORM);

        TestContext context = deliver(guard);

        String line = context.log.lines(Level.INFO).stream().filter(l -> l.startsWith("reassociated ")).findFirst().orElseThrow();
        assertTrue(line.contains("[Microsoft.Network/virtualNetworks/write by service principal sp-terraform-platform"), line);
        assertFalse(line.contains("in deployment"), "no deployment carries the correlation ID: " + line);
        JsonObject card = cards().get(0);
        assertNull(facts(card).get("Deployment"));
        String all = text(card);
        assertTrue(all.contains("No ARM deployment carries the write's correlation ID"), all);
        assertTrue(all.contains("Terraform\n"), "the Terraform fix is the one shown: " + all);
        assertTrue(all.contains("subnet {\n  name             = \"" + SubnetId.parse(c.nodeSubnetId()).name() + "\""), all);
        assertTrue(all.contains("A write of the whole virtual network"), "the VNet write says the subnets are inline: " + all);
    }

    @Test
    void aSubnetStrippedThreeTimesThisWeekEscalatesAcrossSeparateInstancesAndTheAuditCountsIt() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(azure.arm);
        Wiring a = instance();
        Wiring b = instance();
        for (int i = 1; i <= 3; i++) {
            IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-" + i, null, PIPELINE);
            deliver(i % 2 == 0 ? b : a);
            deliver(a); // the guard's own write comes back as an event, found in sync, before the next release
        }

        List<JsonObject> cards = cards();
        assertEquals(3, cards.size());
        assertFalse(firstLine(cards.get(1)).startsWith("Recurring:"), "twice is not yet a pattern: " + firstLine(cards.get(1)));
        JsonObject third = cards.get(2);
        assertTrue(firstLine(third).startsWith("Recurring: Repaired: route table"), firstLine(third));
        String all = text(third);
        assertTrue(all.contains("Stripped 3 times this week, last by service principal sp-bicep-release (app " + PIPELINE.appId()
                + ") (deployment vnet-release-3 in resource group " + group + "): fix the IaC."), all);
        assertTrue(all.indexOf("fix the IaC.") < all.indexOf("routeTable: {"), "followed by the fix");

        Wiring audit = instance();
        Map<SubnetId, Recurrence> counts = audit.guard().recurrences(List.of(SubnetId.parse(c.nodeSubnetId())));
        Recurrence r = counts.get(SubnetId.parse(c.nodeSubnetId()));
        assertEquals(3, r.count(), "a third instance reads what the other two recorded");
        assertEquals("vnet-release-3 in resource group " + group, r.last().deployment());
        assertEquals("Microsoft.Network/virtualNetworks/write", r.last().operation());
    }

    @Test
    void withoutTheDeploymentsReadActionTheRepairStillHappensAndTheLogSaysWhatToGrant() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(azure.arm);
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Set.of("Microsoft.Network/*/read",
                "Microsoft.ContainerService/managedClusters/read", "Microsoft.Network/virtualNetworks/subnets/write",
                "Microsoft.Network/routeTables/join/action", "Microsoft.Network/networkSecurityGroups/join/action",
                "Microsoft.Network/natGateways/join/action"));
        Wiring guard = instance();
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-7", null, PIPELINE);

        TestContext context = deliver(guard);

        assertNotNull(azure.routeTableOf(c.nodeSubnetId()), "repaired all the same");
        assertTrue(azure.log.all().contains("grant the guard's identity Microsoft.Resources/deployments/read"), azure.log.all());
        String line = context.log.lines(Level.INFO).stream().filter(l -> l.startsWith("reassociated ")).findFirst().orElseThrow();
        assertFalse(line.contains("in deployment"), line);
        assertNoToolGuessed(cards().get(0), "was refused (the guard's identity needs Microsoft.Resources/deployments/read)");
        SubnetId subnet = SubnetId.parse(c.nodeSubnetId());
        assertEquals(Attribution.Kind.UNKNOWN, instance().guard().recurrences(List.of(subnet)).get(subnet).last().lookup(),
                "the history keeps that the tool is not known, for the audit");
    }

    @Test
    void aDeploymentsListingThatFailsNamesNoToolOnTheCardThoughADeploymentMadeTheWrite() {
        SeededCluster c = Fixtures.kubenetCluster(group, "aks-app").seed(azure.arm);
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.Resources/deployments$").respond(500, "InternalServerError", "boom").always());
        Wiring guard = instance();
        IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-8", null, PIPELINE);

        TestContext context = deliver(guard);

        assertNotNull(azure.routeTableOf(c.nodeSubnetId()), "repaired all the same");
        String line = context.log.lines(Level.INFO).stream().filter(l -> l.startsWith("reassociated ")).findFirst().orElseThrow();
        assertFalse(line.contains("in deployment"), line);
        assertNoToolGuessed(cards().get(0), "failed");
    }

    /**
     * The card's "Stop it recurring" says the tool is not known and why, blames no tool that calls ARM directly, shows
     * no fix first and keeps every fix one click away.
     */
    static void assertNoToolGuessed(JsonObject card, String reasonWords) {
        String all = text(card);
        assertTrue(all.contains("Which tool made the change is not known: the deployment lookup by the write's correlation ID "
                + reasonWords), all);
        assertFalse(all.contains("No ARM deployment carries"), all);
        assertFalse(all.contains("most often Terraform"), all);
        List<String> hidden = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (JsonElement e : card.getAsJsonArray("body")) {
            JsonObject b = e.getAsJsonObject();
            if (b.has("isVisible") && !b.get("isVisible").getAsBoolean()) {
                hidden.add(b.get("id").getAsString());
            } else if (monospace(b)) {
                shown.add(text(b));
            }
        }
        assertEquals(List.of(), shown, "no fix shown first");
        assertEquals(List.of("fix-terraform", "fix-bicep", "fix-azureCli"), hidden, "every fix one click away");
    }

    static boolean monospace(JsonObject block) {
        JsonArray inlines = block.getAsJsonArray("inlines");
        if (inlines == null) {
            return false;
        }
        for (JsonElement run : inlines) {
            if (run.getAsJsonObject().has("fontType")) {
                return true;
            }
        }
        return false;
    }

    static List<String> runs(JsonObject block) {
        List<String> out = new ArrayList<>();
        block.getAsJsonArray("inlines").forEach(r -> out.add(r.getAsJsonObject().get("text").getAsString()));
        return out;
    }

    static String firstLine(JsonObject card) {
        return card.getAsJsonArray("body").get(0).getAsJsonObject().getAsJsonArray("inlines").get(0).getAsJsonObject().get("text").getAsString();
    }

    static <T> int indexOf(List<T> list, java.util.function.Predicate<T> p) {
        for (int i = 0; i < list.size(); i++) {
            if (p.test(list.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
