package dev.aksrouteguard.bench;

import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Backoff;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.core.Inventory;
import dev.aksrouteguard.core.Reconciler;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.ClusterFixture;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The decision alone, without ARM: {@code Reconciler.assess} of every kubenet node subnet against a directory read
 * from the emulator (what {@code audit} and the sweep do after listing). Shows how the CPU per subnet grows with the
 * size of the subscription, for three layouts of route tables: the decision looks at the tables tied to the cluster
 * first, and only when none is tied strongly enough does it look up pod routes by next hop, which in a subscription
 * whose clusters all reuse one address space finds every cluster's table.
 */
final class DecideCost {

    /** Kubenet clusters → {@code largeSubscription} entries giving exactly that many. */
    static final Map<Integer, Integer> SIZES = Map.of(100, 124, 500, 624, 1_000, 1_250, 2_000, 2_500);

    /** How the subscription's route tables are laid out. */
    enum Layout {
        AKS_MANAGED("AKS-managed tables in the node resource groups; one address space and pod CIDR for all "
                + "(`largeSubscription`)"),
        BYO_SHARED("bring-your-own tables (`rt-<cluster>` in the cluster's resource group); one address space and pod "
                + "CIDR for all"),
        BYO_DISTINCT("bring-your-own tables; an address space of its own per cluster (pod CIDR shared)");

        final String label;

        Layout(String label) {
            this.label = label;
        }
    }

    private record Row(Layout layout, int kubenet, int routes, long readNanos, long assessNanos, String outcomes) {}

    private DecideCost() {}

    static void run(List<Integer> kubenetCounts, Markdown md) {
        List<List<String>> rows = new ArrayList<>();
        for (Layout layout : Layout.values()) {
            measure(layout, 100); // warm-up, not reported
            for (int k : kubenetCounts) {
                Row r = measure(layout, k);
                rows.add(List.of(r.layout().label, String.format(Locale.ROOT, "%,d", r.kubenet()),
                        String.format(Locale.ROOT, "%,d", r.routes()),
                        String.valueOf(Math.round(r.readNanos() / 1e6)), String.valueOf(Math.round(r.assessNanos() / 1e6)),
                        String.format(Locale.ROOT, "%.0f", r.assessNanos() / 1e3 / r.kubenet()), r.outcomes()));
            }
        }
        md.table(List.of("route tables", "kubenet clusters (node subnets)", "routes in the subscription",
                "list + map the directory, ms (emulator)", "assess every node subnet, ms (CPU, best of 3)",
                "µs per subnet", "outcomes"), rows);
    }

    /**
     * Seeds {@code kubenet} kubenet clusters laid out as {@code layout}; for the bring-your-own layouts one in four is
     * drifted, as in {@code largeSubscription} (where 2 of every 8 kubenet clusters are).
     */
    private static void seed(ArmEmulator arm, Layout layout, int kubenet) {
        if (layout == Layout.AKS_MANAGED) {
            Fixtures.largeSubscription(SIZES.get(kubenet)).seed(arm);
            return;
        }
        for (int i = 0; i < kubenet; i++) {
            ClusterFixture c = Fixtures.kubenetCluster(String.format(Locale.ROOT, "rg-%04d", i),
                    String.format(Locale.ROOT, "aks-%04d", i)).bringYourOwnRouteTable();
            if (layout == Layout.BYO_DISTINCT) {
                c.addressSpace(String.format(Locale.ROOT, "10.%d.%d.0/22", 10 + i / 64, (i % 64) * 4));
            }
            if (i % 4 == 3) {
                c.drifted();
            }
            c.seed(arm);
        }
    }

    private static Row measure(Layout layout, int kubenet) {
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.pageSize(SweepScaling.PAGE_SIZE);
            seed(arm, layout, kubenet);
            Settings settings = Settings.from(Map.of(Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID,
                    Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString()));
            ArmClients clients = ArmClients.connect(settings, arm.credential(Principal.GUARD),
                    ArmClients.httpClient(arm.clientSslContext()));
            ClusterDirectory directory = ClusterDirectory.of(Fixtures.SUBSCRIPTION_ID, clients.inventories().of(Fixtures.SUBSCRIPTION_ID), Clock.systemUTC(),
                    ClusterDirectory.DEFAULT_TTL);
            long started = System.nanoTime();
            Inventory inventory = directory.refresh();
            long read = System.nanoTime() - started;
            Reconciler reconciler = new Reconciler(clients.subnets(), directory, Mode.REPORT, Clock.systemUTC(), Backoff.DEFAULT);
            List<SubnetId> subnets = List.copyOf(inventory.kubenetNodeSubnets());
            if (subnets.size() != kubenet) {
                throw new IllegalStateException(subnets.size() + " node subnets, wanted " + kubenet);
            }
            Trigger trigger = new Trigger.Manual("benchmark");
            long best = Long.MAX_VALUE;
            Map<Action, Integer> outcomes = new EnumMap<>(Action.class);
            for (int round = 0; round < 3; round++) {
                outcomes.clear();
                long t = System.nanoTime();
                for (SubnetId id : subnets) {
                    Outcome o = reconciler.assess(id, inventory, trigger);
                    outcomes.merge(o.action(), 1, Integer::sum);
                }
                best = Math.min(best, System.nanoTime() - t);
            }
            int routes = inventory.routeTables().stream().mapToInt(t -> t.routes().size()).sum();
            String counted = outcomes.entrySet().stream()
                    .map(e -> String.format(Locale.ROOT, "%,d %s", e.getValue(), e.getKey().word()))
                    .collect(Collectors.joining(", "));
            return new Row(layout, kubenet, routes, read, best, counted);
        }
    }
}
