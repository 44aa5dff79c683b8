package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.function.AlertQueueFunction;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.function.RetryFunction;
import dev.aksrouteguard.function.SweepFunction;
import dev.aksrouteguard.queue.RetryMessages;
import dev.aksrouteguard.infra.AlertQuery.Row;
import dev.aksrouteguard.infra.InfraModel.AlertRule;
import dev.aksrouteguard.infra.InfraModel.Form;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The health alerts read the log lines the guard really writes: the functions run against the emulator, every line
 * they log becomes the row Application Insights would store, and the KQL of each alert (as deployed, from both forms)
 * runs over those rows. A change to the summary line, the {@code failed } prefix, a log level or a function name that
 * would leave an alert silent fails here.
 *
 * <p>How a line becomes a row (AppTraces): the Java worker sends {@code LogRecord.getMessage()} unformatted, with
 * the level mapped FINE and below to Trace, below INFO to Debug, below WARNING to Information, below SEVERE to
 * Warning, else Error (azure-functions-java-worker, {@code RpcLogHandler}); the host logs it inside the invocation's
 * scope, so Application Insights sets the operation name to the function name and SeverityLevel Verbose 0,
 * Information 1, Warning 2, Error 3 (azure-webjobs-sdk, {@code ApplicationInsightsLogger}).
 */
class AlertQueriesMatchTheLogsTest {

    static final String TABLE = "AppTraces";
    static final Set<String> COLUMNS = Set.of("TimeGenerated", "OperationName", "SeverityLevel", "Message");
    static final String TIMER = "{\"IsPastDue\":false}";

    static final String SWEEP_MISSING = "sweep-missing";
    static final String FAILED = "failed";
    static final String FAILED_EXECUTIONS = "failed-executions";

    // ---- the rows the guard's lines become ----

    /** Application Insights' SeverityLevel for a java.util.logging level, through the worker and the host. */
    static int severityLevel(Level level) {
        int v = level.intValue();
        if (v < Level.INFO.intValue()) {
            return 0; // Trace / Debug -> Verbose
        }
        if (v < Level.WARNING.intValue()) {
            return 1;
        }
        return v < Level.SEVERE.intValue() ? 2 : 3;
    }

    static List<Row> rows(TestContext context) {
        List<Row> rows = new ArrayList<>();
        for (LogRecord r : context.log.records) {
            rows.add(new Row(Map.of("TimeGenerated", r.getInstant().toString(), "OperationName", context.getFunctionName(),
                    "SeverityLevel", (long) severityLevel(r.getLevel()), "Message", r.getMessage())));
        }
        return rows;
    }

    /** A sweep that repairs a drifted subnet and ends normally. */
    static List<Row> successfulSweep() {
        try (Emulated azure = Emulated.start()) {
            Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
            Fixtures.azureCniCluster("rg-c", "aks-c").seed(azure.arm);
            TestContext context = new TestContext(SweepFunction.NAME);
            SweepFunction.over(azure.wiring("REMEDIATION_MODE", Mode.ENFORCE.word())).run(TIMER, context);
            return rows(context);
        }
    }

