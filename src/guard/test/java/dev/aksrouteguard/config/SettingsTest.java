package dev.aksrouteguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Mode;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SettingsTest {

    static final String SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590";

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put(Settings.AZURE_SUBSCRIPTION_ID, SUB);
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void defaultsAreThoseTheReadmePromises() {
        Settings s = Settings.from(env());
        assertEquals(new SubscriptionScope.Single(SUB), s.scope());
        assertEquals(AzureCloud.AZURE_CLOUD, s.cloud());
        assertEquals(URI.create("https://management.azure.com/"), s.armEndpoint());
        assertEquals(Mode.ENFORCE, s.mode());
        assertNull(s.clientId());
        assertEquals("0 */5 * * * *", s.sweepSchedule());
        assertEquals(Duration.ofMinutes(4), s.sweepTimeBudget());
        assertEquals(Duration.ofSeconds(20), s.eventTimeBudget());
        assertNull(s.teamsWebhookUrl());
        assertEquals(Duration.ofHours(24), s.alertRepeat());
        assertNull(s.storage());
    }

    @Test
    void readsEverySetting() {
        Settings s = Settings.from(env(
                Settings.AZURE_CLOUD, "azurechinacloud",
                Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, "https://127.0.0.1:8443",
                Settings.REMEDIATION_MODE, "Report",
                Settings.AZURE_CLIENT_ID, "11111111-2222-3333-4444-555555555555",
                Settings.SWEEP_SCHEDULE, "0 */15 * * * *",
                Settings.SWEEP_TIME_BUDGET, "00:02:30",
                Settings.EVENT_TIME_BUDGET, "PT15S",
                Settings.TEAMS_WEBHOOK_URL, "https://prod-01.westeurope.logic.azure.com/workflows/x?sig=abc",
                Settings.TEAMS_CARD_FORMAT, "MessageCard",
                Settings.ALERT_REPEAT_HOURS, "6",
                Settings.STORAGE_ACCOUNT_NAME, "stguard01",
                Settings.STORAGE_CREDENTIAL, "managedidentity",
                Settings.STORAGE_CLIENT_ID, "11111111-2222-3333-4444-555555555555"));
        assertEquals(AzureCloud.AZURE_CHINA_CLOUD, s.cloud());
        assertEquals(URI.create("https://127.0.0.1:8443/"), s.armEndpoint());
        assertEquals(Mode.REPORT, s.mode());
        assertEquals(Duration.ofSeconds(150), s.sweepTimeBudget());
        assertEquals(Duration.ofSeconds(15), s.eventTimeBudget());
        assertEquals(CardFormat.MESSAGECARD, s.teamsCardFormat());
        assertEquals(Duration.ofHours(6), s.alertRepeat());
        StorageConnection.Identity id = assertInstanceOf(StorageConnection.Identity.class, s.storage());
        assertEquals(URI.create("https://stguard01.table.core.chinacloudapi.cn/"), id.tableEndpoint());
        assertEquals(URI.create("https://stguard01.queue.core.chinacloudapi.cn/"), id.queueEndpoint());
    }

    @Test
    void aServiceUriWinsOverTheEndpointDerivedFromTheAccountName() {
        StorageConnection.Identity id = assertInstanceOf(StorageConnection.Identity.class, Settings.from(env(
                Settings.STORAGE_ACCOUNT_NAME, "stguard01",
                Settings.STORAGE_QUEUE_SERVICE_URI, "https://queues.example.net")).storage());
        assertEquals(URI.create("https://queues.example.net/"), id.queueEndpoint());
        assertEquals(URI.create("https://stguard01.table.core.windows.net/"), id.tableEndpoint());
    }

    @Test
    void aQueueServiceUriAloneGivesAQueueAndNoTable() {
        StorageConnection.Identity id = assertInstanceOf(StorageConnection.Identity.class, Settings.from(env(
                Settings.STORAGE_QUEUE_SERVICE_URI, "https://stguard01.queue.core.windows.net")).storage());
        assertEquals(URI.create("https://stguard01.queue.core.windows.net/"), id.queueEndpoint());
        assertNull(id.tableEndpoint());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "AZURE_SUBSCRIPTION_ID, not-a-guid",
        "AZURE_CLOUD, AzureGermanCloud",
        "AZURE_RESOURCE_MANAGER_ENDPOINT, http://127.0.0.1:8080",
        "REMEDIATION_MODE, fix",
        "AZURE_CLIENT_ID, me",
        "SWEEP_SCHEDULE, */5 * * * *",
        "SWEEP_TIME_BUDGET, 5 minutes",
        "SWEEP_TIME_BUDGET, PT0S",
        "SWEEP_TIME_BUDGET, PT10M",
        "SWEEP_TIME_BUDGET, 00:07:00",
        "EVENT_TIME_BUDGET, PT30S",
        "EVENT_TIME_BUDGET, -PT5S",
        "TEAMS_CARD_FORMAT, html",
        "ALERT_REPEAT_HOURS, -1",
        "AzureWebJobsStorage__accountName, Not_A_Name",
        "AzureWebJobsStorage__credential, connectionstring",
        "AzureWebJobsStorage__queueServiceUri, http://127.0.0.1:10001/devstoreaccount1",
    })
    void aBadValueFailsFastNamingTheSetting(String name, String value) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Settings.from(env(name, value)));
        assertTrue(e.getMessage().startsWith("setting " + name + " is invalid"), e.getMessage());
    }

    @Test
    void theLongestSweepBudgetIsAccepted() {
        assertEquals(Settings.MAX_SWEEP_TIME_BUDGET,
                Settings.from(env(Settings.SWEEP_TIME_BUDGET, Settings.MAX_SWEEP_TIME_BUDGET.toString())).sweepTimeBudget());
    }

    @Test
    void anEmptyRemediationModeIsAnErrorNotTheWritingDefault() {
        for (String empty : new String[] {"", "  "}) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Settings.from(env(Settings.REMEDIATION_MODE, empty)));
            assertTrue(e.getMessage().startsWith("setting REMEDIATION_MODE is invalid: set but empty"), e.getMessage());
        }
        assertEquals(dev.aksrouteguard.core.model.Mode.ENFORCE, Settings.from(env(Settings.SWEEP_TIME_BUDGET, "PT4M")).mode(),
                "unset: enforce");
    }

    @Test
    void theSubscriptionsToGuardAreRequired() {
        Map<String, String> none = new java.util.HashMap<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Settings.from(none));
        assertTrue(e.getMessage().startsWith("no subscription to guard: set one of AZURE_SUBSCRIPTION_ID"), e.getMessage());
        assertTrue(e.getMessage().contains("AZURE_SUBSCRIPTION_IDS") && e.getMessage().contains("AZURE_MANAGEMENT_GROUP_ID"),
                e.getMessage());
    }

    @Test
    void exactlyOneWayOfNamingTheSubscriptionsIsAccepted() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Settings.from(env(Settings.AZURE_MANAGEMENT_GROUP_ID, "platform")));
        assertTrue(e.getMessage().startsWith("set only one of AZURE_SUBSCRIPTION_ID"), e.getMessage());
    }

    @Test
    void aListOfSubscriptionsIsReadInOrderWithoutDuplicates() {
        Settings s = Settings.from(Map.of(Settings.AZURE_SUBSCRIPTION_IDS,
                " 11111111-2222-3333-4444-555555555555,AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE , 11111111-2222-3333-4444-555555555555"));
        assertEquals(new SubscriptionScope.Listed(List.of("11111111-2222-3333-4444-555555555555",
                "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee")), s.scope());
        assertEquals("2 subscriptions", s.scope().describe());
        assertTrue(s.scope().key().startsWith("subscriptions:"), s.scope().key());
    }

    @Test
    void aManagementGroupIsReadByIdOrFullId() {
        assertEquals(new SubscriptionScope.ManagementGroup("lz-platform"),
                Settings.from(Map.of(Settings.AZURE_MANAGEMENT_GROUP_ID, "lz-platform")).scope());
        assertEquals(new SubscriptionScope.ManagementGroup("lz-platform"), Settings.from(Map.of(Settings.AZURE_MANAGEMENT_GROUP_ID,
                "/providers/Microsoft.Management/managementGroups/lz-platform")).scope());
        assertEquals("managementGroup:lz-platform", new SubscriptionScope.ManagementGroup("LZ-Platform").key());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "AZURE_SUBSCRIPTION_IDS, 'not-a-guid,11111111-2222-3333-4444-555555555555'",
        "AZURE_SUBSCRIPTION_IDS, '11111111-2222-3333-4444-555555555555,,'",
        "AZURE_MANAGEMENT_GROUP_ID, 'has spaces'",
    })
    void aBadListOrGroupFailsFastNamingTheSetting(String name, String value) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Settings.from(Map.of(name, value)));
        assertTrue(e.getMessage().startsWith("setting " + name + " is invalid"), e.getMessage());
    }

    @Test
    void aBadWebhookUrlIsRefusedWithoutEchoingIt() {
        String secret = "ftp://example.invalid/workflows/abc?sig=FAKE-NOT-A-SECRET";
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Settings.from(env(Settings.TEAMS_WEBHOOK_URL, secret)));
        assertTrue(e.getMessage().contains(Settings.TEAMS_WEBHOOK_URL));
        assertFalse(e.getMessage().contains("FAKE-NOT-A-SECRET"), e.getMessage());
    }

    /** What App Service hands the app when it cannot resolve a Key Vault reference: the reference itself. */
    static final String UNRESOLVED = "@Microsoft.KeyVault(SecretUri=https://kv-platform.vault.azure.net/secrets/teams-webhook-url/)";

    @Test
    void anUnresolvedKeyVaultReferenceForTheWebhookTurnsAlertsOffAndSaysSoButStopsNothing() {
        Settings s = Settings.from(env(Settings.TEAMS_WEBHOOK_URL, UNRESOLVED));

        assertEquals(null, s.teamsWebhookUrl(), "no alerts");
        assertTrue(s.teamsWebhookUnresolved());
        assertTrue(s.alertsProblem().startsWith("failed alerts: " + Settings.TEAMS_WEBHOOK_URL + " is a Key Vault reference"),
                s.alertsProblem());
        assertFalse(s.alertsProblem().contains("kv-platform"), "the reference is not repeated: " + s.alertsProblem());
        assertEquals(null, Settings.from(env(Settings.TEAMS_WEBHOOK_URL, " @microsoft.keyvault(VaultName=kv;SecretName=x) "))
                .teamsWebhookUrl(), "any form and casing of the reference");
        assertEquals(null, Settings.from(env()).alertsProblem(), "no webhook at all is a choice, not a problem");
        assertEquals(null, s.withoutAlerts().alertsProblem(), "--no-alerts is a choice too");
    }

    @Test
    void anUnresolvedKeyVaultReferenceForAnyOtherSettingFailsNamingTheSettingAndTheCause() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Settings.from(env(Settings.REMEDIATION_MODE, UNRESOLVED)));
        assertTrue(e.getMessage().startsWith("setting " + Settings.REMEDIATION_MODE + " is invalid: it is a Key Vault reference"),
                e.getMessage());
    }

    /** "Account" + "Key=": no secret-shaped string in the sources. */
    static final String KEY = "Account" + "Key=";
    static final String SAS = "SharedAccess" + "Signature=";
    /** Base64 of "do-not-echo-me", the part no message may quote. */
    static final String GOOD_KEY = java.util.Base64.getEncoder().encodeToString("do-not-echo-me".getBytes());

    @Test
    void aStorageConnectionStringTheSdkCannotUseFailsAtStartNamingTheSettingWithoutEchoingIt() {
        List<String> unusable = List.of(
                "garbage-" + GOOD_KEY,
                "DefaultEndpointsProtocol=https;AccountName=stguard01;" + KEY + ";EndpointSuffix=core.windows.net",
                "AccountName=stguard01;" + KEY + "not-base64!" + GOOD_KEY,
                "AccountName=stguard01",
                KEY + GOOD_KEY + ";QueueEndpoint=https://q.example;TableEndpoint=https://t.example",
                SAS + "sv=1&sig=" + GOOD_KEY,
                "UseDevelopmentStorage=false;" + KEY + GOOD_KEY,
                "AccountName=stguard01;" + KEY + GOOD_KEY + ";QueueEndpoint=not a url",
                "AccountName=stguard01;" + KEY + GOOD_KEY + ";EndpointSuffix=");
        for (String connection : unusable) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Settings.from(env(Settings.STORAGE, connection)), connection);
            assertTrue(e.getMessage().startsWith("setting " + Settings.STORAGE + " is invalid: "), e.getMessage());
            assertFalse(e.getMessage().contains(GOOD_KEY) || e.getMessage().contains("not-base64"), e.getMessage());
        }
    }

    /**
     * The Functions host reads the string case-insensitively (.NET), the Java Storage SDK the guard uses does not: a
     * key spelled otherwise than the SDK looks it up fails at start, saying which spelling to write and never quoting
     * the value ({@code StorageClientsTest} holds that the SDK refuses each of these).
     */
    @Test
    void aStorageConnectionStringKeyNotSpelledAsTheJavaSdkReadsItFailsAtStartNamingTheSpellingToWrite() {
        Map<String, String> unusable = new java.util.LinkedHashMap<>();
        unusable.put("DefaultEndpointsProtocol=https;accountname=stguard01;" + KEY.toLowerCase(java.util.Locale.ROOT) + GOOD_KEY
                + ";EndpointSuffix=core.windows.net", "AccountName");
        unusable.put("DefaultEndpointsProtocol=https;AccountName=stguard01;" + KEY.toUpperCase(java.util.Locale.ROOT) + GOOD_KEY,
                "AccountKey");
        unusable.put("usedevelopmentstorage=true", "UseDevelopmentStorage");
        unusable.put("AccountName =stguard01;" + KEY + GOOD_KEY, "AccountName");
        unusable.put("AccountName=stguard01;" + KEY + GOOD_KEY + ";endpointSuffix=core.windows.net", "EndpointSuffix");
        unusable.forEach((connection, spelling) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Settings.from(env(Settings.STORAGE, connection)), connection);
            assertTrue(e.getMessage().startsWith("setting " + Settings.STORAGE + " is invalid: a key is not spelled "
                    + spelling + " exactly: "), e.getMessage());
            assertTrue(e.getMessage().contains("; write " + spelling + " (value not shown"), e.getMessage());
            assertFalse(e.getMessage().contains(GOOD_KEY) || e.getMessage().contains("stguard01"), e.getMessage());
        });
    }

    /**
     * A key the Java Storage SDK does not know in any case (a Service Bus or Cosmos DB key, a typo) makes both its parsers
     * refuse the whole string ({@code StorageClientsTest}): refused at start naming the key, which is no secret, and the
     * keys the SDK accepts, never the value; what stands before an '=' and is no key name (an account key pasted without
     * its name) is not shown.
     */
    @Test
    void aStorageConnectionStringKeyTheJavaSdkDoesNotKnowFailsAtStartNamingTheKey() {
        Map<String, String> unknown = new java.util.LinkedHashMap<>();
        unknown.put("DefaultEndpointsProtocol=https;AccountName=stguard01;" + KEY + GOOD_KEY + ";Endpoint=https://stguard01.example",
                "'Endpoint'");
        unknown.put("UseDevelopmentStorage=true;SharedAccessKeyName=RootManageSharedAccessKey", "'SharedAccessKeyName'");
        unknown.put("AccountName=stguard01;" + KEY + GOOD_KEY + ";Account Name=stguard01", "'Account Name'");
        unknown.put("AccountName=stguard01;" + GOOD_KEY, "(19 characters; not shown, as it is no key name and may be part of a secret)");
        unknown.forEach((connection, named) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Settings.from(env(Settings.STORAGE, connection)), connection);
            assertEquals("setting " + Settings.STORAGE + " is invalid: unknown key " + named + ": the Java Storage SDK the guard"
                    + " uses refuses a connection string with a key it does not know; it accepts only UseDevelopmentStorage,"
                    + " DevelopmentStorageProxyUri, DefaultEndpointsProtocol, AccountName, AccountKey, SharedAccessSignature,"
                    + " EndpointSuffix, BlobEndpoint, BlobSecondaryEndpoint, QueueEndpoint, QueueSecondaryEndpoint,"
                    + " TableEndpoint, TableSecondaryEndpoint, FileEndpoint, FileSecondaryEndpoint (value not shown: it is a"
                    + " secret)", e.getMessage());
            assertFalse(e.getMessage().contains(GOOD_KEY.substring(0, 8)) || e.getMessage().contains("stguard01")
                    || e.getMessage().contains("RootManage"), e.getMessage());
        });
    }

    @Test
    void theStorageConnectionStringsOfAzuriteAnAccountAndASasAreAccepted() {
        for (String connection : List.of("UseDevelopmentStorage=true",
                "DefaultEndpointsProtocol=https;AccountName=stguard01;" + KEY + GOOD_KEY + ";EndpointSuffix=core.windows.net",
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" + KEY + GOOD_KEY
                        + ";TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;",
                "TableEndpoint=https://t.example;QueueEndpoint=https://q.example;" + SAS + "sv=2020-08-04&sig=" + GOOD_KEY,
                " AccountName=stguard01; " + KEY + GOOD_KEY + " ;")) { // the SDK trims each pair
            assertInstanceOf(StorageConnection.ConnectionString.class, Settings.from(env(Settings.STORAGE, connection)).storage(),
                    connection);
        }
    }

    @Test
    void secretsDoNotPrint() {
        Settings s = Settings.from(env(Settings.TEAMS_WEBHOOK_URL, "https://x.example/hook?sig=SUPERSECRET",
                Settings.STORAGE, "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=SUPERSECRET0"));
        assertFalse(s.toString().contains("SUPERSECRET"), s.toString());
    }

    @Test
    void everySettingNameIsListed() {
        assertEquals(21, Settings.NAMES.size());
        assertTrue(Settings.NAMES.contains(Settings.SWEEP_SCHEDULE));
    }

    @Test
    void theLocalSettingsSampleListsExactlyTheSettingsTheCodeReads() throws Exception {
        com.google.gson.JsonObject values = com.google.gson.JsonParser.parseString(
                java.nio.file.Files.readString(dev.aksrouteguard.testing.Repo.file("local.settings.sample.json"))).getAsJsonObject().getAsJsonObject("Values");
        java.util.Set<String> keys = new java.util.TreeSet<>(values.keySet());
        assertTrue(keys.remove("FUNCTIONS_WORKER_RUNTIME"), "the host needs the worker runtime");
        java.util.Set<String> read = new java.util.TreeSet<>(Settings.NAMES);
        read.removeIf(n -> n.startsWith(Settings.STORAGE + "__")); // the identity-based forms, for Azure only
        assertEquals(read, keys);
        Map<String, String> env = new HashMap<>();
        values.entrySet().forEach(e -> env.put(e.getKey(), e.getValue().getAsString()));
        assertEquals(Mode.REPORT, Settings.from(env).mode(), "the sample is valid and starts in report mode");
    }
}
