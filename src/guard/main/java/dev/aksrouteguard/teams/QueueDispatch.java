package dev.aksrouteguard.teams;

import com.azure.core.util.Context;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueStorageException;
import dev.aksrouteguard.core.model.Nullable;
import java.time.Duration;
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

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

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

    /** Sends; a missing queue (a local run, Azurite) is created once and the send repeated. */
    private void enqueue(AlertMessage message) {
        String body = message.toJson();
        try {
            queue.sendMessageWithResponse(body, null, null, TIMEOUT, Context.NONE);
        } catch (RuntimeException e) {
            QueueStorageException error = storageError(e);
            if (error == null || error.getStatusCode() != 404) { // on a send, 404 is QueueNotFound
                throw e;
            }
            queue.createIfNotExistsWithResponse(null, TIMEOUT, Context.NONE);
            queue.sendMessageWithResponse(body, null, null, TIMEOUT, Context.NONE);
        }
    }

    @Override
    public String describe() {
        return "delivered through the Storage queue " + queue.getQueueName();
    }

    /** Status and error code for a service error (its message may quote a SAS URL); a scrubbed phrase otherwise. */
    private String describe(RuntimeException e) {
        QueueStorageException q = storageError(e);
        if (q != null) {
            return "HTTP " + q.getStatusCode() + (q.getErrorCode() != null ? " " + q.getErrorCode() : "");
        }
        return redaction.describe(e);
    }

    /** The service error behind {@code e}: a call with a timeout wraps it (RuntimeException, ExecutionException). */
    private static @Nullable QueueStorageException storageError(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof QueueStorageException q) {
                return q;
            }
        }
        return null;
    }
}
