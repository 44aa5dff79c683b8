package dev.aksrouteguard.cli;

import dev.aksrouteguard.wiring.Wiring;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The CLI run in this JVM through {@link Main#run}, as {@code main} runs it, with its standard output and error kept. */
final class Captured {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    /** Runs {@code args}; what it prints is added to what earlier runs printed (see {@link #reset()}). */
    int run(Map<String, String> env, String stdin, Wiring.Options options, String... args) {
        return Main.run(args, env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), options);
    }

    /** As {@link #run(Map, String, Wiring.Options, String...)} with nothing on standard input. */
    int run(Map<String, String> env, Wiring.Options options, String... args) {
        return run(env, "", options, args);
    }

    /** Forgets what earlier runs printed. */
    void reset() {
        out.reset();
        err.reset();
    }

    /** Forgets what earlier runs printed on standard output only. */
    void resetOut() {
        out.reset();
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
