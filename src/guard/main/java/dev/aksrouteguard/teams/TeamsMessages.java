package dev.aksrouteguard.teams;

import dev.aksrouteguard.config.CardFormat;
import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * The Teams message the guard would post, as JSON, without posting it: for the CLI's {@code demo} (write it under
 * {@code target/}, summarise it) and for anyone who wants to see a card before pointing the guard at a channel.
 * The format follows the settings: {@code TEAMS_CARD_FORMAT}, else guessed from {@code TEAMS_WEBHOOK_URL}, else an
 * Adaptive Card for a Workflows webhook.
 *
 * <p>Every message stays under {@link #MAX_MESSAGE_BYTES} (Teams' limit): long texts are cut, and a sweep lists as
 * many subnets as fit, then "and N more".
 */
public final class TeamsCards {

    /** Teams refuses messages above about 28 KB. */
    public static final int MAX_MESSAGE_BYTES = 28_672;

    /** What a message may use: the limit less 1 KB of headroom for how Teams wraps it. */
    static final int BUDGET_BYTES = MAX_MESSAGE_BYTES - 1024;

    /** A sweep card lists at most this many subnets; a longer list helps nobody in a channel. */
    static final int MAX_ITEMS = 25;

    private TeamsCards() {}

    /** The JSON message (compact, exactly as it would be posted) for one outcome. */
    public static String render(Outcome outcome, Settings settings) {
        Objects.requireNonNull(outcome, "outcome == null");
        return fit(Cards.outcome(outcome, context(settings), null), CardWriter.of(format(settings)));
    }

    /** The JSON message (compact, exactly as it would be posted) summarising one sweep, listing every finding. */
    public static String render(SweepReport report, Settings settings) {
        Objects.requireNonNull(report, "report == null");
        return fit(Cards.sweep(report, Cards.SweepNews.all(report), context(settings)), CardWriter.of(format(settings)));
    }

    /** The format the settings select: {@code TEAMS_CARD_FORMAT}, else guessed from the URL. */
    public static CardFormat format(Settings settings) {
        return formatFor(settings.teamsWebhookUrl(), settings.teamsCardFormat());
    }

    /**
     * The override when given; MessageCard for a legacy Office 365 connector URL (host {@code *.webhook.office.com},
     * or {@code outlook.office.com/webhook/...}); otherwise an Adaptive Card for a Workflows webhook.
     */
    static CardFormat formatFor(@Nullable Secret url, @Nullable CardFormat override) {
        if (override != null) {
            return override;
        }
        if (url == null) {
            return CardFormat.ADAPTIVE;
        }
        try {
            URI uri = URI.create(url.reveal());
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            String path = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
            boolean legacy = host.endsWith(".webhook.office.com")
                    || (host.equals("outlook.office.com") || host.equals("outlook.office365.com")) && path.startsWith("/webhook");
            return legacy ? CardFormat.MESSAGECARD : CardFormat.ADAPTIVE;
        } catch (IllegalArgumentException e) {
            return CardFormat.ADAPTIVE;
        }
    }

    static Cards.Context context(Settings settings) {
        return new Cards.Context(settings.cloud().portal(), settings.subscriptionId(), settings.alertRepeat());
    }

    /**
     * The card as JSON within {@link #BUDGET_BYTES}: at most {@link #MAX_ITEMS} items, then as many as fit (found by
     * measuring the serialized bytes), with "and N more"; texts are cut further if even no item fits.
     */
    static String fit(Card card, CardWriter writer) {
        int total = card.items().size();
        int max = Math.min(total, MAX_ITEMS);
        Card candidate = withItems(card, max, total);
        if (writer.bytes(candidate) <= BUDGET_BYTES) {
            return writer.json(candidate);
        }
        int lo = 0;
        int hi = max - 1; // max does not fit
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (writer.bytes(withItems(card, mid, total)) <= BUDGET_BYTES) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        candidate = withItems(card, lo, total);
        if (writer.bytes(candidate) <= BUDGET_BYTES) {
            return writer.json(candidate);
        }
        Card shorter = shorten(candidate, 300);
        if (writer.bytes(shorter) <= BUDGET_BYTES) {
            return writer.json(shorter);
        }
        Card minimal = new Card(Cards.truncate(card.title(), 300), card.tone(), null, java.util.List.of(), java.util.List.of(),
                null, java.util.List.of(), total > 0 ? Cards.more(total) : null, card.links());
        return writer.json(minimal);
    }

    private static Card withItems(Card card, int n, int total) {
        return card.withItems(n, n < total ? Cards.more(total - n) : null);
    }

    private static Card shorten(Card card, int max) {
        return new Card(Cards.truncate(card.title(), max), card.tone(),
                card.text() == null ? null : Cards.truncate(card.text(), max),
                card.facts().stream().map(f -> new Card.Fact(f.label(), Cards.truncate(f.value(), max))).toList(),
                card.notes().stream().map(f -> new Card.Fact(f.label(), Cards.truncate(f.value(), max))).toList(),
                card.itemsHeading(), card.items(), card.more(), card.links());
    }
}
