package dev.aksrouteguard.teams;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * The legacy Office 365 connector format ({@code *.webhook.office.com}): a MessageCard with one section of facts and
 * {@code OpenUri} buttons. Connector cards render Markdown everywhere (an underscore in {@code MC_rg_aks} turns
 * into italics), so every text is escaped.
 */
final class MessageCardFormatter implements CardFormatter {

    @Override
    public JsonObject message(CardContent card) {
        JsonObject message = new JsonObject();
        message.addProperty("@type", "MessageCard");
        message.addProperty("@context", "https://schema.org/extensions");
        message.addProperty("summary", card.title());
        message.addProperty("themeColor", card.tone().themeColor);
        message.addProperty("title", Markdown.escape(card.title()));
        if (card.text() != null) {
            message.addProperty("text", Markdown.escape(card.text()));
        }
        JsonArray sections = new JsonArray();
        if (!card.facts().isEmpty()) {
            JsonArray facts = new JsonArray();
            for (CardContent.Fact f : card.facts()) {
                JsonObject fact = new JsonObject();
                fact.addProperty("name", Markdown.escape(f.label()));
                fact.addProperty("value", Markdown.escape(f.value()));
                facts.add(fact);
            }
            JsonObject section = new JsonObject();
            section.add("facts", facts);
            section.addProperty("markdown", true);
            sections.add(section);
        }
        for (CardContent.Fact note : card.notes()) {
            JsonObject section = new JsonObject();
            section.addProperty("text", "**" + Markdown.escape(note.label()) + ":** " + Markdown.escape(note.value()));
            section.addProperty("markdown", true);
            sections.add(section);
        }
        if (card.itemsHeading() != null && !card.items().isEmpty()) {
            StringBuilder text = new StringBuilder();
            for (CardContent.Item item : card.items()) {
                if (text.length() > 0) {
                    text.append("\n\n");
                }
                text.append("**").append(Markdown.escape(item.label())).append("** ");
                if (item.link() != null) {
                    text.append('[').append(Markdown.escape(item.subject())).append("](").append(item.link()).append(')');
                } else {
                    text.append(Markdown.escape(item.subject()));
                }
                text.append(" — ").append(Markdown.escape(item.detail()));
            }
            if (card.more() != null) {
                text.append("\n\n").append(Markdown.escape(card.more()));
            }
            JsonObject section = new JsonObject();
            section.addProperty("activityTitle", Markdown.escape(card.itemsHeading()));
            section.addProperty("text", text.toString());
            section.addProperty("markdown", true);
            sections.add(section);
        } else if (card.more() != null) {
            JsonObject section = new JsonObject();
            section.addProperty("text", Markdown.escape(card.more()));
            sections.add(section);
        }
        if (card.stop() != null) {
            CardContent.Stop stop = card.stop();
            StringBuilder text = new StringBuilder(Markdown.escape(stop.lead()));
            if (stop.shown() != null) {
                text.append("\n\n**").append(Markdown.escape(stop.shown().label())).append(":**\n\n")
                        .append(Markdown.escape(stop.shown().text()));
            }
            text.append("\n\n").append(Markdown.escape(stop.pointer()));
            JsonObject section = new JsonObject();
            section.addProperty("activityTitle", Markdown.escape(stop.heading()));
            section.addProperty("text", text.toString());
            section.addProperty("markdown", true);
            sections.add(section);
        }
        if (!sections.isEmpty()) {
            message.add("sections", sections);
        }
        JsonArray actions = new JsonArray();
        for (CardContent.Link link : card.links()) {
            JsonObject target = new JsonObject();
            target.addProperty("os", "default");
            target.addProperty("uri", link.url());
            JsonArray targets = new JsonArray();
            targets.add(target);
            JsonObject action = new JsonObject();
            action.addProperty("@type", "OpenUri");
            action.addProperty("name", link.title());
            action.add("targets", targets);
            actions.add(action);
        }
        if (!actions.isEmpty()) {
            message.add("potentialAction", actions);
        }
        return message;
    }
}
