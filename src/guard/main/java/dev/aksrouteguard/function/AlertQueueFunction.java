package dev.aksrouteguard.function;

import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.QueueTrigger;
import dev.aksrouteguard.teams.TeamsAlertQueue;
import dev.aksrouteguard.wiring.Wiring;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The queue-triggered function that posts the Teams alerts the other functions queued ({@value TeamsAlertQueue#NAME},
 * through the app's identity-based {@code AzureWebJobsStorage} connection). Throws when a later attempt could
 * succeed, so that the Functions host delivers the message again after {@code visibilityTimeout} and, after
 * {@code maxDequeueCount} attempts, moves it to {@value TeamsAlertQueue#POISON_NAME} (host.json).
 *
 * <p>Both queue triggers declare {@code dataType = "string"}: without it the host binds the message as an object, reads
 * it with Json.NET and fails the invocation before the function runs when the text is not JSON, so such a message
 * would be retried and poisoned instead of dropped with one line (azure-functions-host,
 * {@code GeneralScriptBindingProvider.ParseDataType}; azure-sdk-for-net, {@code Storage.Queues
 * UserTypeArgumentBindingProvider}).
 */
public final class AlertQueueFunction {

    public static final String NAME = "DeliverAlert";

    private final Supplier<Wiring> wiring;

    public AlertQueueFunction() {
        this(Wiring::shared);
    }

    /** A function over a given object graph (the tests). */
    public static AlertQueueFunction over(Wiring wiring) {
        Objects.requireNonNull(wiring, "wiring == null");
        return new AlertQueueFunction(() -> wiring);
    }

    AlertQueueFunction(Supplier<Wiring> wiring) {
        this.wiring = Objects.requireNonNull(wiring, "wiring == null");
    }

    @FunctionName(NAME)
    public void run(@QueueTrigger(name = "message", queueName = TeamsAlertQueue.NAME, connection = "AzureWebJobsStorage",
            dataType = "string") String message,
            @BindingName("DequeueCount") long dequeueCount, ExecutionContext context) {
        if (wiring.get().alertQueue().deliver(message, dequeueCount, context.getLogger()).redeliver()) {
            throw new RedeliveryException("the Teams alert was not delivered; the queue delivers it again");
        }
    }

    /** Thrown so that the host keeps the message; its message holds no secret. */
    static final class RedeliveryException extends RuntimeException {
        RedeliveryException(String message) {
            super(message);
        }
    }
}
