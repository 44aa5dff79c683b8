package dev.aksrouteguard.config;

import dev.aksrouteguard.core.model.Nullable;
import java.net.URI;
import java.util.Objects;

/**
 * How to reach the function app's storage account ({@code AzureWebJobsStorage}): Table storage for the alert memory,
 * Queue storage for durable alert delivery. The Functions host reads the same setting for its own storage and for the
 * queue trigger, so the guard and the host always talk to one account.
 */
public sealed interface StorageConnection {

    /** {@code AzureWebJobsStorage} as a connection string (includes {@code UseDevelopmentStorage=true} for Azurite). */
    record ConnectionString(Secret value) implements StorageConnection {
        public ConnectionString {
            Objects.requireNonNull(value, "value == null");
        }
    }

    /**
     * Identity-based (no keys): {@code AzureWebJobsStorage__accountName}, or the per-service URIs
     * {@code AzureWebJobsStorage__tableServiceUri} / {@code __queueServiceUri} (which win over the derived endpoint),
     * with {@code AzureWebJobsStorage__credential=managedidentity} and optionally {@code AzureWebJobsStorage__clientId}.
     * A service without an endpoint is not used: no table, no repeat suppression; no queue, alerts are sent inline.
     *
     * @param tableEndpoint the Table service endpoint, or null when neither the account nor the table URI is set
     * @param queueEndpoint the Queue service endpoint, or null when neither the account nor the queue URI is set
     */
    record Identity(@Nullable URI tableEndpoint, @Nullable URI queueEndpoint, @Nullable String clientId)
            implements StorageConnection {
        public Identity {
            if (tableEndpoint == null && queueEndpoint == null) {
                throw new IllegalArgumentException("an identity-based storage connection needs a table or a queue endpoint");
            }
        }
    }
}
