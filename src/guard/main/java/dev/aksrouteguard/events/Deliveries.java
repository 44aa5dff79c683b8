package dev.aksrouteguard.events;

import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.DeliveryResult;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Event Grid delivery, end to end: parse, hand the writes to the guard (which coalesces them into distinct
 * subnets and works until the deadline), log one line per event worth a line and one per outcome. The Event Grid
 * function and the CLI's {@code handle-event} both run exactly this.
 */
public final class Deliveries {

    private Deliveries() {}

    /** What became of a delivery. */
    public record Report(List<ParsedEvent> parsed, DeliveryResult result) {

        public Report {
            parsed = List.copyOf(parsed);
            Objects.requireNonNull(result, "result == null");
        }

        /** One per distinct subnet that was reconciled to the end. */
        public List<Outcome> outcomes() {
            return result.outcomes();
        }

        public List<ParsedEvent.Malformed> malformed() {
            return parsed.stream().filter(p -> p instanceof ParsedEvent.Malformed).map(p -> (ParsedEvent.Malformed) p).toList();
        }

        /** True when a remediation failed (or an event could not be mapped). */
        public boolean anyFailed() {
            return result.anyFailed();
        }

        /** True when work was left unfinished: deferred, or cut by the time budget. */
        public boolean anyUnfinished() {
            return result.anyUnfinished();
        }
    }

    /**
     * Parses {@code delivery}, reconciles what it names by {@code deadline}, logs every step on {@code log}. Never
     * throws.
     */
    public static Report handle(String delivery, Guard guard, Instant deadline, Logger log) {
        Objects.requireNonNull(guard, "guard == null");
        Objects.requireNonNull(deadline, "deadline == null");
        Objects.requireNonNull(log, "log == null");
        List<ParsedEvent> parsed = ArmEvents.parse(delivery);
        for (ParsedEvent p : parsed) {
            if (p instanceof ParsedEvent.Malformed m) {
                log.warning("failed event " + m.id() + ": malformed, dropped (the next sweep checks what it was about): " + m.reason());
            } else if (p instanceof ParsedEvent.Ignored i) {
                log.info("ignored event " + i.id() + " of type " + i.type() + ": only " + ArmEvents.WRITE_SUCCESS + " is acted on");
            }
        }
        List<ArmWrite> writes = parsed.stream()
                .filter(p -> p instanceof ParsedEvent.Write).map(p -> ((ParsedEvent.Write) p).write()).toList();
        DeliveryResult result = guard.onWrites(writes, deadline);
        for (EventResult r : result.events()) {
            log(r, result.handedOn(r.write().subject()), log);
        }
        for (Outcome o : result.outcomes()) {
            log.log(o.severity(), o.logLine());
        }
        for (SubnetId s : result.unfinished()) {
            boolean handed = result.handedOn(s.id());
            log.log(handed ? Level.INFO : Level.WARNING, "not finished within the time budget: " + s
                    + (handed ? "; handed to the retry queue" : "; the next sweep checks it"));
        }
        for (RetryRequest r : result.notHandedOn()) { // a failure: nothing tries this again before the next sweep
            log.warning("failed " + r.target() + " mode=" + guard.mode().word() + " :: could not hand it to the retry "
                    + "queue within the time budget (Storage failed or answered too slowly); the next sweep checks it");
        }
        return new Report(parsed, result);
    }

    /**
     * One line per event that was not mapped to work: a failure a retry may mend and that was handed on is Info (the
     * retry's own outcome, or its giving up, says how it ended); any other failure is a {@code failed} Warning. Only
     * work that really reached the retry queue is said to be handed to it; a hand-off that failed has its own
     * {@code failed} line.
     */
    private static void log(EventResult result, boolean handedOn, Logger log) {
        String event = "event " + result.write().eventId() + " (" + result.write().operationName() + " on " + result.write().subject() + ")";
        if (result instanceof EventResult.Skipped s) {
            log.info("ignored " + event + ": " + s.reason());
        } else if (result instanceof EventResult.Failed f && f.retryable() && handedOn) {
            log.info("not mapped yet: " + event + ": " + f.reason() + "; handed to the retry queue");
        } else if (result instanceof EventResult.Failed f) {
            log.warning("failed " + event + ": " + f.reason());
        } else if (!((EventResult.Mapped) result).unread().isEmpty()) {
            String unread = "the clusters of subscription(s) " + String.join(", ", ((EventResult.Mapped) result).unread())
                    + " are not read yet (a first listing under way, or failing)";
            if (handedOn) {
                log.info("not fully mapped yet: " + event + ": " + unread + "; handed to the retry queue to be mapped again");
            } else { // nothing tries it again here (the command line): say it where it is seen
                log.warning("not fully mapped: " + event + ": " + unread + "; node subnets of their clusters in it were not "
                        + "decided; the next sweep checks them");
            }
        } else if (((EventResult.Mapped) result).subnets().isEmpty()) {
            log.info("nothing to do for " + event + ": no kubenet node subnet is concerned");
        }
    }
}
