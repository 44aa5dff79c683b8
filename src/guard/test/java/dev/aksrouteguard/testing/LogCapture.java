package dev.aksrouteguard.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * A logger whose records are kept for assertions (all levels). {@link #includingRoot()} also captures every record that
 * reaches the root logger at any level (the JDK's and the SDKs' own loggers), for tests that check no secret reached
 * any log; {@link #close()} then restores the root.
 */
public final class LogCapture implements AutoCloseable {

    /** The records of {@link #logger()}. */
    public final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final List<LogRecord> everything = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getAnonymousLogger();
    private final Logger root = Logger.getLogger("");
    private final Handler rootHandler = new Handler() {
        @Override
        public void publish(LogRecord r) {
            // The local server standing in for Teams or Storage is the receiving side: it logs the request line it got.
            if (r.getLoggerName() == null || !r.getLoggerName().startsWith("com.sun.net.httpserver")) {
                everything.add(r);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private Level rootLevel;
    private boolean capturingRoot;

    public LogCapture() {
        logger.setUseParentHandlers(false);
        logger.setLevel(Level.ALL);
        logger.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
                everything.add(r);
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
    }

    /** A capture that also records everything reaching the root logger, at every level, until {@link #close()}. */
    public static LogCapture includingRoot() {
        LogCapture c = new LogCapture();
        c.rootLevel = c.root.getLevel();
        c.root.setLevel(Level.ALL);
        c.root.addHandler(c.rootHandler);
        c.capturingRoot = true;
        return c;
    }

    public Logger logger() {
        return logger;
    }

    /** The records of {@link #logger()} at exactly {@code level}. */
    public List<LogRecord> at(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).toList();
    }

    /** Every record captured: {@link #logger()}'s and, with {@link #includingRoot()}, the root's. */
    public List<LogRecord> everything() {
        return List.copyOf(everything);
    }

    public List<String> lines() {
        return records.stream().map(r -> r.getLevel() + " " + r.getMessage()).toList();
    }

    public List<String> lines(Level level) {
        return records.stream().filter(r -> r.getLevel().equals(level)).map(LogRecord::getMessage).toList();
    }

    public String all() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        if (capturingRoot) {
            root.removeHandler(rootHandler);
            root.setLevel(rootLevel);
            capturingRoot = false;
        }
    }
}
