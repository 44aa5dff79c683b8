package dev.aksrouteguard.events;

import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Outcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One Event Grid delivery, end to end: parse, hand each write to the guard, log one line per event and per
 * outcome. The Event Grid function and the CLI's {@code handle-event} both run exactly this.
 */
public final class Deliveries {

    private Deliveries() {}

    /** What became of a delivery. */
    public record Report(List<ParsedEvent> parsed, List<EventResult> results) {

        public Report {
            parsed = List.copyOf(parsed);
            results = List.copyOf(results);
        }

        public List<Outcome> outcomes() {
            List<Outcome> all = new ArrayList<>();
            results.forEach(r -> {
                if (r instanceof EventResult.Reconciled rec) {
                    all.addAll(rec.outcomes());
                }
            });
            return all;
        }

        public List<ParsedEvent.Malformed> malformed() {
            return parsed.stream().filter(p -> p instanceof ParsedEvent.Malformed).map(p -> (ParsedEvent.Malformed) p).toList();
        }

        /** True when a remediation failed (or an event could not be mapped). */
        public boolean anyFailed() {
            return outcomes().stream().anyMatch(o -> o.action() == Action.FAILED)
                    || results.stream().anyMatch(r -> r instanceof EventResult.Failed);
        }

        /** True when a failure was transient: Event Grid should redeliver the event. */
        public boolean retryable() {
            return outcomes().stream().anyMatch(o -> o.action() == Action.FAILED && o.retryable())
                    || results.stream().anyMatch(r -> r instanceof EventResult.Failed f && f.retryable());
        }
    }

    /** Parses {@code delivery}, reconciles what it names, logs every step on {@code log}. Never throws. */
    public static Report handle(String delivery, Guard guard, Logger log) {
        Objects.requireNonNull(guard, "guard == null");
        Objects.requireNonNull(log, "log == null");
        List<ParsedEvent> parsed = ArmEvents.parse(delivery);
        List<EventResult> results = new ArrayList<>();
        for (ParsedEvent p : parsed) {
            if (p instanceof ParsedEvent.Malformed m) {
                log.warning("dropped malformed event " + m.id() + ": " + m.reason());
            } else if (p instanceof ParsedEvent.Ignored i) {
                log.info("ignored event " + i.id() + " of type " + i.type() + ": only " + ArmEvents.WRITE_SUCCESS + " is acted on");
            } else {
                EventResult result = guard.onWrite(((ParsedEvent.Write) p).write());
                results.add(result);
                log(result, log);
            }
        }
        return new Report(parsed, results);
    }

    private static void log(EventResult result, Logger log) {
        String event = "event " + result.write().eventId() + " (" + result.write().operationName() + " on " + result.write().subject() + ")";
        if (result instanceof EventResult.Skipped s) {
            log.info("ignored " + event + ": " + s.reason());
        } else if (result instanceof EventResult.Failed f) {
            log.warning("failed " + event + ": " + f.reason());
        } else {
            List<Outcome> outcomes = ((EventResult.Reconciled) result).outcomes();
            if (outcomes.isEmpty()) {
                log.info("nothing to do for " + event + ": no kubenet node subnet is concerned");
            }
            for (Outcome o : outcomes) {
                log.log(level(o), o.logLine());
            }
        }
    }

    /** A failure to remediate is a Warning; a normal remediation or a decision to do nothing is Info. */
    public static Level level(Outcome o) {
        return switch (o.action()) {
            case FAILED, CONFLICT, ROUTE_TABLE_MISSING -> Level.WARNING;
            default -> Level.INFO;
        };
    }
}
