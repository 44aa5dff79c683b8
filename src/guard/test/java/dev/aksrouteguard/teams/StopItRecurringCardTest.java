package dev.aksrouteguard.teams;

import static dev.aksrouteguard.teams.Fixtures.subnet;
import static dev.aksrouteguard.teams.TeamsMessagesTest.adaptiveCard;
import static dev.aksrouteguard.teams.TeamsMessagesTest.allText;
import static dev.aksrouteguard.teams.TeamsMessagesTest.facts;
import static dev.aksrouteguard.teams.TeamsMessagesTest.firstLine;
import static dev.aksrouteguard.teams.TeamsMessagesTest.parse;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Attribution;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.Strip;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** "Stop it recurring" on the cards of a stripped subnet, its escalation, and its place in the size budget. */
class StopItRecurringCardTest {

    static final Settings SETTINGS = Fixtures.settings(Map.of());

    static List<JsonObject> body(JsonObject card) {
        List<JsonObject> out = new ArrayList<>();
        card.getAsJsonArray("body").forEach(e -> out.add(e.getAsJsonObject()));
        return out;
    }

    @Test
    void aRepairCardShowsTheFixOfTheLikelyToolAndTheOthersOneClickAway() {
        JsonObject card = adaptiveCard(TeamsMessages.render(Fixtures.reassociated(subnet("snet-nodes")), SETTINGS));

        String text = allText(card);
        assertTrue(text.contains("Stop it recurring"), text);
        List<JsonObject> shown = body(card).stream().filter(b -> b.toString().contains("\"fontType\":\"Monospace\"")
                && !b.has("isVisible")).toList();
        assertEquals(1, shown.size(), "one fix shown");
        assertTrue(TeamsMessagesTest.text(shown.get(0)).startsWith("Terraform\n"), "a VNet write without a deployment: Terraform");
        assertTrue(TeamsMessagesTest.text(shown.get(0)).contains("subnet {"), "the VNet write says inline subnets");
        Set<String> hidden = new HashSet<>();
        body(card).stream().filter(b -> b.has("isVisible") && !b.get("isVisible").getAsBoolean()).forEach(b -> hidden.add(b.get("id").getAsString()));
        assertEquals(Set.of("fix-bicep", "fix-azureCli"), hidden);
        Set<String> toggles = new HashSet<>();
        for (JsonObject b : body(card)) {
            if (b.has("inlines")) {
                for (JsonElement run : b.getAsJsonArray("inlines")) {
                    JsonObject select = run.getAsJsonObject().getAsJsonObject("selectAction");
                    if (select != null) {
                        assertEquals("Action.ToggleVisibility", select.get("type").getAsString());
                        select.getAsJsonArray("targetElements").forEach(t -> toggles.add(t.getAsString()));
                    }
                }
            }
        }
        assertEquals(hidden, toggles, "each hidden fix has its toggle");
        assertEquals("Azure CLI (a Microsoft client: a person signed in)", facts(card).get("Client"));
    }

    @Test
    void aDriftReportedCardHasTheFixAndProblemsThatAreNotDriftHaveNone() {
        assertTrue(allText(adaptiveCard(TeamsMessages.render(Fixtures.driftReported(subnet("snet-a"), Fixtures.event()), SETTINGS)))
                .contains("Stop it recurring"));
        for (Outcome o : List.of(Fixtures.conflict(subnet("snet-b")), Fixtures.forbidden(subnet("snet-c"), "r-1"))) {
            assertFalse(allText(adaptiveCard(TeamsMessages.render(o, SETTINGS))).contains("Stop it recurring"), o.action().word());
        }
    }

