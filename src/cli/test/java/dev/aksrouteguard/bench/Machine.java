package dev.aksrouteguard.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Locale;

/** The machine and JVM the figures come from. */
final class Machine {

    private Machine() {}

    static String describe() {
        Runtime rt = Runtime.getRuntime();
        return String.format(Locale.ROOT,
                "Run on %s: %d cores (%s), %d GiB RAM visible to the JVM's default heap sizing (max heap %d MiB), %s %s, %s %s (%s).",
                LocalDate.now(), rt.availableProcessors(), cpuModel(), totalMemoryGiB(), rt.maxMemory() >> 20,
                System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("java.vm.vendor"));
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst().orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return "unknown CPU";
        }
    }

    private static long totalMemoryGiB() {
        try {
            var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            return Math.round(os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
