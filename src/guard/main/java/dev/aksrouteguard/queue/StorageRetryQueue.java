package dev.aksrouteguard.queue;

import com.azure.storage.queue.QueueClient;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.port.RetryQueue;
import dev.aksrouteguard.storage.StorageQueues;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The retry queue over Azure Storage: a {@link RetryRequest} becomes a message on {@value #NAME}, made visible after
 * the delay (the queue's visibility timeout is the backoff), for the queue-triggered {@code RetryRepair} function.
 * Work given up goes to {@value #POISON_NAME}, where the Functions host also moves a message whose function threw
 * {@code maxDequeueCount} times. Never throws: a message that cannot be queued is one Warning (the drift sweep is the
 * backstop).
 */
public final class StorageRetryQueue implements RetryQueue {

    /** The queue the retry function reads (its {@code @QueueTrigger}). */
    public static final String NAME = "routeguard-retry";

    /** The Functions host's poison queue for {@link #NAME}; given-up work is kept there too. */
    public static final String POISON_NAME = NAME + "-poison";

    private final QueueClient queue;
    private final QueueClient poison;
    private final Logger log;

    public StorageRetryQueue(QueueClient queue, QueueClient poison, Logger log) {
        this.queue = Objects.requireNonNull(queue, "queue == null");
        this.poison = Objects.requireNonNull(poison, "poison == null");
        this.log = Objects.requireNonNull(log, "log == null");
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean submit(RetryRequest request, Duration delay) {
        try {
            StorageQueues.send(queue, RetryMessages.write(request), delay);
            return true;
        } catch (RuntimeException e) {
            log.warning("could not hand " + request.target() + " to the retry queue (" + describe(e)
                    + "); the next sweep checks it");
            return false;
        }
    }

    @Override
    public void giveUp(RetryRequest request, @Nullable Outcome last) {
        try {
            StorageQueues.send(poison, RetryMessages.write(request), null);
        } catch (RuntimeException e) {
            log.warning("could not keep given-up work on " + request.target() + " in " + POISON_NAME + " (" + describe(e) + ")");
        }
    }

    private static String describe(RuntimeException e) {
        String status = StorageQueues.statusOf(e);
        return status != null ? status : e.getClass().getSimpleName();
    }
}
