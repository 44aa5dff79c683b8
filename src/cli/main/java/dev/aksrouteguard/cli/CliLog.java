package dev.aksrouteguard.cli;

import java.io.PrintStream;
import java.util.function.Function;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The CLI's log: one line per record on stderr, {@code LEVEL message}, no stack traces. */
final class CliLog {

    private CliLog() {}

    static Logger create(PrintStream err, Level level) {
        return create(err, level, r -> r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": " + r.getMessage());
    }

    /** A log that prints each record at {@code level} or above to {@code out} as {@code line} writes it. */
    static Logger create(PrintStream out, Level level, Function<LogRecord, String> line) {
        Logger log = Logger.getAnonymousLogger();
        log.setUseParentHandlers(false);
        log.setLevel(level);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    out.println(line.apply(r));
                }
            }

            @Override
            public void flush() {
                out.flush();
            }

            @Override
            public void close() {
                flush();
            }
        });
        return log;
    }
}
