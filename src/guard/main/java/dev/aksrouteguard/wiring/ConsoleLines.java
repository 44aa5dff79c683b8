package dev.aksrouteguard.wiring;

import java.io.PrintStream;
import java.util.Objects;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Writes each record of the function app's own logger ({@code dev.aksrouteguard}, what the guard logs outside an
 * invocation's {@code ExecutionContext} logger: the Teams sink's background thread, the retry queue, the directory) as
 * exactly one line holding the message, Warning and above to stderr, the rest to stdout.
 *
 * <p>Why: the Java worker sends only the {@code ExecutionContext} logger to the host over gRPC
 * (azure-functions-java-worker {@code WorkerLogManager}: the invocation logger gets a {@code HostLoggerListener}; no
 * handler is put on the root logger). Any other java.util.logging logger ends at the JDK's root
 * {@code ConsoleHandler}, whose {@code SimpleFormatter} prints two lines ({@code "<date> <class> <method>"}, then
 * {@code "WARNING: <message>"}). The host reads the worker's stdout/stderr line by line and logs each line unchanged
 * as its own trace in category {@code Host.Function.Console}, outside any invocation (azure-functions-host
 * {@code WorkerProcess.BuildAndLogConsoleLog}, {@code WorkerConsoleLogService}); a stderr line with {@code fail},
 * {@code error} or {@code severe} is logged at Error, with {@code warn} at Warning ({@code ParseErrorMessageAndLog}).
 * With the JDK's format no such trace starts with the guard's message, so the health alert's
 * {@code Message startswith "failed alerts: "} never matched a lost Teams alert reported here. One line, message
 * first, keeps it matching (docs/deploy.md, "The queries and the log lines they read").
 */
final class ConsoleLines extends Handler {

    private ConsoleLines() {
        setLevel(Level.ALL);
        setFormatter(new Formatter() {
            @Override
            public String format(LogRecord record) {
                return line(record) + System.lineSeparator();
            }
        });
    }

    /** Gives {@code logger} this handler instead of its parents' (once). */
    static Logger install(Logger logger) {
        Objects.requireNonNull(logger, "logger == null");
        synchronized (ConsoleLines.class) {
            for (Handler h : logger.getHandlers()) {
                if (h instanceof ConsoleLines) {
                    return logger;
                }
            }
            logger.addHandler(new ConsoleLines());
            logger.setUseParentHandlers(false);
        }
        return logger;
    }

    /** The one line a record becomes: its message, line breaks folded, so the host makes it one trace. */
    static String line(LogRecord record) {
        String message = record.getMessage();
        return message == null ? "" : message.replaceAll("\\R", " ");
    }

    @Override
    public void publish(LogRecord record) {
        if (record == null || !isLoggable(record)) {
            return;
        }
        // Looked up at each record, not kept: the stream the worker's stdout/stderr pipes are on.
        PrintStream out = record.getLevel().intValue() >= Level.WARNING.intValue() ? System.err : System.out;
        out.print(getFormatter().format(record));
    }

    @Override
    public void flush() {
        System.out.flush();
        System.err.flush();
    }

    @Override
    public void close() {
        flush();
    }
}
