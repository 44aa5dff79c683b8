package dev.aksrouteguard.wiring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.storage.queue.QueueClientBuilder;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.port.RepairHistory;
import dev.aksrouteguard.history.TableRepairHistory;
import dev.aksrouteguard.teams.AlertStorage;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Which Table and Queue clients a storage connection gives, and where they point: by connection string, or at the
 * service endpoints of an identity-based connection (none for a service it names no endpoint of). Builds clients only;
 * no request is sent.
 */
class StorageClientsTest {

    static final String SUB = "9b2f6c1e-4d3a-4e8b-a7c5-1f0e2d3c4b5a";
    static final String WEBHOOK = "https://example.webhook.office.com/webhookb2/x/IncomingWebhook/y/z";
    static final TokenCredential CREDENTIAL = request -> Mono.just(new AccessToken("t", OffsetDateTime.now().plusHours(1)));
    static final HttpClient HTTP = request -> Mono.error(new AssertionError("no request is sent: " + request.getUrl()));
    static final Logger LOG = Logger.getLogger(StorageClientsTest.class.getName());
    static final String TABLE_URL = "https://guardstate.table.core.windows.net/" + AlertStorage.tableName();
    static final String QUEUE_URL = "https://guardstate.queue.core.windows.net/routeguard-alerts";

    /** Settings with a subscription, the Teams webhook and this storage connection ({@code name, value, …}). */
    static Settings settings(String... storage) {
        Map<String, String> env = new HashMap<>(Map.of(Settings.AZURE_SUBSCRIPTION_ID, SUB, Settings.TEAMS_WEBHOOK_URL, WEBHOOK));
        for (int i = 0; i < storage.length; i += 2) {
            env.put(storage[i], storage[i + 1]);
        }
        return Settings.from(env);
    }

    static AlertStorage alerts(Settings settings) {
        return StorageClients.forAlerts(settings, CREDENTIAL, HTTP, true, LOG);
    }

    @Test
    void anIdentityConnectionPointsEachClientAtItsServiceEndpoint() {
        Settings settings = settings(Settings.STORAGE_ACCOUNT_NAME, "guardstate", Settings.STORAGE_CREDENTIAL, "managedidentity");

        AlertStorage alerts = alerts(settings);

        assertNotNull(alerts.table());
        assertNotNull(alerts.queue());
        assertEquals(TABLE_URL, alerts.table().getTableEndpoint());
        assertEquals(QUEUE_URL, alerts.queue().getQueueUrl());
        assertTrue(StorageClients.history(settings, CREDENTIAL, HTTP, LOG) instanceof TableRepairHistory);
    }

    @Test
    void anIdentityConnectionWithoutATableEndpointGivesNoTableClient() {
        Settings settings = settings(Settings.STORAGE_QUEUE_SERVICE_URI, "https://guardstate.queue.core.windows.net",
                Settings.STORAGE_CREDENTIAL, "managedidentity");

        AlertStorage alerts = alerts(settings);

        assertNull(alerts.table());
        assertEquals(QUEUE_URL, alerts.queue().getQueueUrl());
        RepairHistory history = StorageClients.history(settings, CREDENTIAL, HTTP, LOG);
        assertFalse(history.enabled());
        assertEquals("repair history off (the AzureWebJobsStorage connection has no table endpoint): recurring strips are not "
                + "counted", history.describe());
    }

    @Test
    void anIdentityConnectionWithoutAQueueEndpointGivesNoQueueClient() {
        AlertStorage alerts = alerts(settings(Settings.STORAGE_TABLE_SERVICE_URI, "https://guardstate.table.core.windows.net",
                Settings.STORAGE_CREDENTIAL, "managedidentity"));

        assertEquals(TABLE_URL, alerts.table().getTableEndpoint());
        assertNull(alerts.queue());
    }

    @Test
    void aConnectionStringPointsBothClientsAtItsAccount() {
        AlertStorage alerts = alerts(settings(Settings.STORAGE, "DefaultEndpointsProtocol=https;AccountName=guardstate;AccountKey="
                + "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5;"
                + "EndpointSuffix=core.windows.net"));

        assertEquals(TABLE_URL, alerts.table().getTableEndpoint());
        assertEquals(QUEUE_URL, alerts.queue().getQueueUrl());
        assertEquals(AlertStorage.tableName(), alerts.table().getTableName());
    }

