package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.EventGridTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The Event Grid–triggered function: an ARM write event in, the affected kubenet node subnets reconciled. Throws
 * only for a transient failure, so that Event Grid's own retry redelivers the event; a poison event is logged and
 * dropped.
 */
public final class EventGridFunction {

    /** The function name, as the event subscription in {@code infra/} must name it. */
    public static final String NAME = "OnResourceWrite";

    /** How long an invocation waits for its alerts before returning (Event Grid allows 30 s per delivery). */
    static final Duration ALERT_FLUSH = Duration.ofSeconds(10);

    private final Supplier<Wiring> wiring;

    public EventGridFunction() {
        this(Wiring::shared);
    }

    /** A function over a given object graph (the demo, the tests). */
    public static EventGridFunction over(Wiring wiring) {
        Objects.requireNonNull(wiring, "wiring == null");
        return new EventGridFunction(() -> wiring);
    }

    EventGridFunction(Supplier<Wiring> wiring) {
        this.wiring = Objects.requireNonNull(wiring, "wiring == null");
    }

    @FunctionName(NAME)
    public void run(@EventGridTrigger(name = "event") String event, ExecutionContext context) {
        Wiring w = wiring.get();
        Deliveries.Report report = Deliveries.handle(event, w.guard(), context.getLogger());
        w.alerts().flush(ALERT_FLUSH);
        if (report.retryable()) {
            throw new TransientFailureException("a transient ARM failure stopped the repair; Event Grid will redeliver the event");
        }
    }

    /** Thrown so that Event Grid redelivers the event; its message holds no secret. */
    static final class TransientFailureException extends RuntimeException {
        TransientFailureException(String message) {
            super(message);
        }
    }
}
