package dev.aksrouteguard.cli;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.config.SubscriptionScope;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.events.ParsedEvent;
import dev.aksrouteguard.teams.TeamsWebhookAlertSink;
import dev.aksrouteguard.wiring.Wiring;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * The command line: {@code java -jar target/aks-route-guard.jar <command>}, settings from the environment.
 * Exit codes: 0 processed (including nothing to do), 1 a remediation failed, a subscription could not be read or a
 * listing could not be trusted, 2 unusable input or arguments (nothing written), 3 {@code audit --fail-on-drift}
 * found drift, 4 not finished: work was deferred or cut by a time limit, nothing failed; run again (the next sweep
 * does it too). When several apply: 1, then 4, then 3 ({@link #exitCode(boolean, boolean, boolean)}).
 */
@Command(name = "aks-route-guard", mixinStandardHelpOptions = true, version = "aks-route-guard 0.1.0",
        description = "Keeps kubenet AKS node subnets associated with their route table.",
        subcommands = {Main.HandleEvent.class, Main.Reconcile.class, Main.Sweep.class, Main.Audit.class, PreventCommand.class,
                Demo.class, EmulatorCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:processed (including nothing to do)", "1:a remediation failed, a subscription could not be read, or a listing could not be trusted",
                "2:unusable input or arguments; nothing was written",
                "3:audit --fail-on-drift found drift, a conflict or a missing route table",
                "4:not finished (deferred, or a time limit reached); nothing failed: run again"},
        footer = "%nWhen several exit codes apply, the first of 1, 4, 3 wins.")
public final class Main implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int DRIFT = 3;
    public static final int UNFINISHED = 4;

    /** {@code handle-event} answers within this, like the function with its budget, but with room for slow ARM. */
    static final java.time.Duration EVENT_LIMIT = java.time.Duration.ofMinutes(5);

    static final java.time.Duration ALERT_FLUSH = java.time.Duration.ofSeconds(45);

    final Map<String, String> env;
    final InputStream in;
    final PrintStream out;
    final PrintStream err;
    final Wiring.Options options;

    @Option(names = {"-v", "--verbose"}, scope = CommandLine.ScopeType.INHERIT,
            description = "Also show the Info log lines the function writes (on stderr).")
    boolean verbose;

    Main(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, Wiring.Options options) {
        this.env = Objects.requireNonNull(env, "env == null");
        this.in = Objects.requireNonNull(in, "in == null");
        this.out = Objects.requireNonNull(out, "out == null");
        this.err = Objects.requireNonNull(err, "err == null");
        this.options = Objects.requireNonNull(options, "options == null");
    }

    /** The SDK's and MSAL's Info lines are not for a command line; held so the levels stick (JUL keeps loggers weakly). */
    static final List<Logger> QUIET = List.of(Logger.getLogger("com.azure"), Logger.getLogger("com.microsoft.aad.msal4j"));

    public static void main(String[] args) {
        QUIET.forEach(l -> l.setLevel(Level.WARNING));
        int code = run(args, System.getenv(), System.in, System.out, System.err, Wiring.Options.production());
        QuickExit.stopHttpSelectors();
        System.exit(code);
    }

    /**
     * Runs one command; never throws, never exits the JVM. The commands pipelines and events run, in their plain forms,
     * are read by {@link FastPath} and run without picocli (which a cold JVM pays for in class loading and reflection);
     * anything else, help and errors included, goes through picocli.
     */
    public static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err,
            Wiring.Options options) {
        Main main = new Main(env, in, out, err, options);
        Callable<Integer> command = FastPath.parse(main, args);
        if (command != null) {
            try {
                return command.call();
            } catch (Exception e) {
                return main.failed(e);
            } finally {
                main.finish();
            }
        }
        CommandLine cli = new CommandLine(main);
        cli.setOut(new java.io.PrintWriter(out, true));
        cli.setErr(new java.io.PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> main.failed(e));
        try {
            return cli.execute(args);
        } finally {
            main.finish();
        }
    }

    /** A command that threw: bad input is exit 2 with one clear line, anything else exit 1; no stack trace. */
    int failed(Exception e) {
        if (e instanceof UsageException u) {
            err.println("aks-route-guard: " + u.getMessage());
            return USAGE;
        }
        err.println("aks-route-guard: " + e.getClass().getSimpleName() + ": "
                + (e.getMessage() == null ? "" : SweepReport.withoutSecrets(e.getMessage())));
        return FAILED;
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(out);
        return USAGE;
    }

    /** Bad input: exit 2 with one clear line, no stack trace. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    private Logger log;

    Logger log() {
        if (log == null) {
            log = CliLog.create(err, verbose ? Level.INFO : Level.WARNING);
        }
        return log;
    }

    Settings settings(boolean noAlerts) {
        try {
            Settings s = Settings.from(env);
            return noAlerts ? s.withoutAlerts() : s;
        } catch (IllegalStateException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private Wiring wiring;

    /** The object graph of this run; alerts still queued are delivered when the command ends ({@link #finish()}). */
    Wiring wiring(Settings settings) {
        wiring = Wiring.build(settings, options.withLog(log()));
        // Without a webhook the Teams classes are not needed, not even to ask.
        if (settings.teamsWebhookUrl() != null && wiring.alerts() instanceof TeamsWebhookAlertSink teams && teams.enabled()) {
            err.println(teams.describe());
        }
        return wiring;
    }

    /**
     * How long the end of a command waits for the deployment lookups and repair-history writes that follow its outcomes:
     * the lookup's own ARM limit (10 s) and the history's Table calls, with room to spare.
     */
    static final java.time.Duration HISTORY_DRAIN = java.time.Duration.ofSeconds(30);

    /**
     * Before the process ends: the deployment lookups and repair-history writes still running (daemon threads, which
     * {@code System.exit} would end, losing the strip), then the queued alerts; each bounded, each saying on stderr
     * what was still pending.
     */
    void finish() {
        if (wiring == null) {
            return;
        }
        int pending = wiring.guard().drain(HISTORY_DRAIN);
        if (pending > 0) {
            err.println("aks-route-guard: " + pending + " deployment lookup(s) or repair-history write(s) still running after "
                    + HISTORY_DRAIN.toSeconds() + " s when the command ended; those strips are not recorded");
        }
        if (!wiring.alerts().flush(ALERT_FLUSH)) {
            err.println("aks-route-guard: some Teams alerts were still queued when the command ended");
        }
    }

    /** The outcomes, and the subnets not reached (rows with action {@code not-reached} in JSON). */
    void print(List<Outcome> outcomes, List<SubnetId> notReached, boolean json) {
        if (json) {
            out.println(Output.json(outcomes, notReached));
        } else {
            out.print(Output.table(outcomes));
            notReached.forEach(s -> out.println("not reached (time limit): " + s));
            out.println(Output.footer(outcomes) + (notReached.isEmpty() ? "" : "; " + notReached.size() + " not reached"));
        }
    }

    /** The options of the commands that reconcile: output format and alerts. */
    static final class RunOptions {
        @Option(names = "--json", description = "One JSON object per subnet on stdout.")
        boolean json;

        @Option(names = "--no-alerts", description = "Do not send Teams alerts even when TEAMS_WEBHOOK_URL is set.")
        boolean noAlerts;
    }

    /** 1 when something failed, else 4 when something was left unfinished, else 0. */
    static int exitCode(List<Outcome> outcomes, boolean unfinished) {
        return exitCode(outcomes.stream().anyMatch(o -> o.action() == Action.FAILED),
                unfinished || outcomes.stream().anyMatch(o -> o.action() == Action.DEFERRED), false);
    }

    /**
     * The one exit code when several apply, most serious first: 1 (something failed, or the result is incomplete: it
     * must never pass a pipeline), then 4 (not finished, run again), then 3 ({@code --fail-on-drift} found drift), then
     * 0. Drift ranks below both because a run that failed or did not finish may not have seen all of it.
     */
    static int exitCode(boolean failed, boolean unfinished, boolean drift) {
        if (failed) {
            return FAILED;
        }
        if (unfinished) {
            return UNFINISHED;
        }
        return drift ? DRIFT : OK;
    }

    @Command(name = "handle-event", mixinStandardHelpOptions = true, description = "Process an Event Grid delivery (Event Grid schema or CloudEvents, one event or an array) exactly as the Event Grid function does.")
    static final class HandleEvent implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(paramLabel = "FILE", description = "The delivery as JSON, or - for standard input.")
        String file;

        @Mixin
        RunOptions run;

        @Option(names = "--time-limit", paramLabel = "DURATION",
                description = "How long the delivery may take, as ISO-8601 (default PT5M); what is not done by then exits 4.")
        String timeLimit;

        @Override
        public Integer call() {
            java.time.Duration limit = limit(timeLimit);
            String delivery = read(file, main.in);
            Wiring w = main.wiring(main.settings(run.noAlerts));
            Deliveries.Report report = Deliveries.handle(delivery, w.guard(), Instant.now().plus(limit), main.log());
            List<EventResult> events = report.result().events();
            if (run.json) {
                main.out.println(Output.eventJson(report.outcomes(), report.result().unfinished(), events, report.parsed()));
            } else {
                main.print(report.outcomes(), report.result().unfinished(), false);
                for (EventResult r : events) {
                    if (r instanceof EventResult.Skipped s) {
                        main.out.println("ignored event " + s.write().eventId() + ": " + s.reason());
                    } else if (r instanceof EventResult.Failed f) {
                        main.out.println((f.cutByDeadline() ? "not mapped (time limit): event " : "failed event ")
                                + f.write().eventId() + ": " + f.reason());
                    }
                }
            }
            report.malformed().forEach(m -> main.err.println("aks-route-guard: dropped malformed event " + m.id() + ": " + m.reason()));
            // An event not mapped by the time limit is unfinished (4, run again), like a subnet not reached; any other
            // event that could not be mapped failed (1).
            boolean failed = report.outcomes().stream().anyMatch(o -> o.action() == Action.FAILED)
                    || events.stream().anyMatch(e -> e instanceof EventResult.Failed f && !f.cutByDeadline())
                    || !report.result().notHandedOn().isEmpty();
            boolean unfinished = report.anyUnfinished()
                    || events.stream().anyMatch(e -> e instanceof EventResult.Failed f && f.cutByDeadline());
            if (failed || unfinished) {
                return exitCode(failed, unfinished, false);
            }
            // Exit 2 means "unusable input, nothing written": only when no event of the delivery could be used.
            boolean usable = report.parsed().stream().anyMatch(p -> !(p instanceof ParsedEvent.Malformed));
            return usable ? OK : USAGE;
        }

        /** The longest {@code --time-limit}: far past any work of one delivery (a subnet's reconcile stops at 3 minutes). */
        static final java.time.Duration MAX_EVENT_LIMIT = java.time.Duration.ofHours(24);

        /**
         * {@code --time-limit}, or {@link #EVENT_LIMIT}; a value that is not a positive ISO-8601 duration of at most
         * {@link #MAX_EVENT_LIMIT} is bad input.
         */
        static java.time.Duration limit(@dev.aksrouteguard.core.model.Nullable String text) {
            if (text == null) {
                return EVENT_LIMIT;
            }
            try {
                java.time.Duration d = java.time.Duration.parse(text);
                if (d.isNegative() || d.isZero()) {
                    throw new UsageException("--time-limit must be positive: " + text);
                }
                if (d.compareTo(MAX_EVENT_LIMIT) > 0) {
                    throw new UsageException("--time-limit must be at most " + MAX_EVENT_LIMIT + ": " + text);
                }
                return d;
            } catch (java.time.format.DateTimeParseException | ArithmeticException e) {
                throw new UsageException("--time-limit is not an ISO-8601 duration (e.g. PT30S): " + text);
            }
        }

        static String read(String file, InputStream in) {
            try {
                if (file.equals("-")) {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                return Files.readString(Path.of(file), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new UsageException("no such file: " + file);
            } catch (IOException e) {
                throw new UsageException("cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    @Command(name = "reconcile", mixinStandardHelpOptions = true, description = "Reconcile one subnet.")
    static final class Reconcile implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Parameters(paramLabel = "SUBNET_ID", description = "The subnet's ARM resource ID.")
        String subnetId;

        @Mixin
        RunOptions run;

        @Override
        public Integer call() {
            SubnetId id;
            try {
                id = SubnetId.parse(subnetId);
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            Settings settings = main.settings(run.noAlerts);
            SubscriptionScope scope = settings.scope();
            boolean outside = scope instanceof SubscriptionScope.Single single
                    ? !single.subscriptionId().equalsIgnoreCase(id.subscriptionId())
                    : scope instanceof SubscriptionScope.Listed listed
                            && listed.subscriptionIds().stream().noneMatch(id.subscriptionId()::equalsIgnoreCase);
            if (outside) { // a management group's subscriptions are known only at run time: the guard says so itself
                throw new UsageException("the subnet is in subscription " + id.subscriptionId() + ", outside the guarded "
                        + scope.describe() + " (" + scope.setting() + ")");
            }
            Wiring w = main.wiring(settings);
            Outcome o = w.guard().reconcile(id, new Trigger.Manual("the command line"));
            main.log().log(o.severity(), o.logLine());
            main.print(List.of(o), List.of(), run.json);
            return exitCode(List.of(o), false);
        }
    }

    @Command(name = "sweep", mixinStandardHelpOptions = true, description = "One drift sweep, exactly as the timer runs it.")
    static final class Sweep implements Callable<Integer> {
        @ParentCommand
        Main main;

        @Mixin
        RunOptions run;

        @Override
        public Integer call() {
            Wiring w = main.wiring(main.settings(run.noAlerts));
            SweepReport report = w.guard().sweep(w.settings().sweepTimeBudget());
            report.writeTo(main.log());
            if (run.json) {
                main.out.println(Output.sweepJson(report));
            } else {
                main.out.print(Output.table(report.outcomes()));
                report.notReached().forEach(o -> main.out.println("not reached (time limit): " + o.subnet()));
                main.out.print(Output.sweepSubscriptions(report));
                main.out.println(Output.footer(report.outcomes())
                        + (report.notReached().isEmpty() ? "" : "; " + report.notReached().size() + " not reached"));
                main.out.println(report.summaryLine());
            }
            if (report.error() != null) {
                main.err.println("aks-route-guard: " + Output.mask(report.error()));
                return FAILED;
            }
            List<SweepReport.Subscription> unreadable = report.unreadableSubscriptions();
            if (!unreadable.isEmpty()) {
                main.err.println("aks-route-guard: " + unreadable.size() + " of " + report.subscriptions().size()
                        + " guarded subscriptions could not be read and were not swept (the others were): "
                        + unreadable.stream().map(SweepReport.Subscription::label).collect(java.util.stream.Collectors.joining(", ")));
            }
            return exitCode(report.anyFailed(), report.anyUnfinished(), false);
        }
    }

    @Command(name = "audit", mixinStandardHelpOptions = true, description = "Read-only: the state of every node subnet of every kubenet cluster. Never writes.")
    static final class Audit implements Callable<Integer> {
        @ParentCommand
        Main main;

        @CommandLine.ArgGroup(exclusive = true)
        Format format = new Format();

        static final class Format {
            @Option(names = "--json", description = "A JSON array, one object per subnet.")
            boolean json;

            @Option(names = "--markdown", description = "A Markdown table (for a pull request or a wiki page).")
            boolean markdown;
        }

        @Option(names = "--fail-on-drift", description = "Exit 3 when any subnet is drifted, in conflict or missing its route table.")
        boolean failOnDrift;

        @Override
        public Integer call() {
            Wiring w = main.wiring(main.settings(true));
            Guard.Audit audit;
            try {
                audit = w.guard().auditBySubscription();
            } catch (ArmException e) {
                // The one guarded subscription could not be read, or the subscriptions could not be discovered at all.
                List<String> known;
                try {
                    known = w.guard().scope().list();
                } catch (RuntimeException notKnown) {
                    known = List.of();
                }
                boolean one = known.size() == 1;
                main.err.println("aks-route-guard: could not list " + (one ? "the subscription" : "the guarded subscriptions")
                        + ": " + Output.mask(e.getMessage()));
                if (format.json && one) { // a reader of the JSON alone sees the audit failed, as with several subscriptions
                    main.out.println(AuditOutput.json(List.of(), null, java.util.Map.of(), java.util.Map.of(known.get(0), e.getMessage())));
                } else if (format.json) { // the subscriptions could not be discovered: one row says so, not an empty array
                    com.google.gson.JsonObject row = new com.google.gson.JsonObject();
                    row.add("subnet", com.google.gson.JsonNull.INSTANCE);
                    row.add("subscription", com.google.gson.JsonNull.INSTANCE);
                    row.addProperty("scope", w.guard().scope().describe());
                    row.addProperty("action", Action.FAILED.word());
                    row.addProperty("message", Output.mask("could not list the guarded subscriptions: " + e.getMessage()));
                    com.google.gson.JsonArray rows = new com.google.gson.JsonArray();
                    rows.add(row);
                    main.out.println(rows);
                }
                return FAILED;
            }
            if (audit.subscriptions().isEmpty()) {
                String where = w.settings().scope() instanceof SubscriptionScope.ManagementGroup group
                        ? "management group " + group.groupId() + " has no subscription below it"
                        : w.guard().scope().describe() + " is empty";
                main.err.println("aks-route-guard: nothing to audit: " + where + " (" + w.settings().scope().setting()
                        + "); an empty scope is not a passing audit");
                return FAILED;
            }
            List<Outcome> rows = audit.rows();
            java.util.Map<SubnetId, dev.aksrouteguard.core.model.Recurrence> history =
                    w.guard().recurrences(rows.stream().map(Outcome::subnet).toList());
            String historyOff = w.history().enabled() ? "Repair history unavailable: strips are not shown (see the warning above)."
                    : w.history() == dev.aksrouteguard.core.port.RepairHistory.NONE
                            ? "Repair history off: " + Settings.STORAGE + " is not set, so strips are not counted."
                            : "R" + w.history().describe().substring(1) + ".";
            if (format.json) {
                main.out.println(AuditOutput.json(rows, history, audit.names(), audit.unreadable()));
                if (history == null) {
                    main.err.println("aks-route-guard: " + historyOff);
                }
                if (audit.discoveryProblem() != null) {
                    main.err.println("aks-route-guard: " + Output.staleNote(audit));
                }
            } else if (format.markdown) {
                main.out.print(Output.bySubscription(audit, true));
                main.out.println();
                main.out.println(Output.footer(rows) + Output.notAudited(audit));
                main.out.print(AuditOutput.markdown(rows, history, w.guard().recurrencePolicy(), historyOff));
                main.out.print(Output.migration(w.guard().kubenetClusters(), true));
            } else {
                main.out.print(Output.bySubscription(audit, false));
                main.out.println(Output.footer(rows) + Output.notAudited(audit));
                main.out.print(AuditOutput.table(rows, history, w.guard().recurrencePolicy(), historyOff));
                main.out.print(Output.migration(w.guard().kubenetClusters(), false));
            }
            if (!audit.unreadable().isEmpty()) {
                main.err.println("aks-route-guard: the audit is incomplete: " + audit.unreadable().size() + " of "
                        + audit.subscriptions().size() + " guarded subscriptions could not be read (their subnets are not listed)");
            }
            boolean drift = rows.stream().anyMatch(o -> o.action() == Action.DRIFT_REPORTED || o.action() == Action.CONFLICT
                    || o.action() == Action.ROUTE_TABLE_MISSING);
            return exitCode(audit.incomplete() || rows.stream().anyMatch(o -> o.action() == Action.FAILED), false, failOnDrift && drift);
        }
    }
}
