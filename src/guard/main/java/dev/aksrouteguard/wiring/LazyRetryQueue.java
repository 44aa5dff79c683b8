package dev.aksrouteguard.wiring;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.port.RetryQueue;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * The Storage retry queue, built when the first piece of work is handed on: most invocations finish and never need
 * it. It is made only for a storage connection that names a queue endpoint, so it is {@link #enabled()} from the start;
 * should the clients still not build (a connection string the SDK rejects), the build says so once
 * ({@link StorageClients#retryQueue}) and each piece of work handed on is one Warning, left to the next sweep.
 */
final class LazyRetryQueue implements RetryQueue {

    private final Lazy<RetryQueue> queue;
    private final Logger log;

    LazyRetryQueue(Lazy<RetryQueue> queue, Logger log) {
        this.queue = Objects.requireNonNull(queue, "queue == null");
        this.log = Objects.requireNonNull(log, "log == null");
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public boolean submit(RetryRequest request, Duration delay) {
        RetryQueue q = queue.get();
        if (!q.enabled()) {
            log.warning("could not hand " + request.target() + " to the retry queue (no queue client); the next sweep checks it");
            return false;
        }
        return q.submit(request, delay);
    }

    @Override
    public void giveUp(RetryRequest request, @Nullable Outcome last) {
        RetryQueue q = queue.get();
        if (!q.enabled()) {
            log.warning("could not keep given-up work on " + request.target() + " (no queue client)");
            return;
        }
        q.giveUp(request, last);
    }
}
