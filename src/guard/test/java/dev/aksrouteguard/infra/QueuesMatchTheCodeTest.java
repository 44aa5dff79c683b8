package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import dev.aksrouteguard.function.AlertQueueFunction;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.function.RetryFunction;
import dev.aksrouteguard.function.SweepFunction;
import dev.aksrouteguard.infra.InfraModel.Form;
import dev.aksrouteguard.infra.QueueModel.Grant;
import dev.aksrouteguard.queue.StorageRetryQueue;
import dev.aksrouteguard.teams.TeamsAlertQueue;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The Storage queues, in the code and in both forms of the deployment: the queues each form creates are exactly the
 * ones the code names ({@link StorageRetryQueue}, {@link TeamsAlertQueue}) and the queue triggers read, with their
 * poison queues; they live in the storage account the app's identity-based {@code AzureWebJobsStorage} names; the
 * guard's identity holds Storage Queue Data Contributor on each of them and on nothing wider; and every queue setting
 * of {@code host.json} is documented in docs/deploy.md with its value.
 */
class QueuesMatchTheCodeTest {

    /** The functions of the app (FunctionJsonIT checks the packaged folder holds exactly these). */
    private static final List<Class<?>> FUNCTIONS = List.of(
            EventGridFunction.class, SweepFunction.class, RetryFunction.class, AlertQueueFunction.class);

    /** The connection the queue triggers use: the app's own storage, which the IaC configures by identity. */
    private static final String HOST_CONNECTION = "AzureWebJobsStorage";

