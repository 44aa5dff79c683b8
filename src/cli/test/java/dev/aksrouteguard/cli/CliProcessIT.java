package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpServer;
import dev.aksrouteguard.cli.CliProcesses.Run;
import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.AzuriteExtension;
import dev.aksrouteguard.testing.AzuriteExtension.Azurite;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged CLI ({@code target/aks-route-guard.jar}) as separate processes, configured only by environment and
 * JVM trust store, exactly as on a laptop or in Azure: {@code DefaultAzureCredential} fetches its token from the
 * emulator's App Service–style managed-identity endpoint, and the alert memory is shared through Azurite.
 */
@ExtendWith(AzuriteExtension.class)
class CliProcessIT {

    static final Path JAR = CliProcesses.JAR;
    /** The path and signature of the fake webhook: they must never appear in any output. */
    static final String HOOK_PATH = "/workflows/" + UUID.randomUUID() + "/triggers/manual/paths/invoke";
    static final String HOOK_SIG = "sv1" + UUID.randomUUID().toString().replace("-", "");

    ArmEmulator arm;
    HttpServer teams;
    final List<String> cards = new CopyOnWriteArrayList<>();
    CliProcesses processes;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws IOException {
        arm = ArmEmulator.start();
        arm.synchronousWrites(true);
        processes = new CliProcesses(arm, dir);
        teams = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        teams.createContext("/", exchange -> {
            cards.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(202, -1);
            exchange.close();
        });
        teams.start();
    }

    @AfterEach
    void stop() {
        teams.stop(0);
        arm.close();
    }

    Run cli(Map<String, String> extraEnv, String... args) throws Exception {
        return processes.cli(extraEnv, args);
    }

    Run run(List<String> start, Map<String, String> extraEnv, String... args) throws Exception {
        return processes.run(start, extraEnv, args);
    }

    List<String> javaJar(String... jvmOptions) {
        return processes.javaJar(jvmOptions);
    }

    List<String> trustOptions() {
        return processes.trustOptions();
    }

    String routeTableOf(String subnetId) {
        JsonObject props = arm.get(subnetId).orElseThrow().getAsJsonObject("properties");
        return props.has("routeTable") ? props.getAsJsonObject("routeTable").get("id").getAsString() : null;
    }

