package dev.aksrouteguard.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The performance report of {@code docs/performance.md}: ARM calls per event kind, per-event CPU time in a warm
 * process, cold start of the CLI, and sweep scaling. Prints Markdown and writes {@code target/benchmarks.md}.
 * Not a test: run it with {@code mvn -B -Pbench verify} (see docs/performance.md).
 *
 * <p>Arguments: the sections to run ({@code calls cpu cold first storm contention subscriptions sweep}, default all); {@code quick} for
 * small samples.
 */
public final class Benchmarks {

    private Benchmarks() {}

    public static void main(String[] args) throws Exception {
        List<String> argv = Arrays.stream(args).flatMap(a -> Arrays.stream(a.trim().split("\\s+")))
                .filter(a -> !a.isBlank()).toList();
        boolean quick = argv.contains("quick");
        List<String> sections = argv.stream().filter(a -> !a.equals("quick")).toList();
        boolean all = sections.isEmpty();
        Quiet.azureSdk();
        // TCP_NODELAY for the emulator's HttpServer: ArmEmulator.start() sets it itself (before any server starts).

        Markdown md = new Markdown();
        md.heading(1, "aks-route-guard benchmarks");
        md.para(Machine.describe());
        if (all || sections.contains("calls")) {
            md.heading(2, "ARM calls per event kind (warm worker)");
            EventCosts.write(EventCosts.run(), md);
        }
        if (all || sections.contains("cpu") || sections.contains("cold") || sections.contains("first")) {
            try (RemoteEmulator emulator = RemoteEmulator.start(0)) {
                if (all || sections.contains("cpu")) {
                    md.heading(2, "Per-event CPU time in a warm process");
                    md.para("Subscription: 4 clusters and a plain VNet (every list is one page).");
                    md.raw(CpuTime.run(emulator, quick ? 50 : 200, quick ? 50 : 300, List.of()));
                }
                if (all || sections.contains("cold")) {
                    md.heading(2, "Cold start of the CLI");
                    ColdStart.run(emulator, Path.of("target", "aks-route-guard.jar"), quick ? 3 : 7, md);
                }
                if (all || sections.contains("first")) {
                    md.heading(2, "First invocation of a new Function instance");
                    FirstInvocation.run(emulator, Path.of("").toAbsolutePath(), quick ? 3 : 5, md);
                }
            }
            if (all || sections.contains("cpu")) {
                try (RemoteEmulator emulator = RemoteEmulator.start(SweepScaling.SIZES.get(1_000))) {
                    md.heading(3, "The same events in a subscription with 1,000 more kubenet clusters");
                    md.para("Subscription: the same 4 clusters and plain VNet plus `largeSubscription(1250)` (1,000 kubenet, "
                            + "125 Azure CNI, 125 plain VNets): reading the whole directory takes 12 + 11 + 13 = 36 list pages, which no "
                            + "event below pays (the directory stays warm; a cluster write reads only that cluster).");
                    md.raw(CpuTime.run(emulator, quick ? 10 : 30, quick ? 20 : 100, List.of()));
                }
            }
        }
        if (all || sections.contains("subscriptions")) {
            md.heading(2, "Many subscriptions: the audit of 10 subscriptions");
            ManySubscriptions.run(md, quick);
        }
        if (all || sections.contains("storm")) {
            md.heading(2, "Event storms: one read per distinct subnet");
            Storm.run(Path.of("target", "aks-route-guard.jar"), md);
        }
        if (all || sections.contains("contention")) {
            md.heading(2, "Contention in one virtual network, across processes");
            Contention.run(Path.of("target", "aks-route-guard.jar"), md);
        }
        if (all || sections.contains("sweep")) {
            md.heading(2, "Sweep scaling");
            SweepScaling.measure(100, SweepScaling.Run.ENFORCE_SYNC, Duration.ZERO); // JIT warm-up, not reported
            List<SweepScaling.Result> results = new ArrayList<>();
            for (int kubenet : List.of(10, 100, 1_000)) {
                for (SweepScaling.Run run : SweepScaling.Run.values()) {
                    results.add(SweepScaling.measure(kubenet, run, Duration.ZERO));
                }
            }
            SweepScaling.write(results, md);
            md.heading(3, "The decision alone (no ARM calls)");
            DecideCost.run(quick ? List.of(100, 1_000) : List.of(100, 500, 1_000, 2_000), md);
            List<SweepScaling.Result> slow = new ArrayList<>();
            for (int kubenet : quick ? List.of(10) : List.of(10, 100)) {
                slow.add(SweepScaling.measure(kubenet, SweepScaling.Run.ENFORCE_LRO, Duration.ofMillis(100)));
            }
            md.heading(3, "With 100 ms added to every ARM request");
            md.para("A check of the estimate column above: the emulator delays every request by 100 ms (a fault that"
                    + " answers normally). Compare the wall time here with the 100 ms estimate of the same row above.");
            SweepScaling.write(slow, md);
        }
        String report = md.toString();
        System.out.println(report);
        Path out = Path.of("target", "benchmarks.md");
        Files.createDirectories(out.getParent());
        Files.writeString(out, report, StandardCharsets.UTF_8);
        System.out.println("written to " + out.toAbsolutePath());
        System.exit(0);
    }
}
