package dev.aksrouteguard.function;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.events.Deliveries;
import java.util.logging.Level;
import java.util.logging.Logger;

/** How a sweep is logged: one line per subnet that is not fine, then the one summary line. */
public final class SweepLog {

    private SweepLog() {}

    public static void write(SweepReport report, Logger log) {
        for (Outcome o : report.outcomes()) {
            if (o.action() != Action.IN_SYNC) {
                log.log(Deliveries.level(o), o.logLine());
            }
        }
        for (Outcome o : report.notReached()) {
            log.warning("not reached (time budget spent; the next sweep repairs it): " + o.subnet());
        }
        log.log(report.anyFailed() || !report.notReached().isEmpty() ? Level.WARNING : Level.INFO, report.summaryLine());
    }
}
