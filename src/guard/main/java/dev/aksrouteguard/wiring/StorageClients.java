package dev.aksrouteguard.wiring;

import com.azure.core.client.traits.ConnectionStringTrait;
import com.azure.core.client.traits.EndpointTrait;
import com.azure.core.client.traits.TokenCredentialTrait;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.config.StorageConnection;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.port.RepairHistory;
import dev.aksrouteguard.core.port.RetryQueue;
import dev.aksrouteguard.history.TableRepairHistory;
import dev.aksrouteguard.queue.StorageRetryQueue;
import dev.aksrouteguard.teams.AlertStorage;
import dev.aksrouteguard.teams.SdkLogScrubbing;
import dev.aksrouteguard.teams.TeamsAlertQueue;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The Table and Queue clients of {@code AzureWebJobsStorage}, for the alerts and the retry queue: over the graph's one HTTP client, with
 * the graph's one credential for an identity-based connection (no keys), or the connection string (Azurite locally).
 *
 * <p>Queue messages are Base64, as {@code host.json} ({@code extensions.queues.messageEncoding}) tells the host to
 * read them. Both clients retry twice, briefly: an alert must never hold up a worker for long, and each call has its
 * own 10 s timeout where it is made.
 */
public final class StorageClients {

    private static final RetryOptions RETRY = new RetryOptions(new ExponentialBackoffOptions()
            .setMaxRetries(2).setBaseDelay(Duration.ofMillis(200)).setMaxDelay(Duration.ofSeconds(2)));

    private StorageClients() {}

    /**
     * The clients for {@code settings.storage()}, or {@link AlertStorage#NONE} without storage or without
     * {@code TEAMS_WEBHOOK_URL} (nothing to remember or to queue). A {@code TEAMS_WEBHOOK_URL} that is an unresolved Key
     * Vault reference still gets them: the alerts queued before it stopped resolving are delivered again and finally
     * poisoned by {@code DeliverAlert}, which must then give their claims back to the alert memory, or the findings
     * would stay suppressed for {@code ALERT_REPEAT_HOURS} once it resolves. A connection that cannot be used is one
     * Warning and no client: alerts still go out, inline and without repeat suppression.
     *
     * @param withQueue true for the function app (the queue has a consumer there); the CLI posts inline
     */
    public static AlertStorage forAlerts(Settings settings, TokenCredential credential, HttpClient http,
            boolean withQueue, Logger log) {
        Objects.requireNonNull(settings, "settings == null");
        Objects.requireNonNull(credential, "credential == null");
        Objects.requireNonNull(http, "http == null");
        Objects.requireNonNull(log, "log == null");
        StorageConnection connection = settings.storage();
        if (connection == null || settings.teamsWebhookUrl() == null && !settings.teamsWebhookUnresolved()) {
            return AlertStorage.NONE;
        }
        SdkLogScrubbing.install(settings.teamsWebhookUrl());
        TokenCredential storageCredential = credentialFor(connection, settings, credential, http);
        return new AlertStorage(
                build(() -> table(connection, storageCredential, http), "the alert memory", log),
                withQueue ? build(() -> queue(connection, storageCredential, http), "the alert queue", log) : null);
    }

    /**
     * The Storage retry queue ({@value StorageRetryQueue#NAME}) of the function app, or {@link RetryQueue#NONE} (one
     * Warning) without a storage connection with a queue endpoint: then unfinished work waits for the next sweep. The
     * queue clients are built when work is first handed on ({@link LazyRetryQueue}).
     */
    public static RetryQueue retryQueue(Settings settings, TokenCredential credential, HttpClient http, Logger log) {
        StorageConnection connection = settings.storage();
        if (connection == null) {
            log.warning("no retry queue: " + Settings.STORAGE + " is not set; work an event cannot finish waits for the next sweep");
            return RetryQueue.NONE;
        }
        if (connection instanceof StorageConnection.Identity id && id.queueEndpoint() == null) {
            log.warning(NO_QUEUE_ENDPOINT);
            return RetryQueue.NONE;
        }
        return new LazyRetryQueue(Lazy.of(() -> buildRetryQueue(connection, settings, credential, http, log)), log);
    }

    private static final String NO_QUEUE_ENDPOINT = "no retry queue: the storage connection has no queue endpoint; work an"
            + " event cannot finish waits for the next sweep";

