package dev.aksrouteguard.function;

import dev.aksrouteguard.core.port.AlertSink;
import java.time.Duration;
import java.util.logging.Logger;

/** The last step of an invocation: wait for its alerts to be handed on, and say so when some are left. */
final class AlertFlush {

    /** A {@code failed } line, so that the failed-outcome health alert reads it. */
    static final String LEFT = "failed alerts: alerts were still being handed on when the invocation ended; they are sent "
            + "if this worker lives on and lost if it stops now";

    private AlertFlush() {}

    static void await(AlertSink alerts, Duration timeout, Logger log) {
        if (!alerts.flush(timeout)) {
            log.warning(LEFT);
        }
    }
}
