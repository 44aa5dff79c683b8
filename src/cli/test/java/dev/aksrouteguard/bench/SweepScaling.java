package dev.aksrouteguard.bench;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.LargeSubscription;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * (d) Sweep scaling: {@code Guard.sweep} (enforce) and {@code Guard.audit} over emulated subscriptions of 10, 100 and
 * 1,000 kubenet clusters seeded by {@link Fixtures#largeSubscription} (the first 12, 124 and 1,250 of its fixed mix:
 * of every ten, 6 kubenet in sync, 2 kubenet drifted, 1 Azure CNI, 1 plain VNet), page size 100. Each measurement
 * gets a fresh emulator and a fresh object graph. ARM calls come from the emulator's log and from the graph's own
 * count ({@code Wiring.traffic()}); the bound is printed next to them.
 */
final class SweepScaling {

    /** Kubenet clusters wanted → how many {@code largeSubscription} entries give exactly that many. */
    static final Map<Integer, Integer> SIZES = Map.of(10, 12, 100, 124, 1_000, 1_250);
    static final int PAGE_SIZE = 100;
    /** The LRO the emulator plays: InProgress to this many polls, then Succeeded, each answer Retry-After 1 s. */
    static final int IN_PROGRESS_POLLS = 1;
    /** {@code Wiring.SWEEP_CONCURRENCY} (package-private there): drifted subnets repaired at once. */
    static final int SWEEP_CONCURRENCY = 4;

    enum Run {
        ENFORCE_LRO("sweep, enforce; writes are LROs (1 InProgress poll, Retry-After 1 s)"),
        ENFORCE_SYNC("sweep, enforce; writes answered synchronously (no polls)"),
        STEADY("the next sweep (enforce), once everything is repaired"),
        AUDIT("audit (read-only)");

        final String label;

        Run(String label) {
            this.label = label;
        }
    }

    /** What one run cost, next to what the design says it may cost. */
    record Result(int kubenet, LargeSubscription.Seeded seeded, int entries, Run run, Duration latency, ArmCalls calls,
            CallCount traffic, int boundPages, int boundReads, int boundWrites, int reassociated, int inSync,
            int notReached, long wallNanos, int criticalCalls) {

        /**
         * An estimate, not a measurement: the emulator's wall time plus {@code latency} for each call on the critical
         * path (the longest of the three lists, which run side by side, then one drifted subnet's calls per round of
         * {@value SweepScaling#SWEEP_CONCURRENCY} concurrent repairs).
         */
        double estimatedSeconds(Duration latency) {
            return wallNanos / 1e9 + criticalCalls * latency.toMillis() / 1e3;
        }
    }

    private SweepScaling() {}

