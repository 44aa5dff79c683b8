package dev.aksrouteguard.teams;

import com.azure.core.util.Context;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.storage.StorageTables;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The alert memory in Azure Table storage (the function app's own storage account): one row per unresolved
 * finding, partition = hash of the subject (the subnet), row = hash of kind and reason, with the time it was first
 * and last alerted. The table holds only open findings: a resolution deletes the subject's rows, and rows older
 * than the repeat window (plus a day) are pruned by the sweep, since they would not suppress anything.
 *
 * <p>Two instances racing for the same finding cannot both win: a first alert is an insert (409 for the loser), a
 * repeat is a replace with {@code If-Match} on the etag that was read (412 for the loser).
 *
 * <p>Each row carries the ID of the claim that last wrote it and, for a repeat, the alert time it replaced: a
 * release finds its rows by claim ID (one query, whatever the number of findings) and deletes a first alert or puts
 * the previous time back on a repeat, each with {@code If-Match}, so a newer claim is never undone.
 *
 * <p>The client is built by the wiring, with the graph's one credential and HTTP client.
 *
 * <p>Fail open: when the table cannot be reached every claim says "send", and one Warning says so (one more line,
 * at Info, when it is back).
 */
final class TableAlertMemory implements AlertMemory {

    static final String DEFAULT_TABLE = "routeguardalerts";

    static final String SUBJECT = "Subject";
    static final String KIND = "Kind";
    static final String REASON = "Reason";
    static final String FIRST_SEEN = "FirstSeen";
    static final String LAST_ALERTED = "LastAlerted";
    static final String PREVIOUS_ALERTED = "PreviousAlerted";
    static final String CLAIM_ID = "ClaimId";

    private static final Duration TIMEOUT = StorageTables.TIMEOUT;
    private static final Duration PRUNE_GRACE = Duration.ofDays(1);

    private final TableClient table;
    private final Duration repeat;
    private final Logger log;
    private final Redaction redaction;
    private final AtomicBoolean tableReady = new AtomicBoolean();
    private final AtomicBoolean down = new AtomicBoolean();

    TableAlertMemory(TableClient table, Duration repeat, Logger log, Redaction redaction) {
        this.table = Objects.requireNonNull(table, "table == null");
        this.repeat = Objects.requireNonNull(repeat, "repeat == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.redaction = Objects.requireNonNull(redaction, "redaction == null");
    }

    @Override
    public boolean remembers() {
        return true;
    }

    @Override
    public String describe() {
        return "repeat suppression on: an unresolved finding is alerted again at most every " + CardText.duration(repeat)
                + " (memory: Table " + table.getTableName() + " in the function app's storage account)";
    }

    @Override
    public Claim claim(Finding finding, Instant when) {
        Instant now = when.truncatedTo(ChronoUnit.MILLIS); // Table storage keeps 100 ns; compare what was stored
        try {
            ensureTable();
            Claim claim = decide(finding, read(finding), now, AlertMemory.newClaimId());
            healthy();
            return claim;
        } catch (RuntimeException e) {
            unavailable(e);
            return Claim.unrecorded(finding);
        }
    }

    @Override
    public List<Claim> claimAll(List<Finding> findings, Set<String> resolvedSubjects, Instant when) {
        Instant now = when.truncatedTo(ChronoUnit.MILLIS);
        Map<String, TableEntity> rows;
        try {
            ensureTable();
            rows = new HashMap<>();
            for (TableEntity row : table.listEntities(new ListEntitiesOptions(), TIMEOUT, Context.NONE)) {
                rows.put(key(row.getPartitionKey(), row.getRowKey()), row);
            }
            Set<String> resolved = new HashSet<>();
            resolvedSubjects.forEach(s -> resolved.add(Finding.partitionKey(s)));
            Set<String> wanted = new HashSet<>();
            findings.forEach(f -> wanted.add(key(f.partitionKey(), f.rowKey())));
            Instant stale = now.minus(repeat).minus(PRUNE_GRACE);
            for (TableEntity row : List.copyOf(rows.values())) {
                boolean isResolved = resolved.contains(row.getPartitionKey());
                Instant last = StorageTables.instant(row.getProperty(LAST_ALERTED));
                boolean isStale = !wanted.contains(key(row.getPartitionKey(), row.getRowKey()))
                        && (last == null || last.isBefore(stale));
                if (isResolved || isStale) {
                    deleteIfUnchanged(row);
                    rows.remove(key(row.getPartitionKey(), row.getRowKey()));
                }
            }
            healthy();
        } catch (RuntimeException e) {
            unavailable(e);
            return findings.stream().map(Claim::unrecorded).toList();
        }
        String claimId = AlertMemory.newClaimId();
        List<Claim> claims = new ArrayList<>();
        for (Finding f : findings) {
            try {
                claims.add(decide(f, rows.get(key(f.partitionKey(), f.rowKey())), now, claimId));
            } catch (RuntimeException e) {
                unavailable(e);
                claims.add(Claim.unrecorded(f));
            }
        }
        return claims;
    }

    @Override
    public void forget(String subject) {
        try {
            ensureTable();
            String filter = "PartitionKey eq '" + Finding.partitionKey(subject) + "'";
            for (TableEntity row : table.listEntities(new ListEntitiesOptions().setFilter(filter), TIMEOUT, Context.NONE)) {
                deleteIfUnchanged(row);
            }
            healthy();
        } catch (RuntimeException e) {
            unavailable(e);
        }
    }

    @Override
    public void release(String claimId) {
        try {
            String filter = CLAIM_ID + " eq '" + claimId.replace("'", "''") + "'";
            for (TableEntity row : table.listEntities(new ListEntitiesOptions().setFilter(filter), TIMEOUT, Context.NONE)) {
                Object previous = row.getProperty(PREVIOUS_ALERTED);
                if (previous == null) {
                    deleteIfUnchanged(row); // a first alert: as if it had never been claimed
                } else {
                    row.addProperty(LAST_ALERTED, previous);
                    row.getProperties().remove(PREVIOUS_ALERTED);
                    row.getProperties().remove(CLAIM_ID);
                    replaceIfUnchanged(row);
                }
            }
            healthy();
        } catch (RuntimeException e) {
            unavailable(e);
        }
    }

    /** Insert for a first alert, replace-if-unchanged for a repeat; the loser of a race suppresses. */
    private Claim decide(Finding f, @Nullable TableEntity row, Instant now, String claimId) {
        if (row == null) {
            TableEntity entity = new TableEntity(f.partitionKey(), f.rowKey())
                    .addProperty(SUBJECT, f.subject())
                    .addProperty(KIND, f.kind())
                    .addProperty(REASON, f.reason())
                    .addProperty(FIRST_SEEN, time(now))
                    .addProperty(LAST_ALERTED, time(now))
                    .addProperty(CLAIM_ID, claimId);
            try {
                table.createEntityWithResponse(entity, TIMEOUT, Context.NONE);
                return new Claim(f, Decision.FIRST, now, claimId);
            } catch (TableServiceException e) {
                if (e.getResponse().getStatusCode() == 409) {
                    return Claim.suppressed(f, null); // another instance alerts it
                }
                throw e;
            }
        }
        Instant firstSeen = StorageTables.instant(row.getProperty(FIRST_SEEN));
        Instant last = StorageTables.instant(row.getProperty(LAST_ALERTED));
        if (last != null && now.isBefore(last.plus(repeat))) {
            return Claim.suppressed(f, firstSeen);
        }
        row.addProperty(LAST_ALERTED, time(now));
        row.addProperty(PREVIOUS_ALERTED, time(last != null ? last : now.minus(repeat)));
        row.addProperty(CLAIM_ID, claimId);
        try {
            table.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, TIMEOUT, Context.NONE);
            return new Claim(f, Decision.REPEAT, firstSeen, claimId);
        } catch (TableServiceException e) {
            int status = e.getResponse().getStatusCode();
            if (status == 412 || status == 404) {
                // 412: another instance repeated it first; 404: resolved meanwhile, and this outcome is already stale
                return Claim.suppressed(f, firstSeen);
            }
            throw e;
        }
    }

    private @Nullable TableEntity read(Finding f) {
        try {
            return table.getEntityWithResponse(f.partitionKey(), f.rowKey(), null, TIMEOUT, Context.NONE).getValue();
        } catch (TableServiceException e) {
            if (e.getResponse().getStatusCode() == 404) {
                return null;
            }
            throw e;
        }
    }

    private void replaceIfUnchanged(TableEntity row) {
        try {
            table.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, TIMEOUT, Context.NONE);
        } catch (TableServiceException e) {
            int status = e.getResponse().getStatusCode();
            if (status != 404 && status != 412) {
                throw e;
            }
        }
    }

    private void deleteIfUnchanged(TableEntity row) {
        try {
            table.deleteEntityWithResponse(row, true, TIMEOUT, Context.NONE);
        } catch (TableServiceException e) {
            int status = e.getResponse().getStatusCode();
            if (status != 404 && status != 412) {
                throw e;
            }
        }
    }

    private void ensureTable() {
        StorageTables.createOnce(table, tableReady);
    }

    private void unavailable(RuntimeException e) {
        if (down.compareAndSet(false, true)) {
            log.warning("Teams alerts: the alert memory in Table storage is unavailable (" + describe(e)
                    + "); alerting without repeat suppression until it is reachable again");
        } else if (log.isLoggable(Level.FINE)) {
            log.fine("Teams alerts: the alert memory is still unavailable (" + describe(e) + ")");
        }
    }

    private void healthy() {
        if (down.compareAndSet(true, false)) {
            log.info("Teams alerts: the alert memory in Table storage is reachable again; repeat suppression resumed");
        }
    }

    /** Status and error code for a service error (its message may quote a SAS URL); a scrubbed phrase otherwise. */
    private String describe(RuntimeException e) {
        String status = StorageTables.statusOf(e);
        return status != null ? status : redaction.describe(e);
    }

    private static String key(String partitionKey, String rowKey) {
        return partitionKey + "/" + rowKey;
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }
}