    private static RetryQueue buildRetryQueue(StorageConnection connection, Settings settings, TokenCredential credential,
            HttpClient http, Logger log) {
        TokenCredential storageCredential = credentialFor(connection, settings, credential, http);
        QueueClient queue = build(() -> queue(connection, storageCredential, http, StorageRetryQueue.NAME), "the retry queue", log);
        QueueClient poison = build(() -> queue(connection, storageCredential, http, StorageRetryQueue.POISON_NAME),
                "the retry queue", log);
        if (queue == null || poison == null) {
            log.warning(NO_QUEUE_ENDPOINT);
            return RetryQueue.NONE;
        }
        return new StorageRetryQueue(queue, poison, log);
    }

    /**
     * The repair history ({@value TableRepairHistory#DEFAULT_TABLE} in {@code AzureWebJobsStorage}), whether or not Teams
     * alerts are on (the audit and the log use it too), or {@link RepairHistory#NONE} without a storage connection with a
     * table endpoint.
     */
    public static RepairHistory history(Settings settings, TokenCredential credential, HttpClient http, Logger log) {
        StorageConnection connection = settings.storage();
        if (connection == null) {
            return RepairHistory.NONE;
        }
        TokenCredential storageCredential = credentialFor(connection, settings, credential, http);
        TableClient table = build(() -> table(connection, storageCredential, http, TableRepairHistory.DEFAULT_TABLE),
                "the repair history", log);
        if (table == null) {
            return RepairHistory.off(connection instanceof StorageConnection.Identity id && id.tableEndpoint() == null
                    ? "the " + Settings.STORAGE + " connection has no table endpoint"
                    : "the " + Settings.STORAGE + " connection cannot be used for it");
        }
        return new TableRepairHistory(table, log);
    }

    private static @Nullable TableClient table(StorageConnection connection, TokenCredential credential, HttpClient http) {
        return table(connection, credential, http, AlertStorage.tableName());
    }

    private static @Nullable TableClient table(StorageConnection connection, TokenCredential credential, HttpClient http,
            String name) {
        TableClientBuilder builder = account(new TableClientBuilder(), connection,
                connection instanceof StorageConnection.Identity id ? id.tableEndpoint() : null, credential);
        return builder == null ? null : builder.tableName(name).httpClient(http).retryOptions(RETRY).buildClient();
    }

    private static @Nullable QueueClient queue(StorageConnection connection, TokenCredential credential, HttpClient http) {
        return queue(connection, credential, http, TeamsAlertQueue.NAME);
    }

    private static @Nullable QueueClient queue(StorageConnection connection, TokenCredential credential, HttpClient http,
            String name) {
        QueueClientBuilder builder = account(new QueueClientBuilder(), connection,
                connection instanceof StorageConnection.Identity id ? id.queueEndpoint() : null, credential);
        return builder == null ? null : builder.queueName(name).messageEncoding(QueueMessageEncoding.BASE64).httpClient(http)
                .retryOptions(RETRY).buildClient();
    }

    /**
     * {@code builder} pointed at the account: through the connection string, or at the service's endpoint with
     * {@code credential}; null for an identity-based connection that names no endpoint of this service.
     */
    private static <B extends ConnectionStringTrait<B> & EndpointTrait<B> & TokenCredentialTrait<B>> @Nullable B account(
            B builder, StorageConnection connection, @Nullable URI endpoint, TokenCredential credential) {
        if (connection instanceof StorageConnection.ConnectionString cs) {
            return builder.connectionString(cs.value().reveal());
        }
        return endpoint == null ? null : builder.endpoint(endpoint.toString()).credential(credential);
    }

    /**
     * The graph's credential, unless {@code AzureWebJobsStorage__clientId} names another identity than
     * {@code AZURE_CLIENT_ID}: the Functions host reaches the storage as that identity, and so must the guard (the
     * IaC sets both to the guard's one identity).
     */
    static TokenCredential credentialFor(StorageConnection connection, Settings settings, TokenCredential graph,
            HttpClient http) {
        if (connection instanceof StorageConnection.Identity id && id.clientId() != null
                && !id.clientId().equalsIgnoreCase(String.valueOf(settings.clientId()))) {
            return new ManagedIdentityCredentialBuilder().clientId(id.clientId()).httpClient(http).build();
        }
        return graph;
    }

    private interface Builder<T> {
        @Nullable T build();
    }

    private static <T> @Nullable T build(Builder<T> builder, String what, Logger log) {
        try {
            return builder.build();
        } catch (RuntimeException e) {
            // The builders' messages may quote the connection string: the type only.
            log.warning("the storage connection (" + Settings.STORAGE + ") cannot be used for " + what + " ("
                    + e.getClass().getSimpleName() + "); going on without it");
            return null;
        }
    }
}
