package dev.aksrouteguard.storage;

import com.azure.core.util.Context;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.TableServiceException;
import dev.aksrouteguard.core.model.Nullable;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the guard's two tables share (the alert memory in {@code teams}, the repair history in {@code history}):
 * creating the table once, reading a time back, describing a failure without leaking a secret.
 */
public final class StorageTables {

    /** Every call to a table ends within this. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private StorageTables() {}

    /**
     * Creates {@code table} the first time it is needed (409: it is there already) and then marks {@code created}, so
     * later calls cost nothing. @throws TableServiceException when the table can be neither created nor found
     */
    public static void createOnce(TableClient table, AtomicBoolean created) {
        if (created.get()) {
            return;
        }
        try {
            table.createTableWithResponse(TIMEOUT, Context.NONE);
        } catch (TableServiceException e) {
            if (e.getResponse().getStatusCode() != 409) {
                throw e;
            }
        }
        created.set(true);
    }

    /** Status and error code of a Table service error (its message may quote a SAS URL); null for anything else. */
    public static @Nullable String statusOf(Throwable e) {
        if (!(e instanceof TableServiceException t)) {
            return null;
        }
        String code = t.getValue() != null && t.getValue().getErrorCode() != null ? " " + t.getValue().getErrorCode() : "";
        return "HTTP " + t.getResponse().getStatusCode() + code;
    }

    /**
     * A time property as the Tables SDK returns it: an {@link OffsetDateTime} when the row typed it
     * ({@code Edm.DateTime}), its ISO-8601 text when it did not; null when it is missing or neither.
     */
    public static @Nullable Instant instant(@Nullable Object value) {
        if (value instanceof OffsetDateTime t) {
            return t.toInstant();
        }
        if (value instanceof String s) {
            try {
                return OffsetDateTime.parse(s).toInstant();
            } catch (RuntimeException e) {
                return null;
            }
        }
        return null;
    }
}
