package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reconciles subnets, one or a batch at a time, and what follows each outcome: the {@link Provenance} follow-up of a
 * stripped subnet (the deployment that made the write, the repair history), then the hand-off to the {@link AlertSink}.
 * A batch runs with bounded concurrency on threads of its own, so that no caller is held past its deadline by a slow
 * ARM call, and a repair slot only reconciles: the follow-up and the alert run off it. Owned by {@link Guard};
 * thread-safe.
 */
final class Batches {

    /**
     * Where an outcome whose follow-up finished on another thread is handed to the alert sink: not Provenance's timer
     * thread, which only completes futures. Two daemon threads, ended when idle.
     */
    private static final ExecutorService ALERT_HANDOFF = alertHandoff();

    private static ExecutorService alertHandoff() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), Daemons.named("alert-handoff"));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private final Reconciler reconciler;
    private final Provenance provenance;
    private final AlertSink alerts;
    private final Clock clock;
    private final int concurrency;

    Batches(Reconciler reconciler, Provenance provenance, AlertSink alerts, Clock clock, int concurrency) {
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler == null");
        this.provenance = Objects.requireNonNull(provenance, "provenance == null");
        this.alerts = Objects.requireNonNull(alerts, "alerts == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.concurrency = concurrency;
    }

    /** The body of {@link Guard#reconcile(SubnetId, Trigger, Instant)}: the repair, its follow-up and its alert. */
    Outcome reconcile(SubnetId id, Trigger trigger, Instant deadline) {
        return repair(id, trigger, deadline).settled();
    }

    /**
     * A subnet reconciled on the calling thread, and what follows it ({@link Provenance#follow}, then the alert) on
     * other threads, so that the caller (a repair slot) is free for the next subnet at once.
     */
    private record Repaired(Outcome outcome, CompletableFuture<Outcome> followed, Duration bound) {

        /** The followed outcome (alerted), waited for at most {@code bound}; the bare outcome if it is not done by then. */
        Outcome settled() {
            try {
                return followed.get(bound.toNanos(), TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return outcome;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return outcome;
            }
        }
    }

    private Repaired repair(SubnetId id, Trigger trigger, Instant deadline) {
        Outcome outcome = reconciler.reconcile(id, trigger, deadline);
        CompletableFuture<Outcome> follow = provenance.follow(outcome, deadline);
        // Done already: alerted on this thread. Otherwise never on the thread that completes it (Provenance's one timer
        // thread, or a lookup thread): a cold sink is built on its first alert, which would delay every other timeout.
        CompletableFuture<Outcome> followed = follow.isDone()
                ? follow.thenApply(o -> alerted(o))
                : follow.thenApplyAsync(o -> alerted(o), ALERT_HANDOFF);
        // follow() completes within maxWait by its own timer; the margin only guards against a stalled timer
        return new Repaired(outcome, followed, provenance.maxWait().plusSeconds(1));
    }

    private Outcome alerted(Outcome o) {
        alerts.outcome(o);
        return o;
    }

    /** What a batch finished by its deadline, and the subnets it did not (not started, or not done). */
    record Batch(List<Outcome> outcomes, List<SubnetId> unfinished) {}

    /**
     * Reconciles {@code work} with bounded concurrency, on threads of its own so that the caller is never held past
     * {@code deadline} by a slow ARM call. A subnet not started by the deadline is not started at all. One still
     * running then is, with {@code waitForStarted}, waited for (every wait of a reconcile ends by the deadline; only
     * an ARM call in flight can outlast it, and each is bounded); without it, left to finish on its own while this
     * returns. Outcomes come back in the order of {@code work}.
     */
    Batch reconcileAll(Map<SubnetId, Trigger> work, Instant deadline) {
        return reconcileAll(work, deadline, false);
    }

    Batch reconcileAll(Map<SubnetId, Trigger> work, Instant deadline, boolean waitForStarted) {
        if (work.isEmpty()) {
            return new Batch(List.of(), List.of());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, work.size()), Daemons.named("reconcile"));
        Map<SubnetId, Future<Repaired>> futures = new LinkedHashMap<>();
        try {
            // a slot only reconciles: what follows a stripped subnet (deployment, history, alert) runs off it
            work.forEach((subnet, trigger) -> futures.put(subnet, pool.submit(
                    () -> clock.instant().isBefore(deadline) ? repair(subnet, trigger, deadline) : null)));
        } finally {
            pool.shutdown(); // running reconciles finish on their own; nothing new is accepted
        }
        List<Outcome> outcomes = new ArrayList<>();
        List<SubnetId> unfinished = new ArrayList<>();
        for (Map.Entry<SubnetId, Future<Repaired>> f : futures.entrySet()) {
            Repaired r = await(f.getValue(), waitForStarted ? null : deadline);
            if (r == null) {
                unfinished.add(f.getKey());
            } else {
                outcomes.add(r.settled()); // bounded by Provenance's wait, which ends by the deadline
            }
        }
        return new Batch(outcomes, unfinished);
    }

    /** The repair, or null when it was not started or is not done by the deadline (null: no deadline). */
    private @Nullable Repaired await(Future<Repaired> future, @Nullable Instant deadline) {
        try {
            if (deadline == null) {
                return future.get();
            }
            long left = Math.max(0, Duration.between(clock.instant(), deadline).toNanos());
            return future.get(left, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            throw new IllegalStateException("a reconcile threw, which it must never do", e.getCause());
        }
    }
}
