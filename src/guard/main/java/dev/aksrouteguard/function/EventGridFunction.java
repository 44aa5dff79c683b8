package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.EventGridTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The Event Grid–triggered function: an ARM write event in, the affected kubenet node subnets reconciled. It answers
 * within {@code EVENT_TIME_BUDGET} (Event Grid waits 30 s, and repeated failures would put the event subscription into
 * delayed delivery, holding back new events), whatever ARM or Teams do: what did not finish, or failed transiently,
 * is handed to the retry queue ({@link RetryFunction}). It never throws for an ARM or Teams failure; a poison event is
 * logged and dropped.
 */
public final class EventGridFunction {

    /** The function name, as the event subscription in {@code infra/} must name it. */
    public static final String NAME = "OnResourceWrite";

    /** At most this long is spent after the budget waiting for alerts to be handed on: the answer comes within 28 s. */
    static final Duration ALERT_FLUSH = Duration.ofSeconds(3);

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
        Instant started = Instant.now();
        Wiring w = wiring.get();
        // the budget counts from the invocation's start, the graph's first build included
        Instant deadline = w.clock().instant().minus(java.time.Duration.between(started, Instant.now()))
                .plus(w.settings().eventTimeBudget());
        Deliveries.handle(event, w.guard(), deadline, context.getLogger());
        AlertFlush.await(w.alerts(), Budget.left(w.clock(), deadline.plus(ALERT_FLUSH), ALERT_FLUSH), context.getLogger());
    }
}
