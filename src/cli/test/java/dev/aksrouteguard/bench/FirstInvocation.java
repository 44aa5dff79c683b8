package dev.aksrouteguard.bench;

import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.TestSecrets;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * (e) The first invocation of a new Function instance: {@link FunctionProbe} in a fresh JVM per run, on the class
 * path the Functions host gives the worker (the staged {@code target/guard/azure-functions/aks-route-guard/} jar and
 * its {@code lib/}), with the settings the IaC deploys: the guarded subscription (the emulator, in its own JVM), the
 * managed identity, {@code AzureWebJobsStorage} (Azurite: alert memory, alert queue and retry queue) and
 * {@code TEAMS_WEBHOOK_URL} (never called here: in the function app alerts go to the queue).
 *
 * <p>JVM options: the Java worker's own ({@code worker.config.json} of azure-functions-java-worker:
 * {@code -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -noverify -Djava.net.preferIPv4Stack=true}), alone and with
 * each candidate option an app setting could add; plain JVM defaults for reference. Two first events: a drifted node
 * subnet (repair and alert) and a subnet that is not a node subnet ({@code ignored}, no alert). Interleaved rounds, medians.
 */
final class FirstInvocation {

    /** The Java worker's arguments before {@code -jar} (Azure/azure-functions-java-worker, worker.config.json). */
    static final List<String> WORKER_DEFAULTS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-noverify",
            "-Djava.net.preferIPv4Stack=true");

    private record Variant(String name, List<String> options) {}

    private record Event(String name, Path file, String expected) {}

    /** One run's figures (ms, KiB). */
    private record Result(double mainCpu, double graphWall, double graphCpu, double eventWall, double eventCpu, double totalCpu,
            double wallToServed, long classes, long rssKb) {}

    private FirstInvocation() {}

    static void run(RemoteEmulator emulator, Path repo, int runs, Markdown md) throws Exception {
        Path folder = repo.resolve("target/guard/azure-functions/aks-route-guard");
        if (!Files.isDirectory(folder.resolve("lib"))) {
            md.para("Not measured: " + folder + " is missing (build it with `mvn package` first).");
            return;
        }
        String classPath = classPath(folder, repo);
        Path drifted = Files.createTempFile("bench-first-", ".json");
        Path plain = Files.createTempFile("bench-first-", ".json");
        drifted.toFile().deleteOnExit();
        plain.toFile().deleteOnExit();
        Files.writeString(drifted, EventJson.delivery(EventJson.subnetWrite(emulator.ids.get("driftingSubnet")).eventGrid()));
        Files.writeString(plain, EventJson.delivery(EventJson.subnetWrite(emulator.ids.get("plainSubnet")).eventGrid()));
        List<Event> events = List.of(new Event("drifted node subnet: repair + alert", drifted, "reassociated"),
                new Event("not a node subnet: `ignored`, no alert", plain, "ignored"));

        List<String> worker = new ArrayList<>(WORKER_DEFAULTS);
        List<Variant> variants = new ArrayList<>(List.of(
                new Variant("JVM defaults (no options; reference)", List.of()),
                new Variant("Java worker defaults (what Azure runs)", worker),
                new Variant("worker defaults + `-XX:+UseSerialGC`", concat(worker, "-XX:+UseSerialGC")),
                new Variant("worker defaults + `-XX:CICompilerCount=1`", concat(worker, "-XX:CICompilerCount=1")),
                new Variant("worker defaults + `-XX:-UsePerfData`", concat(worker, "-XX:-UsePerfData"))));
        if (ColdStart.hugePagesOffered()) {
            variants.add(new Variant("worker defaults + `-XX:+UseTransparentHugePages -Xms32m` (the CLI launcher's memory options)",
                    concat(worker, "-XX:+UseTransparentHugePages", "-Xms32m")));
        }

        AzuriteExtension.Standalone azurite = null;
        String storageNote;
        try {
            azurite = AzuriteExtension.standalone();
            storageNote = "`AzureWebJobsStorage` is Azurite (Table and Queue services, in their own processes)";
        } catch (RuntimeException e) {
            storageNote = "**no `AzureWebJobsStorage`**: Azurite is not installed here (" + e.getMessage().lines().findFirst().orElse("")
                    + "), so the graph has no Storage clients to build";
        }
        try {
            Map<String, String> env = ColdStart.childEnvironment(emulator);
            env.put(Settings.TEAMS_WEBHOOK_URL, "https://127.0.0.1:9" + TestSecrets.WORKFLOW_PATH);
            if (azurite != null) {
                env.put(Settings.STORAGE, azurite.azurite().connectionString());
            }
            Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>();
            for (Event e : events) {
                Map<String, List<Result>> byVariant = new LinkedHashMap<>();
                variants.forEach(v -> byVariant.put(v.name(), new ArrayList<>()));
                results.put(e.name(), byVariant);
            }
            for (int round = -1; round < runs; round++) {
                for (int i = 0; i < variants.size(); i++) {
                    Variant v = variants.get(Math.floorMod(i + round, variants.size()));
                    for (Event e : events) {
                        Result r = once(emulator, classPath, env, v, e);
                        if (round >= 0) {
                            results.get(e.name()).get(v.name()).add(r);
                        }
                    }
                }
            }
            md.para(String.format(Locale.ROOT, "%d interleaved rounds after one unmeasured round; medians. Settings as deployed:"
                    + " the emulator as ARM (managed identity through `IDENTITY_ENDPOINT`), %s, `TEAMS_WEBHOOK_URL` set (never"
                    + " called: the Event Grid function hands alerts to the queue). Class path as the Functions host gives the"
                    + " worker: the staged function jar and its `lib/`. Process CPU from `OperatingSystemMXBean` in the probe"
                    + " (10 ms ticks): \"at `main`\" is JVM start and class loading before the first line of the probe; the"
                    + " graph is `Wiring.shared()`; the first event is `EventGridFunction.run` including its wait for the alert"
                    + " to be handed on. Wall to served is from process start, measured by the benchmark.", runs, storageNote));
            List<List<String>> rows = new ArrayList<>();
            for (Event e : events) {
                for (Variant v : variants) {
                    List<Result> rs = results.get(e.name()).get(v.name());
                    rows.add(List.of(e.name(), v.name(), f(rs, Result::mainCpu), f(rs, Result::graphWall) + " / " + f(rs, Result::graphCpu),
                            f(rs, Result::eventWall) + " / " + f(rs, Result::eventCpu), "**" + f(rs, Result::totalCpu) + "**",
                            f(rs, Result::wallToServed), f(rs, r -> r.classes()), f(rs, r -> r.rssKb() / 1024.0)));
                }
            }
            md.table(List.of("first event", "JVM options", "CPU at `main` ms", "graph: wall / CPU ms", "first event: wall / CPU ms",
                    "process CPU to served ms", "wall to served ms", "classes loaded", "peak RSS MiB"), rows);
        } finally {
            if (azurite != null) {
                azurite.close();
            }
        }
    }

    private static Result once(RemoteEmulator emulator, String classPath, Map<String, String> env, Variant v, Event e)
            throws IOException, InterruptedException {
        emulator.control.drift(emulator.ids.get("driftingVnet"));
        List<String> command = new ArrayList<>(List.of(Jvm.java()));
        command.addAll(v.options());
        command.addAll(emulator.trustOptions());
        command.addAll(List.of("-cp", classPath, FunctionProbe.class.getName(), e.file().toString(), e.expected()));
        ChildProcess.Run r = ChildProcess.run(command, env, l -> false);
        String line = r.out().lines().filter(l -> l.startsWith("RESULT ")).findFirst().orElse(null);
        if (r.exit() != 0 || line == null) {
            throw new IllegalStateException("the first-invocation probe failed (" + v.name() + ", " + e.name() + "): " + r.out() + r.err());
        }
        double[] x = Arrays.stream(line.substring("RESULT ".length()).trim().split("\\s+")).mapToDouble(Double::parseDouble).toArray();
        return new Result(x[0], x[1], x[2], x[3], x[4], x[5], r.wallNanos() / 1e6, (long) x[6], (long) x[7]);
    }

    /**
     * The staged function jar and {@code lib/}, the functions library the worker provides, then the benchmark's and the
     * guard's test classes (the probe, TestContext).
     */
    private static String classPath(Path folder, Path repo) throws IOException {
        List<String> entries = new ArrayList<>();
        try (Stream<Path> jars = Files.list(folder)) {
            jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().forEach(entries::add);
        }
        try (Stream<Path> jars = Files.list(folder.resolve("lib"))) {
            jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString).sorted().forEach(entries::add);
        }
        // The worker provides the functions library (the staged jar holds the annotations only; ExecutionContext is in the
        // core library).
        Arrays.stream(Jvm.classPath().split(File.pathSeparator)).filter(e -> e.contains("azure-functions-java-library") || e.contains("azure-functions-java-core-library"))
                .forEach(entries::add);
        entries.add(repo.resolve("target/cli/test-classes").toString());
        entries.add(repo.resolve("target/guard/test-classes").toString());
        return String.join(File.pathSeparator, entries);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(tail));
        return all;
    }

    private static String f(List<Result> rs, java.util.function.ToDoubleFunction<Result> field) {
        double[] v = rs.stream().mapToDouble(field).sorted().toArray();
        double med = v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        return String.format(Locale.ROOT, "%.0f", med);
    }
}
