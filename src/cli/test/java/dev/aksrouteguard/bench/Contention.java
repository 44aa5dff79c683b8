package dev.aksrouteguard.bench;

import com.google.gson.JsonObject;
import dev.aksrouteguard.events.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Contention in one virtual network, across processes: {@value #POOLS} drifted node subnets of one VNet, repaired at
 * the same time by one {@code sweep} and three {@code handle-event} processes (each with an event for every subnet),
 * against an emulator whose writes are long-running operations and which refuses a write to a VNet with an operation
 * in progress (409 {@code AnotherOperationInProgress}), as Network RP does. Reports every process's exit code, the
 * subnet PUTs by answer, and whether every subnet ended repaired.
 */
final class Contention {

    static final int POOLS = 40;

    private Contention() {}

    static void run(Path jar, Markdown md) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            md.para("Not measured: " + jar + " is missing (build it with `mvn package` first).");
            return;
        }
        try (RemoteEmulator emulator = RemoteEmulator.start(0, "--contention")) {
            List<JsonObject> events = new ArrayList<>();
            for (int i = 0; i < POOLS; i++) {
                events.add(EventJson.subnetWrite(emulator.ids.get("busySubnet" + i)).id("busy-" + i).eventGrid());
            }
            Path delivery = Files.createTempFile("bench-contention-", ".json");
            delivery.toFile().deleteOnExit();
            Files.writeString(delivery, EventJson.delivery(events.toArray(JsonObject[]::new)), StandardCharsets.UTF_8);
            List<List<String>> commands = List.of(List.of("sweep"), List.of("handle-event", delivery.toString()),
                    List.of("handle-event", delivery.toString()), List.of("handle-event", delivery.toString()));
            long start = System.nanoTime();
            List<Process> processes = new ArrayList<>();
            for (List<String> c : commands) {
                List<String> command = new ArrayList<>(List.of(Jvm.java()));
                command.addAll(emulator.trustOptions());
                command.addAll(List.of("-jar", jar.toString()));
                command.addAll(c);
                command.add("--no-alerts");
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
                CpuTime.environment(pb.environment(), emulator);
                processes.add(pb.start());
            }
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                int exit = processes.get(i).waitFor();
                rows.add(List.of(String.join(" ", commands.get(i)).replace(delivery.toString(), "FILE (" + POOLS + " events)"),
                        String.valueOf(exit)));
            }
            long wall = System.nanoTime() - start;
            long[] c = emulator.control.contention();
            md.para(String.format(Locale.ROOT, "%d drifted node subnets in one VNet; four CLI processes started together;"
                    + " all ended after %.1f s. Writes are long-running (one `InProgress` poll, `Retry-After: 1`), and a"
                    + " write to a VNet with an operation in progress is refused 409.", POOLS, wall / 1e9));
            md.table(List.of("process", "exit code"), rows);
            md.table(List.of("subnet PUTs accepted", "answered 409 AnotherOperationInProgress", "answered 412 (stale etag)",
                    "subnets repaired"), List.of(List.of(String.valueOf(c[0]), String.valueOf(c[1]), String.valueOf(c[2]),
                            c[3] + " of " + POOLS)));
        }
    }
}
