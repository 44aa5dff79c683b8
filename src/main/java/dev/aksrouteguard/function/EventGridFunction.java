package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.EventGridTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.events.Deliveries;
import dev.aksrouteguard.wiring.Wiring;
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

    private final Supplier<Guard> guard;

    public EventGridFunction() {
        this(() -> Wiring.shared().guard());
    }

    EventGridFunction(Supplier<Guard> guard) {
        this.guard = Objects.requireNonNull(guard, "guard == null");
    }

    @FunctionName(NAME)
    public void run(@EventGridTrigger(name = "event") String event, ExecutionContext context) {
        Deliveries.Report report = Deliveries.handle(event, guard.get(), context.getLogger());
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