    /** A sweep whose identity lost its role: it cannot list the subscription. */
    static List<Row> sweepWithoutItsRole() {
        try (Emulated azure = Emulated.start()) {
            Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
            azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Set.of("Microsoft.Storage/*/read"));
            TestContext context = new TestContext(SweepFunction.NAME);
            SweepFunction.over(azure.wiring("REMEDIATION_MODE", Mode.ENFORCE.word())).run(TIMER, context);
            return rows(context);
        }
    }

    /** An IaC re-deploy whose repair is refused (the role lacks routeTables/join/action), then one that works. */
    static List<Row> events(boolean refused) {
        try (Emulated azure = Emulated.start()) {
            SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").seed(azure.arm);
            if (refused) {
                azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Emulated.ROLE_WITHOUT_ROUTE_TABLE_JOIN);
            }
            Wiring wiring = azure.wiring("REMEDIATION_MODE", Mode.ENFORCE.word());
            IacRedeploy.dropRouteTables(azure.arm, a.virtualNetworkId(), Principal.servicePrincipal("sp-terraform"));
            List<Row> rows = new ArrayList<>();
            for (JsonObject event : azure.arm.drainEvents()) {
                TestContext context = new TestContext(EventGridFunction.NAME);
                EventGridFunction.over(wiring).run(event.toString(), context);
                rows.addAll(rows(context));
            }
            return rows;
        }
    }

    /**
     * A retry of handed-on work: the last one, on a virtual network another operation keeps busy ({@code giveUp}), or
     * the first one, which finds the subnet writable again.
     */
    static List<Row> retry(boolean giveUp) {
        try (Emulated azure = Emulated.start()) {
            SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
            if (giveUp) {
                azure.arm.inject(Fault.anotherOperationInProgress("PUT", ".*/subnets/.*").always());
            }
            RetryRequest request = new RetryRequest(ResourceId.parse(a.nodeSubnetId()), new Trigger.Manual("test"),
                    giveUp ? Guard.MAX_RETRIES : 1);
            TestContext context = new TestContext(RetryFunction.NAME);
            RetryFunction.over(azure.wiring("REMEDIATION_MODE", Mode.ENFORCE.word())).run(RetryMessages.write(request), context);
            return rows(context);
        }
    }

    // ---- the alerts as deployed ----

    static AlertRule rule(String name) {
        AlertRule bicep = InfraModel.load(Form.BICEP).alerts().get(name);
        assertEquals(bicep, InfraModel.load(Form.TERRAFORM).alerts().get(name), name + ": both forms deploy the same rule");
        return bicep;
    }

    /** Whether a log alert rule fires over these rows (one evaluation window). */
    static boolean fires(String name, List<Row> rows) {
        AlertRule rule = rule(name);
        assertEquals("log", rule.kind(), name);
        List<Row> result = AlertQuery.parse(rule.query(), TABLE, COLUMNS).run(rows);
        long value;
        if (rule.timeAggregation().equals("Count")) {
            value = result.size();
        } else if (rule.timeAggregation().equals("Total")) {
            value = result.stream().mapToLong(r -> ((Number) r.columns().get(rule.measureColumn())).longValue()).sum();
        } else {
            throw new IllegalStateException(name + ": aggregation " + rule.timeAggregation() + " not modelled");
        }
        long threshold = Long.parseLong(rule.threshold());
        return switch (rule.operator()) {
            case "GreaterThan" -> value > threshold;
            case "GreaterThanOrEqual" -> value >= threshold;
            case "LessThan" -> value < threshold;
            case "LessThanOrEqual" -> value <= threshold;
            case "Equals", "Equal" -> value == threshold;
            default -> throw new IllegalStateException(name + ": operator " + rule.operator());
        };
    }

    // ---- the tests ----

    @Test
    void aSweepThatRanToItsEndKeepsTheSweepAlertQuietAndFailsNothing() {
        List<Row> rows = successfulSweep();
        assertTrue(rows.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("reassociated ")),
                "the sweep repaired the drifted subnet: " + rows);
        assertFalse(fires(SWEEP_MISSING, rows), "one successful sweep in the window: " + rows);
        assertFalse(fires(FAILED, rows), rows.toString());
    }

    @Test
    void aWebhookKeyVaultReferenceThatDidNotResolveFiresTheFailedAlertAtEverySweepWhileTheSweepStillRepairs() {
        List<Row> rows;
        try (Emulated azure = Emulated.start()) {
            Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
            TestContext context = new TestContext(SweepFunction.NAME);
            SweepFunction.over(azure.wiring("REMEDIATION_MODE", Mode.ENFORCE.word(), "TEAMS_WEBHOOK_URL",
                    "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/teams-webhook-url/)")).run(TIMER, context);
            rows = rows(context);
        }
        assertTrue(rows.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("failed alerts: TEAMS_WEBHOOK_URL")
                && r.columns().get("SeverityLevel").equals(2L)), rows.toString());
        assertTrue(fires(FAILED, rows), "the owner learns that Teams alerts are off: " + rows);
        assertTrue(rows.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("reassociated ")),
                "the guard still repairs: " + rows);
        assertFalse(fires(SWEEP_MISSING, rows), "and its sweep still counts as one: " + rows);
    }

    @Test
    void aMalformedEventFiresTheFailedAlert() {
        List<Row> rows;
        try (Emulated azure = Emulated.start()) {
            TestContext context = new TestContext(EventGridFunction.NAME);
            EventGridFunction.over(azure.wiring("REMEDIATION_MODE", Mode.ENFORCE.word()))
                    .run("{\"id\":\"e-1\",\"eventType\":\"Microsoft.Resources.ResourceWriteSuccess\",\"subject\":\"x\"}", context);
            rows = rows(context);
        }
        assertTrue(rows.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("failed event e-1: malformed")),
                rows.toString());
        assertTrue(fires(FAILED, rows), "an event the guard cannot read is work it did not do: " + rows);
    }

    @Test
    void aTeamsAlertThatWasNotDeliveredFiresTheFailedAlertInTheAlertFunctionToo() {
        // The line TeamsAlertQueue writes when Teams refuses a queued card (AlertQueueTest asserts its text), as a row of
        // the DeliverAlert function.
        Row row = new Row(Map.of("TimeGenerated", "2026-12-05T03:00:00Z", "OperationName", AlertQueueFunction.NAME,
                "SeverityLevel", 2L, "Message", "failed alerts: Teams alert not delivered (failed snet-a): HTTP 404"));
        assertTrue(fires(FAILED, List.of(row)));
        assertFalse(fires(FAILED, List.of(new Row(Map.of("TimeGenerated", "2026-12-05T03:00:00Z", "OperationName",
                AlertQueueFunction.NAME, "SeverityLevel", 1L, "Message", "Teams alert sent: failed snet-a")))));
    }

    /**
     * The traces the host makes of what the function app's own logger ({@code Options.production().log()}, not an
     * invocation's) prints: the Java worker forwards only the {@code ExecutionContext} logger over gRPC
     * (azure-functions-java-worker {@code WorkerLogManager}), so such a record goes to the handlers of the logger and its
     * parents, and the host reads the worker's stderr line by line, logging each line unchanged as a
     * {@code Host.Function.Console} trace outside any invocation (no OperationName), at Warning when it contains
     * {@code warn}, at Error when it contains {@code error}, {@code fail}, {@code severe} or {@code unhandled exception},
     * else at Information (azure-functions-host {@code WorkerProcess.ParseErrorMessageAndLog},
     * {@code WorkerConsoleLogService}).
     */
    static List<Row> consoleRows(Logger logger, LogRecord record) {
        List<Row> rows = new ArrayList<>();
        for (Logger l = logger; l != null; l = l.getUseParentHandlers() ? l.getParent() : null) {
            for (Handler h : l.getHandlers()) {
                if (!h.isLoggable(record) || h.getFormatter() == null) {
                    continue;
                }
                for (String line : h.getFormatter().format(record).split("\\R")) {
                    if (line.isEmpty()) {
                        continue;
                    }
                    String lower = line.toLowerCase(Locale.ROOT);
                    long severity = lower.contains("warn") ? 2
                            : lower.contains("error") || lower.contains("fail") || lower.contains("severe")
                                    || lower.contains("unhandled exception") ? 3 : 1;
                    rows.add(new Row(Map.of("TimeGenerated", record.getInstant().toString(), "OperationName", "",
                            "SeverityLevel", severity, "Message", line)));
                }
            }
        }
        return rows;
    }

    @Test
    void aTeamsAlertLostOnTheSinksOwnLoggerFiresTheFailedAlertThroughTheHostsConsole() {
        // The Teams sink reports a lost alert on the app's own logger, often from its background thread after the
        // invocation that raised it (BackgroundQueue): such a line reaches Application Insights only via the console.
        Logger log = Wiring.Options.functionApp().log();
        try {
            LogRecord lost = new LogRecord(Level.WARNING, "failed alerts: reassociated snet-a not sent: HTTP 503");
            lost.setLoggerName(log.getName());
            List<Row> rows = consoleRows(log, lost);
            assertTrue(rows.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("failed alerts: ")),
                    "the line must reach the host as it was logged, one line, message first: " + rows);
            assertTrue(fires(FAILED, rows), "a Teams alert nobody received must page someone: " + rows);
            LogRecord info = new LogRecord(Level.INFO, "Teams alert sent: reassociated snet-a");
            info.setLoggerName(log.getName());
            assertFalse(fires(FAILED, consoleRows(log, info)));
        } finally {
            // JUL state is JVM-wide: give the other tests' root-logger captures their records back.
            for (Handler h : log.getHandlers()) {
                log.removeHandler(h);
            }
            log.setUseParentHandlers(true);
        }
    }

    @Test
    void noSweepAtAllFiresTheSweepAlert() {
        // A guard that does not run writes nothing: the code failed to deploy, the host cannot reach its storage.
        assertTrue(fires(SWEEP_MISSING, List.of()));
        assertTrue(fires(SWEEP_MISSING, events(false)), "event lines are not sweeps");
        assertFalse(fires(FAILED, List.of()));
    }

    @Test
    void aSweepThatCannotListTheSubscriptionIsNoSuccessAndIsAFailure() {
        List<Row> rows = sweepWithoutItsRole();
        assertTrue(rows.stream().anyMatch(r -> r.columns().get("Message").toString().contains(" error=")), rows.toString());
        assertTrue(fires(SWEEP_MISSING, rows), "a sweep without its role is not a successful sweep: " + rows);
        assertTrue(fires(FAILED, rows), rows.toString());
    }

    @Test
    void aRefusedRepairFiresTheFailedAlertAndAWorkingOneDoesNot() {
        List<Row> refused = events(true);
        assertTrue(refused.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("failed ")
                && r.columns().get("SeverityLevel").equals(2L)), refused.toString());
        assertTrue(fires(FAILED, refused), refused.toString());
        List<Row> repaired = events(false);
        assertTrue(repaired.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("reassociated ")),
                repaired.toString());
        assertFalse(fires(FAILED, repaired), repaired.toString());
    }

    @Test
    void workGivenUpAfterTheLastRetryFiresTheFailedAlertAndARetryThatRepairsDoesNot() {
        List<Row> gaveUp = retry(true);
        assertTrue(gaveUp.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("failed ")
                && r.columns().get("SeverityLevel").equals(2L)), gaveUp.toString());
        assertTrue(fires(FAILED, gaveUp), "work the guard gave up on must page someone: " + gaveUp);
        List<Row> repaired = retry(false);
        assertTrue(repaired.stream().anyMatch(r -> r.columns().get("Message").toString().startsWith("reassociated ")),
                repaired.toString());
        assertFalse(fires(FAILED, repaired), repaired.toString());
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theQueriesNameOnlyTheFunctionsTheCodeDefines(Form form) {
        Set<String> functions = Set.of(EventGridFunction.NAME, SweepFunction.NAME, RetryFunction.NAME, AlertQueueFunction.NAME);
        for (Map.Entry<String, AlertRule> e : InfraModel.load(form).alerts().entrySet()) {
            if (!e.getValue().kind().equals("log")) {
                continue;
            }
            Matcher names = Pattern.compile("OperationName (?:==|in) \\(?([^|)]*)").matcher(e.getValue().query());
            assertTrue(names.find(), e.getKey() + " filters on OperationName");
            Matcher quoted = Pattern.compile("\"([^\"]+)\"").matcher(names.group(1));
            while (quoted.find()) {
                assertTrue(functions.contains(quoted.group(1)), form + " " + e.getKey() + ": no function " + quoted.group(1));
            }
        }
        assertTrue(rule(SWEEP_MISSING).query().contains("OperationName == \"" + SweepFunction.NAME + "\""));
    }

    @Test
    void aQueryReadingAColumnTheLogsDoNotHaveIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlertQuery.parse("AppTraces | where Mesage startswith \"x\"", TABLE, COLUMNS));
        assertTrue(e.getMessage().contains("Mesage"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> AlertQuery.parse("traces | where Message == \"x\"", TABLE, COLUMNS));
    }

    @Test
    void theEvaluatorFollowsKqlSemantics() {
        List<Row> rows = List.of(new Row(Map.of("TimeGenerated", "t", "OperationName", "DriftSweep", "SeverityLevel", 1L,
                "Message", "Sweep mode=report")));
        // startswith / contains ignore case in KQL; == and in do not; summarize without by returns one row.
        assertEquals(1, AlertQuery.parse("AppTraces | where Message startswith \"sweep\"", TABLE, COLUMNS).run(rows).size());
        assertEquals(0, AlertQuery.parse("AppTraces | where OperationName == \"driftsweep\"", TABLE, COLUMNS).run(rows).size());
        assertEquals(List.of(new Row(Map.of("N", 0L))),
                AlertQuery.parse("AppTraces | where SeverityLevel >= 2 | summarize N = count()", TABLE, COLUMNS).run(rows));
    }

    @Test
    void theHostNeitherSamplesNorFiltersAwayTheLinesTheAlertsRead() {
        // host.json reference: logging.applicationInsights.samplingSettings.excludedTypes are never sampled;
        // logging.logLevel sets the lowest level sent per category (the user's lines are Function.<name>.User).
        JsonObject logging = com.google.gson.JsonParser.parseString(InfraModel.read(InfraModel.repoRoot().resolve("host.json")))
                .getAsJsonObject().getAsJsonObject("logging");
        JsonObject sampling = logging.getAsJsonObject("applicationInsights").getAsJsonObject("samplingSettings");
        if (sampling != null && sampling.get("isEnabled").getAsBoolean()) {
            Set<String> excluded = Set.of(sampling.get("excludedTypes").getAsString().split(";"));
            assertTrue(excluded.containsAll(Set.of("Trace", "Request")),
                    "sampling could drop the one failed line or summary line an alert needs: excluded " + excluded);
        }
        JsonObject levels = logging.getAsJsonObject("logLevel");
        for (String function : List.of(SweepFunction.NAME, EventGridFunction.NAME, RetryFunction.NAME)) {
            String category = "Function." + function + ".User";
            String level = levels.keySet().stream()
                    .filter(k -> k.equals("default") || category.equals(k) || category.startsWith(k + "."))
                    .max(java.util.Comparator.comparingInt(k -> k.equals("default") ? -1 : k.length()))
                    .map(k -> levels.get(k).getAsString()).orElse("Information");
            assertTrue(Set.of("Trace", "Debug", "Information").contains(level),
                    category + " is logged at " + level + ": the sweep's Information summary line would not reach the alert");
        }
    }

    @Test
    void theKqlOfEveryLogAlertIsInTheDeployGuide() {
        String guide = InfraModel.read(InfraModel.repoRoot().resolve("docs/deploy.md"));
        for (String name : List.of(SWEEP_MISSING, FAILED)) {
            assertTrue(guide.contains("```kusto\n" + rule(name).query() + "\n```"),
                    "docs/deploy.md must show the query of " + name + " exactly as deployed:\n" + rule(name).query());
        }
        AlertRule metric = rule(FAILED_EXECUTIONS);
        assertEquals("metric", metric.kind());
        assertTrue(guide.contains("`requests/failed`"), "docs/deploy.md must name the metric of " + FAILED_EXECUTIONS);
    }
}