    @Test
    void aSubnetStrippedTooOftenEscalatesAndSaysByWhomBeforeTheFix() {
        Outcome o = Fixtures.reassociated(subnet("snet-nodes"));
        Strip last = Strip.of(o);
        Outcome recurring = o.withRecurrence(new Recurrence(4, last, Recurrence.Policy.DEFAULT));
        Outcome once = o.withRecurrence(new Recurrence(1, last, Recurrence.Policy.DEFAULT));

        JsonObject card = adaptiveCard(TeamsMessages.render(recurring, SETTINGS));
        JsonObject calm = adaptiveCard(TeamsMessages.render(once, SETTINGS));

        assertTrue(firstLine(card).startsWith("Recurring: Repaired: route table aks-agentpool-12345678-routetable"), firstLine(card));
        assertEquals("Attention", card.getAsJsonArray("body").get(0).getAsJsonObject().getAsJsonArray("inlines").get(0)
                .getAsJsonObject().get("color").getAsString());
        String text = allText(card);
        assertTrue(text.contains("Stripped 4 times this week, last by " + Fixtures.UPN + " via Azure CLI (app " + Fixtures.APP_ID
                + "): fix the IaC."), text);
        assertTrue(text.indexOf("fix the IaC.") < text.indexOf("data \"azurerm_resources\""), "followed by the fix");
        assertFalse(firstLine(calm).startsWith("Recurring"), "once is not a pattern");
        assertEquals("stripped once this week, last by " + Fixtures.UPN + " via Azure CLI (app " + Fixtures.APP_ID + ")",
                facts(calm).get("Stripped"));
    }

    @Test
    void theSectionGivesWayToTheSizeLimitFirstTheOtherFixesThenTheFixLeavingWhereToGetThem() {
        CardContent.Snippet big = new CardContent.Snippet("fix-terraform", "Terraform", "x".repeat(12_000));
        CardContent.Snippet bigger = new CardContent.Snippet("fix-bicep", "Bicep / ARM", "y".repeat(12_000));
        CardContent.Stop stop = new CardContent.Stop("Stop it recurring", CardContent.Tone.NEUTRAL, "lead", big, List.of(bigger),
                "every fix: aks-route-guard prevent /subscriptions/s --format all");
        CardContent card = new CardContent("title", CardContent.Tone.GOOD, "text", List.of(), List.of(), null, List.of(), null,
                List.of(), stop);
        CardContent huge = card.withStop(new CardContent.Stop(stop.heading(), stop.tone(), stop.lead(),
                new CardContent.Snippet("fix-terraform", "Terraform", "z".repeat(30_000)), List.of(bigger), stop.pointer()));

        for (CardFormatter f : List.of(new AdaptiveCardFormatter(), new MessageCardFormatter())) {
            String fitted = CardSizing.fit(card, f);
            assertTrue(fitted.getBytes(StandardCharsets.UTF_8).length <= CardSizing.BUDGET_BYTES);
            assertTrue(fitted.contains("x".repeat(12_000)), "the likely tool's fix stays");
            assertFalse(fitted.contains("y".repeat(100)), "the other fix gives way");
            String minimal = CardSizing.fit(huge, f);
            assertTrue(minimal.getBytes(StandardCharsets.UTF_8).length <= CardSizing.BUDGET_BYTES);
            assertFalse(minimal.contains("z".repeat(100)));
            assertTrue(minimal.contains("aks-route-guard prevent /subscriptions/s --format all"), "where to get every fix stays");
            parse(fitted);
        }
    }

    @Test
    void whenTheDeploymentLookupGaveNoAnswerNoFixIsShownFirstEveryFixIsOneClickAwayAndTheLeadSaysWhy() {
        for (Attribution.Reason reason : Attribution.Reason.values()) {
            Outcome o = Fixtures.reassociated(subnet("snet-nodes")).withAttribution(Attribution.unknown(reason));

            JsonObject card = adaptiveCard(TeamsMessages.render(o, SETTINGS));
            JsonObject legacy = parse(TeamsMessages.render(o, Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, "messagecard"))));

