package dev.aksrouteguard.teams;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.config.CardFormat;
import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class TeamsMessagesTest {

    private static final Settings SETTINGS = Fixtures.settings(Map.of());

    @Test
    void aWorkflowsMessageHoldsExactlyOneAdaptiveCard14() {
        JsonObject message = parse(TeamsMessages.render(Fixtures.reassociated(subnet("snet-nodes")), SETTINGS));

        assertEquals("message", message.get("type").getAsString());
        JsonArray attachments = message.getAsJsonArray("attachments");
        assertEquals(1, attachments.size());
        JsonObject attachment = attachments.get(0).getAsJsonObject();
        assertEquals("application/vnd.microsoft.card.adaptive", attachment.get("contentType").getAsString());
        assertTrue(attachment.has("contentUrl") && attachment.get("contentUrl").isJsonNull(), "contentUrl is present and null");
        JsonObject card = attachment.getAsJsonObject("content");
        assertEquals("AdaptiveCard", card.get("type").getAsString());
        assertEquals("1.4", card.get("version").getAsString());
        assertEquals("http://adaptivecards.io/schemas/adaptive-card.json", card.get("$schema").getAsString());
        for (JsonElement element : card.getAsJsonArray("body")) {
            assertTrue(List.of("RichTextBlock", "FactSet", "TextBlock").contains(element.getAsJsonObject().get("type").getAsString()),
                    "only elements of Adaptive Cards 1.4: " + element);
        }
    }

    @Test
    void aRepairCardSaysWhatHappenedFirstThenEveryFactAPlatformTeamNeeds() {
        SubnetId snet = subnet("snet-nodes");
        JsonObject card = adaptiveCard(TeamsMessages.render(Fixtures.reassociated(snet), SETTINGS));

        assertEquals("Repaired: route table aks-agentpool-12345678-routetable re-associated with subnet snet-nodes of cluster aks-prod",
                firstLine(card));
        Map<String, String> facts = facts(card);
        assertEquals("aks-prod (resource group rg-aks)", facts.get("Cluster"));
        assertEquals("snet-nodes (VNet vnet-spoke, resource group rg-net)", facts.get("Subnet"));
        assertEquals("aks-agentpool-12345678-routetable (the subnet carried: none)", facts.get("Route table"));
        assertEquals(Fixtures.UPN + ", app " + Fixtures.APP_ID + ", from " + Fixtures.CLIENT_IP, facts.get("Changed by"));
        assertEquals("Microsoft.Network/virtualNetworks/write", facts.get("Operation"));
        assertEquals("written 2025-03-04 10:15:30 UTC, handled 2025-03-04 10:15:44 UTC", facts.get("When"));
        assertEquals("14 s", facts.get("Event to repair"));
        assertEquals("enforce", facts.get("Mode"));
        assertEquals(Fixtures.CORRELATION_ID, facts.get("Correlation ID"));
        assertTrue(allText(card).contains("the subnet lost its route table"), "the outcome's message is on the card");

        List<JsonObject> actions = actions(card);
        assertEquals(2, actions.size());
        for (JsonObject a : actions) {
            assertEquals("Action.OpenUrl", a.get("type").getAsString());
        }
        assertEquals("https://portal.azure.com/#@/resource" + snet.id(), actions.get(0).get("url").getAsString());
        assertEquals("https://portal.azure.com/#@/resource" + Fixtures.CLUSTER, actions.get(1).get("url").getAsString());
    }

    @Test
    void failedAndConflictCardsCarryTheNextStep() {
        JsonObject failed = adaptiveCard(TeamsMessages.render(Fixtures.forbidden(subnet("snet-a"), "r-1"), SETTINGS));
        JsonObject conflict = adaptiveCard(TeamsMessages.render(Fixtures.conflict(subnet("snet-b")), SETTINGS));

        assertEquals("Repair failed: subnet snet-a of cluster aks-prod", firstLine(failed));
        assertTrue(allText(failed).contains("Next step: grant the guard's identity Microsoft.Network/routeTables/join/action"),
                allText(failed));
        assertEquals("Conflict, left alone: subnet snet-b of cluster aks-prod needs a person", firstLine(conflict));
        assertTrue(allText(conflict).contains("Next step: if rt-firewall is not meant to be there"), allText(conflict));
        assertEquals("the cluster's: aks-agentpool-12345678-routetable; the subnet carries: rt\\-firewall".replace("\\", ""),
                facts(conflict).get("Route table").replace("\\", ""));
    }

    @Test
    void aFindingOfTheSweepSaysSoInsteadOfNamingAPerson() {
        Outcome o = Fixtures.driftReported(subnet("snet-a"), Fixtures.sweepTrigger());
        Map<String, String> facts = facts(adaptiveCard(TeamsMessages.render(o, SETTINGS)));

        assertEquals("found by the drift sweep (no event)", facts.get("Changed by"));
        assertEquals("n/a (no event)", facts.get("Event to outcome"));
        assertEquals("none (no event)", facts.get("Correlation ID"));
        assertFalse(facts.containsKey("Operation"));
    }

    @Test
    void portalLinksFollowTheConfiguredCloud() {
        Settings china = Fixtures.settings(Map.of(Settings.AZURE_CLOUD, "AzureChinaCloud"));
        List<JsonObject> actions = actions(adaptiveCard(TeamsMessages.render(Fixtures.reassociated(subnet("snet-a")), china)));

        assertTrue(actions.get(0).get("url").getAsString().startsWith("https://portal.azure.cn/#@/resource/subscriptions/"));
    }

    @Test
    void namesWithMarkdownCharactersAreShownAsWritten() {
        Settings settings = Fixtures.settings(Map.of());
        Outcome o = Fixtures.outcome(SubnetId.of(Fixtures.SUBSCRIPTION, "MC_rg_aks_westeurope", "vnet_spoke", "snet_nodes"),
                Action.FAILED, null, null, "could not read the subnet: *boom* [x](y)", null, Fixtures.event());
        JsonObject card = adaptiveCard(TeamsMessages.render(o, settings));

        // free text goes into text runs (no Markdown in Teams): exact
        assertTrue(allText(card).contains("could not read the subnet: *boom* [x](y)"));
        // fact values are Markdown in Teams: escaped
        assertEquals("snet\\_nodes (VNet vnet\\_spoke, resource group MC\\_rg\\_aks\\_westeurope)", rawFacts(card).get("Subnet"));
    }

    @Test
    void aLegacyOfficeConnectorUrlGetsAMessagecardAndTheSettingOverridesTheGuess() {
        assertEquals(CardFormat.MESSAGECARD, TeamsMessages.formatFor(Secret.of("https://contoso.webhook.office.com/webhookb2/x/IncomingWebhook/y/z"), null));
        assertEquals(CardFormat.MESSAGECARD, TeamsMessages.formatFor(Secret.of("https://outlook.office.com/webhook/x/IncomingWebhook/y"), null));
        assertEquals(CardFormat.ADAPTIVE, TeamsMessages.formatFor(Secret.of("https://prod-07.westeurope.logic.azure.com:443/workflows/x"), null));
        assertEquals(CardFormat.ADAPTIVE, TeamsMessages.formatFor(Secret.of("https://contoso.webhook.office.com/webhookb2/x"), CardFormat.ADAPTIVE));
        assertEquals(CardFormat.ADAPTIVE, TeamsMessages.formatFor(null, null));

        Settings legacy = Fixtures.settings(Map.of(Settings.TEAMS_WEBHOOK_URL, "https://contoso.webhook.office.com/webhookb2/a/IncomingWebhook/b/c"));
        JsonObject card = parse(TeamsMessages.render(Fixtures.forbidden(subnet("snet-a"), "r-1"), legacy));
        assertEquals("MessageCard", card.get("@type").getAsString());
        assertEquals("https://schema.org/extensions", card.get("@context").getAsString());
        assertEquals("Repair failed: subnet snet-a of cluster aks-prod", card.get("summary").getAsString());
        JsonObject open = card.getAsJsonArray("potentialAction").get(0).getAsJsonObject();
        assertEquals("OpenUri", open.get("@type").getAsString());
        assertTrue(open.getAsJsonArray("targets").get(0).getAsJsonObject().get("uri").getAsString().startsWith("https://portal.azure.com/#@/resource/"));
        assertTrue(card.toString().contains("Microsoft.Network/routeTables/join/action"), "next step is on the card");
    }

    @Test
    void aSweepOf1000SubnetsIsOneCardUnderTheTeamsLimitInBothFormats() {
        SweepReport report = Fixtures.bigSweep(1000, 2000);
        for (String format : List.of("adaptive", "messagecard")) {
            Settings settings = Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, format));
            String json = TeamsMessages.render(report, settings);
            int bytes = json.getBytes(StandardCharsets.UTF_8).length;

            assertTrue(bytes < TeamsMessages.MAX_MESSAGE_BYTES, format + ": " + bytes + " bytes");
            assertTrue(json.contains("Drift sweep: 200 re-associated, 800 failed of 1000 node subnets"), format);
            int listed = countOccurrences(json, format.equals("adaptive") ? "\"text\":\"snet-nodes-" : "[snet-nodes-");
            assertTrue(listed > 0 && listed <= CardSizing.MAX_ITEMS, format + " lists " + listed);
            assertTrue(json.contains("and " + (1000 - listed) + " more"), format + " says how many are left out");
        }
    }

    @Test
    void aSweepListsAsManyItemsAsFitWhenEachIsLong() {
        Map<String, String> env = new HashMap<>();
        Settings settings = Fixtures.settings(env);
        // very long subnet names make every item large: fewer than 25 fit
        List<Outcome> outcomes = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            outcomes.add(Fixtures.reassociated(subnet("snet-" + "n".repeat(70) + "-" + i)));
        }
        String json = TeamsMessages.render(Fixtures.sweep(outcomes), settings);
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        int listed = countOccurrences(json, "\"text\":\"snet-");

        assertTrue(bytes <= CardSizing.BUDGET_BYTES, bytes + " bytes");
        assertTrue(listed >= 5 && listed <= CardSizing.MAX_ITEMS, "listed " + listed);
        assertTrue(json.contains("and " + (1000 - listed) + " more"));
    }

    @Test
    void everyCardStaysUnder20KbEvenTheLargestSweepSummaryInBothFormats() {
        // The largest summary the guard can produce: every kind of finding, 80-character subnet names (Azure's
        // maximum), multi-byte text in every message, a thousand subnets not reached, and an error.
        List<Outcome> outcomes = new java.util.ArrayList<>();
        List<Outcome> notReached = new java.util.ArrayList<>();
        String longText = "é€".repeat(3000);
        for (int i = 0; i < 1000; i++) {
            SubnetId s = subnet(String.format("snet-%s-%04d", "n".repeat(70), i));
            Action action = List.of(Action.FAILED, Action.CONFLICT, Action.ROUTE_TABLE_MISSING, Action.DRIFT_REPORTED,
                    Action.REASSOCIATED).get(i % 5);
            outcomes.add(Fixtures.outcome(s, action, Fixtures.ROUTE_TABLE, Fixtures.FOREIGN_TABLE, longText, longText,
                    Fixtures.sweepTrigger()));
            notReached.add(Fixtures.driftReported(subnet(String.format("snet-%s-late-%04d", "m".repeat(65), i)),
                    Fixtures.sweepTrigger()));
        }
        SweepReport largest = new SweepReport(Fixtures.STARTED, Fixtures.FINISHED, dev.aksrouteguard.core.model.Mode.ENFORCE,
                outcomes, notReached, new dev.aksrouteguard.core.model.CallCount(5000, 200), "partly failed: " + longText);
        Outcome hugeOne = Fixtures.outcome(subnet("snet-" + "x".repeat(75)), Action.FAILED, Fixtures.ROUTE_TABLE,
                Fixtures.FOREIGN_TABLE, longText.repeat(30), longText.repeat(30), Fixtures.event());
        for (String format : List.of("adaptive", "messagecard")) {
            Settings settings = Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, format));
            for (String json : List.of(TeamsMessages.render(largest, settings), TeamsMessages.render(hugeOne, settings))) {
                int bytes = json.getBytes(StandardCharsets.UTF_8).length;
                assertTrue(bytes <= CardSizing.BUDGET_BYTES && bytes < 20 * 1024, format + ": " + bytes + " bytes");
                parse(json); // still valid JSON after cutting
            }
            assertTrue(TeamsMessages.render(largest, settings).contains("more (run aks-route-guard audit"), format);
        }
    }

    @Test
    void aHugeErrorMessageIsCutToKeepOneOutcomeUnderTheLimit() {
        Outcome o = Fixtures.outcome(subnet("snet-a"), Action.FAILED, null, null, "could not read: " + "é".repeat(100_000),
                "n".repeat(50_000), Fixtures.event());
        for (String format : List.of("adaptive", "messagecard")) {
            String json = TeamsMessages.render(o, Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, format)));
            assertTrue(json.getBytes(StandardCharsets.UTF_8).length < TeamsMessages.MAX_MESSAGE_BYTES, format);
            assertTrue(json.contains("Repair failed: subnet snet-a"), format);
        }
    }

    @Test
    void theSameProblemHasTheSameReasonWhateverVolatileTextItsMessageCarries() {
        SubnetId s = subnet("snet-a");
        Finding one = Finding.of(Fixtures.forbidden(s, "a1b2c3d4-0000-1111-2222-333344445555"));
        Finding two = Finding.of(Fixtures.forbidden(s, "99999999-8888-7777-6666-555544443333"));
        Finding other = Finding.of(Fixtures.conflict(s));
        Finding elsewhere = Finding.of(Fixtures.forbidden(subnet("snet-b"), "r"));

        assertEquals(one.rowKey(), two.rowKey());
        assertEquals(one.partitionKey(), two.partitionKey());
        assertNotEquals(one.rowKey(), other.rowKey());
        assertNotEquals(one.partitionKey(), elsewhere.partitionKey());
        assertTrue(one.partitionKey().matches("[0-9a-f]{32}") && one.rowKey().matches("[0-9a-f]{32}"), "Table-safe keys");
        assertEquals(Finding.partitionKey(s.toString().toUpperCase()), one.partitionKey(), "IDs compare case-insensitively");
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    static JsonObject parse(String json) {
        return JsonParser.parseString(json).getAsJsonObject();
    }

    static JsonObject adaptiveCard(String json) {
        return parse(json).getAsJsonArray("attachments").get(0).getAsJsonObject().getAsJsonObject("content");
    }

    /** The text of the first body element (its runs joined). */
    static String firstLine(JsonObject card) {
        return text(card.getAsJsonArray("body").get(0).getAsJsonObject());
    }

    static String text(JsonObject element) {
        if (element.has("inlines")) {
            return StreamSupport.stream(element.getAsJsonArray("inlines").spliterator(), false)
                    .map(i -> i.getAsJsonObject().get("text").getAsString()).collect(Collectors.joining());
        }
        return element.has("text") ? element.get("text").getAsString() : "";
    }

    static String allText(JsonObject card) {
        return StreamSupport.stream(card.getAsJsonArray("body").spliterator(), false)
                .map(e -> text(e.getAsJsonObject())).collect(Collectors.joining("\n"));
    }

    /** Fact titles to values with the Markdown escapes removed. */
    static Map<String, String> facts(JsonObject card) {
        Map<String, String> out = new HashMap<>();
        rawFacts(card).forEach((k, v) -> out.put(k.replace("\\", ""), v.replace("\\", "")));
        return out;
    }

    static Map<String, String> rawFacts(JsonObject card) {
        Map<String, String> out = new HashMap<>();
        for (JsonElement e : card.getAsJsonArray("body")) {
            if (e.getAsJsonObject().get("type").getAsString().equals("FactSet")) {
                for (JsonElement f : e.getAsJsonObject().getAsJsonArray("facts")) {
                    out.put(f.getAsJsonObject().get("title").getAsString(), f.getAsJsonObject().get("value").getAsString());
                }
            }
        }
        return out;
    }

    static List<JsonObject> actions(JsonObject card) {
        return StreamSupport.stream(card.getAsJsonArray("actions").spliterator(), false).map(JsonElement::getAsJsonObject).toList();
    }

    static int countOccurrences(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
