package dev.aksrouteguard.teams;

import com.azure.storage.queue.QueueClient;
import dev.aksrouteguard.config.CardFormat;
import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.port.AlertSink;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The {@link AlertSink} for Microsoft Teams: a card per repair and per problem, one summary card per sweep, for
 * {@code TEAMS_WEBHOOK_URL}, with unresolved findings repeated at most every {@code ALERT_REPEAT_HOURS}.
 *
 * <p>A thin sink over three parts: the {@link BackgroundQueue} (so that {@link #outcome} and {@link #sweep} return at
 * once and never throw), the alert memory (claims, in Table storage) with the {@link SweepSummary} that matches a
 * sweep's claims to its findings, and a {@link Dispatch} that posts the rendered card at once or hands it to the
 * Storage queue ({@link TeamsAlertQueue}) for the queue-triggered function to deliver.
 *
 * <p>Because the work is in the background, a caller about to end waits for it: the CLI calls {@link #close()}, a
 * function invocation {@link #flush(Duration)} (with the queue, that is one short Storage call per alert).
 *
 * <p>Built once per worker (or CLI run) by {@link #create}; thread-safe.
 */
public final class TeamsWebhookAlertSink implements AlertSink, AutoCloseable {

    /** How long {@link #close()} waits for queued alerts. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(45);

    private static final String SWEEP_SUMMARY = "sweep summary";

    private final @Nullable BackgroundQueue background;
    private final @Nullable Dispatch dispatch;
    private final CardFormat format;
    private final CardFormatter formatter;
    private final AlertMemory memory;
    private final CardText.Context context;
    private final Clock clock;
    private final Logger log;

    private TeamsWebhookAlertSink(@Nullable Dispatch dispatch, CardFormat format, AlertMemory memory,
            CardText.Context context, Clock clock, Logger log, Redaction redaction) {
        this.dispatch = dispatch;
        this.format = Objects.requireNonNull(format, "format == null");
        this.formatter = CardFormatter.of(format);
        this.memory = Objects.requireNonNull(memory, "memory == null");
        this.context = Objects.requireNonNull(context, "context == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.background = dispatch == null ? null : new BackgroundQueue("teams-alerts", log, redaction);
    }

    /**
     * The sink for {@code settings}: off (every call a no-op) without {@code TEAMS_WEBHOOK_URL}; with it, cards in
     * {@link TeamsMessages#format(Settings) the configured format}, repeat suppression when {@code storage} has a
     * table, and delivery through the Storage queue when it has a queue (the function app), else inline. Logs one
     * Info line saying which ({@link #describe()}), and one Warning for a retired Office 365 connector URL.
     *
     * @param storage the wiring's Storage clients ({@link AlertStorage#NONE} without storage)
     * @param log where the sink logs (the Functions worker's logger, or the CLI's)
     */
    public static TeamsWebhookAlertSink create(Settings settings, AlertStorage storage, Logger log) {
        Objects.requireNonNull(settings, "settings == null");
        Objects.requireNonNull(storage, "storage == null");
        Objects.requireNonNull(log, "log == null");
        Secret url = settings.teamsWebhookUrl();
        Redaction redaction = Redaction.of(url);
        CardText.Context context = TeamsMessages.context(settings);
        CardFormat format = TeamsMessages.format(settings);
        if (url == null) {
            return new TeamsWebhookAlertSink(null, format, AlertMemory.NONE, context, Clock.systemUTC(), log, redaction);
        }
        if (TeamsMessages.isRetiredConnector(url)) {
            log.warning(Settings.TEAMS_WEBHOOK_URL + " is an Office 365 connector URL (*.webhook.office.com): Microsoft "
                    + "has retired connectors in Teams. Create a Workflows webhook in the channel (template \"Send "
                    + "webhook alerts to a channel\", trigger \"When a Teams webhook request is received\") and set "
                    + Settings.TEAMS_WEBHOOK_URL + " to its URL (Adaptive Cards; unset TEAMS_CARD_FORMAT)");
        }
        AlertMemory memory = storage.table() == null
                ? AlertMemory.NONE
                : new TableAlertMemory(storage.table(), settings.alertRepeat(), log, redaction);
        Webhook webhook = new Webhook(url, Webhook.defaultClient(), Webhook.Pause.SLEEP, redaction);
        TeamsWebhookAlertSink sink = new TeamsWebhookAlertSink(dispatch(webhook, memory, storage.queue(), log, redaction),
                format, memory, context, Clock.systemUTC(), log, redaction);
        log.info(sink.describe());
        return sink;
    }

    /** For tests: a sink posting inline through {@code http} (e.g. via a proxy to a local server). */
    static TeamsWebhookAlertSink of(Secret url, @Nullable CardFormat override, HttpClient http, AlertMemory memory,
            CardText.Context context, Clock clock, Webhook.Pause pause, Logger log) {
        return of(url, override, http, memory, null, context, clock, pause, log);
    }

    /** For tests: as above, handing alerts to {@code queue} when given. */
    static TeamsWebhookAlertSink of(Secret url, @Nullable CardFormat override, HttpClient http, AlertMemory memory,
            @Nullable QueueClient queue, CardText.Context context, Clock clock, Webhook.Pause pause, Logger log) {
        Redaction redaction = Redaction.of(url);
        Webhook webhook = new Webhook(url, http, pause, redaction);
        return new TeamsWebhookAlertSink(dispatch(webhook, memory, queue, log, redaction),
                TeamsMessages.formatFor(url, override), memory, context, clock, log, redaction);
    }

    private static Dispatch dispatch(Webhook webhook, AlertMemory memory, @Nullable QueueClient queue, Logger log,
            Redaction redaction) {
        Dispatch post = new PostDispatch(webhook, memory, log);
        return queue == null ? post : new QueueDispatch(queue, post, log, redaction);
    }

    /** True when alerts are sent ({@code TEAMS_WEBHOOK_URL} is set). */
    public boolean enabled() {
        return dispatch != null;
    }

    /** True when unresolved findings are remembered, so that they repeat at most once per window. */
    public boolean suppressesRepeats() {
        return dispatch != null && memory.remembers();
    }

    /** One line for the log or the console: whether alerts go out, in which format, how, and whether repeats are suppressed. */
    public String describe() {
        if (dispatch == null) {
            return "Teams alerts off: " + Settings.TEAMS_WEBHOOK_URL + " is not set";
        }
        String what = format == CardFormat.ADAPTIVE
                ? "Adaptive Cards for a Teams Workflows webhook"
                : "MessageCards for a legacy Office 365 connector";
        String how = dispatch instanceof QueueDispatch ? "; " + dispatch.describe() : "";
        return "Teams alerts on (" + what + "); " + memory.describe() + how;
    }

    @Override
    public void outcome(Outcome outcome) {
        Objects.requireNonNull(outcome, "outcome == null");
        Action action = outcome.action();
        if (background == null || action == Action.IGNORED) {
            return;
        }
        if (action == Action.IN_SYNC && !memory.remembers()) {
            return; // nothing to forget
        }
        background.submit(action.word() + " " + outcome.subnet().name(), () -> deliver(outcome));
    }

    @Override
    public void sweep(SweepReport report) {
        Objects.requireNonNull(report, "report == null");
        if (background == null) {
            return;
        }
        background.submit(SWEEP_SUMMARY, () -> deliver(report));
    }

    /**
     * Waits until every alert queued so far has been delivered (or handed to the Storage queue), given up on or
     * suppressed, or until {@code timeout}.
     *
     * @return true when nothing is left in the queue
     */
    @Override
    public boolean flush(Duration timeout) {
        return background == null || background.flush(timeout);
    }

    /** Delivers what is queued (waiting at most {@link #CLOSE_TIMEOUT}) and stops the background thread. */
    @Override
    public void close() {
        if (background != null) {
            background.close(CLOSE_TIMEOUT);
        }
    }

    // ---- on the background thread ----------------------------------------------------------------------------

    private void deliver(Outcome o) {
        Action action = o.action();
        if (action == Action.IN_SYNC || action == Action.REASSOCIATED) {
            memory.forget(Finding.subject(o.subnet()));
        }
        if (!action.isAlerted()) {
            return;
        }
        AlertMemory.Claim claim = null;
        if (action.isProblem()) {
            claim = memory.claim(Finding.of(o), clock.instant());
            if (!claim.decision().send()) {
                log.fine(() -> "Teams alert suppressed (alerted within the repeat window): " + action.word() + " " + o.subnet());
                return;
            }
        }
        String card = CardSizing.fit(CardText.outcome(o, context, claim), formatter);
        List<String> claimIds = claim == null || claim.claimId() == null ? List.of() : List.of(claim.claimId());
        Objects.requireNonNull(dispatch).send(new AlertMessage(action.word() + " " + o.subnet().name(), card, claimIds));
    }

    private void deliver(SweepReport r) {
        SweepSummary summary = SweepSummary.of(r, context.scopeKey());
        List<AlertMemory.Claim> claims = memory.claimAll(summary.findings(), summary.resolvedSubjects(), clock.instant());
        SweepSummary.News news = summary.news(claims);
        if (news.card().isEmpty()) {
            log.fine(() -> "Teams: nothing new in this sweep; no summary card");
            return;
        }
        String card = CardSizing.fit(CardText.sweep(r, news.card(), context), formatter);
        Objects.requireNonNull(dispatch).send(new AlertMessage(SWEEP_SUMMARY, card, news.claimIds()));
    }

    /** For tests and diagnostics: alerts dropped because the background queue was full. */
    long dropped() {
        return background == null ? 0 : background.dropped();
    }
}