    /** The Functions host's name for a queue's poison queue. */
    private static String poison(String queue) {
        return queue + "-poison";
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void eachFormCreatesExactlyTheQueuesTheCodeNames(Form form) {
        Set<String> code = new TreeSet<>(Set.of(StorageRetryQueue.NAME, StorageRetryQueue.POISON_NAME,
                TeamsAlertQueue.NAME, TeamsAlertQueue.POISON_NAME));
        List<String> created = QueueModel.load(form).queues();
        assertEquals(created.size(), new TreeSet<>(created).size(), form + ": a queue is created twice: " + created);
        assertEquals(code, new TreeSet<>(created), form + ": the queues created against the code's constants");
    }

    @Test
    void thePoisonQueuesTheCodeNamesAreTheOnesTheHostUses() {
        // The host moves a message to <queue>-poison after maxDequeueCount; the code keeps given-up work there too.
        assertEquals(poison(StorageRetryQueue.NAME), StorageRetryQueue.POISON_NAME);
        assertEquals(poison(TeamsAlertQueue.NAME), TeamsAlertQueue.POISON_NAME);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void everyQueueATriggerReadsAndItsPoisonQueueExistAfterDeployment(Form form) {
        Map<String, String> triggers = queueTriggers();
        assertEquals(Set.of(StorageRetryQueue.NAME, TeamsAlertQueue.NAME), triggers.keySet(),
                "the queue-triggered functions read the retry and the alert queue");
        Set<String> created = new TreeSet<>(QueueModel.load(form).queues());
        triggers.forEach((queue, function) -> {
            assertTrue(created.contains(queue), form + ": " + function + " reads " + queue + ", which is not created");
            assertTrue(created.contains(poison(queue)), form + ": the host moves " + function + "'s poison messages to "
                    + poison(queue) + ", which is not created");
        });
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theQueuesAreInTheStorageAccountTheAppsIdentityConnectionNames(Form form) {
        assertTrue(QueueModel.load(form).queuesInTheAppsAccount(), form + ": the queues must be created in the account"
                + " the app's AzureWebJobsStorage__accountName names (the triggers' connection is " + HOST_CONNECTION + ")");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theGuardHoldsStorageQueueDataContributorOnEachQueueAndNothingWider(Form form) {
        QueueModel m = QueueModel.load(form);
        Map<String, String> byQueue = new TreeMap<>();
        for (Grant g : m.grants()) {
            assertTrue(g.toTheGuard(), form + ": a queue role for another principal: " + g);
            assertTrue(g.queue() != null, form + ": " + g.role() + " must be scoped to one of the guard's queues, not"
                    + " the account (every queue in it) or wider");
            assertEquals(null, byQueue.put(g.queue(), g.role()), form + ": two queue roles on " + g.queue());
        }
        Map<String, String> expected = new TreeMap<>();
        m.queues().forEach(q -> expected.put(q, "Storage Queue Data Contributor"));
        assertEquals(expected, byQueue, form + ": the queue role of each queue (docs/deploy.md, \"The queues\", says why"
                + " Message Processor and Message Sender are not enough)");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theAppStartsOnlyOnceItMayReadItsQueues(Form form) {
        assertTrue(QueueModel.load(form).siteWaitsForQueueGrants(), form + ": the app settings (Bicep) or the site"
                + " (Terraform) must depend on the queue role assignments, as on the blob and table ones");
    }

    @Test
    void bothFormsCreateTheSameQueuesWithTheSameGrants() {
        QueueModel bicep = QueueModel.load(Form.BICEP);
        QueueModel terraform = QueueModel.load(Form.TERRAFORM);
        assertEquals(bicep.queues(), terraform.queues(), "queues, in the same order");
        assertEquals(new TreeSet<>(bicep.grants().stream().map(Grant::toString).toList()),
                new TreeSet<>(terraform.grants().stream().map(Grant::toString).toList()), "queue role assignments");
    }

    @Test
    void everyQueueSettingOfHostJsonIsDocumentedWithItsValue() {
        JsonObject queues = JsonParser.parseString(InfraModel.read(InfraModel.repoRoot().resolve("host.json")))
                .getAsJsonObject().getAsJsonObject("extensions").getAsJsonObject("queues");
        assertFalse(queues.entrySet().isEmpty(), "host.json has no extensions.queues");
        Map<String, String> inHostJson = new TreeMap<>();
        for (Map.Entry<String, JsonElement> e : queues.entrySet()) {
            inHostJson.put(e.getKey(), e.getValue().getAsString());
        }
        assertEquals(inHostJson, documentedQueueSettings(),
                "docs/deploy.md, \"The queues\": one table row per host.json extensions.queues setting, `name` | `value`");
    }

    @Test
    void theDocumentedQueueSettingsAreReadFromTheTableOnly() {
        // The reader of the table, on a sample: rows outside the table and rows of other tables do not count.
        String doc = """
                ## The queues

                | host.json `extensions.queues` | value | why |
                |---|---|---|
                | `batchSize` | `4` | few at a time |
                | `messageEncoding` | `base64` | what the guard writes |

                | other | table |
                |---|---|
                | `visibilityTimeout` | `00:01:00` |
                """;
        assertEquals(Map.of("batchSize", "4", "messageEncoding", "base64"), queueSettingsTable(doc));
    }

    @Test
    void aQueueRoleOnTheWholeAccountIsSeenAsWideInBicep(@TempDir Path dir) throws IOException {
        copyTree(InfraModel.repoRoot().resolve("infra"), dir.resolve("infra"), ".bicep");
        Path app = dir.resolve("infra/modules/functionapp.bicep");
        String source = Files.readString(app);
        assertTrue(source.contains("scope: queues[i]"), "the sample edit no longer applies");
        Files.writeString(app, source.replace("scope: queues[i]", "scope: storage"));

        QueueModel m = QueueModel.fromBicep(dir);

        assertTrue(m.grants().stream().anyMatch(g -> g.queue() == null), "an account-wide grant: " + m.grants());
        assertEquals(QueueModel.load(Form.BICEP).queues(), m.queues(), "the queues themselves did not change");
    }

    @Test
    void aQueueRoleOnTheWholeAccountIsSeenAsWideInTerraform(@TempDir Path dir) throws IOException {
        copyTree(InfraModel.repoRoot().resolve("infra/terraform"), dir, ".tf");
        Path main = dir.resolve("main.tf");
        String source = Files.readString(main);
        String scope = "scope                = \"${azurerm_storage_account.guard.id}/queueServices/default/queues/${each.value.name}\"";
        assertTrue(source.contains(scope), "the sample edit no longer applies");
        Files.writeString(main, source.replace(scope, "scope                = azurerm_storage_account.guard.id"));

        QueueModel m = QueueModel.fromTerraform(InfraModel.repoRoot(), dir);

        assertTrue(m.grants().stream().anyMatch(g -> g.queue() == null), "an account-wide grant: " + m.grants());
    }

    @Test
    void queuesInAnotherAccountAreNotTheAppsInTerraform(@TempDir Path dir) throws IOException {
        copyTree(InfraModel.repoRoot().resolve("infra/terraform"), dir, ".tf");
        Path main = dir.resolve("main.tf");
        String source = Files.readString(main);
        String account = "storage_account_id = azurerm_storage_account.guard.id\n}";
        assertTrue(source.contains("  for_each           = toset(local.guard_queues)"), "the sample edit no longer applies");
        Files.writeString(main, source.replace("  for_each           = toset(local.guard_queues)\n  name               = each.value\n  "
                + account, "  for_each           = toset(local.guard_queues)\n  name               = each.value\n"
                + "  storage_account_id = \"/subscriptions/x/resourceGroups/y/providers/Microsoft.Storage/storageAccounts/other\"\n}"));

        assertFalse(QueueModel.fromTerraform(InfraModel.repoRoot(), dir).queuesInTheAppsAccount());
    }

    // ---- helpers ----

    /** Copies the files ending in {@code suffix} under {@code from} (not in subdirectories named {@code examples}). */
    private static void copyTree(Path from, Path to, String suffix) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : walk.filter(p -> p.toString().endsWith(suffix) && !from.relativize(p).toString().startsWith("examples"))
                    .toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                Files.createDirectories(target.getParent());
                Files.copy(p, target);
            }
        }
    }

    /** The queue each {@code @QueueTrigger} reads, with its function's name; every one on the host's connection. */
    static Map<String, String> queueTriggers() {
        Map<String, String> queues = new LinkedHashMap<>();
        for (Class<?> type : FUNCTIONS) {
            for (Method method : type.getDeclaredMethods()) {
                FunctionName name = method.getAnnotation(FunctionName.class);
                for (Parameter parameter : method.getParameters()) {
                    QueueTrigger trigger = parameter.getAnnotation(QueueTrigger.class);
                    if (trigger != null) {
                        assertEquals(HOST_CONNECTION, trigger.connection(), name.value()
                                + " must read its queue through the app's own storage connection, the one the IaC sets up");
                        assertEquals(null, queues.put(trigger.queueName(), name.value()), "two triggers on " + trigger.queueName());
                    }
                }
            }
        }
        return queues;
    }

    private static final Pattern ROW = Pattern.compile("^\\|\\s*`([A-Za-z]+)`\\s*\\|\\s*`?([^|`]+?)`?\\s*\\|.*$");

    /** The host.json queue settings docs/deploy.md documents. */
    static Map<String, String> documentedQueueSettings() {
        return queueSettingsTable(InfraModel.read(InfraModel.repoRoot().resolve("docs/deploy.md")));
    }

    /**
     * The rows of the first table whose header starts with {@code | host.json `extensions.queues`}, as setting name
     * to value (backticks removed).
     */
    static Map<String, String> queueSettingsTable(String markdown) {
        Map<String, String> rows = new TreeMap<>();
        boolean inTable = false;
        for (String line : markdown.split("\n")) {
            String trimmed = line.trim();
            if (!inTable) {
                inTable = trimmed.startsWith("| host.json `extensions.queues`");
                continue;
            }
            if (!trimmed.startsWith("|")) {
                if (!rows.isEmpty()) {
                    break;
                }
                continue;
            }
            Matcher m = ROW.matcher(trimmed);
            if (m.matches()) {
                rows.put(m.group(1), m.group(2).trim());
            }
        }
        return rows;
    }
}
