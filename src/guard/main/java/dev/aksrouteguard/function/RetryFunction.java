package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import dev.aksrouteguard.core.Guard;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.queue.RetryMessages;
import dev.aksrouteguard.queue.StorageRetryQueue;
import dev.aksrouteguard.wiring.Wiring;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The queue-triggered function: tries again what the Event Grid function handed on (a transient failure, a busy
 * virtual network, a spent time budget). The decision is made on a fresh read, as always. While it still cannot
 * finish, it is handed on again with a longer wait; after {@link Guard#MAX_RETRIES} it is given up: alerted as failed
 * and kept in the poison queue. The drift sweep stays the backstop.
 */
public final class RetryFunction {

    public static final String NAME = "RetryRepair";

    /** The Storage queue of handed-on work; the Functions host's poison queue is {@code routeguard-retry-poison}. */
    public static final String QUEUE = StorageRetryQueue.NAME;

    /** How long one retry may take: a queue-triggered function is not held to Event Grid's 30 seconds. */
    static final Duration BUDGET = Duration.ofMinutes(2);

    static final Duration ALERT_FLUSH = Duration.ofSeconds(10);

    private final Supplier<Wiring> wiring;

    public RetryFunction() {
        this(Wiring::shared);
    }

    /** A function over a given object graph (the tests). */
    public static RetryFunction over(Wiring wiring) {
        Objects.requireNonNull(wiring, "wiring == null");
        return new RetryFunction(() -> wiring);
    }

    RetryFunction(Supplier<Wiring> wiring) {
        this.wiring = Objects.requireNonNull(wiring, "wiring == null");
    }

    @FunctionName(NAME)
    public void run(@QueueTrigger(name = "message", queueName = QUEUE, connection = "AzureWebJobsStorage", dataType = "string")
            String message,
            ExecutionContext context) {
        Logger log = context.getLogger();
        RetryRequest request;
        try {
            request = RetryMessages.read(message);
        } catch (IllegalArgumentException e) {
            log.warning("failed retry: dropped a retry message that cannot be read (the next sweep checks what it was about): "
                    + e.getMessage());
            return;
        }
        Wiring w = wiring.get();
        Guard.RetryResult result = w.guard().onRetry(request, w.clock().instant().plus(BUDGET));
        for (Outcome o : result.outcomes()) {
            log.log(o.severity(), o.logLine() + " (retry " + request.attempt() + ")");
        }
        if (result.failure() != null) {
            log.warning(result.failure());
        }
        switch (result.disposition()) {
            case AGAIN -> {
                if (result.failure() == null) { // else the failed line says it could not be handed on
                    log.info("retry " + request.attempt() + " of " + request.target() + " did not finish; handed on again");
                }
            }
            case GAVE_UP -> log.warning("gave up " + request.target() + " after " + request.attempt() + " retries; kept in "
                    + QUEUE + "-poison");
            default -> {
                if (result.outcomes().isEmpty() && result.failure() == null) { // an event that now concerns no subnet
                    log.info("retry " + request.attempt() + " of " + request.target() + ": nothing to decide (the event "
                            + "concerns no kubenet node subnet now, or is no longer one the guard acts on); done");
                }
            }
        }
        AlertFlush.await(w.alerts(), ALERT_FLUSH, log);
    }
}
