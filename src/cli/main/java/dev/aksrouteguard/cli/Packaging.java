package dev.aksrouteguard.cli;

import com.google.gson.JsonArray;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.wiring.Wiring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * What {@code mvn package} does after the jar: writes the launcher {@code aks-route-guard} next to
 * {@code aks-route-guard.jar}, and trains its class-data archive: {@code aks-route-guard.jsa}, or, when the JDK
 * packaging runs on is 25 or later, an ahead-of-time cache {@code aks-route-guard.aot} (JEP 483 and 514).
 *
 * <p>The training run is the CLI itself, in a JVM of its own started with the launcher's options and
 * {@code -XX:ArchiveClassesAtExit} (or {@code -XX:AOTCacheOutput}), running the commands pipelines run —
 * {@code handle-event} (a repair, then in sync), {@code reconcile}, {@code audit}, {@code sweep} — against the local
 * ARM emulator, which this JVM serves (HTTPS with a certificate made now, the managed-identity endpoint): no network,
 * no Azure, no Node. The archive is dynamic, on top of the JDK's own: should it not match (a JDK updated in place, a
 * jar rebuilt without it), the JVM drops it and keeps the JDK's archive. An AOT cache also holds the classes already
 * linked and the {@code invokedynamic} call sites already resolved, which JDK 17 cannot keep (docs/performance.md,
 * "Cold start"); the JVM drops it too when it does not match. Either is tied to this JDK and to this jar, so the
 * launcher and the archive stay in step only when {@code mvn package} makes both; the launcher records which
 * {@code java} trained it.
 *
 * <p>The launcher is always written. A training that fails (a JDK without class-data sharing) leaves no archive and
 * one warning: the launcher runs without it. {@code CliProcessIT} checks the archive is made and used.
 *
 * <p>Arguments: {@code JAR LAUNCHER-SOURCE}.
 */
final class Packaging {

