package dev.aksrouteguard.teams;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Nullable;

/**
 * The Teams Workflows format: {@code {"type":"message","attachments":[{"contentType":
 * "application/vnd.microsoft.card.adaptive","contentUrl":null,"content":{AdaptiveCard 1.4}}]}}.
 *
 * <p>Free text (the title, the message, the next step, the sweep's items) goes into {@code RichTextBlock} text runs,
 * which Teams shows as written: no Markdown, so a command or a name like {@code MC_rg_aks_westeurope} comes out
 * exactly and can be copied. Fact values are Markdown in Teams, so they are escaped.
 *
 * <p>"Stop it recurring" shows one fix in a fixed-width text run; the other tools' fixes are hidden blocks that a click
 * on their name shows ({@code Action.ToggleVisibility} as a text run's {@code selectAction}, Adaptive Cards 1.2). Teams
 * supports it in webhook cards: "For Adaptive Cards in Incoming Webhooks, all native Adaptive Card schema elements,
 * except Action.Submit, are fully supported. The supported actions are Action.OpenURL, Action.ShowCard,
 * Action.ToggleVisibility, and Action.Execute" (Teams cards reference,
 * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-reference#support-for-adaptive-cards).
 * Toggling leaves the card's buttons as they are and needs no element beyond text blocks.
 */
final class AdaptiveCardFormatter implements CardFormatter {

    static final String CONTENT_TYPE = "application/vnd.microsoft.card.adaptive";
    static final String VERSION = "1.4";
    static final String SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json";

    @Override
    public JsonObject message(CardContent card) {
        JsonObject attachment = new JsonObject();
        attachment.addProperty("contentType", CONTENT_TYPE);
        attachment.add("contentUrl", JsonNull.INSTANCE);
        attachment.add("content", adaptiveCard(card));
        JsonArray attachments = new JsonArray();
        attachments.add(attachment);
        JsonObject message = new JsonObject();
        message.addProperty("type", "message");
        message.add("attachments", attachments);
        return message;
    }

    private static JsonObject adaptiveCard(CardContent card) {
        JsonArray body = new JsonArray();
        body.add(richText(run(card.title(), "Bolder", "Medium", card.tone())));
        if (card.text() != null) {
            body.add(richText(run(card.text(), null, null, null)));
        }
        if (!card.facts().isEmpty()) {
            JsonArray facts = new JsonArray();
            for (CardContent.Fact f : card.facts()) {
                JsonObject fact = new JsonObject();
                fact.addProperty("title", Markdown.escape(f.label()));
                fact.addProperty("value", Markdown.escape(f.value()));
                facts.add(fact);
            }
            JsonObject factSet = new JsonObject();
            factSet.addProperty("type", "FactSet");
            factSet.add("facts", facts);
            body.add(factSet);
        }
        for (CardContent.Fact note : card.notes()) {
            body.add(richText(run(note.label() + ": ", "Bolder", null, null), run(note.value(), null, null, null)));
        }
        if (card.itemsHeading() != null && !card.items().isEmpty()) {
            JsonObject heading = richText(run(card.itemsHeading(), "Bolder", null, null));
            heading.addProperty("separator", true);
            body.add(heading);
            for (CardContent.Item item : card.items()) {
                JsonObject subject = run(item.subject(), null, null, null);
                if (item.link() != null) {
                    subject.add("selectAction", openUrl(null, item.link()));
                }
                body.add(richText(run(item.label(), "Bolder", null, item.tone()), run(" ", null, null, null), subject,
                        run(" — " + item.detail(), null, null, null)));
            }
        }
        if (card.more() != null) {
            JsonObject more = richText(run(card.more(), null, null, null));
            more.getAsJsonArray("inlines").get(0).getAsJsonObject().addProperty("isSubtle", true);
            body.add(more);
        }
        if (card.stop() != null) {
            stop(body, card.stop());
        }
        JsonArray actions = new JsonArray();
        for (CardContent.Link link : card.links()) {
            actions.add(openUrl(link.title(), link.url()));
        }
        JsonObject content = new JsonObject();
        content.addProperty("$schema", SCHEMA);
        content.addProperty("type", "AdaptiveCard");
        content.addProperty("version", VERSION);
        content.add("body", body);
        if (!actions.isEmpty()) {
            content.add("actions", actions);
        }
        JsonObject msteams = new JsonObject();
        msteams.addProperty("width", "Full");
        content.add("msteams", msteams);
        return content;
    }

    private static void stop(JsonArray body, CardContent.Stop stop) {
        JsonObject heading = richText(run(stop.heading(), "Bolder", null, stop.tone()));
        heading.addProperty("separator", true);
        body.add(heading);
        body.add(richText(run(stop.lead(), null, null, null)));
        if (stop.shown() != null) {
            body.add(snippet(stop.shown()));
        }
        if (!stop.hidden().isEmpty()) {
            JsonArray runs = new JsonArray();
            runs.add(run("Other fixes: ", "Bolder", null, null));
            for (int i = 0; i < stop.hidden().size(); i++) {
                CardContent.Snippet s = stop.hidden().get(i);
                if (i > 0) {
                    runs.add(run(" · ", null, null, null));
                }
                JsonObject link = run(s.label(), null, null, null);
                JsonObject toggle = new JsonObject();
                toggle.addProperty("type", "Action.ToggleVisibility");
                toggle.addProperty("title", "Show or hide the " + s.label() + " fix");
                JsonArray targets = new JsonArray();
                targets.add(s.id());
                toggle.add("targetElements", targets);
                link.add("selectAction", toggle);
                runs.add(link);
            }
            JsonObject others = new JsonObject();
            others.addProperty("type", "RichTextBlock");
            others.add("inlines", runs);
            body.add(others);
            for (CardContent.Snippet s : stop.hidden()) {
                JsonObject block = snippet(s);
                block.addProperty("id", s.id());
                block.addProperty("isVisible", false);
                body.add(block);
            }
        }
        JsonObject pointer = richText(run(stop.pointer(), null, null, null));
        pointer.getAsJsonArray("inlines").get(0).getAsJsonObject().addProperty("isSubtle", true);
        body.add(pointer);
    }

    /** A fix: its label, then its text exactly as written, in a fixed-width font. */
    private static JsonObject snippet(CardContent.Snippet s) {
        JsonObject text = run(s.text(), null, null, null);
        text.addProperty("fontType", "Monospace");
        return richText(run(s.label() + "\n", "Bolder", null, null), text);
    }

    private static JsonObject richText(JsonObject... runs) {
        JsonArray inlines = new JsonArray();
        for (JsonObject r : runs) {
            inlines.add(r);
        }
        JsonObject block = new JsonObject();
        block.addProperty("type", "RichTextBlock");
        block.add("inlines", inlines);
        return block;
    }

    private static JsonObject run(String text, @Nullable String weight, @Nullable String size, @Nullable CardContent.Tone tone) {
        JsonObject run = new JsonObject();
        run.addProperty("type", "TextRun");
        run.addProperty("text", text);
        if (weight != null) {
            run.addProperty("weight", weight);
        }
        if (size != null) {
            run.addProperty("size", size);
        }
        if (tone != null && tone != CardContent.Tone.NEUTRAL) {
            run.addProperty("color", tone.adaptiveColor);
        }
        return run;
    }

    private static JsonObject openUrl(@Nullable String title, String url) {
        JsonObject action = new JsonObject();
        action.addProperty("type", "Action.OpenUrl");
        if (title != null) {
            action.addProperty("title", title);
        }
        action.addProperty("url", url);
        return action;
    }
}
