package dev.aksrouteguard.bench;

import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Backoff;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.core.Inventory;
import dev.aksrouteguard.core.InventorySource;
import dev.aksrouteguard.core.Mode;
import dev.aksrouteguard.core.Reconciler;
import dev.aksrouteguard.core.SubnetId;
import dev.aksrouteguard.core.Trigger;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The decision alone, without ARM: {@code Reconciler.assess} of every kubenet node subnet against a directory read
 * from the emulator (what {@code audit} and the sweep do after listing). Shows how the CPU per subnet grows with the
 * size of the subscription.
 */
final class DecideCost {

    /** Kubenet clusters → {@code largeSubscription} entries giving exactly that many. */
    static final Map<Integer, Integer> SIZES = Map.of(100, 124, 500, 624, 1_000, 1_250, 2_000, 2_500);

    private record Row(int kubenet, int routes, long readNanos, long assessNanos) {}

    private DecideCost() {}

    static void run(List<Integer> kubenetCounts, Markdown md) {
        List<List<String>> rows = new ArrayList<>();
        measure(100); // warm-up, not reported
        for (int k : kubenetCounts) {
            Row r = measure(k);
            rows.add(List.of(String.format(Locale.ROOT, "%,d", r.kubenet()), String.format(Locale.ROOT, "%,d", r.routes()),
                    String.valueOf(Math.round(r.readNanos() / 1e6)), String.valueOf(Math.round(r.assessNanos() / 1e6)),
                    String.format(Locale.ROOT, "%.0f", r.assessNanos() / 1e3 / r.kubenet())));
        }
        md.table(List.of("kubenet clusters (node subnets)", "routes in the subscription",
                "list + map the directory, ms (emulator)", "assess every node subnet, ms (CPU, best of 3)",
                "µs per subnet"), rows);
    }

    private static Row measure(int kubenet) {
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.pageSize(SweepScaling.PAGE_SIZE);
            Fixtures.largeSubscription(SIZES.get(kubenet)).seed(arm);
            Settings settings = Settings.from(Map.of(Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID,
                    Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString()));
            ArmClients clients = ArmClients.connect(settings, arm.credential(Principal.GUARD),
                    ArmClients.httpClient(arm.clientSslContext()));
            long started = System.nanoTime();
            InventorySource.Parts parts = clients.inventory().readAll();
            Inventory inventory = new Inventory(parts.clusters(), parts.network().routeTables(), parts.network().subnets(),
                    Instant.now());
            long read = System.nanoTime() - started;
            Reconciler reconciler = new Reconciler(clients.subnets(),
                    new ClusterDirectory(clients.inventory(), Clock.systemUTC(), ClusterDirectory.DEFAULT_TTL), Mode.REPORT,
                    Clock.systemUTC(), Backoff.DEFAULT);
            List<SubnetId> subnets = List.copyOf(inventory.kubenetNodeSubnets());
            if (subnets.size() != kubenet) {
                throw new IllegalStateException(subnets.size() + " node subnets, wanted " + kubenet);
            }
            Trigger trigger = new Trigger.Manual("benchmark");
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 3; round++) {
                long t = System.nanoTime();
                for (SubnetId id : subnets) {
                    reconciler.assess(id, inventory, trigger);
                }
                best = Math.min(best, System.nanoTime() - t);
            }
            int routes = inventory.routeTables().stream().mapToInt(t -> t.routes().size()).sum();
            return new Row(kubenet, routes, read, best);
        }
    }
}
