package dev.aksrouteguard.core;

import dev.aksrouteguard.core.Guard.Disposition;
import dev.aksrouteguard.core.Guard.RetryResult;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.RetryQueue;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Work handed on to the retry queue, tried again: a subnet reconciled again, or an event mapped again and its subnets
 * reconciled; handed on once more, after a longer wait ({@link Guard#retryDelay}), while it still cannot finish; given
 * up — to the queue's poison store, with a failed outcome alerted — after {@link Guard#MAX_RETRIES}. (The retries
 * within one reconcile, of one ARM call, are {@link RetryLoop}'s.) Owned by {@link Guard}; thread-safe.
 */
final class Retries {

    private final EventMapper mapper;
    private final Batches batches;
    private final RetryQueue retries;
    private final AlertSink alerts;
    private final Mode mode;
    private final Clock clock;

    Retries(EventMapper mapper, Batches batches, RetryQueue retries, AlertSink alerts, Mode mode, Clock clock) {
        this.mapper = Objects.requireNonNull(mapper, "mapper == null");
        this.batches = Objects.requireNonNull(batches, "batches == null");
        this.retries = Objects.requireNonNull(retries, "retries == null");
        this.alerts = Objects.requireNonNull(alerts, "alerts == null");
        this.mode = Objects.requireNonNull(mode, "mode == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    private Mode mode() {
        return mode;
    }

    /** The body of {@link Guard#onRetry}: the work tried again by {@code deadline}, then handed on or given up. */
    RetryResult onRetry(RetryRequest request, Instant deadline) {
        Objects.requireNonNull(request, "request == null");
        Map<SubnetId, Trigger> work = new LinkedHashMap<>();
        List<String> unreadFor = List.of();
        SubnetId subnet = request.subnet();
        if (subnet != null) {
            work.put(subnet, request.trigger());
        } else {
            ArmWrite write = ((Trigger.Event) request.trigger()).write();
            EventResult mapped = mapper.mapAll(List.of(write), deadline).get(0);
            if (mapped instanceof EventResult.Failed f) {
                return again(request, List.of(), List.of(), f.retryable(), f.reason());
            }
            if (mapped instanceof EventResult.Mapped m) {
                m.subnets().forEach(s -> work.put(s, request.trigger()));
                unreadFor = m.unread();
            }
        }
        Batches.Batch batch = batches.reconcileAll(work, deadline);
        boolean unfinished = !batch.unfinished().isEmpty() || batch.outcomes().stream().anyMatch(Retries::needsRetry)
                || !unreadFor.isEmpty();
        if (!unfinished) {
            return new RetryResult(request, batch.outcomes(), Disposition.DONE);
        }
        return again(request, batch.outcomes(), batch.unfinished(), true, unreadFor.isEmpty() ? null
                : "the clusters of subscription(s) " + String.join(", ", unreadFor) + " were never read, so this VNet's "
                        + "node subnets of their clusters are not known");
    }

    /**
     * Hands {@code request} on once more, or after the last try gives it up: every outcome that still needs a retry
     * becomes a failed one (alerted), every subnet that never finished gets a failed outcome (alerted), and the
     * event-level reason ({@code eventFailure}: the event was never mapped, or not fully) is kept as the {@code failed}
     * line of the result, whatever subnets were given up beside it.
     *
     * @param unfinished subnets of the work not finished within the retry's time budget
     */
    private RetryResult again(RetryRequest request, List<Outcome> outcomes, List<SubnetId> unfinished, boolean retryable,
            @Nullable String eventFailure) {
        if (retryable && request.attempt() < Guard.MAX_RETRIES) {
            if (retries.submit(request.next(), Guard.retryDelay(request.attempt() + 1))) {
                return new RetryResult(request, outcomes, Disposition.AGAIN);
            }
            return new RetryResult(request, outcomes, Disposition.AGAIN, "failed " + request.target() + " mode="
                    + mode().word() + " :: could not hand retry " + (request.attempt() + 1) + " to the retry queue (Storage "
                    + "failed); the sweep keeps checking the subnets it concerns");
        }
        String gaveUpAfter = "gave up after " + request.attempt() + (request.attempt() == 1 ? " try" : " tries") + ": ";
        Map<Outcome, Outcome> gaveUp = new java.util.IdentityHashMap<>();
        for (Outcome o : outcomes) {
            if (needsRetry(o)) {
                gaveUp.put(o, o.gaveUp(gaveUpAfter + withoutHandOn(o.message())));
            }
        }
        List<Outcome> neverFinished = new ArrayList<>();
        for (SubnetId s : unfinished) {
            neverFinished.add(new Outcomes(s, mode(), request.trigger(), clock).failed(gaveUpAfter
                    + "the work never finished within its time budget").nextStep("check the guard's log for slow ARM calls; "
                    + "the sweep keeps checking the subnet").done());
        }
        List<Outcome> all = new ArrayList<>(outcomes);
        all.replaceAll(o -> gaveUp.getOrDefault(o, o));
        all.addAll(neverFinished);
        List<Outcome> alerted = all.stream().filter(o -> gaveUp.containsValue(o) || neverFinished.contains(o)).toList();
        alerted.forEach(alerts::outcome);
        retries.giveUp(request, alerted.isEmpty() ? null : alerted.get(0));
        String failure = eventFailure == null && (!alerted.isEmpty() || request.subnet() != null) ? null
                : "failed " + request.target() + " mode=" + mode().word() + " :: " + gaveUpAfter
                        + (eventFailure != null ? eventFailure : "the event was never mapped to subnets")
                        + "; the sweep keeps checking the subnets it concerns";
        return new RetryResult(request, all, Disposition.GAVE_UP, failure);
    }

    /**
     * What kept a deferred outcome from finishing, without its "handed on to be tried again": said of work given up, that
     * would tell the alert's reader the retry queue still has it, when only the sweep will look at the subnet again.
     */
    static String withoutHandOn(String message) {
        return message.replace(", handed on to be tried again", "");
    }

    /** A deferred outcome, or a failure that a later try may mend. */
    static boolean needsRetry(Outcome o) {
        return o.action() == Action.DEFERRED || o.action() == Action.FAILED && o.retryable();
    }
}
