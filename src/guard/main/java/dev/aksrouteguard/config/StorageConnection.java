package dev.aksrouteguard.config;

import dev.aksrouteguard.core.model.Nullable;
import java.net.URI;
import java.util.Objects;

/** How to reach the function app's storage account ({@code AzureWebJobsStorage}), for the alert memory in Table storage. */
public sealed interface StorageConnection {

    /** {@code AzureWebJobsStorage} as a connection string (includes {@code UseDevelopmentStorage=true} for Azurite). */
    record ConnectionString(Secret value) implements StorageConnection {
        public ConnectionString {
            Objects.requireNonNull(value, "value == null");
        }
    }

    /**
     * Identity-based: {@code AzureWebJobsStorage__accountName} or {@code AzureWebJobsStorage__tableServiceUri}, with
     * {@code AzureWebJobsStorage__credential=managedidentity} and optionally {@code AzureWebJobsStorage__clientId}.
     */
    record Identity(URI tableEndpoint, @Nullable String clientId) implements StorageConnection {
        public Identity {
            Objects.requireNonNull(tableEndpoint, "tableEndpoint == null");
        }
    }
}
