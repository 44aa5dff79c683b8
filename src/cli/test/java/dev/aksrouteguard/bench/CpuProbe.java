package dev.aksrouteguard.bench;

import com.sun.management.OperatingSystemMXBean;
import com.sun.management.ThreadMXBean;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.wiring.Wiring;
import java.io.InputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * (b) Per-event CPU time in a warm process. Runs in a JVM of its own, started with the emulator's
 * {@code IDENTITY_ENDPOINT}/{@code IDENTITY_HEADER} in its real environment, so the production graph
 * ({@code Wiring.build} with {@code Options.production()}: {@code DefaultAzureCredential} on its managed-identity path,
 * the JDK HTTP client, Teams alerts off because no webhook is set) is what is measured; the emulator runs in
 * another JVM ({@link EmulatorProcess}). Prints one Markdown table on standard output.
 *
 * <p>Arguments: {@code warmup events control-url trust-store password name=id...}.
 */
public final class CpuProbe {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final ThreadMXBean THREADS = (ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** One kind of event: its delivery, what must happen between two of them, and the outcome each must end in. */
    private record Kind(String name, String delivery, Runnable before, String outcome) {}

    private record Measured(Kind kind, ArmCalls calls, long processCpuTotal, long[] threadCpu, long[] wall) {}

    private CpuProbe() {}

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int events = Integer.parseInt(args[1]);
        RemoteEmulator.Control control = new RemoteEmulator.Control(URI.create(args[2]));
        SSLContext trust = trust(Path.of(args[3]), args[4].toCharArray());
        Map<String, String> id = new HashMap<>();
        for (int i = 5; i < args.length; i++) {
            id.put(args[i].substring(0, args[i].indexOf('=')), args[i].substring(args[i].indexOf('=') + 1));
        }
        Quiet.azureSdk();
        Wiring w = Wiring.build(Settings.fromEnvironment(), Wiring.Options.production().withTrust(trust).withLog(Quiet.logger()));
        Logger log = Quiet.logger();

        String drifting = id.get("driftingVnet");
        List<Kind> kinds = List.of(
                new Kind("subnet write, not a node subnet", subnet(id.get("plainSubnet")), () -> {}, "ignored"),
                new Kind("subnet write, kubenet node subnet in sync", subnet(id.get("inSyncSubnet")), () -> {}, "in-sync"),
                new Kind("subnet write, drifted kubenet node subnet (synchronous write: no polls)",
                        subnet(id.get("driftingSubnet")), () -> control.drift(drifting), "reassociated"),
                new Kind("VNet write, 2 kubenet node subnets in sync",
                        EventJson.delivery(EventJson.vnetWrite(id.get("twoSubnetsVnet")).eventGrid()), () -> {},
                        "in-sync, in-sync"),
                new Kind("cluster write (1 GET of the cluster, then 1 GET of its subnet)", EventJson.delivery(EventJson.write(
                        id.get("inSyncCluster"), "Microsoft.ContainerService/managedClusters/write").eventGrid()), () -> {},
                        "in-sync"));

        for (int i = 0; i < warmup; i++) {
            for (Kind k : kinds) {
                k.before().run();
                check(k, Deliveries.handle(k.delivery(), w.guard(), java.time.Instant.now().plus(java.time.Duration.ofMinutes(5)), log));
            }
        }
        control.calls();
        List<Measured> results = new ArrayList<>();
        for (Kind k : kinds) {
            results.add(measure(k, events, w, log, control));
        }
        System.out.println(table(results, warmup, events));
    }

    private static Measured measure(Kind k, int events, Wiring w, Logger log, RemoteEmulator.Control control) {
        long processCpu = 0;
        long[] threadCpu = new long[events];
        long[] wall = new long[events];
        control.calls(); // forget what came before: count this kind's events alone (the re-deploys are not the guard's)
        for (int i = 0; i < events; i++) {
            k.before().run();
            long cpu0 = OS.getProcessCpuTime();
            long threads0 = javaThreadsCpu();
            long wall0 = System.nanoTime();
            Deliveries.Report report = Deliveries.handle(k.delivery(), w.guard(), java.time.Instant.now().plus(java.time.Duration.ofMinutes(5)), log);
            wall[i] = System.nanoTime() - wall0;
            threadCpu[i] = javaThreadsCpu() - threads0;
            processCpu += OS.getProcessCpuTime() - cpu0;
            check(k, report);
        }
        return new Measured(k, control.calls(), processCpu, threadCpu, wall);
    }

    /** CPU time of every live Java thread (nanosecond resolution; GC and JIT compiler threads are not Java threads). */
    private static long javaThreadsCpu() {
        long total = 0;
        for (long t : THREADS.getThreadCpuTime(THREADS.getAllThreadIds())) {
            if (t > 0) {
                total += t;
            }
        }
        return total;
    }

    private static void check(Kind k, Deliveries.Report report) {
        String got = report.outcomes().stream().map(Outcome::action).map(a -> a.word()).collect(Collectors.joining(", "));
        if (!got.equals(k.outcome())) {
            throw new IllegalStateException(k.name() + ": expected " + k.outcome() + ", got " + got + " "
                    + report.outcomes().stream().map(Outcome::message).toList());
        }
    }

    private static String subnet(String id) {
        return EventJson.delivery(EventJson.subnetWrite(id).eventGrid());
    }

    private static SSLContext trust(Path store, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private static String table(List<Measured> results, int warmup, int events) {
        List<List<String>> rows = new ArrayList<>();
        for (Measured m : results) {
            Stats thread = Stats.of(m.threadCpu());
            Stats wall = Stats.of(m.wall());
            ArmCalls c = m.calls();
            String calls = String.format(Locale.ROOT, "%s list + %s GET + %s PUT",
                    perEvent(c.lists(), events), perEvent(c.gets(), events), perEvent(c.writes(), events));
            rows.add(List.of(m.kind().name(), calls, Stats.ms(m.processCpuTotal() / (double) events),
                    Stats.ms(thread.mean()), Stats.ms(thread.p50()), Stats.ms(thread.p95()),
                    Stats.ms(wall.mean()), Stats.ms(wall.p50()), Stats.ms(wall.p95()), Stats.ms(wall.max())));
        }
        String gcs = ManagementFactory.getGarbageCollectorMXBeans().stream().map(GarbageCollectorMXBean::getName)
                .collect(Collectors.joining(", "));
        return new Markdown()
                .para(String.format(Locale.ROOT, "Measuring JVM: %s, %d cores, max heap %d MiB, collectors %s; "
                        + "%d warm-up rounds over all kinds, then %d events per kind.", System.getProperty("java.runtime.version"),
                        Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, gcs, warmup, events))
                .table(List.of("event", "ARM calls per event (guard's identity)", "process CPU mean ms",
                        "Java-thread CPU mean ms", "p50", "p95", "wall mean ms", "p50", "p95", "max"), rows)
                .toString();
    }

    private static String perEvent(int total, int events) {
        double v = total / (double) events;
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.2f", v);
    }
}
