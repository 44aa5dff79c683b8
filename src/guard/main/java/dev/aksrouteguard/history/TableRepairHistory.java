package dev.aksrouteguard.history;

import com.azure.core.util.Context;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableServiceException;
import dev.aksrouteguard.core.model.Attribution;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.port.RepairHistory;
import dev.aksrouteguard.storage.StorageTables;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * The repair history in Azure Table storage, in the function app's own storage account (the one the alert memory
 * uses; a table of its own, {@value #DEFAULT_TABLE}, since the alert memory prunes every row it does not know): one row
 * per strip, partition = hash of the subnet ID, row = the strip's time counted down (so a partition lists newest first)
 * and a hash of what identifies the strip (the event's ID), with the subnet, the time, the operation, who made it and
 * the deployment.
 *
 * <p>Recording the same strip twice (an event delivered again, a retry) keeps one row: the insert of the second gets
 * 409. After each insert the subnet's partition is read (at most {@link #MAX_PER_SUBNET} + a few rows) to count the
 * strips within the window and to trim the partition to the newest {@link #MAX_PER_SUBNET}. Every instance and every
 * CLI process with the same storage sees the same history.
 *
 * <p>Never throws: when the table cannot be reached, the answer is null (no count, no escalation) and one Warning says
 * so, one Info line when it is back.
 */
public final class TableRepairHistory implements RepairHistory {

    public static final String DEFAULT_TABLE = "routeguardrepairs";
    /** The most strips kept per subnet. */
    public static final int MAX_PER_SUBNET = 50;

    static final String SUBNET = "Subnet";
    static final String AT = "At";
    static final String ACTION = "Action";
    static final String OPERATION = "Operation";
    static final String BY = "By";
    static final String DEPLOYMENT = "Deployment";
    static final String CORRELATION_ID = "CorrelationId";
    /** What the deployment lookup said: {@code found}, {@code none-found} or {@code unknown} ({@code Attribution.Kind}). */
    static final String LOOKUP = "DeploymentLookup";

    private static final Duration TIMEOUT = StorageTables.TIMEOUT;
    /** Room before the epoch counts down past zero: the row key of a time is {@code MAX_MILLIS - millis}, zero-padded. */
    private static final long MAX_MILLIS = 9_999_999_999_999L;

    private final TableClient table;
    private final Logger log;
    private final AtomicBoolean tableReady = new AtomicBoolean();
    private final AtomicBoolean down = new AtomicBoolean();

    public TableRepairHistory(TableClient table, Logger log) {
        this.table = Objects.requireNonNull(table, "table == null");
        this.log = Objects.requireNonNull(log, "log == null");
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public String describe() {
        return "repair history on: the last " + MAX_PER_SUBNET + " strips of each subnet (Table " + table.getTableName()
                + " in the function app's storage account)";
    }

    @Override
    public @Nullable Recurrence record(Strip strip, Recurrence.Policy policy, Instant now) {
        Objects.requireNonNull(strip, "strip == null");
        Objects.requireNonNull(policy, "policy == null");
        String partition = partitionKey(strip.subnet());
        try {
            ensureTable();
            insert(strip, partition);
            List<TableEntity> rows = partition(partition);
            trim(rows);
            healthy();
            return recurrence(rows, policy, now);
        } catch (RuntimeException e) {
            unavailable(e);
            return null;
        }
    }

    @Override
    public @Nullable Map<SubnetId, Recurrence> recurrences(Collection<SubnetId> subnets, Recurrence.Policy policy, Instant now) {
        Objects.requireNonNull(subnets, "subnets == null");
        Map<String, List<TableEntity>> byPartition = new HashMap<>();
        try {
            ensureTable();
            for (TableEntity row : table.listEntities(new ListEntitiesOptions(), TIMEOUT, Context.NONE)) {
                byPartition.computeIfAbsent(row.getPartitionKey(), k -> new ArrayList<>()).add(row);
            }
            healthy();
        } catch (RuntimeException e) {
            unavailable(e);
            return null;
        }
        Map<SubnetId, Recurrence> out = new LinkedHashMap<>();
        for (SubnetId s : subnets) {
            List<TableEntity> rows = byPartition.getOrDefault(partitionKey(s), List.of());
            List<TableEntity> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparing(TableEntity::getRowKey));
            out.put(s, recurrence(sorted, policy, now));
        }
        return out;
    }

    private void insert(Strip strip, String partition) {
        TableEntity row = new TableEntity(partition, rowKey(strip))
                .addProperty(SUBNET, strip.subnet().toString())
                .addProperty(AT, strip.at().atOffset(ZoneOffset.UTC))
                .addProperty(ACTION, strip.action())
                .addProperty(BY, strip.by());
        if (strip.operation() != null) {
            row.addProperty(OPERATION, strip.operation());
        }
        if (strip.deployment() != null) {
            row.addProperty(DEPLOYMENT, strip.deployment());
        }
        if (strip.correlationId() != null) {
            row.addProperty(CORRELATION_ID, strip.correlationId());
        }
        if (strip.lookup() != null) {
            row.addProperty(LOOKUP, strip.lookup().word());
        }
        try {
            table.createEntityWithResponse(row, TIMEOUT, Context.NONE);
        } catch (TableServiceException e) {
            if (e.getResponse().getStatusCode() != 409) {
                throw e; // 409: this strip is recorded already (an event delivered twice, a retry)
            }
        }
    }

    /** The subnet's rows, newest first (the row key counts time down). */
    private List<TableEntity> partition(String partition) {
        List<TableEntity> rows = new ArrayList<>();
        ListEntitiesOptions options = new ListEntitiesOptions().setFilter("PartitionKey eq '" + partition + "'");
        for (TableEntity row : table.listEntities(options, TIMEOUT, Context.NONE)) {
            rows.add(row);
        }
        rows.sort(Comparator.comparing(TableEntity::getRowKey));
        return rows;
    }

    /** Deletes all but the newest {@link #MAX_PER_SUBNET}; another instance deleting the same rows is harmless. */
    private void trim(List<TableEntity> newestFirst) {
        for (int i = MAX_PER_SUBNET; i < newestFirst.size(); i++) {
            TableEntity old = newestFirst.get(i);
            try {
                table.deleteEntityWithResponse(old, false, TIMEOUT, Context.NONE);
            } catch (TableServiceException e) {
                if (e.getResponse().getStatusCode() != 404) {
                    throw e;
                }
            }
        }
    }

    private static Recurrence recurrence(List<TableEntity> newestFirst, Recurrence.Policy policy, Instant now) {
        Instant since = now.minus(policy.window());
        int count = 0;
        Strip last = null;
        for (int i = 0; i < Math.min(newestFirst.size(), MAX_PER_SUBNET); i++) {
            Strip s = strip(newestFirst.get(i));
            if (s == null) {
                continue;
            }
            if (last == null) {
                last = s;
            }
            if (!s.at().isBefore(since) && !s.at().isAfter(now.plus(Duration.ofMinutes(5)))) {
                count++;
            }
        }
        return new Recurrence(count, last, policy);
    }

    /** A row as a strip, or null for a row that cannot be read (written by something else). */
    private static @Nullable Strip strip(TableEntity row) {
        Object subnet = row.getProperty(SUBNET);
        Instant at = StorageTables.instant(row.getProperty(AT));
        if (!(subnet instanceof String s) || at == null || !(row.getProperty(BY) instanceof String by)) {
            return null;
        }
        try {
            String deployment = string(row.getProperty(DEPLOYMENT), null);
            Attribution.Kind lookup = Attribution.Kind.of(string(row.getProperty(LOOKUP), null));
            return new Strip(SubnetId.parse(s), row.getRowKey(), at, string(row.getProperty(ACTION), "reassociated"),
                    string(row.getProperty(OPERATION), null), by, deployment, string(row.getProperty(CORRELATION_ID), null),
                    lookup == null && deployment != null ? Attribution.Kind.FOUND : lookup);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String string(@Nullable Object value, String fallback) {
        return value instanceof String s ? s : fallback;
    }

    /** The hash of the subnet's ID, case-insensitively (ARM IDs are): {@code /} is not allowed in a partition key. */
    static String partitionKey(SubnetId subnet) {
        return "s-" + sha256(subnet.toString().toLowerCase(Locale.ROOT)).substring(0, 40);
    }

    /** The strip's time counted down (newest first), then a hash of its key (the same strip, the same row). */
    static String rowKey(Strip strip) {
        long countdown = MAX_MILLIS - Math.max(0, Math.min(MAX_MILLIS, strip.at().toEpochMilli()));
        return String.format(Locale.ROOT, "%013d", countdown) + "-" + sha256(strip.key()).substring(0, 24);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ensureTable() {
        StorageTables.createOnce(table, tableReady);
    }

    private void unavailable(RuntimeException e) {
        if (down.compareAndSet(false, true)) {
            log.warning("repair history: Table " + table.getTableName() + " is unavailable (" + describe(e)
                    + "); strips are not counted and alerts do not escalate until it is reachable again");
        }
    }

    private void healthy() {
        if (down.compareAndSet(true, false)) {
            log.info("repair history: Table " + table.getTableName() + " is reachable again");
        }
    }

    /** Status and error code for a service error (its message may quote a SAS URL); the type otherwise. */
    private static String describe(RuntimeException e) {
        String status = StorageTables.statusOf(e);
        return status != null ? status : e.getClass().getSimpleName();
    }
}
