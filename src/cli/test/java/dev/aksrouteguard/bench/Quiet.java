package dev.aksrouteguard.bench;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** A logger that takes every Info record, as the Functions host does, and drops it (the benchmark prints its own report). */
final class Quiet {

    /** Held so the levels stick (java.util.logging keeps loggers weakly). */
    private static final Logger AZURE_SDK = Logger.getLogger("com.azure");
    private static final Logger MSAL = Logger.getLogger("com.microsoft.aad.msal4j");

    private Quiet() {}

    static Logger logger() {
        Logger log = Logger.getAnonymousLogger();
        log.setUseParentHandlers(false);
        log.setLevel(Level.INFO);
        log.addHandler(new Handler() {
            @Override
            public void publish(LogRecord r) {}

            @Override
            public void flush() {}

            @Override
            public void close() {}
        });
        return log;
    }

    /** The Azure SDK and MSAL log through SLF4J into java.util.logging; keep their warnings only. */
    static void azureSdk() {
        AZURE_SDK.setLevel(Level.WARNING);
        MSAL.setLevel(Level.WARNING);
    }
}
