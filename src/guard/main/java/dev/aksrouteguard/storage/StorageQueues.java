package dev.aksrouteguard.storage;

import com.azure.core.util.Context;
import com.azure.storage.queue.QueueClient;
import com.azure.storage.queue.models.QueueStorageException;
import dev.aksrouteguard.core.model.Nullable;
import java.time.Duration;

/** Sending to an Azure Storage queue as the guard's queues do, and describing a failure without leaking a secret. */
public final class StorageQueues {

    /** Every call to a queue ends within this. */
    public static final Duration TIMEOUT = Duration.ofSeconds(10);

    private StorageQueues() {}

    /**
     * Sends {@code body}, visible after {@code delay} (none: at once). A missing queue (a first run, Azurite) is
     * created once and the send repeated. @throws RuntimeException when the queue cannot take the message
     */
    public static void send(QueueClient queue, String body, @Nullable Duration delay) {
        Duration visibility = delay == null || delay.isZero() ? null : delay;
        try {
            queue.sendMessageWithResponse(body, visibility, null, TIMEOUT, Context.NONE);
        } catch (RuntimeException e) {
            QueueStorageException error = storageError(e);
            if (error == null || error.getStatusCode() != 404) { // on a send, 404 is QueueNotFound
                throw e;
            }
            queue.createIfNotExistsWithResponse(null, TIMEOUT, Context.NONE);
            queue.sendMessageWithResponse(body, visibility, null, TIMEOUT, Context.NONE);
        }
    }

    /** Status and error code for a service error (its message may quote a SAS URL); null for anything else. */
    public static @Nullable String statusOf(Throwable e) {
        QueueStorageException q = storageError(e);
        return q == null ? null : "HTTP " + q.getStatusCode() + (q.getErrorCode() != null ? " " + q.getErrorCode() : "");
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
