package dev.aksrouteguard.bench;

import com.google.gson.JsonObject;
import dev.aksrouteguard.events.EventJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Event storms through the CLI ({@code handle-event}, exactly the function's path): a delivery of many events for a
 * few subnets is coalesced before any read. Counts the guard's ARM reads and the process's peak resident memory
 * (GNU time's {@code %M}; not measured where {@code /usr/bin/time} is missing).
 */
final class Storm {

    static final int POOLS = 100;

    private Storm() {}

    record Case(String name, List<JsonObject> events) {}

    static void run(Path jar, Markdown md) throws IOException, InterruptedException {
        if (!Files.isRegularFile(jar)) {
            md.para("Not measured: " + jar + " is missing (build it with `mvn package` first).");
            return;
        }
        try (RemoteEmulator emulator = RemoteEmulator.start(0, "--storm")) {
            String cluster = emulator.ids.get("wideCluster");
            List<JsonObject> pools = new ArrayList<>();
            for (int i = 0; i < POOLS; i++) {
                pools.add(EventJson.write(cluster + "/agentPools/pool" + i, "Microsoft.ContainerService/managedClusters/agentPools/write")
                        .id("pool-" + i).eventGrid());
            }
            List<JsonObject> writes = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                writes.add(EventJson.subnetWrite(emulator.ids.get("wideSubnet" + (i % POOLS))).id("w-" + i).eventGrid());
            }
            List<List<String>> rows = new ArrayList<>();
            for (Case c : List.of(new Case(POOLS + " agent-pool events of a " + POOLS + "-pool cluster (a subnet per pool)", pools),
                    new Case("5,000 subnet-write events over " + POOLS + " subnets", writes),
                    new Case("1 subnet-write event (for comparison)", writes.subList(0, 1)))) {
                Path file = Files.createTempFile("bench-storm-", ".json");
                file.toFile().deleteOnExit();
                Files.writeString(file, EventJson.delivery(c.events().toArray(JsonObject[]::new)), StandardCharsets.UTF_8);
                emulator.control.calls(); // reset
                List<String> command = new ArrayList<>();
                boolean time = Files.isExecutable(Path.of("/usr/bin/time"));
                if (time) {
                    command.addAll(List.of("/usr/bin/time", "-f", "peak-rss-kb %M"));
                }
                command.add(Jvm.java());
                command.addAll(emulator.trustOptions());
                command.addAll(List.of("-jar", jar.toString(), "handle-event", file.toString(), "--json", "--no-alerts"));
                ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
                CpuTime.environment(pb.environment(), emulator);
                Process p = pb.start();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = p.waitFor();
                ArmCalls calls = emulator.control.calls();
                String rss = err.lines().filter(l -> l.startsWith("peak-rss-kb ")).map(l -> String.valueOf(
                        Long.parseLong(l.substring("peak-rss-kb ".length())) / 1024)).findFirst().orElse("not measured");
                rows.add(List.of(c.name(), String.valueOf(Files.size(file) / 1024), String.valueOf(exit),
                        String.valueOf(calls.lists()), String.valueOf(calls.gets()), String.valueOf(calls.writes()), rss));
            }
            md.para("A fresh CLI process per row (cold directory: the list pages are the directory's first read), default"
                    + " JVM options. Every subnet is in sync, so each costs one GET.");
            md.table(List.of("delivery", "KiB", "exit code", "list pages", "GETs", "writes", "peak RSS MiB"), rows);
        }
    }
}
