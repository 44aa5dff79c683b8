package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.teams.TeamsAlertQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The packaged Functions folder ({@code mvn package}): one function.json per function, with the right bindings. */
class FunctionJsonIT {

    static final Path APP = dev.aksrouteguard.testing.Repo.file("target/guard/azure-functions/aks-route-guard");

    /** Every function the app declares; a new one is added here on purpose. */
    static final Set<String> EXPECTED_FUNCTIONS = new TreeSet<>(Set.of(
            EventGridFunction.NAME,
            SweepFunction.NAME,
            RetryFunction.NAME,
            AlertQueueFunction.NAME));

    static JsonObject functionJson(String name) throws IOException {
        Path file = APP.resolve(name).resolve("function.json");
        assertTrue(Files.exists(file), "missing " + file + " (run mvn package)");
        return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    }

    static JsonObject onlyBinding(JsonObject function) {
        JsonArray bindings = function.getAsJsonArray("bindings");
        assertEquals(1, bindings.size(), bindings.toString());
        return bindings.get(0).getAsJsonObject();
    }

    @Test
    void theEventGridFunctionIsBoundToAnEventGridTrigger() throws IOException {
        JsonObject f = functionJson(EventGridFunction.NAME);
        assertEquals(EventGridFunction.class.getName() + ".run", f.get("entryPoint").getAsString());
        JsonObject b = onlyBinding(f);
        assertEquals("eventGridTrigger", b.get("type").getAsString());
        assertEquals("in", b.get("direction").getAsString());
        assertEquals("event", b.get("name").getAsString());
    }

    @Test
    void theSweepScheduleIsBoundToTheAppSetting() throws IOException {
        JsonObject f = functionJson(SweepFunction.NAME);
        assertEquals(SweepFunction.class.getName() + ".run", f.get("entryPoint").getAsString());
        JsonObject b = onlyBinding(f);
        assertEquals("timerTrigger", b.get("type").getAsString());
        assertEquals("%SWEEP_SCHEDULE%", b.get("schedule").getAsString());
    }

    @Test
    void theAlertQueueFunctionIsBoundToTheAlertQueueThroughTheAppsStorageConnection() throws IOException {
        JsonObject f = functionJson(AlertQueueFunction.NAME);
        assertEquals(AlertQueueFunction.class.getName() + ".run", f.get("entryPoint").getAsString());
        JsonObject b = onlyBinding(f);
        assertEquals("queueTrigger", b.get("type").getAsString());
        assertEquals("in", b.get("direction").getAsString());
        assertEquals("message", b.get("name").getAsString());
        assertEquals(TeamsAlertQueue.NAME, b.get("queueName").getAsString());
        assertEquals("AzureWebJobsStorage", b.get("connection").getAsString());
        assertTheMessageComesAsItsText(b);
    }

    /**
     * Without {@code "dataType": "string"} the host binds a queue trigger of an out-of-process function as {@code object}:
     * the queue extension then reads the message with Json.NET, fails the invocation before the function runs when the
     * text is not JSON (retried, then poisoned, never the function's own "dropped" line), and hands on a re-serialized
     * document instead of the text (azure-functions-host {@code GeneralScriptBindingProvider.ParseDataType}; azure-sdk-for-net
     * {@code Microsoft.Azure.WebJobs.Extensions.Storage.Queues/src/Triggers/UserTypeArgumentBindingProvider.cs}).
     */
    static void assertTheMessageComesAsItsText(JsonObject binding) {
        assertTrue(binding.has("dataType"), "no dataType: the host binds the message as an object (Json.NET) " + binding);
        assertEquals("string", binding.get("dataType").getAsString(), binding.toString());
    }

    @Test
    void thePackagedHostJsonRetriesQueueMessagesAsTheAlertQueueExpects() throws IOException {
        JsonObject queues = JsonParser.parseString(Files.readString(APP.resolve("host.json"))).getAsJsonObject()
                .getAsJsonObject("extensions").getAsJsonObject("queues");
        assertEquals(TeamsAlertQueue.MAX_DEQUEUE_COUNT, queues.get("maxDequeueCount").getAsInt());
        assertEquals("base64", queues.get("messageEncoding").getAsString());
    }

    @Test
    void theAppFolderHasTheHostJsonWithTheExtensionBundleAndTheJar() throws IOException {
        JsonObject host = JsonParser.parseString(Files.readString(APP.resolve("host.json"))).getAsJsonObject();
        assertEquals("Microsoft.Azure.Functions.ExtensionBundle", host.getAsJsonObject("extensionBundle").get("id").getAsString());
        assertEquals("[4.0.0, 5.0.0)", host.getAsJsonObject("extensionBundle").get("version").getAsString(),
                "the bundle range Flex Consumption requires");
        assertEquals("00:10:00", host.get("functionTimeout").getAsString(),
                "twice the default sweep period: a sweep stops starting work at SWEEP_TIME_BUDGET, well before");
        // A timed-out invocation of an out-of-process worker restarts the worker, ending every invocation in flight on it
        // (Azure/azure-functions-host#8720): the longest sweep Settings accepts, a repair started just before its end,
        // and the wait for the summary alert must fit.
        java.time.Duration longestSweep = dev.aksrouteguard.config.Settings.MAX_SWEEP_TIME_BUDGET
                .plus(dev.aksrouteguard.core.Reconciler.MAX_PER_SUBNET).plus(SweepFunction.ALERT_FLUSH);
        assertTrue(longestSweep.compareTo(java.time.Duration.ofMinutes(10)) <= 0,
                "the longest sweep (" + longestSweep + ") does not fit in functionTimeout");
        String notSampled = host.getAsJsonObject("logging").getAsJsonObject("applicationInsights")
                .getAsJsonObject("samplingSettings").get("excludedTypes").getAsString();
        assertTrue(notSampled.contains("Trace") && notSampled.contains("Request") && notSampled.contains("Exception"),
                "the alert rules read log lines and invocations: none may be sampled away (" + notSampled + ")");
        try (var files = Files.list(APP)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("aks-route-guard") && p.toString().endsWith(".jar")));
        }
        try (var files = Files.list(APP)) {
            Set<String> functions = files.filter(Files::isDirectory).filter(p -> Files.exists(p.resolve("function.json")))
                    .map(p -> p.getFileName().toString()).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(EXPECTED_FUNCTIONS, functions, "exactly the expected functions");
        }
    }

    @Test
    void theRetryFunctionIsBoundToTheRetryQueueOfTheAppsStorage() throws IOException {
        JsonObject f = functionJson(RetryFunction.NAME);
        assertEquals(RetryFunction.class.getName() + ".run", f.get("entryPoint").getAsString());
        JsonObject b = onlyBinding(f);
        assertEquals("queueTrigger", b.get("type").getAsString());
        assertEquals(RetryFunction.QUEUE, b.get("queueName").getAsString());
        assertEquals("AzureWebJobsStorage", b.get("connection").getAsString());
        assertTheMessageComesAsItsText(b);
    }
}
