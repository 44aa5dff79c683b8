package dev.aksrouteguard.wiring;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.util.Configuration;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.azure.ArmLimits;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Backoff;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.Reconciler;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.RepairHistory;
import dev.aksrouteguard.core.port.RetryQueue;
import dev.aksrouteguard.teams.AlertStorage;
import dev.aksrouteguard.teams.SdkLogScrubbing;
import dev.aksrouteguard.teams.TeamsAlertQueue;
import dev.aksrouteguard.teams.TeamsWebhookAlertSink;
import java.time.Clock;
import java.util.Objects;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/** The guard and its collaborators, built once. Immutable and thread-safe. */
public final class Wiring {

    /** How many subnets a delivery or a sweep reconciles at once (writes within one VNet are still serialized). */
    static final int CONCURRENCY = 4;

    /**
     * The JDK transport warns on every request that carries a body that Content-Length is a restricted header (the
     * JDK client sets it itself): noise, in the Functions log and on the CLI. Held here so the level sticks (JUL
     * keeps loggers weakly).
     */
    private static final Logger JDK_TRANSPORT = quiet("com.azure.core.http.jdk.httpclient.JdkHttpClient");

    private static volatile @Nullable Wiring shared;

    private static Logger quiet(String name) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(java.util.logging.Level.SEVERE);
        return logger;
    }

    private final Settings settings;
    private final Guard guard;
    private final ArmTraffic traffic;
    private final AlertSink alerts;
    private final Lazy<TeamsAlertQueue> alertQueue;
    private final Clock clock;

    private Wiring(Settings settings, Guard guard, ArmTraffic traffic, AlertSink alerts, Lazy<TeamsAlertQueue> alertQueue,
            Clock clock) {
        this.settings = settings;
        this.guard = guard;
        this.traffic = traffic;
        this.alerts = alerts;
        this.alertQueue = alertQueue;
        this.clock = clock;
    }

    /** The clock the graph runs on: the functions take their deadlines from it, as the guard does. */
    public Clock clock() {
        return clock;
    }

    /**
     * The graph of this worker, built on first use from the process environment and the JVM trust store. A bad
     * setting fails here, naming the setting.
     */
    public static Wiring shared() {
        Wiring w = shared;
        if (w == null) {
            synchronized (Wiring.class) {
                w = shared;
                if (w == null) {
                    w = functionApp(Settings.fromEnvironment(), Options.functionApp());
                    shared = w;
                }
            }
        }
        return w;
    }

    /**
     * Builds a graph that sends alerts inline: the CLI (a CLI has no queue consumer, so it posts even when
     * {@code AzureWebJobsStorage} is set), the demo and the tests use this with their own options.
     */
    public static Wiring build(Settings settings, Options options) {
        return build(settings, options, false);
    }

    /**
     * Builds the function app's graph: as {@link #build}, but alerts go through the Storage queue
     * {@value TeamsAlertQueue#NAME} when the storage connection has a queue endpoint, for the queue-triggered
     * function to deliver. What an invocation may never need is built on first use: the alert sink with its Storage
     * clients (at the first outcome that is not {@code ignored}, or the first sweep), the retry queue's clients (when
     * work is first handed on) and the delivery side of the alert queue (at the first queued alert), so that a new
     * instance builds and loads only the ARM side before its first event.
     */
    public static Wiring functionApp(Settings settings, Options options) {
        return build(settings, options, true);
    }

    private static Wiring build(Settings settings, Options options, boolean functionApp) {
        Objects.requireNonNull(settings, "settings == null");
        Objects.requireNonNull(options, "options == null");
        SdkLogScrubbing.install(settings.teamsWebhookUrl()); // before any client can log
        if (settings.alertsProblem() != null) {
            options.log().warning(settings.alertsProblem());
        }
        HttpClient http = options.http() != null ? options.http() : ArmClients.httpClient(options.trust());
        TokenCredential credential = options.credential() != null
                ? options.credential()
                : ArmClients.credential(settings, http, Configuration.getGlobalConfiguration());
        ArmClients arm = ArmClients.connect(settings, credential, http, ArmLimits.DEFAULT, options.clock());
        Lazy<AlertStorage> storage = Lazy.of(() -> StorageClients.forAlerts(settings, credential, http, functionApp, options.log()));
        // Without a webhook there is nothing to remember or queue (StorageClients.forAlerts answers NONE): not even asked.
        Lazy<AlertSink> sink = Lazy.of(() -> options.alerts().create(settings,
                settings.teamsWebhookUrl() == null ? AlertStorage.NONE : storage.get(), options.log()));
        // The CLI and the demo build the sink at once: the CLI says whether alerts are on before it starts.
        AlertSink alerts = functionApp ? new LazyAlertSink(sink) : sink.get();
        RetryQueue retries = options.retries() != null ? options.retries().create(settings, options.log())
                : functionApp ? StorageClients.retryQueue(settings, credential, http, options.log()) : RetryQueue.NONE;
        // Deferred work is tried again only where a retry queue takes it: without one (the CLI, or a function app whose
        // storage connection has no queue endpoint) every first listing is waited for instead of deferred for.
        ClusterDirectory directory = new ClusterDirectory(arm.subscriptions(), arm.inventories(), options.clock(),
                ClusterDirectory.DEFAULT_TTL, retries.enabled(), options.log()::warning);
        Reconciler reconciler = new Reconciler(arm.subnets(), directory, settings.mode(), options.clock(), options.backoff());
        Lazy<RepairHistory> repairs = Lazy.of(() -> StorageClients.history(settings, credential, http, options.log()));
        RepairHistory history = functionApp ? new LazyRepairHistory(repairs, settings.storage() != null) : repairs.get();
        Logger log = options.log();
        Guard guard = new Guard(directory, reconciler, alerts, retries, arm.traffic(), options.clock(), CONCURRENCY,
                arm.deployments(), history, settings.recurrence(), log::warning);
        return new Wiring(settings, guard, arm.traffic(), alerts,
                Lazy.of(() -> TeamsAlertQueue.create(settings, storage.get(), options.log())), options.clock());
    }

    /**
     * Teams alerts as {@code settings} say: none without {@code TEAMS_WEBHOOK_URL} (a no-op, as a Teams sink without a
     * URL is, but without loading the Teams classes), else {@link TeamsWebhookAlertSink#create}.
     */
    static AlertSink teams(Settings settings, AlertStorage storage, Logger log) {
        return settings.teamsWebhookUrl() == null ? AlertSink.NONE : TeamsWebhookAlertSink.create(settings, storage, log);
    }

    public Settings settings() {
        return settings;
    }

    public Guard guard() {
        return guard;
    }

    public ArmTraffic traffic() {
        return traffic;
    }

    public AlertSink alerts() {
        return alerts;
    }

    /** The repair history ({@link RepairHistory#NONE} without a storage connection). */
    public RepairHistory history() {
        return guard.history();
    }

    /** The delivery side of the alert queue, for the queue-triggered function (built on the first call). */
    public TeamsAlertQueue alertQueue() {
        return alertQueue.get();
    }

    /** Builds the alert sink over the graph's Storage clients (Teams in production; a recorder in tests). */
    @FunctionalInterface
    public interface Alerts {
        AlertSink create(Settings settings, AlertStorage storage, Logger log);
    }

    /** Builds the retry queue instead of the default (a Storage queue in the function app, none elsewhere). */
    @FunctionalInterface
    public interface Retries {
        RetryQueue create(Settings settings, Logger log);
    }

    /**
     * What differs between Azure, a laptop, the demo and the tests.
     *
     * @param trust an SSLContext trusting the local emulator, or null for the JVM trust store
     * @param credential the credential to use, or null for {@code DefaultAzureCredential} from the process environment
     *     (managed identity through {@code IDENTITY_ENDPOINT}/{@code IDENTITY_HEADER} in Azure; MSAL reads those from
     *     the real environment only, so an in-process emulator passes its own credential here)
     * @param alerts builds the alert sink from the settings (Teams in production)
     * @param retries builds the retry queue, or null for the default: the Storage queue {@code routeguard-retry} in the
     *     function app, none in the CLI (a CLI has no queue consumer; it reports what is left and exits 4)
     * @param http the HTTP client for every call, or null for {@link ArmClients#httpClient} with {@code trust}; tests
     *     wrap it to see which calls are in flight at once
     */
    public record Options(
            @Nullable SSLContext trust,
            @Nullable TokenCredential credential,
            Clock clock,
            Backoff backoff,
            Alerts alerts,
            @Nullable Retries retries,
            Logger log,
            @Nullable HttpClient http) {

        public Options {
            Objects.requireNonNull(clock, "clock == null");
            Objects.requireNonNull(backoff, "backoff == null");
            Objects.requireNonNull(alerts, "alerts == null");
            Objects.requireNonNull(log, "log == null");
        }

        /**
         * What {@link #shared()} runs on in the function app: {@link #production()}, with the app's own logger printing
         * one line per record, message first, which is how the host's console log (the only way its lines reach
         * Application Insights) keeps the health alert's {@code failed alerts: } prefix (ConsoleLines says why).
         */
        public static Options functionApp() {
            Options o = production();
            ConsoleLines.install(o.log());
            return o;
        }

        /** The function app: Teams alerts, and the retry queue in the app's storage. */
        public static Options production() {
            Logger log = Logger.getLogger("dev.aksrouteguard");
            return new Options(null, null, Clock.systemUTC(), Backoff.DEFAULT, Wiring::teams, null, log, null);
        }

        public Options withTrust(@Nullable SSLContext trust) {
            return new Options(trust, credential, clock, backoff, alerts, retries, log, http);
        }

        public Options withCredential(@Nullable TokenCredential other) {
            return new Options(trust, other, clock, backoff, alerts, retries, log, http);
        }

        public Options withBackoff(Backoff other) {
            return new Options(trust, credential, clock, other, alerts, retries, log, http);
        }

        public Options withAlerts(Alerts other) {
            return new Options(trust, credential, clock, backoff, other, retries, log, http);
        }

        public Options withRetries(@Nullable Retries other) {
            return new Options(trust, credential, clock, backoff, alerts, other, log, http);
        }

        public Options withClock(Clock other) {
            return new Options(trust, credential, other, backoff, alerts, retries, log, http);
        }

        public Options withLog(Logger other) {
            return new Options(trust, credential, clock, backoff, alerts, retries, other, http);
        }

        public Options withHttpClient(@Nullable HttpClient other) {
            return new Options(trust, credential, clock, backoff, alerts, retries, log, other);
        }
    }
}
