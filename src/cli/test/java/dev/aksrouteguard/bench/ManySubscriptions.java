package dev.aksrouteguard.bench;

import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.Backoff;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.Reconciler;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.RetryQueue;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The audit of 10 subscriptions × 100 kubenet clusters below one management group: the ARM reads it costs (each
 * subscription's list pages and the discovery's, nothing per cluster) and its wall time with the subscriptions read
 * side by side (the guard's 4 at a time) against one after another, with a network delay added to every ARM request.
 */
final class ManySubscriptions {

    static final int SUBSCRIPTIONS = 10;
    static final int PAGE_SIZE = 100;

    private ManySubscriptions() {}

    static void run(Markdown md, boolean quick) {
        int kubenetPerSubscription = quick ? 20 : 100;
        List<List<String>> rows = new ArrayList<>();
        for (Duration latency : List.of(Duration.ZERO, Duration.ofMillis(50))) {
            for (int concurrency : List.of(4, 1)) {
                rows.add(measure(kubenetPerSubscription, latency, concurrency));
            }
        }
        md.para(String.format(Locale.ROOT, "%d subscriptions below one management group, each with `largeSubscription(%d)` (%d"
                + " kubenet clusters, the rest Azure CNI and plain VNets), page size %d, a fresh graph per row. \"Side by side\""
                + " is the guard as built (4 subscriptions at a time); \"one after another\" is the same guard with 1.",
                SUBSCRIPTIONS, kubenetPerSubscription * 5 / 4, kubenetPerSubscription, PAGE_SIZE));
        md.table(List.of("delay per ARM request", "subscriptions at a time", "rows", "ARM reads", "of which list pages",
                "discovery pages", "writes", "wall ms"), rows);
    }

    private static List<String> measure(int kubenet, Duration latency, int concurrency) {
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.pageSize(PAGE_SIZE);
            arm.managementGroup("lz", "Landing zones", arm.tenantRootGroup());
            for (int i = 0; i < SUBSCRIPTIONS; i++) {
                String sub = String.format("%08d-1111-4222-8333-444455556666", i);
                arm.subscription(sub, "Team " + i, "lz");
                Fixtures.largeSubscription(kubenet * 5 / 4).subscription(sub).seed(arm);
            }
            if (!latency.isZero()) {
                arm.inject(Fault.on("*", "").delay(latency).always());
            }
            Settings settings = Settings.from(Map.of(Settings.AZURE_MANAGEMENT_GROUP_ID, "lz",
                    Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString()));
            ArmClients clients = ArmClients.connect(settings, arm.credential(Principal.GUARD),
                    ArmClients.httpClient(arm.clientSslContext()));
            ClusterDirectory directory = new ClusterDirectory(clients.subscriptions(), clients.inventories(), Clock.systemUTC(),
                    ClusterDirectory.DEFAULT_TTL);
            Reconciler reconciler = new Reconciler(clients.subnets(), directory, settings.mode(), Clock.systemUTC(), Backoff.DEFAULT);
            Guard guard = new Guard(directory, reconciler, AlertSink.NONE, RetryQueue.NONE, clients.traffic(), Clock.systemUTC(),
                    concurrency);
            arm.clearRequests();
            CallCount before = clients.traffic().snapshot();
            long started = System.nanoTime();
            Guard.Audit audit = guard.auditBySubscription();
            long wall = System.nanoTime() - started;
            CallCount calls = clients.traffic().snapshot().minus(before);
            long lists = ArmCalls.of(arm.requests()).lists();
            long discovery = arm.requests().stream().filter(r -> r.path().endsWith("/descendants")).count();
            return List.of(latency.toMillis() + " ms", String.valueOf(concurrency), String.valueOf(audit.rows().size()),
                    String.valueOf(calls.reads()), String.valueOf(lists), String.valueOf(discovery), String.valueOf(calls.writes()),
                    String.valueOf(Math.round(wall / 1e6)));
        }
    }
}