    static Result measure(int kubenet, Run run, Duration latency) {
        int entries = SIZES.get(kubenet);
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.pageSize(PAGE_SIZE);
            if (run == Run.ENFORCE_SYNC || run == Run.STEADY) {
                arm.synchronousWrites(true);
            } else {
                arm.asyncOperations(IN_PROGRESS_POLLS, 1);
            }
            LargeSubscription.Seeded seeded = Fixtures.largeSubscription(entries).seed(arm);
            if (seeded.kubenet().size() != kubenet) {
                throw new IllegalStateException("seeded " + seeded.kubenet().size() + " kubenet clusters, wanted " + kubenet);
            }
            if (!latency.isZero()) {
                arm.inject(Fault.on("*", "").delay(latency).always());
            }
            Settings settings = Settings.from(Map.of(Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID,
                    Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString()));
            Wiring w = Wiring.build(settings, Wiring.Options.production()
                    .withTrust(arm.clientSslContext())
                    .withCredential(arm.credential(Principal.GUARD))
                    .withAlerts((s, c, l) -> AlertSink.NONE)
                    .withLog(Quiet.logger()));
            if (run == Run.STEADY) {
                w.guard().sweep(settings.sweepTimeBudget()); // repairs the drift; the next sweep is the one measured
            }
            arm.clearRequests();
            CallCount before = w.traffic().snapshot();
            long started = System.nanoTime();
            List<Outcome> outcomes;
            int notReached = 0;
            if (run == Run.AUDIT) {
                outcomes = w.guard().audit();
            } else {
                SweepReport report = w.guard().sweep(settings.sweepTimeBudget());
                if (report.error() != null) {
                    throw new IllegalStateException("sweep failed: " + report.error());
                }
                outcomes = report.outcomes();
                notReached = report.notReached().size();
            }
            long wall = System.nanoTime() - started;
            CallCount traffic = w.traffic().snapshot().minus(before);
            ArmCalls calls = ArmCalls.of(arm.requests());

            int drifted = seeded.drifted().stream().mapToInt(c -> c.nodeSubnetIds().size()).sum();
            int clusters = seeded.kubenet().size() + seeded.azureCni().size();
            int routeTables = seeded.kubenet().size();
            int vnets = entries;
            int pages = pages(clusters) + pages(routeTables) + pages(vnets);
            int perDrifted = switch (run) {
                case ENFORCE_LRO -> 2 + (IN_PROGRESS_POLLS + 1) + 1; // fresh GETs of subnet and cluster, polls, final GET
                case ENFORCE_SYNC -> 2;                                // fresh GETs of the subnet and its cluster
                case STEADY, AUDIT -> 0;
            };
            int boundWrites = run == Run.AUDIT || run == Run.STEADY ? 0 : drifted;
            int boundReads = pages + boundWrites * perDrifted;
            int longestList = Math.max(pages(clusters), Math.max(pages(routeTables), pages(vnets)));
            int rounds = (boundWrites + SWEEP_CONCURRENCY - 1) / SWEEP_CONCURRENCY;
            int criticalCalls = longestList + rounds * (perDrifted + 1);
            int reassociated = count(outcomes, Action.REASSOCIATED);
            int inSync = count(outcomes, Action.IN_SYNC);
            return new Result(kubenet, seeded, entries, run, latency, calls, traffic, pages, boundReads, boundWrites,
                    reassociated, inSync, notReached, wall, criticalCalls);
        }
    }

    static int pages(int items) {
        return Math.max(1, (items + PAGE_SIZE - 1) / PAGE_SIZE);
    }

    private static int count(List<Outcome> outcomes, Action action) {
        return (int) outcomes.stream().filter(o -> o.action() == action).count();
    }

    static void write(List<Result> results, Markdown md) {
        List<List<String>> rows = new ArrayList<>();
        for (Result r : results) {
            ArmCalls c = r.calls();
            LargeSubscription.Seeded s = r.seeded();
            rows.add(List.of(
                    String.format(Locale.ROOT, "%,d", r.kubenet()),
                    String.format(Locale.ROOT, "largeSubscription(%d): %d in sync, %d drifted, %d CNI, %d plain", r.entries(),
                            s.inSync().size(), s.drifted().size(), s.azureCni().size(), s.plainSubnetIds().size()),
                    r.run().label + (r.latency().isZero() ? "" : ", +" + r.latency().toMillis() + " ms per request"),
                    c.lists() + " / " + r.boundPages(),
                    String.valueOf(c.gets()),
                    String.valueOf(c.polls()),
                    "**" + c.reads() + "** / " + r.traffic().reads() + " / " + r.boundReads(),
                    "**" + c.writes() + "** / " + r.traffic().writes() + " / " + r.boundWrites(),
                    r.reassociated() + " / " + r.inSync() + (r.notReached() > 0 ? " / not reached " + r.notReached() : ""),
                    String.format(Locale.ROOT, "%.2f", r.wallNanos() / 1e9),
                    r.latency().isZero() ? String.format(Locale.ROOT, "%.1f / %.1f", r.estimatedSeconds(Duration.ofMillis(100)),
                            r.estimatedSeconds(Duration.ofMillis(300))) : "–"));
        }
        md.table(List.of("kubenet clusters", "seeded", "run", "list pages / bound", "GET", "polls",
                "reads: emulator / SDK count / bound", "writes: emulator / SDK count / bound", "reassociated / in-sync",
                "wall s (emulator)", "estimate s at 100 / 300 ms per call"), rows);
    }
}
