package dev.aksrouteguard.teams;

import com.azure.core.credential.TokenCredential;
import com.azure.data.tables.TableClient;
import com.azure.data.tables.TableClientBuilder;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.QueueClientBuilder;
import com.azure.storage.queue.QueueMessageEncoding;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.wiring.StorageClients;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/** Outcomes, sweeps and settings as the core produces them, for a kubenet cluster in one subscription. */
final class Fixtures {

    static final String SUBSCRIPTION = "6a2f0c4e-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
    static final String UPN = "alice.devops@contoso.com";
    static final String APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46";
    static final String CLIENT_IP = "203.0.113.7";
    static final String CORRELATION_ID = "d7a1c2e3-4f5a-4b6c-9d8e-7f6a5b4c3d2e";
    static final Instant EVENT_TIME = Instant.parse("2025-03-04T10:15:30Z");
    static final Instant STARTED = EVENT_TIME.plusSeconds(9);
    static final Instant FINISHED = EVENT_TIME.plusSeconds(14);

    static final ResourceId CLUSTER = ResourceId.parse("/subscriptions/" + SUBSCRIPTION
            + "/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod");
    static final ResourceId ROUTE_TABLE = ResourceId.parse("/subscriptions/" + SUBSCRIPTION
            + "/resourceGroups/MC_rg-aks_aks-prod_westeurope/providers/Microsoft.Network/routeTables/aks-agentpool-12345678-routetable");
    static final ResourceId FOREIGN_TABLE = ResourceId.parse("/subscriptions/" + SUBSCRIPTION
            + "/resourceGroups/rg-net/providers/Microsoft.Network/routeTables/rt-firewall");

    private Fixtures() {}

    static SubnetId subnet(String name) {
        return SubnetId.of(SUBSCRIPTION, "rg-net", "vnet-spoke", name);
    }

    static Trigger event() {
        return new Trigger.Event(new ArmWrite("evt-1", "Microsoft.Network/virtualNetworks/write",
                ResourceId.parse("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-spoke"),
                EVENT_TIME, CORRELATION_ID, new Actor(UPN, APP_ID, CLIENT_IP)));
    }

    static Trigger sweepTrigger() {
        return new Trigger.Sweep(STARTED);
    }

    static Outcome outcome(SubnetId subnet, Action action, @Nullable ResourceId table, @Nullable ResourceId previous,
            String message, @Nullable String nextStep, Trigger trigger) {
        return Outcome.decided(subnet, CLUSTER, List.of("nodepool1"), table, previous, action, message, nextStep, false,
                Mode.ENFORCE, trigger, STARTED, FINISHED, List.of(), List.of());
    }

    /** A repair after an event whose deployment lookup answered that no deployment made the write. */
    static Outcome reassociated(SubnetId subnet) {
        return outcome(subnet, Action.REASSOCIATED, ROUTE_TABLE, null,
                "re-associated route table aks-agentpool-12345678-routetable: the subnet lost its route table", null, event())
                .withAttribution(dev.aksrouteguard.core.model.Attribution.NONE_FOUND);
    }

    static Outcome conflict(SubnetId subnet) {
        return outcome(subnet, Action.CONFLICT, ROUTE_TABLE, FOREIGN_TABLE,
                "associated with rt-firewall, which is not cluster aks-prod's route table aks-agentpool-12345678-routetable; not swapped",
                "if rt-firewall is not meant to be there, associate aks-agentpool-12345678-routetable with " + subnet.name(), event());
    }

    static Outcome forbidden(SubnetId subnet, String requestId) {
        return outcome(subnet, Action.FAILED, ROUTE_TABLE, null,
                "could not re-associate route table aks-agentpool-12345678-routetable: LinkedAuthorizationFailed (request " + requestId + ")",
                "grant the guard's identity Microsoft.Network/routeTables/join/action", event());
    }

    static Outcome driftReported(SubnetId subnet, Trigger trigger) {
        return outcome(subnet, Action.DRIFT_REPORTED, ROUTE_TABLE, null,
                "drifted: the subnet lost its route table; nothing written (report mode)",
                "switch REMEDIATION_MODE to enforce", trigger);
    }

    static Outcome inSync(SubnetId subnet) {
        return outcome(subnet, Action.IN_SYNC, ROUTE_TABLE, ROUTE_TABLE, "associated with aks-agentpool-12345678-routetable", null, event());
    }

    static SweepReport sweep(List<Outcome> outcomes) {
        return new SweepReport(STARTED, FINISHED, Mode.ENFORCE, outcomes, List.of(), new CallCount(12, 1), null);
    }

    /** {@code n} subnets: every fifth re-associated, the others failed with a long message. */
    static SweepReport bigSweep(int n, int messageLength) {
        List<Outcome> outcomes = new ArrayList<>();
        String filler = "x".repeat(Math.max(0, messageLength));
        for (int i = 0; i < n; i++) {
            SubnetId s = subnet("snet-nodes-" + i);
            outcomes.add(i % 5 == 0
                    ? reassociated(s)
                    : outcome(s, Action.FAILED, ROUTE_TABLE, null, "could not re-associate: " + filler,
                            "grant the guard's identity Microsoft.Network/routeTables/join/action", sweepTrigger()));
        }
        return sweep(outcomes);
    }

    static Settings settings(Map<String, String> extra) {
        Map<String, String> env = new HashMap<>();
        env.put(Settings.AZURE_SUBSCRIPTION_ID, SUBSCRIPTION);
        env.putAll(extra);
        return Settings.from(env);
    }

    /** A credential that must never be asked: connection strings carry their own authorization. */
    static final TokenCredential NO_TOKEN = request -> {
        throw new AssertionError("no token expected for a connection string");
    };

    /** A Table client on {@code tableName}, built as the wiring builds the alert memory's (the graph's HTTP client). */
    static TableClient table(String connectionString, String tableName) {
        return new TableClientBuilder().connectionString(connectionString).tableName(tableName)
                .httpClient(ArmClients.httpClient(null)).buildClient();
    }

    /** A Queue client on {@code queueName}, Base64 as the wiring builds the alert queue's (the graph's HTTP client). */
    static QueueClient queue(String connectionString, String queueName) {
        return new QueueClientBuilder().connectionString(connectionString).queueName(queueName)
                .messageEncoding(QueueMessageEncoding.BASE64).httpClient(ArmClients.httpClient(null)).buildClient();
    }

    /** The Storage clients exactly as the wiring builds them for {@code settings}. */
    static AlertStorage storage(Settings settings, boolean withQueue) {
        return StorageClients.forAlerts(settings, NO_TOKEN, ArmClients.httpClient(null), withQueue,
                Logger.getLogger("dev.aksrouteguard.teams.test"));
    }

    static CardText.Context context(Duration repeat) {
        return new CardText.Context(java.net.URI.create("https://portal.azure.com/"), SUBSCRIPTION, "subscription " + SUBSCRIPTION, repeat);
    }
}