            String text = allText(card);
            assertTrue(text.contains("Which tool made the change is not known: the deployment lookup by the write's correlation ID "
                    + reason.words()), text);
            assertFalse(text.contains("most often Terraform"), text);
            assertFalse(text.contains("No ARM deployment carries"), text);
            List<JsonObject> shown = body(card).stream().filter(b -> b.toString().contains("\"fontType\":\"Monospace\"")
                    && !b.has("isVisible")).toList();
            assertEquals(0, shown.size(), "no tool's fix shown first: " + reason);
            Set<String> hidden = new HashSet<>();
            body(card).stream().filter(b -> b.has("isVisible") && !b.get("isVisible").getAsBoolean())
                    .forEach(b -> hidden.add(b.get("id").getAsString()));
            assertEquals(Set.of("fix-terraform", "fix-bicep", "fix-azureCli"), hidden, "every fix one click away");
            String legacyText = legacy.toString();
            assertFalse(legacyText.contains("**Terraform:**"), "the connector card shows no fix first either");
            assertTrue(legacyText.contains("aks-route-guard prevent " + subnet("snet-nodes")), legacyText);
        }
    }

    @Test
    void aLegacyConnectorCardCarriesTheLikelyFixAndWhereToGetTheOthers() {
        Settings legacy = Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, "messagecard"));
        JsonObject card = parse(TeamsMessages.render(Fixtures.reassociated(subnet("snet-nodes")), legacy));
        JsonObject section = null;
        for (JsonElement s : card.getAsJsonArray("sections")) {
            if (s.getAsJsonObject().has("activityTitle") && s.getAsJsonObject().get("activityTitle").getAsString().equals("Stop it recurring")) {
                section = s.getAsJsonObject();
            }
        }
        assertTrue(section != null, card.toString());
        String text = section.get("text").getAsString().replace("\\", "");
        assertTrue(text.contains("**Terraform:**"), text);
        assertTrue(text.contains("aks-route-guard prevent " + subnet("snet-nodes")), text);
        assertNull(card.get("attachments"));
    }
    /**
     * Connector cards render a newline only for {@code \n\n}, and {@code # } at the start of a line is a header,
     * {@code - }/{@code 1. } a list (Teams, "Format cards in Microsoft Teams", Markdown for connector cards). A
     * Terraform fix is mostly {@code #} comment lines joined by single newlines: sent as it is, it renders as one
     * header run into one paragraph, and cannot be copied.
     */
    @Test
    void aLegacyConnectorCardShowsEveryLineOfTheFixOnItsOwnLineAndNoneAsAHeaderOrList() {
        Outcome o = Fixtures.reassociated(subnet("snet-nodes"));
        JsonObject card = parse(TeamsMessages.render(o, Fixtures.settings(Map.of(Settings.TEAMS_CARD_FORMAT, "messagecard"))));
        String text = null;
        for (JsonElement s : card.getAsJsonArray("sections")) {
            JsonObject section = s.getAsJsonObject();
            if (section.has("activityTitle") && section.get("activityTitle").getAsString().equals("Stop it recurring")) {
                text = section.get("text").getAsString();
            }
        }
        assertTrue(text != null, card.toString());
        assertFalse(text.replace("\n\n", "").contains("\n"), "a single newline is not rendered in a connector card: " + text);
        List<String> paragraphs = List.of(text.split("\n\n"));
        for (String p : paragraphs) {
            assertFalse(p.startsWith("#"), "renders as a header: " + p);
            assertFalse(p.matches("(?s)\\s*([-+*]|\\d+[.)])\\s.*"), "renders as a list item: " + p);
        }
        JsonObject adaptive = adaptiveCard(TeamsMessages.render(o, SETTINGS));
        String fix = body(adaptive).stream().filter(b -> b.toString().contains("\"fontType\":\"Monospace\"") && !b.has("isVisible"))
                .map(TeamsMessagesTest::text).findFirst().orElseThrow().substring("Terraform\n".length());
        List<String> shown = paragraphs.stream().map(p -> p.replace("\\", "").strip()).toList();
        for (String line : fix.split("\n")) {
            if (!line.isBlank()) {
                assertTrue(shown.contains(line.strip()), "the fix's line is a paragraph of its own: " + line + "\n" + text);
            }
        }
    }

    @Test
    void aConnectorCardEscapesEveryLineStartMarkdownWouldReadAsABlock() {
        assertEquals("1\\. a\n\n\\- b\n\n\\+ c\n\n\\# d\n\n\\=== e\n\n\\> f\n\nx = \"g\\_h\"",
                MessageCardFormatter.lines("  1. a\n- b\n\n+ c\n# d\n=== e\n> f\n    x = \"g_h\"\n"));
    }
}
