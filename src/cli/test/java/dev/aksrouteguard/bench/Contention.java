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
 * in progress (409 {@code AnotherOperationInProgress}), as Network RP does. Reports every process's exit code and
 * outcomes (its closing line: a {@code deferred} subnet is one it left; the CLI tries nothing again, exit 4), the subnet
 * PUTs by answer, the subnet GETs (a subnet read {@code Updating} while another process writes it is read again after a
 * contention wait), and how many subnets ended repaired, naming the ones left drifted.
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
            List<Path> outputs = new ArrayList<>();
            for (List<String> c : commands) {
                List<String> command = new ArrayList<>(List.of(Jvm.java()));
                command.addAll(emulator.trustOptions());
                command.addAll(List.of("-jar", jar.toString()));
                command.addAll(c);
                command.add("--no-alerts");
                Path output = Files.createTempFile("bench-contention-out-", ".txt");
                output.toFile().deleteOnExit();
                outputs.add(output);
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(output.toFile())
                        .redirectError(ProcessBuilder.Redirect.DISCARD);
                CpuTime.environment(pb.environment(), emulator);
                processes.add(pb.start());
            }
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < processes.size(); i++) {
                int exit = processes.get(i).waitFor();
                rows.add(List.of(String.join(" ", commands.get(i)).replace(delivery.toString(), "FILE (" + POOLS + " events)"),
                        String.valueOf(exit), outcomes(Files.readAllLines(outputs.get(i), StandardCharsets.UTF_8))));
            }
            long wall = System.nanoTime() - start;
            long[] c = emulator.control.contention();
            md.para(String.format(Locale.ROOT, "%d drifted node subnets in one VNet; four CLI processes started together;"
                    + " all ended after %.1f s. Writes are long-running (one `InProgress` poll, `Retry-After: 1`), and a"
                    + " write to a VNet with an operation in progress is refused 409.", POOLS, wall / 1e9));
            md.table(List.of("process", "exit code", "outcomes (its closing line; the sweep's counts every subnet of the"
                    + " subscription)"), rows);
            md.table(List.of("subnet PUTs accepted", "answered 409 AnotherOperationInProgress", "answered 412 (stale etag)",
                    "subnet GETs", "subnets repaired (table on, Succeeded)"), List.of(List.of(String.valueOf(c[0]),
                            String.valueOf(c[1]), String.valueOf(c[2]), String.valueOf(c[4]), c[3] + " of " + POOLS)));
            if (c[3] < POOLS) {
                md.para((POOLS - c[3]) + " of the " + POOLS + " subnets were left drifted: no process repaired them (their"
                        + " outcomes above). The CLI tries nothing again: a process that deferred a subnet exited 4, and the"
                        + " subnet stays drifted until one is run again (the next sweep); in Azure the retry queue would.");
            }
        }
    }

    /** The line a CLI run closes its table with ("43 subnets: 40 reassociated, 3 in-sync"), or what it printed last. */
    static String outcomes(List<String> stdout) {
        for (String line : stdout) {
            if (line.matches("\\d+ subnets?(: .*)?")) {
                return line;
            }
        }
        return stdout.isEmpty() ? "(nothing printed)" : stdout.get(stdout.size() - 1);
    }
}
