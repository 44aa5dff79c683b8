package dev.aksrouteguard.teams;

import com.azure.storage.queue.QueueClient;
import dev.aksrouteguard.storage.StorageQueues;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Hands the rendered alert to the {@value TeamsAlertQueue#NAME} Storage queue, where the queue-triggered function
 * posts it, retries it and, after the last attempt, leaves it in {@value TeamsAlertQueue#POISON_NAME}. The alert then
 * survives the function instance that raised it (an instance scaled in right after the invocation), and the Event
 * Grid and timer invocations never wait for Teams: sending to the queue is one short Storage call.
 *
 * <p>When the queue cannot take the message (the queue is down, the identity lacks its role), the alert is not lost:
 * it is posted at once through {@code fallback}, after one Warning that says why (status and error code only).
 */
final class QueueDispatch implements Dispatch {

    private final QueueClient queue;
    private final Dispatch fallback;
    private final Logger log;
    private final Redaction redaction;

    QueueDispatch(QueueClient queue, Dispatch fallback, Logger log, Redaction redaction) {
        this.queue = Objects.requireNonNull(queue, "queue == null");
        this.fallback = Objects.requireNonNull(fallback, "fallback == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.redaction = Objects.requireNonNull(redaction, "redaction == null");
    }

    @Override
    public void send(AlertMessage message) {
        try {
            enqueue(message);
            log.fine(() -> "Teams alert queued for delivery: " + message.subject());
        } catch (RuntimeException e) {
            log.warning("Teams alerts: could not queue " + message.subject() + " for delivery (" + describe(e)
                    + "); sending it directly");
            fallback.send(message);
        }
    }

    private void enqueue(AlertMessage message) {
        StorageQueues.send(queue, message.toJson(), null);
    }

    @Override
    public String describe() {
        return "delivered through the Storage queue " + queue.getQueueName();
    }

    /** Status and error code for a service error (its message may quote a SAS URL); a scrubbed phrase otherwise. */
    private String describe(RuntimeException e) {
        String status = StorageQueues.statusOf(e);
        return status != null ? status : redaction.describe(e);
    }
}
