package dev.aksrouteguard.bench;

import dev.aksrouteguard.events.EventJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * (c) Cold start of the CLI: {@code handle-event FILE} for one drifted subnet against an {@link EmulatorProcess},
 * environment as the {@code emulator} command prints it (managed identity through {@code IDENTITY_ENDPOINT}, the
 * certificate through {@code -Djavax.net.ssl.trustStore}), started in several ways side by side: plain
 * {@code java -jar target/aks-route-guard.jar} (no options), the launcher {@code target/aks-route-guard}, each of
 * the launcher's JVM options alone, and all of them without the archive (what the launcher does when its archive
 * cannot be used); plain and launcher once more with a trust store like production's ({@link #productionLikeTrust}).
 * Each run starts with the node subnet stripped and must end {@code reassociated}, exit 0.
 *
 * <p>Runs are interleaved: one unmeasured round of every variant, then {@code runs} rounds, each running every variant
 * once (the order rotates from round to round), so that a slow minute on a shared machine falls on all variants
 * alike. Per run: CPU (user + system of the process and the children it waited for) and peak RSS from GNU time, wall
 * time to the outcome's log line ({@code -v}) and to exit. Figures are medians; the CPU ratio to plain {@code java -jar}
 * is given as the ratio of medians (what issue 12 asks for) and as the median of the rounds' own ratios.
 */
final class ColdStart {

    /**
     * A way to start the CLI: the command before the CLI's own arguments, and environment to add. {@code likeProduction}:
     * trusts the emulator through a copy of the JDK's own {@code cacerts} (see {@link #productionLikeTrust}); its CPU
     * ratio is taken against plain {@code java -jar} with that same trust store.
     */
    private record Variant(String name, List<String> command, Map<String, String> env, boolean likeProduction) {
        Variant(String name, List<String> command, Map<String, String> env) {
            this(name, command, env, false);
        }
    }

    private ColdStart() {}

    /** Whether this kernel offers transparent huge pages, read as the launcher reads it ({@code [always]} or {@code [madvise]}). */
    static boolean hugePagesOffered() {
        try {
            String mode = Files.readString(Path.of("/sys/kernel/mm/transparent_hugepage/enabled"));
            return mode.contains("[always]") || mode.contains("[madvise]");
        } catch (IOException e) {
            return false;
        }
    }

