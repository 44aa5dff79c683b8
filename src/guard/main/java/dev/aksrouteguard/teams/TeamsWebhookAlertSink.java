package dev.aksrouteguard.teams;

import com.azure.core.credential.TokenCredential;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The {@link AlertSink} for Microsoft Teams: a card per repair and per problem, one summary card per sweep, posted to
 * {@code TEAMS_WEBHOOK_URL}, with unresolved findings repeated at most every {@code ALERT_REPEAT_HOURS}.
 *
 * <p><b>Never in the way of a repair.</b> {@link #outcome} and {@link #sweep} only queue the work (a bounded queue
 * of {@value #QUEUE_CAPACITY}; beyond it alerts are dropped with a Warning) and return at once; one background
 * thread consults the alert memory, renders and posts, in order. They never throw. A message that cannot be
 * delivered after the bounded retry is one Warning line, without the URL. Because the work is in the background,
 * a caller that is about to end should wait for it: the CLI calls {@link #close()} before exiting, and a function
 * invocation may call {@link #flush(Duration)} before returning (so an instance scaled in right after the
 * invocation does not lose the alert).
 *
 * <p>Built once per worker (or CLI run) by {@link #create}; thread-safe.
 */
public final class TeamsWebhookAlertSink implements AlertSink, AutoCloseable {

    /** Alerts waiting beyond this are dropped (with a Warning): a storm must not eat the worker's memory. */
    static final int QUEUE_CAPACITY = 200;
    /** How long {@link #close()} waits for queued alerts. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(45);

    private final @Nullable Webhook webhook;
    private final CardFormat format;
    private final CardWriter writer;
    private final AlertMemory memory;
    private final Cards.Context context;
    private final Clock clock;
    private final Logger log;
    private final Redaction redaction;
    private final @Nullable ThreadPoolExecutor worker;
    private final AtomicLong dropped = new AtomicLong();
    private final Object lock = new Object();
    private int pending;
    private boolean closed;

    TeamsWebhookAlertSink(@Nullable Webhook webhook, CardFormat format, AlertMemory memory, Cards.Context context,
            Clock clock, Logger log, Redaction redaction) {
        this.webhook = webhook;
        this.format = Objects.requireNonNull(format, "format == null");
        this.writer = CardWriter.of(format);
        this.memory = Objects.requireNonNull(memory, "memory == null");
        this.context = Objects.requireNonNull(context, "context == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.redaction = Objects.requireNonNull(redaction, "redaction == null");
        if (webhook == null) {
            this.worker = null;
        } else {
            ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(QUEUE_CAPACITY), r -> {
                        Thread t = new Thread(r, "teams-alerts");
                        t.setDaemon(true);
                        return t;
                    }, new ThreadPoolExecutor.AbortPolicy());
            pool.allowCoreThreadTimeOut(true);
            this.worker = pool;
        }
    }

    /**
     * The sink for {@code settings}: off (every call a no-op) without {@code TEAMS_WEBHOOK_URL}; with it, cards in
     * {@link TeamsCards#format(Settings) the configured format}, and repeat suppression in Table storage when
     * {@code AzureWebJobsStorage} (or its identity-based form) is set. Logs one Info line saying which
     * ({@link #describe()}).
     *
     * @param credential used for an identity-based storage connection without {@code AzureWebJobsStorage__clientId};
     *     null means {@code DefaultAzureCredential}
     * @param logger where the sink logs (the Functions context logger, or the CLI's); null means the
     *     {@code dev.aksrouteguard.teams} logger
     */
    public static TeamsWebhookAlertSink create(Settings settings, @Nullable TokenCredential credential, @Nullable Logger logger) {
        Objects.requireNonNull(settings, "settings == null");
        Logger log = logger != null ? logger : Logger.getLogger(TeamsWebhookAlertSink.class.getPackageName());
        Secret url = settings.teamsWebhookUrl();
        Redaction redaction = Redaction.of(url);
        Cards.Context context = TeamsCards.context(settings);
        CardFormat format = TeamsCards.format(settings);
        if (url == null) {
            return new TeamsWebhookAlertSink(null, format, AlertMemory.NONE, context, Clock.systemUTC(), log, redaction);
        }
        AlertMemory memory = settings.storage() == null
                ? AlertMemory.NONE
                : TableAlertMemory.connect(settings.storage(), credential, TableAlertMemory.DEFAULT_TABLE,
                        settings.alertRepeat(), log, redaction);
        TeamsWebhookAlertSink sink = new TeamsWebhookAlertSink(
                new Webhook(url, Webhook.defaultClient(), Webhook.Pause.SLEEP, redaction), format, memory, context,
                Clock.systemUTC(), log, redaction);
        log.info(sink.describe());
        return sink;
    }

    /** For tests: a sink posting through {@code http} (e.g. via a proxy to a local server) with the given parts. */
    static TeamsWebhookAlertSink of(Secret url, @Nullable CardFormat override, HttpClient http, AlertMemory memory,
            Cards.Context context, Clock clock, Webhook.Pause pause, Logger log) {
        Redaction redaction = Redaction.of(url);
        return new TeamsWebhookAlertSink(new Webhook(url, http, pause, redaction), TeamsCards.formatFor(url, override),
                memory, context, clock, log, redaction);
    }

    /** True when alerts are sent ({@code TEAMS_WEBHOOK_URL} is set). */
    public boolean enabled() {
        return webhook != null;
    }

    /** True when unresolved findings are remembered, so that they repeat at most once per window. */
    public boolean suppressesRepeats() {
        return webhook != null && memory.remembers();
    }

    /** One line for the log or the console: whether alerts go out, in which format, and whether repeats are suppressed. */
    public String describe() {
        if (webhook == null) {
            return "Teams alerts off: " + Settings.TEAMS_WEBHOOK_URL + " is not set";
        }
        String what = format == CardFormat.ADAPTIVE
                ? "Adaptive Cards for a Teams Workflows webhook"
                : "MessageCards for a legacy Office 365 connector";
        return "Teams alerts on (" + what + "); " + memory.describe();
    }

    @Override
    public void outcome(Outcome outcome) {
        Objects.requireNonNull(outcome, "outcome == null");
        Action action = outcome.action();
        if (webhook == null || action == Action.IGNORED) {
            return;
        }
        if (action == Action.IN_SYNC && !memory.remembers()) {
            return; // nothing to forget
        }
        enqueue(action.word() + " " + outcome.subnet().name(), () -> deliver(outcome));
    }

    @Override
    public void sweep(SweepReport report) {
        Objects.requireNonNull(report, "report == null");
        if (webhook == null) {
            return;
        }
        enqueue("sweep summary", () -> deliver(report));
    }

    /**
     * Waits until every alert queued so far has been delivered, given up on or suppressed, or until {@code timeout}.
     *
     * @return true when nothing is left in the queue
     */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return pending == 0;
                }
            }
            return true;
        }
    }

    /** Delivers what is queued (waiting at most {@link #CLOSE_TIMEOUT}) and stops the background thread. */
    @Override
    public void close() {
        if (worker == null) {
            return;
        }
        boolean drained = flush(CLOSE_TIMEOUT);
        int left;
        synchronized (lock) {
            closed = true;
            left = pending;
        }
        worker.shutdownNow();
        if (!drained) {
            log.warning("Teams alerts: " + left + " alert(s) still queued at shutdown were not sent");
        }
    }

    private void enqueue(String what, Runnable task) {
        synchronized (lock) {
            if (closed) {
                log.warning("Teams alerts: " + what + " arrived after shutdown; not sent");
                return;
            }
            pending++;
        }
        try {
            Objects.requireNonNull(worker).execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warning("Teams alerts: " + what + " not sent: " + redaction.describe(e));
                } finally {
                    done();
                }
            });
        } catch (RejectedExecutionException e) {
            done();
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 100 == 0) {
                log.warning("Teams alerts: more than " + QUEUE_CAPACITY + " alerts waiting; dropped " + what
                        + " (" + n + " dropped so far)");
            }
        }
    }

    private void done() {
        synchronized (lock) {
            pending--;
            lock.notifyAll();
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
        String json = TeamsCards.fit(Cards.outcome(o, context, claim), writer);
        Webhook.Delivery d = Objects.requireNonNull(webhook).post(json);
        String what = action.word() + " " + o.subnet().name();
        if (d.delivered()) {
            log.fine(() -> "Teams alert sent: " + what);
        } else {
            log.warning("Teams alert not delivered (" + what + "): " + d.detail());
            if (claim != null) {
                memory.release(claim);
            }
        }
    }

    private void deliver(SweepReport r) {
        Set<String> resolved = new HashSet<>();
        List<Outcome> problems = new ArrayList<>();
        List<Outcome> repaired = new ArrayList<>();
        for (Outcome o : r.outcomes()) {
            switch (o.action()) {
                case IN_SYNC -> resolved.add(Finding.subject(o.subnet()));
                case REASSOCIATED -> {
                    resolved.add(Finding.subject(o.subnet()));
                    repaired.add(o);
                }
                case IGNORED -> { }
                default -> problems.add(o);
            }
        }
        if (r.error() == null) {
            resolved.add(Finding.sweepSubject(context.subscriptionId()));
        }
        List<Finding> findings = new ArrayList<>();
        problems.forEach(o -> findings.add(Finding.of(o)));
        r.notReached().forEach(o -> findings.add(Finding.notReached(o)));
        if (r.error() != null) {
            findings.add(Finding.sweepError(context.subscriptionId(), r.error()));
        }
        List<AlertMemory.Claim> claims = memory.claimAll(findings, resolved, clock.instant());
        List<Outcome> listed = new ArrayList<>(repaired);
        List<Outcome> notReached = new ArrayList<>();
        List<AlertMemory.Claim> sent = new ArrayList<>();
        boolean errorIsNews = false;
        int already = 0;
        for (int i = 0; i < claims.size(); i++) {
            AlertMemory.Claim claim = claims.get(i);
            if (!claim.decision().send()) {
                already++;
                continue;
            }
            sent.add(claim);
            if (i < problems.size()) {
                listed.add(problems.get(i));
            } else if (i < problems.size() + r.notReached().size()) {
                notReached.add(r.notReached().get(i - problems.size()));
            } else {
                errorIsNews = true;
            }
        }
        Cards.SweepNews news = new Cards.SweepNews(listed, notReached, errorIsNews, already);
        if (news.isEmpty()) {
            log.fine(() -> "Teams: nothing new in this sweep; no summary card");
            return;
        }
        String json = TeamsCards.fit(Cards.sweep(r, news, context), writer);
        Webhook.Delivery d = Objects.requireNonNull(webhook).post(json);
        if (d.delivered()) {
            log.fine(() -> "Teams sweep summary sent");
        } else {
            log.warning("Teams sweep summary not delivered: " + d.detail());
            sent.forEach(memory::release);
        }
    }

    /** For tests and diagnostics: alerts dropped because the queue was full. */
    long dropped() {
        return dropped.get();
    }
}
