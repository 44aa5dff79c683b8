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
 * {@code target/}, summarise it) and for anyone who wants to see a card before pointing the guard at a channel. The
 * text comes from {@link CardText}, the size from {@link CardSizing}, the format from the settings:
 * {@code TEAMS_CARD_FORMAT}, else guessed from {@code TEAMS_WEBHOOK_URL}, else an Adaptive Card for a Workflows
 * webhook (the documented path).
 */
public final class TeamsMessages {

    /** Teams refuses messages above about 28 KB; the guard stays under {@link CardSizing#BUDGET_BYTES} (20,000). */
    public static final int MAX_MESSAGE_BYTES = 28_672;

    private TeamsMessages() {}

    /** The JSON message (compact, exactly as it would be posted) for one outcome. */
    public static String render(Outcome outcome, Settings settings) {
        Objects.requireNonNull(outcome, "outcome == null");
        return CardSizing.fit(CardText.outcome(outcome, context(settings), null), CardFormatter.of(format(settings)));
    }

    /** The JSON message (compact, exactly as it would be posted) summarising one sweep, listing every finding. */
    public static String render(SweepReport report, Settings settings) {
        Objects.requireNonNull(report, "report == null");
        return CardSizing.fit(CardText.sweep(report, CardText.SweepNews.all(report), context(settings)),
                CardFormatter.of(format(settings)));
    }

    /** The format the settings select: {@code TEAMS_CARD_FORMAT}, else guessed from the URL. */
    public static CardFormat format(Settings settings) {
        return formatFor(settings.teamsWebhookUrl(), settings.teamsCardFormat());
    }

    /**
     * The override when given; MessageCard for a legacy Office 365 connector URL (so that a connector that still
     * answers keeps getting the card it was made for); otherwise an Adaptive Card for a Workflows webhook.
     */
    static CardFormat formatFor(@Nullable Secret url, @Nullable CardFormat override) {
        if (override != null) {
            return override;
        }
        return url != null && isRetiredConnector(url) ? CardFormat.MESSAGECARD : CardFormat.ADAPTIVE;
    }

    /**
     * True for an Office 365 connector URL (host {@code *.webhook.office.com}, or {@code outlook.office.com/webhook/...}):
     * Microsoft retired connectors in Teams ("Retirement of Office 365 connectors within Microsoft Teams", Microsoft 365
     * developer blog); a Workflows webhook replaces them.
     */
    static boolean isRetiredConnector(Secret url) {
        try {
            URI uri = URI.create(url.reveal());
            String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
            String path = uri.getPath() == null ? "" : uri.getPath().toLowerCase(Locale.ROOT);
            return host.endsWith(".webhook.office.com")
                    || (host.equals("outlook.office.com") || host.equals("outlook.office365.com")) && path.startsWith("/webhook");
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static CardText.Context context(Settings settings) {
        return new CardText.Context(settings.cloud().portal(), settings.scope().key(), settings.scope().describe(),
                settings.alertRepeat());
    }
}