    /**
     * What {@code Settings} refuses as a misspelt key is what the Java Storage SDK itself refuses (both the Table client
     * and the Queue client, azure-data-tables and azure-storage-common having a parser each), while the Functions host
     * (.NET) reads key names in any case: were the SDK ever to accept these, the start-up check would be wrong.
     */
    @Test
    void theJavaSdkReadsKeyNamesExactlyWhereTheFunctionsHostIgnoresTheirCase() {
        String key = "a2V5a2V5a2V5a2V5";
        List<String> misspelt = List.of(
                "DefaultEndpointsProtocol=https;accountname=guardstate;accountkey=" + key + ";EndpointSuffix=core.windows.net",
                "ACCOUNTNAME=guardstate;ACCOUNTKEY=" + key,
                "usedevelopmentstorage=true",
                "AccountName =guardstate;Account" + "Key=" + key);
        for (String connection : misspelt) {
            assertThrows(IllegalArgumentException.class, () -> new TableClientBuilder().connectionString(connection), connection);
            assertThrows(IllegalArgumentException.class, () -> new QueueClientBuilder().connectionString(connection), connection);
        }
        for (String connection : List.of("DefaultEndpointsProtocol=https;AccountName=guardstate;Account" + "Key=" + key
                + ";EndpointSuffix=core.windows.net", " AccountName=guardstate; Account" + "Key=" + key + " ;", "UseDevelopmentStorage=true")) {
            assertNotNull(new TableClientBuilder().connectionString(connection).tableName("t").buildClient(), connection);
            assertNotNull(new QueueClientBuilder().connectionString(connection).queueName("q").buildClient(), connection);
        }
    }

    /**
     * Each key {@code Settings} accepts in {@code AzureWebJobsStorage} is one both SDK parsers accept (azure-data-tables'
     * and azure-storage-common's, the Table and the Queue client), shown by a string with that key each takes and the
     * start-up check takes too; and a key neither knows makes both refuse the string, as the start-up check does. The
     * example strings must cover the list exactly, so a key added to it is held to the SDK as well.
     */
    @Test
    void everyKeyTheStartUpCheckAcceptsIsOneBothSdkParsersAcceptAndAnUnknownKeyNeitherAccepts() {
        String account = "AccountName=guardstate;Account" + "Key=a2V5a2V5a2V5a2V5";
        Map<String, String> withKey = new java.util.LinkedHashMap<>();
        withKey.put("UseDevelopmentStorage", "UseDevelopmentStorage=true");
        withKey.put("DevelopmentStorageProxyUri", "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://proxy.example");
        withKey.put("DefaultEndpointsProtocol", "DefaultEndpointsProtocol=https;" + account);
        withKey.put("AccountName", account);
        withKey.put("AccountKey", account);
        withKey.put("SharedAccessSignature", "AccountName=guardstate;SharedAccess" + "Signature=sv=2020-08-04&sig=a2V5");
        withKey.put("EndpointSuffix", account + ";EndpointSuffix=core.chinacloudapi.cn");
        for (String service : List.of("Blob", "Queue", "Table", "File")) {
            String primary = service + "Endpoint=https://" + service.toLowerCase(java.util.Locale.ROOT) + ".example";
            withKey.put(service + "Endpoint", account + ";" + primary);
            withKey.put(service + "SecondaryEndpoint", account + ";" + primary + ";" + service + "SecondaryEndpoint=https://"
                    + service.toLowerCase(java.util.Locale.ROOT) + "-secondary.example");
        }
        assertEquals(new java.util.TreeSet<>(Settings.STORAGE_CONNECTION_KEYS), new java.util.TreeSet<>(withKey.keySet()));
        withKey.forEach((key, connection) -> {
            assertTrue(connection.startsWith(key + "=") || connection.contains(";" + key + "="), connection);
            assertNotNull(new TableClientBuilder().connectionString(connection).tableName("t").buildClient(), connection);
            assertNotNull(new QueueClientBuilder().connectionString(connection).queueName("q").buildClient(), connection);
            assertNotNull(settings(Settings.STORAGE, connection).storage(), connection);
        });
        for (String unknown : List.of(account + ";Endpoint=https://guardstate.example", "UseDevelopmentStorage=true;Foo=bar",
                account + ";AccountEndpoint=https://guardstate.documents.azure.com")) {
            assertThrows(IllegalArgumentException.class, () -> new TableClientBuilder().connectionString(unknown), unknown);
            assertThrows(IllegalArgumentException.class, () -> new QueueClientBuilder().connectionString(unknown), unknown);
            assertThrows(IllegalStateException.class, () -> settings(Settings.STORAGE, unknown), unknown);
        }
    }
}
