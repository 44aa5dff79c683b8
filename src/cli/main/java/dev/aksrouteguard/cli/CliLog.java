package dev.aksrouteguard.cli;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The CLI's log: one line per record on stderr, {@code LEVEL message}, no stack traces. */
final class CliLog {

    private CliLog() {}

    static Logger create(PrintStream err, Level level) {
        Logger log = Logger.getAnonymousLogger();
        log.setUseParentHandlers(false);
        log.setLevel(level);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    err.println(r.getLevel().getName().toLowerCase(java.util.Locale.ROOT) + ": " + r.getMessage());
                }
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
                flush();
            }
        });
        return log;
    }
}
