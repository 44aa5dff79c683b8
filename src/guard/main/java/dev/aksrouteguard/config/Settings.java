package dev.aksrouteguard.config;

import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Recurrence;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every setting the guard reads (app settings in Azure, environment variables locally), validated once. A bad value
 * fails fast with an {@link IllegalStateException} that names the setting and never echoes a secret.
 *
 * @param scope what is guarded: exactly one of {@code AZURE_SUBSCRIPTION_ID}, {@code AZURE_SUBSCRIPTION_IDS},
 *     {@code AZURE_MANAGEMENT_GROUP_ID}
 * @param cloud {@code AZURE_CLOUD}
 * @param resourceManagerEndpoint {@code AZURE_RESOURCE_MANAGER_ENDPOINT}: overrides the cloud's ARM endpoint
 * @param mode {@code REMEDIATION_MODE}
 * @param clientId {@code AZURE_CLIENT_ID}: the user-assigned managed identity, when there is one
 * @param sweepSchedule {@code SWEEP_SCHEDULE}: read by the Functions host through {@code %SWEEP_SCHEDULE%}; checked here
 * @param sweepTimeBudget {@code SWEEP_TIME_BUDGET}: after this, a sweep starts no new write
 * @param eventTimeBudget {@code EVENT_TIME_BUDGET}: the Event Grid function answers within this; work left is handed to
 *     the retry queue
 * @param teamsWebhookUrl {@code TEAMS_WEBHOOK_URL}: a secret; no alerts without it
 * @param teamsWebhookUnresolved {@code TEAMS_WEBHOOK_URL} is a Key Vault reference that App Service could not resolve
 *     (it then hands the app the reference itself): no alerts, and {@link #alertsProblem()} says so
 * @param teamsCardFormat {@code TEAMS_CARD_FORMAT}: null means guessed from the URL
 * @param alertRepeat {@code ALERT_REPEAT_HOURS}: how often an unresolved finding is alerted again
 * @param storage {@code AzureWebJobsStorage} (or its identity-based form): the alert memory and the alert queue; null
 *     without one
 * @param recurrence {@code RECURRENCE_THRESHOLD} strips within {@code RECURRENCE_WINDOW_DAYS}: when a subnet's alert
 *     escalates (the repair history is in {@code storage})
 */
public record Settings(
        SubscriptionScope scope,
        AzureCloud cloud,
        @Nullable URI resourceManagerEndpoint,
        Mode mode,
        @Nullable String clientId,
        String sweepSchedule,
        Duration sweepTimeBudget,
        Duration eventTimeBudget,
        @Nullable Secret teamsWebhookUrl,
        boolean teamsWebhookUnresolved,
        @Nullable CardFormat teamsCardFormat,
        Duration alertRepeat,
        @Nullable StorageConnection storage,
        Recurrence.Policy recurrence) {

    public static final String AZURE_SUBSCRIPTION_ID = "AZURE_SUBSCRIPTION_ID";
    public static final String AZURE_SUBSCRIPTION_IDS = "AZURE_SUBSCRIPTION_IDS";
    public static final String AZURE_MANAGEMENT_GROUP_ID = "AZURE_MANAGEMENT_GROUP_ID";
    public static final String AZURE_CLOUD = "AZURE_CLOUD";
    public static final String AZURE_RESOURCE_MANAGER_ENDPOINT = "AZURE_RESOURCE_MANAGER_ENDPOINT";
    public static final String REMEDIATION_MODE = "REMEDIATION_MODE";
    public static final String AZURE_CLIENT_ID = "AZURE_CLIENT_ID";
    public static final String SWEEP_SCHEDULE = "SWEEP_SCHEDULE";
    public static final String SWEEP_TIME_BUDGET = "SWEEP_TIME_BUDGET";
    public static final String EVENT_TIME_BUDGET = "EVENT_TIME_BUDGET";

    /** How an App Service Key Vault reference starts. */
    private static final String KEY_VAULT_REFERENCE = "@Microsoft.KeyVault(";
    public static final String TEAMS_WEBHOOK_URL = "TEAMS_WEBHOOK_URL";
    public static final String TEAMS_CARD_FORMAT = "TEAMS_CARD_FORMAT";
    public static final String ALERT_REPEAT_HOURS = "ALERT_REPEAT_HOURS";
    public static final String STORAGE = "AzureWebJobsStorage";
    public static final String STORAGE_ACCOUNT_NAME = "AzureWebJobsStorage__accountName";
    public static final String STORAGE_TABLE_SERVICE_URI = "AzureWebJobsStorage__tableServiceUri";
    public static final String STORAGE_QUEUE_SERVICE_URI = "AzureWebJobsStorage__queueServiceUri";
    public static final String STORAGE_CREDENTIAL = "AzureWebJobsStorage__credential";
    public static final String STORAGE_CLIENT_ID = "AzureWebJobsStorage__clientId";
    public static final String RECURRENCE_THRESHOLD = "RECURRENCE_THRESHOLD";
    public static final String RECURRENCE_WINDOW_DAYS = "RECURRENCE_WINDOW_DAYS";

    /** Every setting this code reads: the infrastructure sets exactly these (see {@code infra/}). */
    public static final Set<String> NAMES = Set.of(AZURE_SUBSCRIPTION_ID, AZURE_SUBSCRIPTION_IDS, AZURE_MANAGEMENT_GROUP_ID, AZURE_CLOUD, AZURE_RESOURCE_MANAGER_ENDPOINT,
            REMEDIATION_MODE, AZURE_CLIENT_ID, SWEEP_SCHEDULE, SWEEP_TIME_BUDGET, EVENT_TIME_BUDGET, TEAMS_WEBHOOK_URL,
            TEAMS_CARD_FORMAT, ALERT_REPEAT_HOURS, STORAGE, STORAGE_ACCOUNT_NAME, STORAGE_TABLE_SERVICE_URI,
            STORAGE_QUEUE_SERVICE_URI, STORAGE_CREDENTIAL, STORAGE_CLIENT_ID, RECURRENCE_THRESHOLD, RECURRENCE_WINDOW_DAYS);

    public static final String DEFAULT_SWEEP_SCHEDULE = "0 */5 * * * *";
    public static final Duration DEFAULT_SWEEP_TIME_BUDGET = Duration.ofMinutes(4);
    public static final Duration DEFAULT_EVENT_TIME_BUDGET = Duration.ofSeconds(20);
    /**
     * The longest {@code SWEEP_TIME_BUDGET}: with a repair started just before it ends ({@code Reconciler.MAX_PER_SUBNET},
     * 3 minutes) and the wait for the summary alert (30 s), a sweep stays within {@code functionTimeout} in host.json
     * (10 minutes). An invocation that outlives it is not just cut: the host restarts the Java worker, ending every
     * other invocation in flight on it, repairs included (Azure/azure-functions-host#8720).
     */
    public static final Duration MAX_SWEEP_TIME_BUDGET = Duration.ofSeconds(390);
    /** Event Grid waits 30 s for an Azure Function's answer; the budget leaves room to hand work on and answer. */
    public static final Duration MAX_EVENT_TIME_BUDGET = Duration.ofSeconds(25);
    public static final Duration DEFAULT_ALERT_REPEAT = Duration.ofHours(24);
    public static final int DEFAULT_RECURRENCE_THRESHOLD = 3;
    public static final int DEFAULT_RECURRENCE_WINDOW_DAYS = 7;

    private static final Pattern GUID = Pattern.compile("[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}");
    /** A management group ID: up to 90 letters, digits, hyphens, underscores, periods and parentheses. */
    private static final Pattern GROUP_ID = Pattern.compile("[A-Za-z0-9_().-]{1,90}");
    private static final Pattern NCRONTAB_FIELD = Pattern.compile("[0-9*/,\\-A-Za-z?]+");

    public Settings {
        Objects.requireNonNull(scope, "scope == null");
        Objects.requireNonNull(cloud, "cloud == null");
        Objects.requireNonNull(mode, "mode == null");
        Objects.requireNonNull(sweepSchedule, "sweepSchedule == null");
        Objects.requireNonNull(sweepTimeBudget, "sweepTimeBudget == null");
        Objects.requireNonNull(eventTimeBudget, "eventTimeBudget == null");
        Objects.requireNonNull(alertRepeat, "alertRepeat == null");
        Objects.requireNonNull(recurrence, "recurrence == null");
    }

    /** The process environment. */
    public static Settings fromEnvironment() {
        return from(System.getenv());
    }

    /**
     * Validates {@code env} into settings.
     *
     * @throws IllegalStateException naming the first setting that is missing or invalid
     */
    public static Settings from(Map<String, String> env) {
        SubscriptionScope scope = scope(env);
        AzureCloud cloud = parse(env, AZURE_CLOUD, AzureCloud.AZURE_CLOUD, AzureCloud::parse);
        URI arm = parse(env, AZURE_RESOURCE_MANAGER_ENDPOINT, null, Settings::httpsUrl);
        // The one setting that decides whether the guard writes: set but empty (a pipeline variable that did not expand)
        // is an error, not the default (enforce).
        if (env.get(REMEDIATION_MODE) != null && env.get(REMEDIATION_MODE).isBlank()) {
            throw invalid(REMEDIATION_MODE, "set but empty: expected enforce or report (leave it unset for enforce)");
        }
        Mode mode = parse(env, REMEDIATION_MODE, Mode.ENFORCE, Mode::parse);
        String clientId = parse(env, AZURE_CLIENT_ID, null, Settings::guid);
        String schedule = parse(env, SWEEP_SCHEDULE, DEFAULT_SWEEP_SCHEDULE, Settings::ncrontab);
        Duration budget = parse(env, SWEEP_TIME_BUDGET, DEFAULT_SWEEP_TIME_BUDGET, Settings::sweepBudget);
        Duration eventBudget = parse(env, EVENT_TIME_BUDGET, DEFAULT_EVENT_TIME_BUDGET, Settings::eventBudget);
        // An optional channel that cannot be resolved must not stop the repairs: no alerts, said at every sweep.
        boolean unresolved = isKeyVaultReference(env.get(TEAMS_WEBHOOK_URL));
        Secret webhook = unresolved ? null : parseSecret(env, TEAMS_WEBHOOK_URL);
        CardFormat format = parse(env, TEAMS_CARD_FORMAT, null, CardFormat::parse);
        Duration repeat = parse(env, ALERT_REPEAT_HOURS, DEFAULT_ALERT_REPEAT, Settings::hours);
        StorageConnection storage = storage(env, cloud);
        int threshold = parse(env, RECURRENCE_THRESHOLD, DEFAULT_RECURRENCE_THRESHOLD, v -> count(v, 1, 1000, "strips"));
        int days = parse(env, RECURRENCE_WINDOW_DAYS, DEFAULT_RECURRENCE_WINDOW_DAYS, v -> count(v, 1, 365, "days"));
        return new Settings(scope, cloud, arm, mode, clientId, schedule, budget, eventBudget, webhook, unresolved,
                format, repeat, storage, new Recurrence.Policy(threshold, Duration.ofDays(days)));
    }

    /** Exactly one of the three scope settings; more than one, or none, names them all. */
    private static SubscriptionScope scope(Map<String, String> env) {
        String one = value(env, AZURE_SUBSCRIPTION_ID);
        String list = value(env, AZURE_SUBSCRIPTION_IDS);
        String group = value(env, AZURE_MANAGEMENT_GROUP_ID);
        int set = (one == null ? 0 : 1) + (list == null ? 0 : 1) + (group == null ? 0 : 1);
        if (set != 1) {
            throw new IllegalStateException((set == 0 ? "no subscription to guard: set one of " : "set only one of ")
                    + AZURE_SUBSCRIPTION_ID + " (one subscription), " + AZURE_SUBSCRIPTION_IDS + " (a comma-separated list) or "
                    + AZURE_MANAGEMENT_GROUP_ID + " (every subscription below a management group)");
        }
        if (one != null) {
            return new SubscriptionScope.Single(subscription(AZURE_SUBSCRIPTION_ID, one));
        }
        if (list != null) {
            java.util.LinkedHashSet<String> ids = new java.util.LinkedHashSet<>();
            for (String part : list.split(",", -1)) {
                if (part.isBlank()) {
                    throw invalid(AZURE_SUBSCRIPTION_IDS, "an empty entry in '" + list + "'");
                }
                ids.add(subscription(AZURE_SUBSCRIPTION_IDS, part.trim()));
            }
            return new SubscriptionScope.Listed(List.copyOf(ids));
        }
        String g = group.startsWith("/providers/") ? group.substring(group.lastIndexOf('/') + 1) : group;
        if (!GROUP_ID.matcher(g).matches()) {
            throw invalid(AZURE_MANAGEMENT_GROUP_ID, "expected a management group ID (up to 90 letters, digits, - _ . ( )), got '"
                    + group + "'");
        }
        return new SubscriptionScope.ManagementGroup(g);
    }

    private static String subscription(String setting, String v) {
        if (!GUID.matcher(v).matches()) {
            throw invalid(setting, "expected a subscription ID (a GUID), got '" + v + "'");
        }
        return v.toLowerCase(Locale.ROOT);
    }

    /** The ARM endpoint to call: the override, or the cloud's. */
    public URI armEndpoint() {
        return resourceManagerEndpoint != null ? resourceManagerEndpoint : cloud.resourceManager();
    }

    /** A copy without Teams alerts ({@code --no-alerts}). */
    public Settings withoutAlerts() {
        return new Settings(scope, cloud, resourceManagerEndpoint, mode, clientId, sweepSchedule, sweepTimeBudget,
                eventTimeBudget,
                null, false, teamsCardFormat, alertRepeat, storage, recurrence);
    }

    /**
     * What keeps Teams alerts off though they were meant to be on, as one line for the health alert on failures (it
     * starts {@code failed }); null when nothing does.
     */
    public @Nullable String alertsProblem() {
        return !teamsWebhookUnresolved ? null : "failed alerts: " + TEAMS_WEBHOOK_URL + " is a Key Vault reference that App "
                + "Service could not resolve (it hands the app the reference itself); no Teams alert is sent until it resolves. "
                + "Give the app's identity Key Vault Secrets User on the secret, check the vault's network rules, then restart "
                + "the app (App Service otherwise tries again within 24 hours)";
    }

    /**
     * True for an App Service Key Vault reference ({@code @Microsoft.KeyVault(...)}): when App Service cannot resolve one,
     * it passes the reference text itself as the setting's value (Learn, "Use Key Vault references", troubleshooting).
     */
    static boolean isKeyVaultReference(@Nullable String v) {
        return v != null && v.trim().regionMatches(true, 0, KEY_VAULT_REFERENCE, 0, KEY_VAULT_REFERENCE.length());
    }

    private static @Nullable String value(Map<String, String> env, String name) {
        String v = env.get(name);
        if (isKeyVaultReference(v)) {
            throw invalid(name, "it is a Key Vault reference that App Service could not resolve (the app sees the reference "
                    + "itself): give the app's identity access to the secret, then restart the app");
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static String required(Map<String, String> env, String name) {
        String v = value(env, name);
        if (v == null) {
            throw new IllegalStateException("setting " + name + " is required but not set");
        }
        return v;
    }

    private static IllegalStateException invalid(String name, String why) {
        return new IllegalStateException("setting " + name + " is invalid: " + why);
    }

    private interface Parser<T> {
        T parse(String value);
    }

    private static <T> T parse(Map<String, String> env, String name, T fallback, Parser<T> parser) {
        String v = value(env, name);
        if (v == null) {
            return fallback;
        }
        try {
            return parser.parse(v);
        } catch (IllegalArgumentException e) {
            throw invalid(name, e.getMessage());
        }
    }

    private static @Nullable Secret parseSecret(Map<String, String> env, String name) {
        String v = value(env, name);
        if (v == null) {
            return null;
        }
        URI uri;
        try {
            uri = new URI(v);
        } catch (Exception e) {
            throw invalid(name, "not a URL (value not shown: it is a secret)");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !isLoopbackHttp(uri) || uri.getHost() == null) {
            throw invalid(name, "expected an https:// URL (value not shown: it is a secret)");
        }
        return Secret.of(v);
    }

    /** Plain http is accepted only on loopback (a local stand-in for Teams). */
    private static boolean isLoopbackHttp(URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme())
                && ("127.0.0.1".equals(uri.getHost()) || "localhost".equalsIgnoreCase(uri.getHost()));
    }

    private static URI httpsUrl(String v) {
        URI uri;
        try {
            uri = new URI(v.endsWith("/") ? v : v + "/");
        } catch (Exception e) {
            throw new IllegalArgumentException("not a URL: '" + v + "'");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("expected an https:// URL (ARM refuses plain http), got '" + v + "'");
        }
        return uri;
    }

    private static String guid(String v) {
        if (!GUID.matcher(v).matches()) {
            throw new IllegalArgumentException("expected a client ID (a GUID), got '" + v + "'");
        }
        return v;
    }

    /** Six NCRONTAB fields (with seconds), as the Functions timer trigger expects. */
    static String ncrontab(String v) {
        String[] fields = v.trim().split("\\s+");
        if (fields.length != 6) {
            throw new IllegalArgumentException("expected an NCRONTAB expression with 6 fields ({second} {minute} {hour} {day} {month} {day-of-week}), got '" + v + "'");
        }
        for (String f : fields) {
            if (!NCRONTAB_FIELD.matcher(f).matches()) {
                throw new IllegalArgumentException("unexpected field '" + f + "' in '" + v + "'");
            }
        }
        return v.trim();
    }

    /** ISO-8601 ({@code PT4M}) or {@code hh:mm:ss} (as in host.json). */
    static Duration duration(String v) {
        Duration d;
        try {
            if (v.matches("\\d{1,2}:\\d{2}:\\d{2}")) {
                String[] p = v.split(":");
                d = Duration.ofHours(Long.parseLong(p[0])).plusMinutes(Long.parseLong(p[1])).plusSeconds(Long.parseLong(p[2]));
            } else {
                d = Duration.parse(v.toUpperCase(Locale.ROOT));
            }
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("expected a duration like PT4M or 00:04:00, got '" + v + "'");
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be positive, got '" + v + "'");
        }
        return d;
    }

    /** A {@link #duration} with which a sweep ends within host.json's {@code functionTimeout}. */
    static Duration sweepBudget(String v) {
        Duration d = duration(v);
        if (d.compareTo(MAX_SWEEP_TIME_BUDGET) > 0) {
            throw new IllegalArgumentException("must be at most " + MAX_SWEEP_TIME_BUDGET + " (the sweep, a repair started at "
                    + "its end and the summary alert must end within functionTimeout, 10 minutes), got '" + v + "'");
        }
        return d;
    }

    /** A {@link #duration} within Event Grid's 30-second window, with room to answer. */
    static Duration eventBudget(String v) {
        Duration d = duration(v);
        if (d.compareTo(MAX_EVENT_TIME_BUDGET) > 0) {
            throw new IllegalArgumentException("must be at most " + MAX_EVENT_TIME_BUDGET.toSeconds()
                    + " seconds (Event Grid waits 30 s for the answer), got '" + v + "'");
        }
        return d;
    }

    /** A whole number within {@code [min, max]}. */
    static int count(String v, int min, int max, String unit) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new IllegalArgumentException("expected a number of " + unit + " between " + min + " and " + max + ", got '" + v + "'");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a whole number of " + unit + ", got '" + v + "'");
        }
    }

    private static Duration hours(String v) {
        try {
            double h = Double.parseDouble(v);
            if (!(h > 0) || h > 24 * 365) {
                throw new IllegalArgumentException("expected a number of hours between 0 and 8760, got '" + v + "'");
            }
            return Duration.ofSeconds(Math.round(h * 3600));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected a number of hours, got '" + v + "'");
        }
    }

    /** The endpoint keys of a storage connection string: each must be a URL when given. */
    private static final List<String> STORAGE_ENDPOINTS = List.of("BlobEndpoint", "QueueEndpoint", "TableEndpoint", "FileEndpoint");

    /**
     * Every key the Java Storage SDK reads in a connection string, spelled as it looks them up: exactly, case included
     * (azure-storage-common's {@code ConnectionSettings} and azure-data-tables' copy of it keep the keys in a
     * {@code HashMap}), and no other: a key they do not know makes the string invalid, for the emulator form
     * ({@code StorageEmulatorConnectionString}) and the account form ({@code StorageServiceConnectionString}) each
     * match the keys exactly ({@code ConnectionSettingsFilter.matchesExactly}). Public so that a test can hold each one
     * to both SDK parsers.
     */
    public static final List<String> STORAGE_CONNECTION_KEYS = List.of("UseDevelopmentStorage", "DevelopmentStorageProxyUri",
            "DefaultEndpointsProtocol", "AccountName", "AccountKey", "SharedAccessSignature", "EndpointSuffix",
            "BlobEndpoint", "BlobSecondaryEndpoint", "QueueEndpoint", "QueueSecondaryEndpoint", "TableEndpoint",
            "TableSecondaryEndpoint", "FileEndpoint", "FileSecondaryEndpoint");

    /**
     * A storage connection string the Azure SDK can sign with, checked here rather than at the first alert, repair
     * record or retry (where it used to be one Warning and the feature quietly off): {@code key=value} pairs separated by
     * {@code ;}, and either {@code UseDevelopmentStorage=true} (Azurite) or a credential, an {@code AccountKey} in Base64
     * with its {@code AccountName} or a {@code SharedAccessSignature} with an account name or endpoint. The checks follow
     * what azure-storage-common's connection string parser refuses ("Invalid connection string.") and what its shared
     * key signing cannot use; a message never quotes the value.
     *
     * <p>Key names are matched as that parser matches them: exactly. The Functions host's own parser (.NET,
     * Azure.Storage.Common's {@code StorageConnectionString}) ignores their case, so the host starts on
     * {@code accountname=...;accountkey=...} while the Java SDK refuses it; such a key is refused here naming the
     * spelling to use, rather than the repair history, the alert memory and the retry queue going quietly off. A key
     * that parser does not know at all (in any case) makes it refuse the whole string too: refused here naming the key
     * (key names are not secret; see {@link #keyName}) and the keys it accepts.
     */
    static Secret connectionString(String v) {
        Map<String, String> pairs = new java.util.HashMap<>();
        for (String part : v.split(";")) {
            if (part.isBlank()) {
                continue;
            }
            String setting = part.trim(); // as the SDK: the pair is trimmed, the key's end is not
            int eq = setting.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("not a storage connection string: expected key=value pairs separated by ';'");
            }
            String key = setting.substring(0, eq);
            if (!STORAGE_CONNECTION_KEYS.contains(key)) {
                for (String known : STORAGE_CONNECTION_KEYS) {
                    if (known.equalsIgnoreCase(key.trim())) {
                        throw new IllegalArgumentException("a key is not spelled " + known + " exactly: the Java Storage"
                                + " SDK the guard uses matches key names case included (the Functions host ignores"
                                + " case) and takes a space before '=' as part of the name; write " + known);
                    }
                }
                throw new IllegalArgumentException("unknown key " + keyName(key) + ": the Java Storage SDK the guard uses"
                        + " refuses a connection string with a key it does not know; it accepts only "
                        + String.join(", ", STORAGE_CONNECTION_KEYS));
            }
            pairs.put(key, setting.substring(eq + 1).trim());
        }
        String development = pairs.get("UseDevelopmentStorage");
        if (development != null) {
            if (!development.equalsIgnoreCase("true")) {
                throw new IllegalArgumentException("UseDevelopmentStorage must be true when given");
            }
            return Secret.of(v);
        }
        String key = pairs.get("AccountKey");
        if (key != null && key.isEmpty()) {
            throw new IllegalArgumentException("AccountKey is empty (for the function app's managed identity, remove "
                    + STORAGE + " and set " + STORAGE_ACCOUNT_NAME + " instead)");
        }
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            if (pair.getValue().isEmpty()) {
                throw new IllegalArgumentException(pair.getKey() + " is empty");
            }
        }
        String account = pairs.get("AccountName");
        if (key != null) {
            try {
                java.util.Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("AccountKey is not Base64");
            }
            if (account == null) {
                throw new IllegalArgumentException("AccountKey without AccountName");
            }
        } else if (pairs.get("SharedAccessSignature") == null) {
            throw new IllegalArgumentException("no credential: expected AccountName with AccountKey, or SharedAccessSignature,"
                    + " or UseDevelopmentStorage=true (for a managed identity, set " + STORAGE_ACCOUNT_NAME + " instead)");
        }
        boolean anEndpoint = false;
        for (String endpoint : STORAGE_ENDPOINTS) {
            String url = pairs.get(endpoint);
            if (url == null) {
                continue;
            }
            anEndpoint = true;
            URI uri;
            try {
                uri = new URI(url);
            } catch (Exception e) {
                throw new IllegalArgumentException(endpoint + " is not a URL");
            }
            if (!("https".equalsIgnoreCase(uri.getScheme()) || "http".equalsIgnoreCase(uri.getScheme())) || uri.getHost() == null) {
                throw new IllegalArgumentException(endpoint + " is not an http(s) URL");
            }
        }
        if (account == null && !anEndpoint) {
            throw new IllegalArgumentException("neither AccountName nor an endpoint (QueueEndpoint, TableEndpoint)");
        }
        return Secret.of(v);
    }

    /**
     * A connection string key as a message may name it: quoted, so that spaces show. Key names are not secret, but
     * what stands before an '=' in a garbled string may be part of one (an account key pasted without its name: Base64,
     * ending in '='). Only letters, spaces and underscores, at most 32 of them (the longest key the SDK knows has 26),
     * are shown: an account key (88 characters) or a SAS signature (44, URL-encoded) is longer, and a shorter Base64
     * run is all but certain to hold a digit, '+' or '/'. Anything else is described, not shown.
     */
    private static String keyName(String key) {
        return key.matches("[A-Za-z][A-Za-z _]{0,31}") ? "'" + key + "'"
                : "(" + key.length() + " characters; not shown, as it is no key name and may be part of a secret)";
    }

    private static @Nullable StorageConnection storage(Map<String, String> env, AzureCloud cloud) {
        String connection = value(env, STORAGE);
        if (connection != null) {
            try {
                return new StorageConnection.ConnectionString(connectionString(connection));
            } catch (IllegalArgumentException e) {
                throw invalid(STORAGE, e.getMessage() + " (value not shown: it is a secret)");
            }
        }
        String clientId = parse(env, STORAGE_CLIENT_ID, null, Settings::guid);
        String credential = value(env, STORAGE_CREDENTIAL);
        if (credential != null && !credential.equalsIgnoreCase("managedidentity")) {
            throw invalid(STORAGE_CREDENTIAL, "expected managedidentity, got '" + credential + "'");
        }
        URI table = parse(env, STORAGE_TABLE_SERVICE_URI, null, Settings::httpsUrl);
        URI queue = parse(env, STORAGE_QUEUE_SERVICE_URI, null, Settings::httpsUrl);
        String account = value(env, STORAGE_ACCOUNT_NAME);
        if (account != null) {
            if (!account.matches("[a-z0-9]{3,24}")) {
                throw invalid(STORAGE_ACCOUNT_NAME, "expected a storage account name (3-24 lowercase letters and digits), got '" + account + "'");
            }
            // The standard endpoints, as the Functions host derives them from the same setting.
            if (table == null) {
                table = URI.create("https://" + account + ".table." + cloud.storageSuffix() + "/");
            }
            if (queue == null) {
                queue = URI.create("https://" + account + ".queue." + cloud.storageSuffix() + "/");
            }
        }
        if (table != null || queue != null) {
            return new StorageConnection.Identity(table, queue, clientId);
        }
        return null;
    }
}
