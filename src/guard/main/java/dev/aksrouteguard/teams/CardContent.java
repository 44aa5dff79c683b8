package dev.aksrouteguard.teams;

import dev.aksrouteguard.core.model.Nullable;
import java.util.List;
import java.util.Objects;

/**
 * What a Teams message says, independent of its format: {@link CardText} writes it, {@link CardSizing} fits it to the
 * size limit, and a {@link CardFormatter} ({@link AdaptiveCardFormatter}, {@link MessageCardFormatter}) turns it into
 * the JSON a webhook accepts. All text is plain: the formatters escape or avoid Markdown.
 *
 * @param title the first line: what happened
 * @param text one paragraph under the title (the outcome's message), or null
 * @param facts label/value rows
 * @param notes labelled paragraphs after the facts (the next step)
 * @param itemsHeading the heading over {@code items}, or null when there are none
 * @param items the listed subnets of a sweep summary
 * @param more the line after the items ("and 12 more …"), or null
 * @param links buttons that open a page (the subnet and the cluster in the portal)
 * @param stop "Stop it recurring": the IaC fix for the tool that most likely made the change, the others one click
 *     away; null on cards without one
 */
record CardContent(
        String title,
        Tone tone,
        @Nullable String text,
        List<Fact> facts,
        List<Fact> notes,
        @Nullable String itemsHeading,
        List<Item> items,
        @Nullable String more,
        List<Link> links,
        @Nullable Stop stop) {

    CardContent {
        Objects.requireNonNull(title, "title == null");
        Objects.requireNonNull(tone, "tone == null");
        facts = List.copyOf(facts);
        notes = List.copyOf(notes);
        items = List.copyOf(items);
        links = List.copyOf(links);
    }

    /** A card without a "Stop it recurring" section. */
    CardContent(String title, Tone tone, @Nullable String text, List<Fact> facts, List<Fact> notes, @Nullable String itemsHeading,
            List<Item> items, @Nullable String more, List<Link> links) {
        this(title, tone, text, facts, notes, itemsHeading, items, more, links, null);
    }

    /** A copy listing only the first {@code n} items, with {@code more} in place of the rest. */
    CardContent withItems(int n, @Nullable String more) {
        return new CardContent(title, tone, text, facts, notes, itemsHeading, items.subList(0, Math.min(n, items.size())), more, links,
                stop);
    }

    /** A copy with {@code value} as its "Stop it recurring" section. */
    CardContent withStop(@Nullable Stop value) {
        return new CardContent(title, tone, text, facts, notes, itemsHeading, items, more, links, value);
    }

    /**
     * "Stop it recurring": what to change in the IaC so that the subnet is not stripped again.
     *
     * @param lead one paragraph: why this tool (and, escalated, how often the subnet was stripped)
     * @param shown the fix shown on the card (the tool that most likely made the change)
     * @param hidden the other tools' fixes, one click away (hidden until toggled)
     * @param pointer where every fix can be had, e.g. {@code aks-route-guard prevent <subnet>}
     */
    record Stop(String heading, Tone tone, String lead, @Nullable Snippet shown, List<Snippet> hidden, String pointer) {
        Stop {
            Objects.requireNonNull(heading, "heading == null");
            Objects.requireNonNull(tone, "tone == null");
            Objects.requireNonNull(lead, "lead == null");
            hidden = List.copyOf(hidden);
            Objects.requireNonNull(pointer, "pointer == null");
        }

        /** Without the other tools' fixes (to fit the size limit). */
        Stop withoutHidden() {
            return new Stop(heading, tone, lead, shown, List.of(), pointer);
        }

        /** With no fix at all, only where to get them (the last resort of the size limit). */
        Stop pointerOnly() {
            return new Stop(heading, tone, lead, null, List.of(), pointer);
        }
    }

    /** One tool's fix: a label ("Terraform") and the text to paste, shown exactly as written in a fixed-width font. */
    record Snippet(String id, String label, String text) {
        Snippet {
            Objects.requireNonNull(id, "id == null");
            Objects.requireNonNull(label, "label == null");
            Objects.requireNonNull(text, "text == null");
        }
    }

    /** How the card is coloured. */
    enum Tone {
        /** A repair. */
        GOOD("Good", "2DC72D"),
        /** Something a person should look at, nothing broken by us (drift reported, conflict). */
        WARNING("Warning", "FFB900"),
        /** Something is broken and was not fixed. */
        ATTENTION("Attention", "D13438"),
        /** Nothing to do (in-sync, ignored: only rendered for the demo). */
        NEUTRAL("Default", "8A8886");

        final String adaptiveColor;
        final String themeColor;

        Tone(String adaptiveColor, String themeColor) {
            this.adaptiveColor = adaptiveColor;
            this.themeColor = themeColor;
        }
    }

    record Fact(String label, String value) {
        Fact {
            Objects.requireNonNull(label, "label == null");
            Objects.requireNonNull(value, "value == null");
        }
    }

    /** One line of a sweep summary: the action word, the subnet (linked to the portal) and what happened. */
    record Item(String label, Tone tone, String subject, @Nullable String link, String detail) {
        Item {
            Objects.requireNonNull(label, "label == null");
            Objects.requireNonNull(tone, "tone == null");
            Objects.requireNonNull(subject, "subject == null");
            Objects.requireNonNull(detail, "detail == null");
        }
    }

    record Link(String title, String url) {
        Link {
            Objects.requireNonNull(title, "title == null");
            Objects.requireNonNull(url, "url == null");
        }
    }
}
