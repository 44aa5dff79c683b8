package dev.aksrouteguard.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A child process measured from outside: wall time to exit (and to a chosen line of its standard error), and — when
 * this machine has GNU time at {@code /usr/bin/time} — its CPU time (user + system, the process and every child it
 * waited for, as {@code getrusage} reports them) and peak resident set size. Without GNU time, CPU and memory are not
 * measured (null) rather than estimated.
 */
final class ChildProcess {

    /** One run. {@code cpuSeconds} and {@code peakRssKb} are null without GNU time; {@code markNanos} is 0 without the line. */
    record Run(int exit, String out, String err, long wallNanos, long markNanos, Double cpuSeconds, Long peakRssKb) {

        double cpuMillis() {
            return cpuSeconds == null ? Double.NaN : cpuSeconds * 1000;
        }
    }

    private static final Path GNU_TIME = Path.of("/usr/bin/time");
    private static volatile Boolean gnuTime;

    private ChildProcess() {}

    /** True when {@code /usr/bin/time -f ... -o FILE} works here (GNU time; BusyBox and the shell keyword do not). */
    static boolean hasGnuTime() {
        Boolean known = gnuTime;
        if (known == null) {
            known = false;
            if (Files.isExecutable(GNU_TIME)) {
                try {
                    Path out = Files.createTempFile("bench-time-", ".txt");
                    try {
                        Process p = new ProcessBuilder(GNU_TIME.toString(), "-f", "%U %S %M", "-o", out.toString(), "true")
                                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                        known = p.waitFor() == 0 && Files.readString(out).trim().split("\\s+").length == 3;
                    } finally {
                        Files.deleteIfExists(out);
                    }
                } catch (IOException e) {
                    known = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    known = false;
                }
            }
            gnuTime = known;
        }
        return known;
    }

    /**
     * Runs {@code command} with {@code env} added to a copy of this process's environment (a null value removes the
     * variable), reads both streams, and notes when the first stderr line matching {@code mark} arrives.
     */
    static Run run(List<String> command, Map<String, String> env, Predicate<String> mark) throws IOException, InterruptedException {
        Path timing = hasGnuTime() ? Files.createTempFile("bench-time-", ".txt") : null;
        try {
            List<String> full = new ArrayList<>();
            if (timing != null) {
                full.addAll(List.of(GNU_TIME.toString(), "-f", "%e %U %S %M", "-o", timing.toString()));
            }
            full.addAll(command);
            ProcessBuilder pb = new ProcessBuilder(full);
            env.forEach((k, v) -> {
                if (v == null) {
                    pb.environment().remove(k);
                } else {
                    pb.environment().put(k, v);
                }
            });
            long start = System.nanoTime();
            Process p = pb.start();
            AtomicLong markAt = new AtomicLong();
            StringBuilder err = new StringBuilder();
            Thread stderr = new Thread(() -> watch(p.getErrorStream(), err, markAt, mark));
            stderr.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int exit = p.waitFor();
            long end = System.nanoTime();
            stderr.join();
            Double cpu = null;
            Long rss = null;
            if (timing != null) {
                String[] t = Files.readString(timing).trim().split("\\s+");
                String[] last = t.length >= 4 ? java.util.Arrays.copyOfRange(t, t.length - 4, t.length) : t;
                if (last.length == 4) {
                    cpu = Double.parseDouble(last[1]) + Double.parseDouble(last[2]);
                    rss = Long.parseLong(last[3]);
                }
            }
            return new Run(exit, out, err.toString(), end - start, markAt.get() == 0 ? 0 : markAt.get() - start, cpu, rss);
        } finally {
            if (timing != null) {
                Files.deleteIfExists(timing);
            }
        }
    }

    private static void watch(InputStream in, StringBuilder err, AtomicLong markAt, Predicate<String> mark) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (markAt.get() == 0 && mark.test(line)) {
                    markAt.set(System.nanoTime());
                }
                synchronized (err) {
                    err.append(line).append('\n');
                }
            }
        } catch (IOException e) {
            err.append(e);
        }
    }
}