    static void run(RemoteEmulator emulator, Path jar, int runs, Markdown md) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            md.para("Not measured: " + jar + " is missing (build it with `mvn package` first).");
            return;
        }
        jar = jar.toAbsolutePath();
        Path event = Files.createTempFile("bench-event-", ".json");
        event.toFile().deleteOnExit();
        Files.writeString(event, EventJson.delivery(EventJson.subnetWrite(emulator.ids.get("driftingSubnet")).eventGrid()));

        Path launcher = jar.resolveSibling("aks-route-guard");
        // mvn package on JDK 25 or later trains an AOT cache instead of a class-data archive (cli.Packaging).
        boolean aot = Runtime.version().feature() >= 25;
        Path launcherArchive = jar.resolveSibling(aot ? "aks-route-guard.aot" : "aks-route-guard.jsa");
        boolean hasLauncher = Files.isExecutable(launcher);
        Path archive = hasLauncher && Files.isRegularFile(launcherArchive) ? launcherArchive : dumpArchive(emulator, jar, event);
        String archiveOption = (archive.equals(launcherArchive) && aot ? "-XX:AOTCache=" : "-XX:SharedArchiveFile=") + archive;
        String archiveNote = archive.equals(launcherArchive)
                ? "the launcher's " + (aot ? "AOT cache" : "archive") + ", `target/" + launcherArchive.getFileName()
                        + "`, made by `mvn package`"
                : "no launcher archive in this build: one dumped by the benchmark from a run of this same command, the way"
                        + " `mvn package` makes the launcher's";

        List<String> java = new ArrayList<>(List.of(Jvm.java()));
        java.addAll(emulator.trustOptions());
        Map<String, String> noOpts = new LinkedHashMap<>();
        noOpts.put("JAVA_OPTS", null);
        noOpts.put("JAVA_TOOL_OPTIONS", null);

        List<String> jit = List.of("-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1", "-XX:CompileThresholdScaling=3",
                "-XX:C1MaxInlineSize=12");
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("`java -jar target/aks-route-guard.jar` (no options)", concat(java, "-jar", jar.toString()), noOpts));
        if (hasLauncher) {
            Map<String, String> env = new LinkedHashMap<>(noOpts);
            env.put("JAVA_OPTS", String.join(" ", emulator.trustOptions()));
            env.put("JAVA_HOME", System.getProperty("java.home"));
            variants.add(new Variant("**`target/aks-route-guard` (the launcher)**", List.of(launcher.toString()), env));
        }
        List<String> likeProduction = productionLikeTrust(emulator);
        variants.add(new Variant("`java -jar target/aks-route-guard.jar` (no options), trust store like production's",
                concat(concat(List.of(Jvm.java()), likeProduction.toArray(String[]::new)), "-jar", jar.toString()), noOpts, true));
        if (hasLauncher) {
            Map<String, String> env = new LinkedHashMap<>(noOpts);
            env.put("JAVA_OPTS", String.join(" ", likeProduction));
            env.put("JAVA_HOME", System.getProperty("java.home"));
            variants.add(new Variant("**the launcher, trust store like production's**", List.of(launcher.toString()), env, true));
        }
        variants.add(new Variant("`java` + JIT options alone (`" + String.join(" ", jit) + "`)",
                concat(concat(java, jit.toArray(String[]::new)), "-jar", jar.toString()), noOpts));
        variants.add(new Variant("`java -XX:+UseSerialGC -jar …`", concat(java, "-XX:+UseSerialGC", "-jar", jar.toString()), noOpts));
        variants.add(new Variant("`java -XX:-UsePerfData -jar …`", concat(java, "-XX:-UsePerfData", "-jar", jar.toString()), noOpts));
        variants.add(new Variant(archiveOption.startsWith("-XX:AOTCache=") ? "`java -XX:AOTCache=… -jar …` (AOT cache alone)"
                : "`java -XX:SharedArchiveFile=… -jar …` (class-data archive alone)",
                concat(java, archiveOption, "-jar", jar.toString()), noOpts));
        // The launcher's memory options, where this kernel offers transparent huge pages (as the launcher decides).
        List<String> memory = hugePagesOffered() ? List.of("-XX:+UseTransparentHugePages", "-Xms32m") : List.of();
        if (!memory.isEmpty()) {
            variants.add(new Variant("`java -XX:+UseTransparentHugePages -Xms32m -jar …` (the memory options alone)",
                    concat(concat(java, memory.toArray(String[]::new)), "-jar", jar.toString()), noOpts));
            if (hasLauncher) {
                Map<String, String> env = new LinkedHashMap<>(noOpts);
                env.put("JAVA_OPTS", String.join(" ", emulator.trustOptions()) + " -XX:-UseTransparentHugePages");
                env.put("JAVA_HOME", System.getProperty("java.home"));
                variants.add(new Variant("the launcher with `JAVA_OPTS=-XX:-UseTransparentHugePages` (no huge pages; `-Xms32m` kept)",
                        List.of(launcher.toString()), env));
            }
        }
        List<String> allButArchive = concat(concat(concat(java, jit.toArray(String[]::new)), "-XX:+UseSerialGC", "-XX:-UsePerfData"),
                memory.toArray(String[]::new));
        variants.add(new Variant("`java` + every launcher option but the archive (the launcher when its archive cannot be used)",
                concat(allButArchive, "-jar", jar.toString()), noOpts));
        if (!hasLauncher) {
            variants.add(new Variant("`java` + every launcher option and the archive (no launcher in this build)",
                    concat(allButArchive, archiveOption, "-jar", jar.toString()), noOpts));
        }

        List<String> cli = List.of("-v", "handle-event", event.toString(), "--json", "--no-alerts");
        Map<Variant, List<ChildProcess.Run>> measured = new LinkedHashMap<>();
        variants.forEach(v -> measured.put(v, new ArrayList<>()));
        for (int round = -1; round < runs; round++) {
            for (int i = 0; i < variants.size(); i++) {
                Variant v = variants.get(Math.floorMod(i + round, variants.size()));
                ChildProcess.Run r = once(emulator, v, cli);
                if (round >= 0) {
                    measured.get(v).add(r);
                }
            }
        }
        List<ChildProcess.Run> version = new ArrayList<>();
        for (int i = -1; i < runs; i++) {
            ChildProcess.Run r = ChildProcess.run(concat(List.of(Jvm.java()), "-jar", jar.toString(), "--version"), noOpts, l -> false);
            if (r.exit() != 0) {
                throw new IllegalStateException("--version exited " + r.exit() + ": " + r.err());
            }
            if (i >= 0) {
                version.add(r);
            }
        }

        List<List<String>> rows = new ArrayList<>();
        for (Variant v : variants) {
            List<ChildProcess.Run> rs = measured.get(v);
            double cpu = median(rs, ChildProcess.Run::cpuMillis);
            Variant plain = variants.stream().filter(p -> p.likeProduction() == v.likeProduction()).findFirst().orElseThrow();
            double plainCpu = median(measured.get(plain), ChildProcess.Run::cpuMillis);
            rows.add(List.of(v.name(), cpuCell(rs), Double.isNaN(cpu) ? "–" : String.format(Locale.ROOT, "%.2f×", cpu / plainCpu),
                    roundRatios(rs, measured.get(plain)), wallCell(rs, true), wallCell(rs, false), rssCell(rs)));
        }
        rows.add(List.of("`java -jar … --version` (JVM start, argument parsing; no ARM)", cpuCell(version), "–", "–", "–",
                wallCell(version, false), rssCell(version)));

        md.para(String.format(Locale.ROOT, "%d interleaved rounds after one unmeasured round; medians, with (min–max) for"
                + " CPU. CPU and peak RSS from %s. Archive: %s. The emulator answers writes synchronously,"
                + " so a run is JVM start, class loading, TLS, the managed-identity token, the cold directory (1 + 2 list"
                + " pages) and GET + PUT of the subnet. \"To repair logged\" is when the `-v` log line of the outcome reached"
                + " the benchmark; the rest, to exit, is printing the JSON result and JVM shutdown. Every run trusts the"
                + " emulator's certificate through the PKCS12 trust store the `emulator` command prints, except the two"
                + " rows \"trust store like production's\": they trust it through a copy of this JDK's own `cacerts` with"
                + " the certificate added, in `cacerts`' own format, so that TLS set-up costs what it costs against"
                + " Azure (the JDK's trust store, read without a password as a JVM reads its own `cacerts`, so neither"
                + " password-based key derivation nor an integrity digest); their CPU ratio is against plain"
                + " `java -jar` with that same trust store. \"Per round\" divides each run's CPU by that of the plain run of"
                + " the same round, so that a slow minute of the machine cancels out within the pair.", runs,
                ChildProcess.hasGnuTime() ? "GNU time (`getrusage` of the child)" : "nowhere: GNU time is missing here, so only wall"
                        + " times are measured", archiveNote));
        md.table(List.of("started as", "CPU ms, median (min–max)", "CPU vs plain `java -jar`",
                "the same, per round: median (min–max)", "to repair logged: wall ms",
                "to exit: wall ms", "peak RSS MiB"), rows);
    }

    private static ChildProcess.Run once(RemoteEmulator emulator, Variant v, List<String> cli) throws IOException, InterruptedException {
        emulator.control.drift(emulator.ids.get("driftingVnet"));
        Map<String, String> all = childEnvironment(emulator);
        all.putAll(v.env());
        List<String> command = new ArrayList<>(v.command());
        command.addAll(cli);
        ChildProcess.Run r = ChildProcess.run(command, all, l -> l.startsWith("info: reassociated"));
        if (r.exit() != 0 || !r.out().contains("\"action\": \"reassociated\"") && !r.out().contains("\"action\":\"reassociated\"")) {
            throw new IllegalStateException(v.name() + ": handle-event exited " + r.exit() + ": " + r.out() + r.err());
        }
        if (r.markNanos() == 0) {
            throw new IllegalStateException(v.name() + ": no outcome line in the CLI's log: " + r.err());
        }
        return r;
    }

    /**
     * The changes to this process's environment that {@link CpuTime#environment} makes for a child: a null value for
     * each variable it removes (our settings, Azure identities, {@code JAVA_TOOL_OPTIONS}), the emulator's variables.
     */
    static Map<String, String> childEnvironment(RemoteEmulator emulator) {
        Map<String, String> target = new java.util.HashMap<>(System.getenv());
        CpuTime.environment(target, emulator);
        Map<String, String> changes = new LinkedHashMap<>();
        System.getenv().keySet().stream().filter(k -> !target.containsKey(k)).forEach(k -> changes.put(k, null));
        target.forEach((k, v) -> {
            if (!v.equals(System.getenv(k))) {
                changes.put(k, v);
            }
        });
        return changes;
    }

    /**
     * JVM options that trust the emulator the way a run against Azure trusts ARM: through this JDK's own {@code cacerts}
     * (JKS, as Debian's shared one for every JDK; a PKCS12 without password, so without key derivation, as upstream
     * JDKs ship it from JDK 18), copied with the emulator's certificate added and stored in the same format. The JVM
     * is given only the file, as a default JVM finds its {@code cacerts}: no {@code javax.net.ssl.trustStorePassword}
     * (without one the JDK loads a JKS without the SHA-1 digest of the whole file that checks its integrity) and no
     * {@code javax.net.ssl.trustStoreType} (the default type reads either format). The emulator's own trust store is a
     * password-protected PKCS12 whose load derives keys with PBKDF2, a cost a run against Azure does not have.
     */
    private static List<String> productionLikeTrust(RemoteEmulator emulator) throws IOException {
        try {
            KeyStore emulatorStore = KeyStore.getInstance(emulator.trustStore.toFile(), emulator.trustStorePassword.toCharArray());
            KeyStore store = KeyStore.getInstance(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts").toFile(),
                    (char[]) null);
            int before = store.size();
            for (String alias : java.util.Collections.list(emulatorStore.aliases())) {
                store.setCertificateEntry("aks-route-guard-emulator-" + alias, emulatorStore.getCertificate(alias));
            }
            if (before < 50 || store.size() != before + emulatorStore.size()) {
                throw new IllegalStateException("this JDK's cacerts holds " + before + " certificates; expected a full one");
            }
            boolean jks = store.getType().equalsIgnoreCase("JKS");
            // JKS cannot be stored without a password; the JVM reads it without one, as it reads its own cacerts.
            char[] password = jks ? "changeit".toCharArray() : null;
            Path file = Files.createTempFile("bench-cacerts-", jks ? ".jks" : ".p12");
            file.toFile().deleteOnExit();
            try (var out = Files.newOutputStream(file)) {
                store.store(out, password);
            }
            return List.of("-Djavax.net.ssl.trustStore=" + file);
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("could not make a trust store like production's: " + e, e);
        }
    }

    /** A static class-data archive for {@code jar}, dumped from one run of the measured command (JDK 17: -Xshare:dump). */
    private static Path dumpArchive(RemoteEmulator emulator, Path jar, Path event) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bench-cds-");
        Path classList = dir.resolve("classes.lst");
        Path archive = dir.resolve("bench.jsa");
        List<String> train = new ArrayList<>(List.of(Jvm.java()));
        train.addAll(emulator.trustOptions());
        train.addAll(List.of("-XX:DumpLoadedClassList=" + classList, "-jar", jar.toString()));
        once(emulator, new Variant("training run", train, Map.of()), List.of("-v", "handle-event", event.toString(), "--json",
                "--no-alerts"));
        ChildProcess.Run dump = ChildProcess.run(List.of(Jvm.java(), "-Xshare:dump", "-XX:SharedClassListFile=" + classList,
                "-XX:SharedArchiveFile=" + archive, "-cp", jar.toString()), Map.of(), l -> false);
        if (dump.exit() != 0 || !Files.isRegularFile(archive)) {
            throw new IllegalStateException("could not dump a class-data archive: " + dump.out() + dump.err());
        }
        archive.toFile().deleteOnExit();
        classList.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
        return archive;
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(Arrays.asList(tail));
        return all;
    }

    private static double median(List<ChildProcess.Run> runs, java.util.function.ToDoubleFunction<ChildProcess.Run> f) {
        double[] v = runs.stream().mapToDouble(f).sorted().toArray();
        if (v.length == 0 || Double.isNaN(v[0])) {
            return Double.NaN;
        }
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static String cpuCell(List<ChildProcess.Run> runs) {
        double med = median(runs, ChildProcess.Run::cpuMillis);
        if (Double.isNaN(med)) {
            return "not measured";
        }
        double min = runs.stream().mapToDouble(ChildProcess.Run::cpuMillis).min().orElse(0);
        double max = runs.stream().mapToDouble(ChildProcess.Run::cpuMillis).max().orElse(0);
        return String.format(Locale.ROOT, "**%.0f** (%.0f–%.0f)", med, min, max);
    }

    /**
     * The CPU ratio round by round: each run of {@code runs} against the run of {@code plain} in the same round (both
     * lists are in round order), so that a slow or fast minute of the machine cancels out within a pair.
     */
    private static String roundRatios(List<ChildProcess.Run> runs, List<ChildProcess.Run> plain) {
        double[] ratios = new double[Math.min(runs.size(), plain.size())];
        for (int i = 0; i < ratios.length; i++) {
            ratios[i] = runs.get(i).cpuMillis() / plain.get(i).cpuMillis();
        }
        Arrays.sort(ratios);
        if (ratios.length == 0 || Double.isNaN(ratios[0]) || Double.isNaN(ratios[ratios.length - 1])) {
            return "–";
        }
        int n = ratios.length;
        double median = n % 2 == 1 ? ratios[n / 2] : (ratios[n / 2 - 1] + ratios[n / 2]) / 2;
        return String.format(Locale.ROOT, "%.2f× (%.2f–%.2f)", median, ratios[0], ratios[n - 1]);
    }

    private static String wallCell(List<ChildProcess.Run> runs, boolean toMark) {
        return String.format(Locale.ROOT, "%.0f", median(runs, r -> (toMark ? r.markNanos() : r.wallNanos()) / 1e6));
    }

    private static String rssCell(List<ChildProcess.Run> runs) {
        double med = median(runs, r -> r.peakRssKb() == null ? Double.NaN : r.peakRssKb() / 1024.0);
        return Double.isNaN(med) ? "not measured" : String.format(Locale.ROOT, "%.0f", med);
    }
}
