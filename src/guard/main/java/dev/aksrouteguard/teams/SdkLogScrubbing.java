package dev.aksrouteguard.teams;

import dev.aksrouteguard.config.Secret;
import dev.aksrouteguard.core.model.Nullable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Keeps secrets out of what the Azure SDK and the JDK log on their own. The SDK logs through SLF4J into
 * java.util.logging ({@code slf4j-jdk14}), and before it throws a storage error it logs the error at SEVERE with the
 * service's answer quoted: a 403 body that echoes the request URL carries a SAS {@code sig=}. The guard's own lines
 * describe such errors by status and code only, but the SDK's line is not the guard's.
 *
 * <p>{@link #install} puts a gate on the {@code com.azure}, {@code reactor} and {@code com.microsoft.aad} (msal4j, under
 * azure-identity) logger trees: their records no longer travel up to the root's handlers directly
 * ({@code useParentHandlers=false}); the gate hands each one on, scrubbed
 * ({@link Redaction}: the webhook URL and its parts, {@code sig=}, {@code AccountKey=}, {@code SharedAccessSignature=},
 * tokens, in the message, the parameters and the thrown chain), to the handlers the record would have reached. Levels
 * are not touched. It also pins off the JDK HttpClient's internal debug logger, which prints every request URI, SAS and
 * webhook signature included, whenever it is enabled (an operator turning the root level up to FINE).
 *
 * <p>Idempotent; called by the wiring before any storage client is built. The latest webhook URL given is the one
 * scrubbed.
 */
public final class SdkLogScrubbing {

    /** The logger trees that are gated. */
    static final List<String> GATED = List.of("com.azure", "reactor", "com.microsoft.aad");

    /** Strong references: java.util.logging keeps loggers weakly, and a collected logger loses its configuration. */
    private static final Logger JDK_HTTP_DEBUG = Logger.getLogger("jdk.internal.httpclient.debug");
    private static final Map<String, Logger> GATES = new LinkedHashMap<>();
    private static final Gate GATE = new Gate();
    private static volatile Redaction redaction = Redaction.storageOnly();

    private SdkLogScrubbing() {}

    /** Installs the gates (again, if a logging reset removed them); {@code webhookUrl} is scrubbed too when given. */
    public static synchronized void install(@Nullable Secret webhookUrl) {
        redaction = Redaction.of(webhookUrl);
        silenceJdkHttpDebug();
        for (String name : GATED) {
            // Not computeIfAbsent(name, Logger::getLogger): a method reference to a caller-sensitive method makes the
            // JVM define a hidden class to carry the caller, about 5 ms of every cold start (docs/performance.md).
            Logger gate = GATES.get(name);
            if (gate == null) {
                gate = Logger.getLogger(name);
                GATES.put(name, gate);
            }
            gate.setUseParentHandlers(false);
            if (!List.of(gate.getHandlers()).contains(GATE)) {
                gate.addHandler(GATE);
            }
        }
    }

    static void silenceJdkHttpDebug() {
        JDK_HTTP_DEBUG.setLevel(Level.OFF);
    }

    /** Passes a scrubbed copy of each record to the handlers above the gate it came through. */
    private static final class Gate extends Handler {
        @Override
        public void publish(@Nullable LogRecord record) {
            if (record == null) {
                return;
            }
            Logger gate = gateOf(record.getLoggerName());
            if (gate == null) {
                return;
            }
            LogRecord copy = scrubbed(record, redaction);
            for (Logger l = gate.getParent(); l != null; l = l.getUseParentHandlers() ? l.getParent() : null) {
                for (Handler h : l.getHandlers()) {
                    h.publish(copy);
                }
            }
        }

        private static @Nullable Logger gateOf(@Nullable String loggerName) {
            String name = loggerName == null ? "" : loggerName;
            synchronized (SdkLogScrubbing.class) {
                for (Map.Entry<String, Logger> e : GATES.entrySet()) {
                    if (name.equals(e.getKey()) || name.startsWith(e.getKey() + ".")) {
                        return e.getValue();
                    }
                }
            }
            return null;
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    static LogRecord scrubbed(LogRecord r, Redaction redaction) {
        LogRecord c = new LogRecord(r.getLevel(), r.getMessage() == null ? null : redaction.scrub(r.getMessage()));
        c.setLoggerName(r.getLoggerName());
        c.setInstant(r.getInstant());
        c.setSequenceNumber(r.getSequenceNumber());
        c.setSourceClassName(r.getSourceClassName());
        c.setSourceMethodName(r.getSourceMethodName());
        c.setLongThreadID(r.getLongThreadID());
        c.setResourceBundle(r.getResourceBundle());
        c.setResourceBundleName(r.getResourceBundleName());
        if (r.getParameters() != null) {
            List<Object> parameters = new ArrayList<>();
            for (Object p : r.getParameters()) {
                parameters.add(p == null || p instanceof Number || p instanceof Boolean ? p : redaction.scrub(String.valueOf(p)));
            }
            c.setParameters(parameters.toArray());
        }
        if (r.getThrown() != null) {
            c.setThrown(new ScrubbedThrowable(r.getThrown(), redaction, 0));
        }
        return c;
    }

    /** A stand-in for a thrown exception: its type's name, its scrubbed message, its stack, its scrubbed causes. */
    static final class ScrubbedThrowable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String type;

        ScrubbedThrowable(Throwable original, Redaction redaction, int depth) {
            super(redaction.scrub(original.getMessage()), original.getCause() == null || depth >= 8
                    ? null : new ScrubbedThrowable(original.getCause(), redaction, depth + 1), false, true);
            this.type = original.getClass().getName();
            setStackTrace(original.getStackTrace());
        }

        @Override
        public String toString() {
            String message = getMessage();
            return message == null || message.isEmpty() ? type : type + ": " + message;
        }
    }
}
