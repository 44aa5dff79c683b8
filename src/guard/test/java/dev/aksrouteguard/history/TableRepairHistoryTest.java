package dev.aksrouteguard.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.data.tables.models.ListEntitiesOptions;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import dev.aksrouteguard.testing.LogCapture;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The repair history in Table storage (Azurite), shared by separate instances as separate function instances or CLI
 * processes share it: each instance has its own Table client over the one table.
 */
@ExtendWith(AzuriteExtension.class)
class TableRepairHistoryTest {

    static final SubnetId NODES = SubnetId.of("6a2f0c4e-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "rg-net", "vnet-spoke", "snet-aks-nodes");
    static final SubnetId OTHER = SubnetId.of("6a2f0c4e-1b3d-4e5f-8a9b-0c1d2e3f4a5b", "rg-net", "vnet-spoke", "snet-other");
    static final Instant NOW = Instant.parse("2026-05-08T12:00:00Z");
    static final Recurrence.Policy WEEK = Recurrence.Policy.DEFAULT;

    final Azurite azurite;
    final String table = Azurite.freshTable();
    final LogCapture logs = new LogCapture();

    TableRepairHistoryTest(Azurite azurite) {
        this.azurite = azurite;
    }

    @AfterEach
    void stop() {
        logs.close();
    }

    /** A separate instance: its own Table client over the shared table. */
    TableRepairHistory instance() {
        return new TableRepairHistory(client(azurite.connectionString()), logs.logger());
    }

    TableClient client(String connectionString) {
        return new TableClientBuilder().connectionString(connectionString).tableName(table)
                .httpClient(ArmClients.httpClient(null)).buildClient();
    }

    static Strip strip(SubnetId subnet, String event, Instant at, String deployment) {
        return new Strip(subnet, "event:" + event, at, "reassociated", "Microsoft.Network/virtualNetworks/write",
                "service principal sp-bicep-release (app 70a21af4-f749-3bc1-9a80-84ab5563d21d)", deployment, "corr-" + event);
    }

    @Test
    void separateInstancesCountTheSameSubnetsStripsWithinTheWindow() {
        TableRepairHistory a = instance();
        TableRepairHistory b = instance();

        Recurrence first = a.record(strip(NODES, "e1", NOW.minus(Duration.ofDays(8)), null), WEEK, NOW);
        Recurrence second = b.record(strip(NODES, "e2", NOW.minus(Duration.ofDays(2)), "release-2 in resource group rg-net"), WEEK, NOW);
        Recurrence third = a.record(strip(NODES, "e3", NOW.minus(Duration.ofHours(1)), "release-3 in resource group rg-net"), WEEK, NOW);

        assertEquals(0, first.count(), "eight days ago is outside the week");
        assertEquals(1, second.count());
        assertEquals(2, third.count());
        assertEquals("release-3 in resource group rg-net", third.last().deployment(), "the newest strip is the last one");
        Map<SubnetId, Recurrence> read = instance().recurrences(List.of(NODES, OTHER), WEEK, NOW);
        assertEquals(2, read.get(NODES).count(), "a third instance reads what the two others recorded");
        assertEquals(NOW.minus(Duration.ofHours(1)), read.get(NODES).last().at());
        assertEquals(0, read.get(OTHER).count());
        assertNull(read.get(OTHER).last());
    }

    @Test
    void theSameStripRecordedTwiceCountsOnce() {
        TableRepairHistory a = instance();
        a.record(strip(NODES, "same", NOW.minusSeconds(60), null), WEEK, NOW);
        Recurrence again = instance().record(strip(NODES, "same", NOW.minusSeconds(60), null), WEEK, NOW);
        assertEquals(1, again.count(), "an event delivered twice, or retried, is one strip");
    }

    @Test
    void theHistoryOfOneSubnetIsBoundedToTheNewestFifty() {
        TableRepairHistory a = instance();
        Recurrence last = null;
        for (int i = 0; i < TableRepairHistory.MAX_PER_SUBNET + 5; i++) {
            last = a.record(strip(NODES, "e" + i, NOW.minus(Duration.ofMinutes(100 - i)), null), WEEK, NOW);
        }
        long rows = client(azurite.connectionString()).listEntities(new ListEntitiesOptions(), null, null).stream().count();
        assertEquals(TableRepairHistory.MAX_PER_SUBNET, rows, "the oldest strips are trimmed");
        assertEquals(TableRepairHistory.MAX_PER_SUBNET, last.count());
        assertEquals(NOW.minus(Duration.ofMinutes(100 - 54)), last.last().at(), "the newest is kept");
    }

    @Test
    void anUnreachableTableAnswersNothingAndSaysSoOnce() {
        String nowhere = "DefaultEndpointsProtocol=http;AccountName=" + AzuriteExtension.ACCOUNT + ";AccountKey="
                + AzuriteExtension.KEY + ";TableEndpoint=http://127.0.0.1:1/" + AzuriteExtension.ACCOUNT + ";";
        TableClient unreachable = new TableClientBuilder().connectionString(nowhere).tableName(table)
                .httpClient(ArmClients.httpClient(null))
                .retryOptions(new RetryOptions(new FixedDelayOptions(0, Duration.ofMillis(1)))).buildClient();
        TableRepairHistory down = new TableRepairHistory(unreachable, logs.logger());

        assertNull(down.record(strip(NODES, "e1", NOW, null), WEEK, NOW));
        assertNull(down.recurrences(List.of(NODES), WEEK, NOW));

        assertEquals(1, logs.lines(Level.WARNING).size(), logs.all());
        assertTrue(logs.lines(Level.WARNING).get(0).contains("alerts do not escalate"), logs.all());
        assertTrue(logs.all().indexOf(AzuriteExtension.KEY) < 0, "the key is never logged");
    }
}
