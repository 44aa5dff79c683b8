package dev.aksrouteguard.teams;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.Context;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import com.azure.data.tables.models.TableEntity;
import com.azure.data.tables.models.TableEntityUpdateMode;
import com.azure.data.tables.models.TableServiceException;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import dev.aksrouteguard.config.StorageConnection;
import dev.aksrouteguard.core.model.Nullable;
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

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
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

    /**
     * The memory behind {@code connection}, or {@link AlertMemory#NONE} (with one Warning) when no client can be
     * built from it. Identity-based connections use a managed identity with {@code AzureWebJobsStorage__clientId}
     * when it is set, else {@code credential}, else {@code DefaultAzureCredential}.
     */
    static AlertMemory connect(StorageConnection connection, @Nullable TokenCredential credential, String tableName,
            Duration repeat, Logger log, Redaction redaction) {
        try {
            TableClientBuilder builder = new TableClientBuilder()
                    .tableName(tableName)
                    .httpClient(httpClient())
                    .retryOptions(new RetryOptions(new ExponentialBackoffOptions()
                            .setMaxRetries(2).setBaseDelay(Duration.ofMillis(200)).setMaxDelay(Duration.ofSeconds(2))));
            if (connection instanceof StorageConnection.ConnectionString cs) {
                builder.connectionString(cs.value().reveal());
            } else {
                StorageConnection.Identity id = (StorageConnection.Identity) connection;
                builder.endpoint(id.tableEndpoint().toString()).credential(credentialFor(id, credential));
            }
            return new TableAlertMemory(builder.buildClient(), repeat, log, redaction);
        } catch (RuntimeException e) {
            log.warning("Teams alerts: the storage connection cannot be used for the alert memory ("
                    + redaction.describe(e) + "); alerting without repeat suppression");
            return AlertMemory.NONE;
        }
    }

    private static TokenCredential credentialFor(StorageConnection.Identity id, @Nullable TokenCredential given) {
        if (id.clientId() != null) {
            return new ManagedIdentityCredentialBuilder().clientId(id.clientId()).build();
        }
        return given != null ? given : new DefaultAzureCredentialBuilder().build();
    }

    private static HttpClient httpClient() {
        return new JdkHttpClientBuilder()
                .connectionTimeout(Duration.ofSeconds(5))
                .responseTimeout(Duration.ofSeconds(10))
                .build();
    }

    @Override
    public boolean remembers() {
        return true;
    }

    @Override
    public String describe() {
        return "repeat suppression on: an unresolved finding is alerted again at most every " + Cards.duration(repeat)
                + " (memory: Table " + table.getTableName() + " in the function app's storage account)";
    }

    @Override
    public Claim claim(Finding finding, Instant when) {
        Instant now = when.truncatedTo(ChronoUnit.MILLIS); // Table storage keeps 100 ns; compare what was stored
        try {
            ensureTable();
            Claim claim = decide(finding, read(finding), now);
            healthy();
            return claim;
        } catch (RuntimeException e) {
            unavailable(e);
            return Claim.unrecorded(finding, now);
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
                Instant last = instant(row.getProperty(LAST_ALERTED));
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
            return findings.stream().map(f -> Claim.unrecorded(f, now)).toList();
        }
        List<Claim> claims = new ArrayList<>();
        for (Finding f : findings) {
            try {
                claims.add(decide(f, rows.get(key(f.partitionKey(), f.rowKey())), now));
            } catch (RuntimeException e) {
                unavailable(e);
                claims.add(Claim.unrecorded(f, now));
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
    public void release(Claim claim) {
        if (claim.decision() != Decision.FIRST && claim.decision() != Decision.REPEAT) {
            return;
        }
        try {
            TableEntity row = read(claim.finding());
            if (row == null || !claim.claimedAt().equals(instant(row.getProperty(LAST_ALERTED)))) {
                return; // no longer ours: resolved, or claimed again since
            }
            if (claim.decision() == Decision.FIRST || claim.previousAlertedAt() == null) {
                deleteIfUnchanged(row);
            } else {
                row.addProperty(LAST_ALERTED, time(claim.previousAlertedAt()));
                table.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, TIMEOUT, Context.NONE);
            }
        } catch (TableServiceException e) {
            if (e.getResponse().getStatusCode() != 404 && e.getResponse().getStatusCode() != 412) {
                unavailable(e);
            }
        } catch (RuntimeException e) {
            unavailable(e);
        }
    }

    /** Insert for a first alert, replace-if-unchanged for a repeat; the loser of a race suppresses. */
    private Claim decide(Finding f, @Nullable TableEntity row, Instant now) {
        if (row == null) {
            TableEntity entity = new TableEntity(f.partitionKey(), f.rowKey())
                    .addProperty(SUBJECT, f.subject())
                    .addProperty(KIND, f.kind())
                    .addProperty(REASON, f.reason())
                    .addProperty(FIRST_SEEN, time(now))
                    .addProperty(LAST_ALERTED, time(now));
            try {
                table.createEntityWithResponse(entity, TIMEOUT, Context.NONE);
                return new Claim(f, Decision.FIRST, now, now, null);
            } catch (TableServiceException e) {
                if (e.getResponse().getStatusCode() == 409) {
                    return new Claim(f, Decision.SUPPRESS, null, now, null); // another instance alerts it
                }
                throw e;
            }
        }
        Instant firstSeen = instant(row.getProperty(FIRST_SEEN));
        Instant last = instant(row.getProperty(LAST_ALERTED));
        if (last != null && now.isBefore(last.plus(repeat))) {
            return new Claim(f, Decision.SUPPRESS, firstSeen, now, last);
        }
        row.addProperty(LAST_ALERTED, time(now));
        try {
            table.updateEntityWithResponse(row, TableEntityUpdateMode.REPLACE, true, TIMEOUT, Context.NONE);
            return new Claim(f, Decision.REPEAT, firstSeen, now, last);
        } catch (TableServiceException e) {
            int status = e.getResponse().getStatusCode();
            if (status == 412 || status == 404) {
                // 412: another instance repeated it first; 404: resolved meanwhile, and this outcome is already stale
                return new Claim(f, Decision.SUPPRESS, firstSeen, now, last);
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
        if (tableReady.get()) {
            return;
        }
        try {
            table.createTableWithResponse(TIMEOUT, Context.NONE);
        } catch (TableServiceException e) {
            if (e.getResponse().getStatusCode() != 409) {
                throw e;
            }
        }
        tableReady.set(true);
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
        if (e instanceof TableServiceException t) {
            String code = t.getValue() != null && t.getValue().getErrorCode() != null ? " " + t.getValue().getErrorCode() : "";
            return "HTTP " + t.getResponse().getStatusCode() + code;
        }
        return redaction.describe(e);
    }

    private static String key(String partitionKey, String rowKey) {
        return partitionKey + "/" + rowKey;
    }

    private static OffsetDateTime time(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private static @Nullable Instant instant(@Nullable Object value) {
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