    /** The launcher's JVM options, the archive aside (kept equal to {@code src/cli/launcher/aks-route-guard}). */
    static final List<String> LAUNCHER_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
            "-XX:CompileThresholdScaling=3", "-XX:C1MaxInlineSize=12", "-XX:+UseSerialGC", "-XX:-UsePerfData");

    /** The first JDK whose {@code -XX:AOTCacheOutput} trains an AOT cache in one run (JEP 514). */
    static final int AOT_CACHE_FROM = 25;

    static final String CLASS_DATA_ARCHIVE = "aks-route-guard.jsa";
    static final String AOT_CACHE = "aks-route-guard.aot";

    /** The archive's file name next to the jar: an AOT cache for a JDK of {@code feature}, else a class-data archive. */
    static String archiveName(int feature) {
        return feature >= AOT_CACHE_FROM ? AOT_CACHE : CLASS_DATA_ARCHIVE;
    }

    private Packaging() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Packaging JAR LAUNCHER-SOURCE");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toRealPath();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java").toRealPath();
        Path launcher = jar.resolveSibling("aks-route-guard");
        boolean aot = Runtime.version().feature() >= AOT_CACHE_FROM;
        Path archive = jar.resolveSibling(archiveName(Runtime.version().feature()));
        writeLauncher(Path.of(args[1]), launcher, java);
        // An archive of an earlier build, of either kind, is stale: the launcher would try an AOT cache first.
        for (String stale : List.of(AOT_CACHE, CLASS_DATA_ARCHIVE)) {
            Files.deleteIfExists(jar.resolveSibling(stale));
        }
        long started = System.nanoTime();
        try {
            train(jar, java, archive, aot);
            System.out.printf(Locale.ROOT, "aks-route-guard: wrote %s and its %s %s (%d MiB, trained in %.1f s)%n",
                    launcher, aot ? "AOT cache" : "class-data archive", archive.getFileName(), Files.size(archive) >> 20,
                    (System.nanoTime() - started) / 1e9);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(archive);
            System.out.println("[WARNING] aks-route-guard: no " + (aot ? "AOT cache" : "class-data archive") + " (" + e.getMessage()
                    + "); the launcher runs without one");
        }
        System.exit(0);
    }

    /** The launcher script, with the {@code java} that trains the archive written into it, made executable. */
    static void writeLauncher(Path source, Path launcher, Path java) throws IOException {
        String script = Files.readString(source, StandardCharsets.UTF_8);
        if (!script.contains("'@TRAINED_WITH@'")) {
            throw new IllegalStateException(source + " has no @TRAINED_WITH@ placeholder");
        }
        Path tmp = launcher.resolveSibling(launcher.getFileName() + ".tmp");
        Files.writeString(tmp, script.replace("'@TRAINED_WITH@'", shellQuote(java.toString())), StandardCharsets.UTF_8);
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (UnsupportedOperationException e) {
            tmp.toFile().setExecutable(true, false); // not a POSIX file system: the launcher is for POSIX shells anyway
        }
        Files.move(tmp, launcher, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Serves the emulator here, runs {@link Training} in a JVM that writes the archive at exit, then checks it maps. */
    private static void train(Path jar, Path java, Path archive, boolean aot) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("aks-route-guard-training-");
        try (ArmEmulator arm = ArmEmulator.start()) {
            arm.synchronousWrites(true);
            SeededCluster kubenet = Fixtures.kubenetCluster(Demo.RG, Demo.CLUSTER).serviceEndpointPolicy().seed(arm);
            Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
            Fixtures.azureCniCluster("rg-search", "aks-search").seed(arm);
            Fixtures.plainSubnet(arm, Fixtures.SUBSCRIPTION_ID, "rg-shared", "vnet-shared", "snet-jumpbox");
            arm.drainEvents();
            IacRedeploy.dropRouteTables(arm, kubenet.virtualNetworkId(), Demo.TERRAFORM);
            JsonArray delivery = new JsonArray();
            arm.drainEvents().forEach(delivery::add);
            Path event = work.resolve("delivery.json");
            Files.writeString(event, delivery.toString(), StandardCharsets.UTF_8);
            String password = UUID.randomUUID().toString();
            Path trustStore = arm.writeTrustStore(work.resolve("emulator.p12"), password.toCharArray());

            List<String> command = new ArrayList<>(List.of(java.toString()));
            command.addAll(LAUNCHER_OPTIONS);
            // With -XX:AOTCacheOutput the JVM, at exit, starts another one that writes the cache from what this run used.
            command.addAll(List.of((aot ? "-XX:AOTCacheOutput=" : "-XX:ArchiveClassesAtExit=") + archive,
                    "-Djavax.net.ssl.trustStore=" + trustStore,
                    "-Djavax.net.ssl.trustStorePassword=" + password, "-Djavax.net.ssl.trustStoreType=PKCS12",
                    "-cp", jar.toString(), Training.class.getName(), event.toString(), kubenet.nodeSubnetId()));
            ProcessBuilder pb = new ProcessBuilder(command);
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("AZURE_") || k.startsWith("IDENTITY_") || k.startsWith("MSI_")
                    || k.startsWith("TEAMS_") || k.startsWith("AzureWebJobs") || k.equals("JAVA_TOOL_OPTIONS")
                    || k.equals("JAVA_OPTS") || Settings.NAMES.contains(k));
            env.put(Settings.AZURE_SUBSCRIPTION_ID, Fixtures.SUBSCRIPTION_ID);
            env.put(Settings.AZURE_RESOURCE_MANAGER_ENDPOINT, arm.endpoint().toString());
            env.put("IDENTITY_ENDPOINT", arm.identityEndpoint().toString());
            env.put("IDENTITY_HEADER", arm.identityHeader());
            Ran training = run(pb, 5, "the training run");
            if (training.exit() != 0 || !Files.isRegularFile(archive)) {
                throw new IllegalStateException("the training run exited " + training.exit() + ": " + training.output());
            }
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
        // -Xshare:on (-XX:AOTMode=on) fails instead of falling back: the archive must map for this JDK and this jar.
        List<String> check = new ArrayList<>(List.of(java.toString()));
        check.addAll(aot ? List.of("-XX:AOTMode=on", "-XX:AOTCache=" + archive)
                : List.of("-Xshare:on", "-XX:SharedArchiveFile=" + archive));
        check.addAll(List.of("-jar", jar.toString(), "--version"));
        Ran checked = run(new ProcessBuilder(check), 1, "the archive check");
        if (checked.exit() != 0) {
            throw new IllegalStateException("the archive does not map: " + checked.output());
        }
    }

    private record Ran(int exit, String output) {}

    /**
     * Runs {@code pb}, its output and errors into a file, for at most {@code minutes}: reading a pipe to its end would
     * wait as long as the child (or a process it left behind) holds the pipe open, whatever the deadline.
     */
    private static Ran run(ProcessBuilder pb, long minutes, String what) throws IOException, InterruptedException {
        Path log = Files.createTempFile("aks-route-guard-packaging-", ".log");
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish in " + minutes + " minute(s)");
            }
            return new Ran(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8).strip());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * The training run: the commands pipelines and events run, in this one JVM, through {@link Main#run} as
     * {@code java -jar} would run them. Arguments: {@code DELIVERY-FILE DRIFTED-SUBNET-ID}. Exits 0 only when every
     * command answered as it should.
     */
    static final class Training {

        private Training() {}

        public static void main(String[] args) {
            Main.QUIET.forEach(l -> l.setLevel(java.util.logging.Level.WARNING)); // as Main.main does
            String delivery = args[0];
            String subnet = args[1];
            List<String> failures = new ArrayList<>();
            run(failures, Main.OK, "-v", "handle-event", delivery, "--json", "--no-alerts"); // the repair
            run(failures, Main.OK, "handle-event", delivery); // in sync now, as a table
            run(failures, Main.OK, "reconcile", subnet, "--json");
            run(failures, Main.OK, "audit", "--markdown", "--fail-on-drift");
            run(failures, Main.OK, "audit", "--json");
            run(failures, Main.OK, "sweep", "--json");
            if (!failures.isEmpty()) {
                System.out.println(String.join("\n", failures));
                System.exit(1);
            }
            System.exit(0);
        }

        private static void run(List<String> failures, int expected, String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int exit = Main.run(args, System.getenv(), new ByteArrayInputStream(new byte[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                    Wiring.Options.production());
            if (exit != expected) {
                failures.add(String.join(" ", args) + " exited " + exit + ": " + out.toString(StandardCharsets.UTF_8)
                        + err.toString(StandardCharsets.UTF_8));
            }
        }
    }
}
