package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.port.RetryQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The pieces of one delivery's work being handed to the retry queue (none without a queue): sent side by side on
 * threads of their own, waited for together until {@link Guard#HAND_OFF} after the delivery's deadline, so that a slow
 * Storage cannot hold the delivery's answer. One per delivery; used by one thread.
 */
final class HandOffs {

    /** Where work is handed to the retry queue, off the caller's thread. Daemon threads, ended when idle. */
    private static final ExecutorService HANDERS = Executors.newCachedThreadPool(Daemons.named("hand-off"));

    private final RetryQueue retries;
    private final Clock clock;
    private final List<RetryRequest> requests = new ArrayList<>();
    private final List<Future<Boolean>> sends = new ArrayList<>();

    HandOffs(RetryQueue retries, Clock clock) {
        this.retries = Objects.requireNonNull(retries, "retries == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    void submit(RetryRequest request) {
        if (!retries.enabled()) {
            return;
        }
        requests.add(request);
        sends.add(HANDERS.submit(() -> retries.submit(request, Guard.retryDelay(1))));
    }

    int count() {
        return requests.size();
    }

    /**
     * Waits for the sends until {@link Guard#HAND_OFF} after {@code deadline} (measured from now, so a deadline already
     * past still leaves that much); returns the requests not handed on by then, in order. A send still running is
     * left to finish on its own (each is bounded by the queue's timeouts), but nothing counts on it.
     */
    List<RetryRequest> await(Instant deadline) {
        long left = Math.max(0, Duration.between(clock.instant(), deadline).toNanos()) + Guard.HAND_OFF.toNanos();
        long end = System.nanoTime() + left;
        List<RetryRequest> failed = new ArrayList<>();
        for (int i = 0; i < sends.size(); i++) {
            boolean handed;
            try {
                handed = sends.get(i).get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                handed = false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                handed = false;
            }
            if (!handed) {
                failed.add(requests.get(i));
            }
        }
        return failed;
    }
}
