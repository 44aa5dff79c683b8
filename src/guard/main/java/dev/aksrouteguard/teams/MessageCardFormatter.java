package dev.aksrouteguard.teams;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
                        .append(lines(stop.shown().text()));
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

    /** A line start Markdown reads as a header, list item, rule or quote; the escaped form of {@code >} and {@code *} is already safe. */
    private static final Pattern BLOCK_START = Pattern.compile("^(?:[#+=-]|\\d+(?=[.)]))");

    /**
     * Text whose lines matter (a fix to paste) in a connector card. Connector cards render a newline only for
     * {@code \n\n}, not for {@code \n}, and read {@code #} at a line's start as a header, {@code - } or {@code 1. } as
     * a list item (Teams, "Format cards in Microsoft Teams", Markdown for connector cards,
     * https://learn.microsoft.com/microsoftteams/platform/task-modules-and-cards/cards/cards-format). So every line
     * is a paragraph of its own, with such a start escaped; blank lines and indentation go (HCL, Bicep and the CLI do
     * not depend on them, and four leading spaces would start a code block, in which the escapes would show).
     */
    static String lines(String text) {
        StringBuilder out = new StringBuilder(text.length() + 64);
        for (String line : text.split("\n")) {
            String escaped = Markdown.escape(line.strip());
            if (escaped.isEmpty()) {
                continue;
            }
            if (out.length() > 0) {
                out.append("\n\n");
            }
            Matcher m = BLOCK_START.matcher(escaped);
            if (m.find()) {
                // "#" becomes "\#"; "1." becomes "1\." (a digit cannot be escaped, the dot after it can)
                int at = Character.isDigit(escaped.charAt(0)) ? m.end() : 0;
                out.append(escaped, 0, at).append('\\').append(escaped, at, escaped.length());
            } else {
                out.append(escaped);
            }
        }
        return out.toString();
    }
}
