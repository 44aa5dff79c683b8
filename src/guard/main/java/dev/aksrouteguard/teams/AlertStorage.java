package dev.aksrouteguard.teams;

import com.azure.data.tables.TableClient;
import com.azure.storage.queue.QueueClient;
import dev.aksrouteguard.core.model.Nullable;

/**
 * The Storage clients the alerts use, built by the wiring with the graph's one credential and HTTP client.
 *
 * @param table the alert memory's table ({@value TableAlertMemory#DEFAULT_TABLE}); null: no repeat suppression
 * @param queue the {@value TeamsAlertQueue#NAME} queue; null: alerts are posted inline (the CLI, a laptop, or a
 *     function app without a queue endpoint)
 */
public record AlertStorage(@Nullable TableClient table, @Nullable QueueClient queue) {

    /** No storage. */
    public static final AlertStorage NONE = new AlertStorage(null, null);

    /** The table this record's alert memory uses. */
    public static String tableName() {
        return TableAlertMemory.DEFAULT_TABLE;
    }
}
