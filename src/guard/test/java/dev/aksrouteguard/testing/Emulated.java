package dev.aksrouteguard.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Backoff;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A local ARM emulator and the production object graph wired to it: the Azure SDK over HTTPS, with the emulator's
 * certificate trusted through an SSLContext and the guard's managed identity. Writes complete at once unless a test
 * asks for long-running operations.
 */
public final class Emulated implements AutoCloseable {

    public static final String SUB = Fixtures.SUBSCRIPTION_ID;

    /** What the guard's role allows, less {@code Microsoft.Network/routeTables/join/action}: a repair is refused. */
    public static final Set<String> ROLE_WITHOUT_ROUTE_TABLE_JOIN = Set.of("Microsoft.Network/*/read",
            "Microsoft.ContainerService/managedClusters/read", "Microsoft.Network/virtualNetworks/subnets/write",
            "Microsoft.Network/networkSecurityGroups/join/action", "Microsoft.Network/natGateways/join/action");

    public final ArmEmulator arm;
    public final LogCapture log = new LogCapture();
    public final RecordingAlerts alerts = new RecordingAlerts();
    public final RecordingRetries retries = new RecordingRetries();

    private Emulated(ArmEmulator arm) {
        this.arm = arm;
    }

    /** Writes complete at once (no operation polls): most tests are about the decision, not the polling. */
    public static Emulated start() {
        ArmEmulator arm = ArmEmulator.start();
        arm.synchronousWrites(true);
        return new Emulated(arm);
    }

    /** Writes are long-running operations that answer InProgress once, with Retry-After: 1, as ARM does. */
    public static Emulated withLongRunningWrites() {
        ArmEmulator arm = ArmEmulator.start();
        arm.asyncOperations(1, 1);
        return new Emulated(arm);
    }

    /** The environment the CLI or the function would see: the emulator as ARM endpoint, plus {@code extra} pairs. */
    public Map<String, String> env(String... extra) {
        Map<String, String> env = new HashMap<>();
        env.put(Settings.AZURE_SUBSCRIPTION_ID, SUB);
        env.put(Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString());
        for (int i = 0; i < extra.length; i += 2) {
            env.put(extra[i], extra[i + 1]);
        }
        return env;
    }

    public Settings settings(String... extra) {
        return Settings.from(env(extra));
    }

    /** Fast backoff (the waits are not what the tests measure), the emulator's trust and the guard's identity. */
    public Wiring.Options options() {
        return Wiring.Options.production()
                .withTrust(arm.clientSslContext())
                .withCredential(arm.credential(Principal.GUARD))
                .withBackoff(new Backoff(4, Duration.ofMillis(20), Duration.ofMillis(200), Backoff.Sleeper.THREAD))
                .withAlerts((settings, credential, logger) -> alerts)
                .withRetries((settings, logger) -> retries)
                .withLog(log.logger());
    }

    public Wiring wiring(String... extra) {
        return Wiring.build(settings(extra), options());
    }

    public JsonObject resource(String id) {
        return arm.get(id).orElseThrow(() -> new AssertionError("no resource " + id));
    }

    /** The subnet's {@code properties.routeTable.id}, or null. */
    public String routeTableOf(String subnetId) {
        JsonObject props = resource(subnetId).getAsJsonObject("properties");
        JsonElement rt = props.get("routeTable");
        return rt == null || rt.isJsonNull() ? null : rt.getAsJsonObject().get("id").getAsString();
    }

    public List<RecordedRequest> writes() {
        return arm.requests().stream().filter(RecordedRequest::isWrite).toList();
    }

    public List<RecordedRequest> puts(String pathPart) {
        return arm.requests().stream().filter(r -> r.method().equals("PUT") && r.path().toLowerCase().contains(pathPart.toLowerCase())).toList();
    }

    @Override
    public void close() {
        arm.close();
    }

    /** Work handed on to the retry queue, captured instead of queued. */
    public static final class RecordingRetries implements dev.aksrouteguard.core.port.RetryQueue {
        public record Submitted(dev.aksrouteguard.core.model.RetryRequest request, Duration delay) {}

        public final List<Submitted> submitted = new java.util.concurrent.CopyOnWriteArrayList<>();
        public final List<dev.aksrouteguard.core.model.RetryRequest> givenUp = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public boolean submit(dev.aksrouteguard.core.model.RetryRequest request, Duration delay) {
            submitted.add(new Submitted(request, delay));
            return true;
        }

        @Override
        public void giveUp(dev.aksrouteguard.core.model.RetryRequest request, dev.aksrouteguard.core.model.Outcome last) {
            givenUp.add(request);
        }
    }

    /** Alerts captured instead of sent. */
    public static final class RecordingAlerts implements AlertSink {
        public final List<dev.aksrouteguard.core.model.Outcome> outcomes = new java.util.concurrent.CopyOnWriteArrayList<>();
        public final List<dev.aksrouteguard.core.model.SweepReport> sweeps = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void outcome(dev.aksrouteguard.core.model.Outcome outcome) {
            outcomes.add(outcome);
        }

        @Override
        public void sweep(dev.aksrouteguard.core.model.SweepReport report) {
            sweeps.add(report);
        }
    }
}
