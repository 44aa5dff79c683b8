package dev.aksrouteguard.teams;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Captures every JUL record at every level, from the sink's logger and from the root (so the JDK's and the SDKs'
 * own loggers are caught too). Restores the root level on close.
 */
final class LogCapture extends Handler implements AutoCloseable {

    private final List<LogRecord> records = new ArrayList<>();
    private final Logger root = Logger.getLogger("");
    private final Level rootLevel;
    private final Logger logger;

    LogCapture(String name) {
        rootLevel = root.getLevel();
        setLevel(Level.ALL);
        root.setLevel(Level.ALL);
        root.addHandler(this);
        logger = Logger.getLogger("dev.aksrouteguard.teams.test." + name);
        logger.setLevel(Level.ALL);
    }

    /** The logger to give the sink. */
    Logger logger() {
        return logger;
    }

    synchronized List<LogRecord> records() {
        return List.copyOf(records);
    }

    synchronized List<LogRecord> at(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level) && r.getLoggerName().equals(logger.getName())).toList();
    }

    /**
     * Every record except those of {@code com.sun.net.httpserver}: that is the local server standing in for Teams,
     * the receiving side, which naturally logs the request line it received.
     */
    @Override
    public synchronized void publish(LogRecord record) {
        if (record.getLoggerName() == null || !record.getLoggerName().startsWith("com.sun.net.httpserver")) {
            records.add(record);
        }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {
        root.removeHandler(this);
        root.setLevel(rootLevel);
    }
}
