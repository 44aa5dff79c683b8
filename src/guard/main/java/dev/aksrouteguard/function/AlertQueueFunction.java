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
 * <p>Both queue triggers declare {@code dataType = "string"}, which the Java library documents as "always get the value
 * as a string": without it the host binds the message as an object (azure-functions-host,
 * {@code GeneralScriptBindingProvider.ParseDataType}), which the queue extension's code can read with Json.NET
 * (azure-sdk-for-net, {@code Storage.Queues UserTypeArgumentBindingProvider}): a message could then reach the function
 * re-serialized or, if it is not JSON, fail before the function runs, retried and poisoned instead of dropped with one
 * line. Not checked on a real host.
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
