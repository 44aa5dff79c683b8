package dev.aksrouteguard.teams;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The in-process work queue that keeps alerting out of the repair's way: one daemon thread, at most
 * {@value #CAPACITY} tasks waiting (beyond that a task is dropped with a Warning, so a storm cannot eat the worker's
 * memory), {@link #flush} to wait for what is queued, {@link #close} to drain and stop. {@link #submit} returns at once
 * and never throws; a task that throws is one scrubbed Warning line. Every line about a lost alert starts
 * {@value #LOST}.
 */
final class BackgroundQueue {

    /** Tasks waiting beyond this are dropped (with a Warning). */
    static final int CAPACITY = 200;

    /**
     * How a line about an alert that is lost starts: {@code failed }, so that the failed-outcome health alert reads it
     * (docs/deploy.md, "The queries and the log lines they read").
     */
    static final String LOST = "failed alerts: ";

    private final ThreadPoolExecutor worker;
    private final Logger log;
    private final Redaction redaction;
    private final AtomicLong dropped = new AtomicLong();
    private final Object lock = new Object();
    private int pending;
    private boolean closed;

    BackgroundQueue(String threadName, Logger log, Redaction redaction) {
        Objects.requireNonNull(threadName, "threadName == null");
        this.log = Objects.requireNonNull(log, "log == null");
        this.redaction = Objects.requireNonNull(redaction, "redaction == null");
        this.worker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(CAPACITY), r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy());
        worker.allowCoreThreadTimeOut(true);
    }

    /** Queues {@code task}; {@code what} names it in a Warning (it must hold no secret). */
    void submit(String what, Runnable task) {
        synchronized (lock) {
            if (closed) {
                log.warning(LOST + what + " arrived after shutdown; not sent");
                return;
            }
            pending++;
        }
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.warning(LOST + what + " not sent: " + redaction.describe(e));
                } finally {
                    done();
                }
            });
        } catch (RejectedExecutionException e) {
            done();
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 100 == 0) {
                log.warning(LOST + "more than " + CAPACITY + " alerts waiting; dropped " + what
                        + " (" + n + " dropped so far)");
            }
        }
    }

    /**
     * Waits until every task submitted so far has finished, or until {@code timeout}.
     *
     * @return true when nothing is left
     */
    boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return pending == 0;
                }
            }
            return true;
        }
    }

    /** Runs what is queued (waiting at most {@code timeout}), refuses new work and stops the thread. */
    void close(Duration timeout) {
        boolean drained = flush(timeout);
        int left;
        synchronized (lock) {
            closed = true;
            left = pending;
        }
        worker.shutdownNow();
        if (!drained) {
            log.warning(LOST + left + " alert(s) still queued at shutdown were not sent");
        }
    }

    /** Tasks dropped because the queue was full. */
    long dropped() {
        return dropped.get();
    }

    private void done() {
        synchronized (lock) {
            pending--;
            lock.notifyAll();
        }
    }
}
