package dev.aksrouteguard.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.logging.LogRecord;

/**
 * (e) The first invocation of a new Function instance, in a JVM of its own: what the worker does when the first
 * event arrives — {@code Wiring.shared()} builds the production graph from the process environment (as
 * {@link EventGridFunction}'s default constructor has it do), then the function serves one Event Grid delivery,
 * including its wait for the alerts to be handed on. The emulator and Azurite run in other processes.
 *
 * <p>Arguments: {@code delivery-file expected} where {@code expected} is the outcome the event must end in:
 * {@code reassociated} (a drifted node subnet: the repair and its alert) or {@code ignored} (a subnet that is not a node
 * subnet: no alert). Prints one
 * line: {@code RESULT} and the figures, in milliseconds: process CPU at {@code main} (JVM start and class loading up
 * to here), graph build wall and CPU, first event wall and CPU, process CPU in all, then classes loaded and peak RSS
 * (KiB).
 */
public final class FunctionProbe {

    private static final OperatingSystemMXBean OS = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private FunctionProbe() {}

    public static void main(String[] args) throws Exception {
        long cpuAtMain = OS.getProcessCpuTime();
        String delivery = Files.readString(Path.of(args[0]));
        String expected = args[1];

        long t0 = System.nanoTime();
        Wiring.shared();
        long t1 = System.nanoTime();
        long cpu1 = OS.getProcessCpuTime();

        TestContext context = new TestContext(EventGridFunction.NAME);
        new EventGridFunction().run(delivery, context);
        long t2 = System.nanoTime();
        long cpu2 = OS.getProcessCpuTime();

        List<String> lines = context.log.records.stream().map(LogRecord::getMessage).toList();
        boolean ok = lines.stream().anyMatch(l -> l.startsWith(expected + " "));
        if (!ok) {
            System.err.println("unexpected first invocation (wanted " + expected + "): " + lines);
            System.exit(1);
        }
        System.out.println(String.format(Locale.ROOT, "RESULT %.1f %.1f %.1f %.1f %.1f %.1f %d %d",
                cpuAtMain / 1e6, (t1 - t0) / 1e6, (cpu1 - cpuAtMain) / 1e6, (t2 - t1) / 1e6, (cpu2 - cpu1) / 1e6, cpu2 / 1e6,
                ManagementFactory.getClassLoadingMXBean().getTotalLoadedClassCount(), peakRssKb()));
        System.out.flush();
        System.exit(0);
    }

    private static long peakRssKb() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM:"))
                    .map(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1L);
        } catch (java.io.IOException | RuntimeException e) {
            return -1;
        }
    }
}
