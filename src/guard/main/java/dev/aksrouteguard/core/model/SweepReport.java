package dev.aksrouteguard.core.model;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What one drift sweep found and did.
 *
 * @param outcomes one per node subnet of every kubenet cluster that was reached
 * @param notReached drifted subnets left for the next sweep because the time budget ran out (no write started)
 * @param calls ARM reads and writes made by the sweep
 * @param error why the sweep could not run at all (the subscriptions could not be listed or discovered), or null
 * @param subscriptions each guarded subscription: whether it was read and reached in time (its outcomes are those of
 *     its subnets); empty when the sweep could not run
 * @param discoveryProblem why discovering a management group's subscriptions again failed, so that the sweep swept
 *     the list it knew before (which can miss a subscription added since); null when the list was current
 */
public record SweepReport(
        Instant startedAt,
        Instant finishedAt,
        Mode mode,
        List<Outcome> outcomes,
        List<Outcome> notReached,
        CallCount calls,
        @Nullable String error,
        List<Subscription> subscriptions,
        @Nullable String discoveryProblem) {

    public SweepReport {
        Objects.requireNonNull(mode, "mode == null");
        error = error == null ? null : withoutSecrets(error);
        discoveryProblem = discoveryProblem == null ? null : withoutSecrets(discoveryProblem);
        outcomes = List.copyOf(outcomes);
        notReached = List.copyOf(notReached);
        subscriptions = List.copyOf(subscriptions);
    }

    /** A sweep over a list of subscriptions known to be current. */
    public SweepReport(Instant startedAt, Instant finishedAt, Mode mode, List<Outcome> outcomes, List<Outcome> notReached,
            CallCount calls, @Nullable String error, List<Subscription> subscriptions) {
        this(startedAt, finishedAt, mode, outcomes, notReached, calls, error, subscriptions, null);
    }

    /** A sweep of one subscription, or of a scope that could not be read at all ({@code error}). */
    public SweepReport(Instant startedAt, Instant finishedAt, Mode mode, List<Outcome> outcomes, List<Outcome> notReached,
            CallCount calls, @Nullable String error) {
        this(startedAt, finishedAt, mode, outcomes, notReached, calls, error, List.of());
    }

    /**
     * One guarded subscription in a sweep.
     *
     * @param name its display name, when known
     * @param error why it could not be read (it was skipped; the others were swept), or null
     * @param reached false when the time budget ran out before its work began
     */
    public record Subscription(String id, @Nullable String name, @Nullable String error, boolean reached) {
        public Subscription {
            Objects.requireNonNull(id, "id == null");
            error = error == null ? null : withoutSecrets(error);
        }

        /** "Payments (1234…)" or the ID alone. */
        public String label() {
            return name == null || name.isBlank() ? id : name + " (" + id + ")";
        }
    }

    /** {@code text} with anything secret-shaped masked ({@code sig=***}): {@link Secrets#mask}. */
    public static String withoutSecrets(String text) {
        return Secrets.mask(text);
    }

    /** The outcomes and drifted subnets not reached of one subscription (by the subnet's subscription). */
    public Map<Action, Integer> counts(String subscriptionId) {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        outcomes.stream().filter(o -> o.subnet().subscriptionId().equalsIgnoreCase(subscriptionId))
                .forEach(o -> counts.merge(o.action(), 1, Integer::sum));
        return counts;
    }

    /** The subscriptions that could not be read, or that the time budget did not reach. */
    public List<Subscription> notSwept() {
        return subscriptions.stream().filter(s -> s.error() != null || !s.reached()).toList();
    }

    /** The subscriptions that could not be read (skipped; the others were swept). */
    public List<Subscription> unreadableSubscriptions() {
        return subscriptions.stream().filter(s -> s.error() != null).toList();
    }

    /** The subscriptions the time budget ran out before (nothing of them was read or written). */
    public List<Subscription> subscriptionsNotReached() {
        return subscriptions.stream().filter(s -> s.error() == null && !s.reached()).toList();
    }

    /**
     * True when the sweep left work for the next one without anything failing: a drifted subnet or a subscription
     * not reached within the time budget, or a subnet {@code deferred}.
     */
    public boolean anyUnfinished() {
        return !notReached.isEmpty() || !subscriptionsNotReached().isEmpty()
                || outcomes.stream().anyMatch(o -> o.action() == Action.DEFERRED);
    }

    public Duration took() {
        return Duration.between(startedAt, finishedAt);
    }

    public Map<Action, Integer> counts() {
        Map<Action, Integer> counts = new EnumMap<>(Action.class);
        outcomes.forEach(o -> counts.merge(o.action(), 1, Integer::sum));
        return counts;
    }

    public boolean anyFailed() {
        return error != null || outcomes.stream().anyMatch(o -> o.action() == Action.FAILED)
                || subscriptions.stream().anyMatch(s -> s.error() != null);
    }

    /**
     * Logs the sweep: one line per subnet that is not in sync (at the outcome's severity), one per subnet and per
     * subscription not reached, one per subscription that could not be read, one when the subscriptions could not be
     * discovered again, then the one summary line (Warning when something failed, was not reached or the list of
     * subscriptions is stale). The guard's alerts in Azure Monitor read these lines (docs/deploy.md).
     */
    public void writeTo(Logger log) {
        if (discoveryProblem != null) {
            log.warning("stale subscriptions: could not discover the guarded subscriptions again, swept the "
                    + subscriptions.size() + " known before (a subscription added since is not swept yet): " + discoveryProblem);
        }
        for (Outcome o : outcomes) {
            if (o.action() != Action.IN_SYNC) {
                log.log(o.severity(), o.logLine());
            }
        }
        for (Outcome o : notReached) {
            log.warning("not reached (time budget spent; the next sweep repairs it): " + o.subnet());
        }
        for (Subscription s : subscriptions) {
            if (s.error() != null) {
                log.warning("failed subscription " + s.label() + ": could not be read, not swept (the others were): " + s.error());
            } else if (!s.reached()) {
                log.warning("not reached (time budget spent; the next sweep sweeps it): subscription " + s.label());
            }
        }
        log.log(anyFailed() || anyUnfinished() || discoveryProblem != null ? Level.WARNING : Level.INFO, summaryLine());
    }

    /**
     * The summary line: counts per action, what was not reached, duration, ARM reads and writes, and when the sweep
     * listed any subscription, how many there were, could not be read and were not reached ({@code discovery=stale} when their
     * list could not be discovered again). {@code error=} only when the sweep could not run at all: the alert that
     * the guard stopped sweeping reads this line (docs/deploy.md).
     */
    public String summaryLine() {
        StringBuilder sb = new StringBuilder("sweep mode=").append(mode.word()).append(" subnets=").append(outcomes.size());
        for (Action a : Action.values()) {
            sb.append(' ').append(a.word()).append('=').append(counts().getOrDefault(a, 0));
        }
        sb.append(" not-reached=").append(notReached.size())
                .append(" took=").append(took().toMillis()).append("ms")
                .append(" armReads=").append(calls.reads())
                .append(" armWrites=").append(calls.writes());
        if (!subscriptions.isEmpty()) {
            sb.append(" subscriptions=").append(subscriptions.size())
                    .append(" unreadable=").append(unreadableSubscriptions().size())
                    .append(" subscriptions-not-reached=").append(subscriptionsNotReached().size());
        }
        if (discoveryProblem != null) {
            sb.append(" discovery=stale");
        }
        if (error != null) {
            sb.append(" error=").append(error);
        }
        return sb.toString();
    }
}