    @Test
    void repairsThroughTheManagedIdentityEndpointAndTheJvmTrustStore() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Run run = cli(Map.of(), "reconcile", c.nodeSubnetId());
        assertEquals(0, run.exit(), run.err());
        assertEquals(c.routeTableId().toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase());
        assertFalse(arm.tokenRequests().isEmpty(), "DefaultAzureCredential asked the managed-identity endpoint");
        assertTrue(arm.requests().stream().allMatch(r -> Principal.GUARD.equals(r.principal())), "every call as the guard");
    }

    @Test
    void anUnresolvedFindingIsAlertedOnceAcrossTwoProcessRunsSharingAzurite(Azurite azurite) throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
        String tableA = foreignTable("rt-firewall-a");
        String tableB = foreignTable("rt-firewall-b");
        bind(c.nodeSubnetId(), tableA);
        Map<String, String> env = new HashMap<>();
        env.put("TEAMS_WEBHOOK_URL", "http://127.0.0.1:" + teams.getAddress().getPort() + HOOK_PATH + "?sig=" + HOOK_SIG);
        env.put("AzureWebJobsStorage", azurite.connectionString());
        env.put("ALERT_REPEAT_HOURS", "24");

        Run first = cli(env, "reconcile", c.nodeSubnetId());
        Run second = cli(env, "reconcile", c.nodeSubnetId());
        assertEquals(0, first.exit(), first.err());
        assertEquals(0, second.exit(), second.err());
        assertEquals(1, cards.size(), "the same conflict is alerted once per ALERT_REPEAT_HOURS, across processes");
        assertTrue(cards.get(0).contains("rt-firewall-a"), cards.get(0));

        bind(c.nodeSubnetId(), tableB);
        Run third = cli(env, "reconcile", c.nodeSubnetId());
        assertEquals(0, third.exit(), third.err());
        assertEquals(2, cards.size(), "a different reason for the same subnet is a new alert");

        for (Run r : List.of(first, second, third)) {
            for (String secret : List.of(HOOK_PATH, HOOK_SIG, AzuriteExtension.KEY)) {
                assertFalse(r.out().contains(secret) || r.err().contains(secret), "a secret leaked: " + r);
            }
        }
        assertTrue(first.err().contains("repeat suppression on"), first.err());
        assertEquals(tableB.toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase(), "never swapped");
    }

    @Test
    void withoutStorageAlertsStillGoOutAndTheOutputSaysSuppressionIsOff() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Run run = cli(Map.of("TEAMS_WEBHOOK_URL", "http://127.0.0.1:" + teams.getAddress().getPort() + HOOK_PATH + "?sig=" + HOOK_SIG),
                "reconcile", c.nodeSubnetId());
        assertEquals(0, run.exit(), run.err());
        assertEquals(1, cards.size());
        assertTrue(cards.get(0).contains("application/vnd.microsoft.card.adaptive"), cards.get(0));
        assertTrue(run.err().contains("repeat suppression off"), run.err());
        assertFalse(run.err().contains(HOOK_SIG) || run.out().contains(HOOK_SIG));
        Run quiet = cli(Map.of("TEAMS_WEBHOOK_URL", "http://127.0.0.1:" + teams.getAddress().getPort() + HOOK_PATH + "?sig=" + HOOK_SIG),
                "reconcile", "--no-alerts", c.nodeSubnetId());
        assertEquals(0, quiet.exit(), quiet.err());
        assertEquals(1, cards.size(), "--no-alerts sends nothing");
    }

    @Test
    void theReadmeDemoRunsFromTheJar() throws Exception {
        Run run = cli(Map.of(), "demo", "--out", dir.toString());
        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("Demo finished: the guard put the route table back and touched nothing else."), run.out());
        assertTrue(Files.exists(dir.resolve("demo-teams-card.json")));
    }

    // ------------------------------------------------------------------ the launcher and the cold start

    static final Path LAUNCHER = dev.aksrouteguard.testing.Repo.file("target/aks-route-guard");
    /** The archive `mvn package` trained with this JDK: an AOT cache on JDK 25 and later, else a class-data archive. */
    static final Path ARCHIVE = dev.aksrouteguard.testing.Repo.file("target/" + Packaging.archiveName(Runtime.version().feature()));
    static final boolean AOT = Runtime.version().feature() >= Packaging.AOT_CACHE_FROM;
    /** After the launcher's options, makes the JVM fail rather than start without the archive. */
    static final String STRICT = AOT ? "-XX:AOTMode=on" : "-Xshare:on";

    /** The launcher, with this JVM as JAVA_HOME and the trust store (and {@code more}) in JAVA_OPTS. */
    Map<String, String> launcherEnv(String... more) {
        Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        List<String> opts = new ArrayList<>(trustOptions());
        opts.addAll(List.of(more));
        env.put("JAVA_OPTS", String.join(" ", opts));
        return env;
    }

    @Test
    void theLauncherRepairsWithItsClassDataArchiveAndPassesArgumentsAndExitCodesThrough() throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), "mvn package writes the launcher: " + LAUNCHER);
        assertTrue(Files.isRegularFile(ARCHIVE), "mvn package trains the archive: " + ARCHIVE);
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Path delivery = dir.resolve("a delivery with spaces.json");
        Files.writeString(delivery, dev.aksrouteguard.events.EventJson.delivery(
                dev.aksrouteguard.events.EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));

        // -Xshare:on (-XX:AOTMode=on), after the launcher's options, makes the JVM fail rather than start without the archive.
        Path classes = dir.resolve("launcher-classes.log");
        Run repaired = run(List.of(LAUNCHER.toString()), launcherEnv(STRICT, "-Xlog:class+load:file=" + classes),
                "handle-event", delivery.toString(), "--json");
        assertEquals(0, repaired.exit(), repaired.out() + repaired.err());
        assertTrue(repaired.out().contains("\"action\": \"reassociated\""), repaired.out());
        assertEquals(c.routeTableId().toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase());
        // SLF4J 2, whose class files (unlike 1.7's pre-Java 6 ones) JDK 17 can archive, comes from the archive.
        List<String> slf4j = Files.readAllLines(classes).stream().filter(l -> l.contains(" org.slf4j.")).toList();
        assertFalse(slf4j.isEmpty(), "the event path logs through SLF4J");
        assertEquals(List.of(), slf4j.stream().filter(l -> !l.contains("shared objects file")).toList());

        Run usage = run(List.of(LAUNCHER.toString()), launcherEnv(STRICT), "reconcile", "not a subnet id");
        assertEquals(Main.USAGE, usage.exit(), usage.err());
        assertTrue(usage.err().contains("not a subnet id"), "the argument arrives whole: " + usage.err());

        Run logged = run(List.of(LAUNCHER.toString()), launcherEnv(AOT ? "-Xlog:aot" : "-Xlog:cds"), "--version");
        assertEquals(0, logged.exit(), logged.err());
        assertTrue(logged.out().contains((AOT ? "Opened AOT cache " : "Opened archive ") + ARCHIVE.toRealPath()), logged.out());
    }

    @Test
    void withoutAUsableArchiveTheLauncherStartsSilentlyWithoutIt(@TempDir Path install) throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Files.copy(LAUNCHER, install.resolve("aks-route-guard"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(JAR, install.resolve("aks-route-guard.jar"), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        String launcher = install.resolve("aks-route-guard").toString();

        // No archive at all.
        Run none = run(List.of(launcher), launcherEnv(), "reconcile", c.nodeSubnetId());
        assertEquals(0, none.exit(), none.err());
        assertEquals(c.routeTableId().toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase());
        // The real archive, but made for the jar at another path; then one that is not an archive at all.
        Files.copy(ARCHIVE, install.resolve(ARCHIVE.getFileName()));
        Run moved = run(List.of(launcher), launcherEnv(), "reconcile", c.nodeSubnetId(), "--json");
        Files.writeString(install.resolve(ARCHIVE.getFileName()), "not a class-data archive", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        Run broken = run(List.of(launcher), launcherEnv(), "reconcile", c.nodeSubnetId(), "--json");
        Run brokenUsage = run(List.of(launcher), launcherEnv(), "reconcile", "not-an-id");

        for (Run r : List.of(none, moved, broken)) {
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals("", r.err(), "nothing on stderr: the fallback is silent");
        }
        assertTrue(broken.out().contains("\"action\": \"in-sync\""), broken.out());
        assertEquals(Main.USAGE, brokenUsage.exit(), brokenUsage.err());
        assertTrue(brokenUsage.err().startsWith("aks-route-guard: "), brokenUsage.err());
    }

    @Test
    void theLauncherFindsJavaThroughJavaHomeThenPathAndWorksThroughASymlink(@TempDir Path bin) throws Exception {
        // A PATH with only the one tool the launcher uses (ls, to read a symbolic link), and no java.
        Path ls = List.of(Path.of("/bin/ls"), Path.of("/usr/bin/ls")).stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new AssertionError("no ls"));
        Files.createSymbolicLink(bin.resolve("ls"), ls);
        // Two links to the launcher: a relative one to a link in another directory, and that one to the launcher.
        Path relay = Files.createDirectories(bin.resolve("links")).resolve("relay");
        Files.createSymbolicLink(relay, LAUNCHER);
        Files.createSymbolicLink(bin.resolve("aks-route-guard"), bin.relativize(relay));
        String viaLink = bin.resolve("aks-route-guard").toString();

        Run noJava = run(List.of(viaLink), Map.of("JAVA_HOME", "", "PATH", bin.toString()), "--version");
        assertEquals(127, noJava.exit(), noJava.out() + noJava.err());
        assertTrue(noJava.err().contains("no java found"), noJava.err());

        Run javaHome = run(List.of(viaLink), Map.of("JAVA_HOME", System.getProperty("java.home"), "PATH", bin.toString()), "--version");
        assertEquals(0, javaHome.exit(), javaHome.err());
        assertTrue(javaHome.out().startsWith("aks-route-guard "), javaHome.out());

        Files.createSymbolicLink(bin.resolve("java"), Path.of(System.getProperty("java.home"), "bin", "java"));
        Run onPath = run(List.of(viaLink), Map.of("JAVA_HOME", "", "PATH", bin.toString(), "JAVA_OPTS", STRICT), "--version");
        assertEquals(0, onPath.exit(), "java from PATH, through a symbolic link, still uses the archive: " + onPath.err());

        // Started by a relative path with CDPATH exported: cd would search CDPATH for the launcher's directory (here a
        // decoy of the same name first) and print the one it found; neither may move the launcher off its jar.
        Files.createDirectories(bin.resolve("decoy").resolve(LAUNCHER.getParent().getFileName().toString()));
        String relative = LAUNCHER.getParent().getFileName() + "/" + LAUNCHER.getFileName();
        for (String cdpath : List.of(bin.resolve("decoy") + ":.", ".")) {
            Run run = run(List.of("sh", "-c", "cd \"$0\" && exec " + relative + " \"$@\"", LAUNCHER.getParent().getParent().toString()),
                    Map.of("JAVA_HOME", "", "PATH", bin.toString(), "JAVA_OPTS", STRICT, "CDPATH", cdpath), "--version");
            assertEquals(0, run.exit(), "CDPATH=" + cdpath + ": " + run.err());
            assertTrue(run.out().startsWith("aks-route-guard "), run.out());
        }
    }

    /**
     * A JDK of 25 or later (the {@code aks.aot.java} property, else one under {@code /usr/lib/jvm}), when the build ran
     * on an older one: packaging with it trains an AOT cache, the launcher uses it with that JDK, drops a broken one
     * silently, and gives another JDK neither the cache nor the options only JDK 25 knows.
     */
    @Test
    void packagedOnJdk25TheLauncherUsesAnAotCacheAndDropsItSilently(@TempDir Path install) throws Exception {
        Path java25 = newerJava();
        org.junit.jupiter.api.Assumptions.assumeTrue(java25 != null && !AOT,
                "needs a JDK of " + Packaging.AOT_CACHE_FROM + " or later beside the build's older one");
        Files.copy(JAR, install.resolve("aks-route-guard.jar"));
        Path jar = install.resolve("aks-route-guard.jar");
        Process packaging = new ProcessBuilder(java25.toString(), "-cp", jar.toString(), Packaging.class.getName(),
                jar.toString(), dev.aksrouteguard.testing.Repo.file("src/cli/launcher/aks-route-guard").toString())
                .redirectErrorStream(true).start();
        String packaged = new String(packaging.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, packaging.waitFor(), packaged);
        assertTrue(packaged.contains("its AOT cache aks-route-guard.aot"), packaged);
        assertTrue(Files.isRegularFile(install.resolve("aks-route-guard.aot")));
        assertFalse(Files.exists(install.resolve("aks-route-guard.jsa")));
        String launcher = install.resolve("aks-route-guard").toString();
        assertTrue(Files.readString(install.resolve("aks-route-guard")).contains("trained_with='" + java25.toRealPath() + "'"));

        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Map<String, String> env25 = new HashMap<>(launcherEnv("-XX:AOTMode=on"));
        env25.put("JAVA_HOME", java25.getParent().getParent().toString());
        Run repaired = run(List.of(launcher), env25, "reconcile", c.nodeSubnetId(), "--json");
        assertEquals(0, repaired.exit(), "-XX:AOTMode=on: the cache is used, or the JVM fails: " + repaired.out() + repaired.err());
        assertTrue(repaired.out().contains("\"action\": \"reassociated\""), repaired.out());
        env25.put("JAVA_OPTS", String.join(" ", trustOptions()) + " -Xlog:aot");
        Run logged = run(List.of(launcher), env25, "--version");
        assertTrue(logged.out().contains("Opened AOT cache " + install.toRealPath().resolve("aks-route-guard.aot")), logged.out());

        Files.writeString(install.resolve("aks-route-guard.aot"), "not an AOT cache", java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        env25.put("JAVA_OPTS", String.join(" ", trustOptions()));
        Run broken = run(List.of(launcher), env25, "reconcile", c.nodeSubnetId(), "--json");
        Run older = run(List.of(launcher), launcherEnv(), "reconcile", c.nodeSubnetId(), "--json");
        for (Run r : List.of(broken, older)) {
            assertEquals(0, r.exit(), r.out() + r.err());
            assertEquals("", r.err(), "nothing on stderr: the fallback is silent");
            assertFalse(r.out().contains("][aot") || r.out().contains("][cds"), "no JVM log lines on stdout: " + r.out());
            assertTrue(r.out().contains("\"action\": \"in-sync\""), r.out());
        }
    }

    /** {@code bin/java} of a JDK of {@link Packaging#AOT_CACHE_FROM} or later, or null. */
    static Path newerJava() throws IOException {
        String given = System.getProperty("aks.aot.java", "");
        if (!given.isBlank()) {
            return Path.of(given);
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        try (var homes = Files.list(jvms)) {
            for (Path home : homes.sorted().toList()) {
                Path release = home.resolve("release");
                Path bin = home.resolve("bin/java");
                if (Files.isRegularFile(release) && Files.isExecutable(bin)) {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)")
                            .matcher(Files.readString(release));
                    if (m.find() && Integer.parseInt(m.group(1)) >= Packaging.AOT_CACHE_FROM) {
                        return bin;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void theLauncherIsPosixShAndCarriesTheJvmOptionsThePackagingTrainsWith() throws Exception {
        String script = Files.readString(LAUNCHER);
        assertTrue(script.startsWith("#!/bin/sh\n"), "a POSIX sh script");
        Process check = new ProcessBuilder("sh", "-n", LAUNCHER.toString()).redirectErrorStream(true).start();
        assertEquals(0, check.waitFor(), new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        for (String bashism : List.of("[[", "function ", "source ", "$'", "${BASH", "local ", "<<<", "declare ")) {
            assertFalse(script.contains(bashism), "not POSIX sh: " + bashism);
        }
        for (String option : Packaging.LAUNCHER_OPTIONS) {
            assertTrue(script.contains(option), "the launcher runs with " + option + ", as the training run did");
        }
        assertFalse(script.contains("@TRAINED_WITH@"), "mvn package wrote in the java that trained the archive");
    }

    /**
     * Where the kernel offers transparent huge pages the launcher asks for them with a 32 MiB first heap; where it does
     * not, it passes neither (JDK 25 would print warnings on standard output). The expectation comes from this
     * machine's own kernel setting, so the test checks whichever branch this machine takes; {@code JAVA_OPTS} still
     * wins.
     */
    @Test
    void theLauncherAsksForHugePagesOnlyWhereTheKernelOffersThem() throws Exception {
        Path setting = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        String mode = Files.isReadable(setting) ? Files.readString(setting) : "";
        boolean offered = mode.contains("[always]") || mode.contains("[madvise]");

        Run flags = run(List.of(LAUNCHER.toString()), launcherEnv("-XX:+PrintFlagsFinal"), "--version");
        assertEquals(0, flags.exit(), flags.err());
        assertEquals(String.valueOf(offered), flag(flags.out(), "UseTransparentHugePages"), "kernel setting: " + mode.strip());
        // Its origin too, not only its value: with 2 GiB of memory the JVM's own first heap (1/64 of it) is 32 MiB as well.
        String initialHeap = flag(flags.out(), "InitialHeapSize") + " " + origin(flags.out(), "InitialHeapSize");
        assertEquals(offered, initialHeap.equals((32L << 20) + " command line"), initialHeap);
        assertFalse(flags.out().contains("warning"), flags.out());

        Run off = run(List.of(LAUNCHER.toString()), launcherEnv("-XX:-UseTransparentHugePages", "-XX:+PrintFlagsFinal"),
                "--version");
        assertEquals(0, off.exit(), off.err());
        assertEquals("false", flag(off.out(), "UseTransparentHugePages"), "JAVA_OPTS comes last and wins");
    }

    /**
     * The memory options for every kernel setting, whatever this machine's own: a copy of the launcher reads the setting
     * from the test's file and starts a stand-in {@code java} that prints the arguments it was given.
     */
    @Test
    void theLauncherPassesTheMemoryOptionsForEachKernelSetting(@TempDir Path install) throws Exception {
        String original = Files.readString(LAUNCHER);
        Path setting = install.resolve("enabled");
        String script = original.replace("/sys/kernel/mm/transparent_hugepage/enabled", setting.toString());
        assertFalse(original.equals(script), "the launcher reads /sys/kernel/mm/transparent_hugepage/enabled");
        Path launcher = install.resolve("aks-route-guard");
        Files.writeString(launcher, script);
        Files.writeString(install.resolve("aks-route-guard.jar"), ""); // the launcher only checks that it is there
        Path standIn = Files.createDirectories(install.resolve("jdk/bin")).resolve("java");
        Files.writeString(standIn, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done\n");
        assertTrue(launcher.toFile().setExecutable(true) && standIn.toFile().setExecutable(true));

        List<String> memory = List.of("-XX:+UseTransparentHugePages", "-Xms32m");
        Map<String, Boolean> settings = new java.util.LinkedHashMap<>();
        settings.put("always [madvise] never\n", true);
        settings.put("[always] madvise never\n", true);
        settings.put("always madvise [never]\n", false);
        settings.put("always [madvise] never", true); // no newline at the end
        settings.put("", false);
        settings.put(null, false); // no such file: not Linux, or a kernel without transparent huge pages
        for (Map.Entry<String, Boolean> e : settings.entrySet()) {
            if (e.getKey() == null) {
                Files.deleteIfExists(setting);
            } else {
                Files.writeString(setting, e.getKey());
            }
            Run r = run(List.of(launcher.toString()), Map.of("JAVA_HOME", install.resolve("jdk").toString(),
                    "JAVA_OPTS", "-Dfrom=JAVA_OPTS"), "--version");
            assertEquals(0, r.exit(), r.err());
            assertEquals("", r.err(), "nothing said, whatever the setting");
            List<String> args = r.out().lines().toList();
            String what = "setting " + e.getKey() + ": " + args;
            if (e.getValue()) {
                assertTrue(args.containsAll(memory), what);
                assertTrue(args.indexOf("-Xms32m") < args.indexOf("-Dfrom=JAVA_OPTS"), "JAVA_OPTS comes after, and wins: " + what);
            } else {
                assertTrue(java.util.Collections.disjoint(args, memory), what);
            }
            assertEquals(List.of("-jar", install.resolve("aks-route-guard.jar").toRealPath().toString(), "--version"),
                    args.subList(args.size() - 3, args.size()), what);
        }
    }

    /** Where the value of {@code name} in {@code -XX:+PrintFlagsFinal} output came from: "command line", "ergonomic", "default"... */
    private static String origin(String printed, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+:?=\\s+\\S+\\s+\\{[^}]*}\\s+\\{([^}]*)}")
                .matcher(printed);
        assertTrue(m.find(), name + " is printed with its origin: " + printed.lines().limit(5).toList());
        return m.group(1);
    }

    /** The value of {@code name} in {@code -XX:+PrintFlagsFinal} output. */
    private static String flag(String printed, String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^\\s*\\S+\\s+" + name + "\\s+:?=\\s+(\\S+)").matcher(printed);
        assertTrue(m.find(), name + " is printed: " + printed.lines().limit(5).toList());
        return m.group(1);
    }

    @Test
    void handleEventLoadsNoCliFrameworkNoJacksonAndNoAlertClassesWithoutAWebhook() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(arm);
        Path delivery = dir.resolve("delivery.json");
        Files.writeString(delivery, dev.aksrouteguard.events.EventJson.delivery(
                dev.aksrouteguard.events.EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));
        Path classes = dir.resolve("classes.log");
        Run run = run(javaJar("-Xlog:class+load:file=" + classes), Map.of(), "handle-event", delivery.toString(), "--json",
                "--time-limit", "PT2M");
        assertEquals(0, run.exit(), run.err());
        assertEquals(c.routeTableId().toLowerCase(), routeTableOf(c.nodeSubnetId()).toLowerCase());

        List<String> loaded = Files.readAllLines(classes);
        assertTrue(loaded.stream().anyMatch(l -> l.contains(" dev.aksrouteguard.azure.ArmRest ")), "the log names loaded classes");
        // A method reference to a caller-sensitive method (Logger::getLogger) makes the JVM define such a class.
        assertEquals(List.of(), loaded.stream().filter(l -> l.contains(" dev.aksrouteguard.") && l.contains("$$InjectedInvoker"))
                .toList(), "no hidden class carrying a caller on the event path");
        for (String absent : List.of("picocli.", "com.fasterxml.jackson.", "dev.aksrouteguard.teams.TeamsWebhookAlertSink",
                "dev.aksrouteguard.teams.CardFormatter", "dev.aksrouteguard.teams.CardText", "com.azure.data.tables.",
                "com.azure.storage.queue.", "dev.aksrouteguard.emulator.", "com.azure.messaging.eventgrid.systemevents.")) {
            List<String> found = loaded.stream().filter(l -> l.contains(" " + absent)).limit(3).toList();
            assertTrue(found.isEmpty(), "handle-event loaded " + absent + ": " + found);
        }
    }

    String foreignTable(String name) {
        String id = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-app/providers/Microsoft.Network/routeTables/" + name;
        JsonObject table = new JsonObject();
        table.addProperty("location", Fixtures.LOCATION);
        table.add("properties", new JsonObject());
        arm.put(id, table);
        return id;
    }

    void bind(String subnetId, String tableId) {
        JsonObject subnet = arm.get(subnetId).orElseThrow();
        JsonObject ref = new JsonObject();
        ref.addProperty("id", tableId);
        subnet.getAsJsonObject("properties").add("routeTable", ref);
        arm.put(subnetId, subnet);
    }
}
