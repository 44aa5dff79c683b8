package dev.aksrouteguard.bench;

import dev.aksrouteguard.events.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * (c) Cold start of the CLI: {@code java -jar target/aks-route-guard.jar handle-event FILE} against an
 * {@link EmulatorProcess}, environment as the {@code emulator} command prints it (managed identity through
 * {@code IDENTITY_ENDPOINT}, the certificate through {@code -Djavax.net.ssl.trustStore}). Each run starts with the
 * node subnet stripped; the run must end {@code reassociated}. Times: JVM start to the outcome's log line
 * ({@code -v}), and to process exit.
 */
final class ColdStart {

    /** A way to start the JVM; {@code prepare} runs once before the measured runs (e.g. to dump a CDS archive). */
    record Variant(String name, List<String> jvmOptions, List<String> prepare) {}

    private record Run(long toOutcome, long toExit) {}

    private ColdStart() {}

    static void run(RemoteEmulator emulator, Path jar, int runs, Markdown md) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            md.para("Not measured: " + jar + " is missing (build it with `mvn package` first).");
            return;
        }
        Path event = Files.createTempFile("bench-event-", ".json");
        event.toFile().deleteOnExit();
        Files.writeString(event, EventJson.delivery(EventJson.subnetWrite(emulator.ids.get("driftingSubnet")).eventGrid()));
        Path archive = Path.of("target", "bench-cli.jsa").toAbsolutePath();
        Files.deleteIfExists(archive);
        List<Variant> variants = List.of(
                new Variant("default JVM options", List.of(), List.of()),
                new Variant("`-XX:TieredStopAtLevel=1` (C1 only)", List.of("-XX:TieredStopAtLevel=1"), List.of()),
                new Variant("AppCDS archive (`-XX:SharedArchiveFile`, dumped by one training run)",
                        List.of("-XX:SharedArchiveFile=" + archive), List.of("-XX:ArchiveClassesAtExit=" + archive)));

        List<List<String>> rows = new ArrayList<>();
        rows.add(row("JVM start + argument parsing only (`--version`, no ARM)", baseline(jar, runs), null));
        for (Variant v : variants) {
            if (!v.prepare().isEmpty()) {
                once(emulator, jar, event, v.prepare());
            }
            once(emulator, jar, event, v.jvmOptions()); // not counted: page cache, emulator connections
            List<Run> measured = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                measured.add(once(emulator, jar, event, v.jvmOptions()));
            }
            rows.add(row("`handle-event`, " + v.name(), measured.stream().mapToLong(Run::toExit).toArray(),
                    measured.stream().mapToLong(Run::toOutcome).toArray()));
        }
        md.para(String.format(Locale.ROOT,
                "%d measured runs per row after one unmeasured run; the emulator answers writes synchronously (no operation"
                        + " polls) so the figures are JVM, class loading, TLS, token and SDK start-up, plus the cold directory"
                        + " (3 list pages) and GET + PUT of the subnet. \"To outcome logged\" is when the CLI's `-v` log line"
                        + " for the repair reached the benchmark; the rest, to process exit, is printing the JSON result and"
                        + " JVM shutdown.", runs));
        md.table(List.of("command", "to outcome logged: median ms", "min", "max", "to process exit: median ms", "min", "max"), rows);
    }

    private static List<String> row(String name, long[] exit, long[] outcome) {
        Stats e = Stats.of(exit);
        List<String> cells = new ArrayList<>(List.of(name));
        if (outcome == null) {
            cells.addAll(List.of("–", "–", "–"));
        } else {
            Stats o = Stats.of(outcome);
            cells.addAll(List.of(ms(o.p50()), ms(o.min()), ms(o.max())));
        }
        cells.addAll(List.of(ms(e.p50()), ms(e.min()), ms(e.max())));
        return cells;
    }

    private static String ms(long nanos) {
        return String.valueOf(Math.round(nanos / 1e6));
    }

    private static long[] baseline(Path jar, int runs) throws IOException, InterruptedException {
        long[] wall = new long[runs];
        for (int i = -1; i < runs; i++) {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(Jvm.java(), "-jar", jar.toString(), "--version")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("--version exited " + p.exitValue());
            }
            if (i >= 0) {
                wall[i] = System.nanoTime() - start;
            }
        }
        return wall;
    }

    private static Run once(RemoteEmulator emulator, Path jar, Path event, List<String> jvmOptions)
            throws IOException, InterruptedException {
        emulator.control.drift(emulator.ids.get("driftingVnet"));
        List<String> command = new ArrayList<>(List.of(Jvm.java()));
        command.addAll(emulator.trustOptions());
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(), "-v", "handle-event", event.toString(), "--json", "--no-alerts"));
        ProcessBuilder pb = new ProcessBuilder(command);
        CpuTime.environment(pb.environment(), emulator);
        long start = System.nanoTime();
        Process p = pb.start();
        AtomicLong outcomeAt = new AtomicLong();
        StringBuilder err = new StringBuilder();
        Thread stderr = new Thread(() -> watch(p.getErrorStream(), err, outcomeAt));
        stderr.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        long end = System.nanoTime();
        stderr.join();
        if (exit != 0 || !out.contains("\"action\": \"reassociated\"") && !out.contains("\"action\":\"reassociated\"")) {
            throw new IllegalStateException("handle-event exited " + exit + ": " + out + err);
        }
        if (outcomeAt.get() == 0) {
            throw new IllegalStateException("no outcome line in the CLI's log: " + err);
        }
        return new Run(outcomeAt.get() - start, end - start);
    }

    /** Reads the CLI's log, noting when the outcome's line arrives. */
    private static void watch(InputStream in, StringBuilder err, AtomicLong outcomeAt) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.startsWith("info: reassociated") && outcomeAt.get() == 0) {
                    outcomeAt.set(System.nanoTime());
                }
                err.append(line).append('\n');
            }
        } catch (IOException e) {
            err.append(e);
        }
    }
}
