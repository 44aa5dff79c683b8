package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.DeliveryResult;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.DeploymentLookup;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.core.port.RepairHistory;
import dev.aksrouteguard.core.port.RetryQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The guard: turns every trigger (a delivery of events, a retry, the sweep, the CLI) into subnet keys, reconciles
 * each with the one {@link Reconciler}, tells the {@link AlertSink}, and hands what could not finish to the
 * {@link RetryQueue}. Built once per worker; thread-safe.
 *
 * <p>This is the facade; a delivery ({@link #onWrites}) is coalesced here, and the work is done by: {@link EventMapper}
 * (events to subnets within a deadline), {@link HandOffs} (a delivery's work handed to the retry queue),
 * {@link Retries} (handed-on work tried again, then given up), {@link Batches} (subnets reconciled with bounded
 * concurrency, then the provenance follow-up and the alert) and {@link Sweeper} (the sweep and the audit across
 * subscriptions).
 */
public final class Guard {

    /** Retries of one piece of work before it is given up (and alerted): about 15 minutes of tries in all. */
    public static final int MAX_RETRIES = 5;

    private final ClusterDirectory directory;
    private final Reconciler reconciler;
    private final RetryQueue retries;
    private final Clock clock;
    private final Provenance provenance;
    private final EventMapper mapper;
    private final Batches batches;
    private final Retries retrying;
    private final Sweeper sweeper;

    /**
     * A guard that names no deployment and keeps no repair history.
     *
     * @param concurrency how many subnets are reconciled at once by a delivery or a sweep (writes within one virtual
     *     network are serialized anyway)
     */
    public Guard(ClusterDirectory directory, Reconciler reconciler, AlertSink alerts, RetryQueue retries, ArmTraffic traffic,
            Clock clock, int concurrency) {
        this(directory, reconciler, alerts, retries, traffic, clock, concurrency, Provenance.NONE);
    }

    /**
     * A guard that, after each outcome of a stripped subnet and off the thread that repaired it (no repair waits for a
     * lookup), names the ARM deployment that made the write and records the strip in {@code history}, escalating by
     * {@code policy}.
     *
     * @param problems where a failed deployment lookup is reported (one line each; the outcome then names the
     *     principal only)
     */
    public Guard(ClusterDirectory directory, Reconciler reconciler, AlertSink alerts, RetryQueue retries, ArmTraffic traffic,
            Clock clock, int concurrency, DeploymentLookup deployments, RepairHistory history, Recurrence.Policy policy,
            Consumer<String> problems) {
        this(directory, reconciler, alerts, retries, traffic, clock, concurrency,
                new Provenance(deployments, history, policy, clock, problems));
    }

    private Guard(ClusterDirectory directory, Reconciler reconciler, AlertSink alerts, RetryQueue retries, ArmTraffic traffic,
            Clock clock, int concurrency, Provenance provenance) {
        this.provenance = Objects.requireNonNull(provenance, "provenance == null");
        this.directory = Objects.requireNonNull(directory, "directory == null");
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler == null");
        Objects.requireNonNull(alerts, "alerts == null");
        this.retries = Objects.requireNonNull(retries, "retries == null");
        Objects.requireNonNull(traffic, "traffic == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency < 1");
        }
        this.mapper = new EventMapper(directory, clock);
        this.batches = new Batches(reconciler, provenance, alerts, clock, concurrency);
        this.retrying = new Retries(mapper, batches, retries, alerts, reconciler.mode(), clock);
        this.sweeper = new Sweeper(directory, reconciler, batches, alerts, traffic, clock, concurrency);
    }

    public Mode mode() {
        return reconciler.mode();
    }

    public GuardedSubscriptions scope() {
        return directory.scope();
    }

    /** Where strips are recorded ({@link RepairHistory#NONE} without storage). */
    public RepairHistory history() {
        return provenance.history();
    }

    /** When a subnet counts as stripped too often: {@code RECURRENCE_THRESHOLD} within {@code RECURRENCE_WINDOW_DAYS}. */
    public Recurrence.Policy recurrencePolicy() {
        return provenance.policy();
    }

    /**
     * How often each of {@code subnets} has been stripped within the policy's window, from one read of the history; null
     * when the history is off or unavailable.
     */
    public @Nullable Map<SubnetId, Recurrence> recurrences(List<SubnetId> subnets) {
        return provenance.history().recurrences(subnets, provenance.policy(), clock.instant());
    }

    /** The wait before retry {@code attempt} (1-based): 30 s, doubling, at most 8 minutes. */
    public static Duration retryDelay(int attempt) {
        return Duration.ofSeconds(30L << Math.min(Math.max(attempt - 1, 0), 4));
    }

    // ---- events ----------------------------------------------------------------------------------------------

    /**
     * Handles the ARM write events of one delivery by {@code deadline}: each event is checked (guarded subscription,
     * handled operation, subject type) and mapped to subnets; the subnets of all events are coalesced, so each is read
     * once however many events name it (a cluster named by many agent-pool events is read once too); the subnets are
     * reconciled with bounded concurrency, each under the trigger of the latest event that named it. What did not
     * finish by the deadline, was deferred or failed transiently is handed to the retry queue, all pieces side by side
     * and within {@link #HAND_OFF} after the deadline (however slow Storage is); a piece not handed on by then is
     * reported in {@link DeliveryResult#notHandedOn()}. Never throws.
     */
    public DeliveryResult onWrites(List<ArmWrite> writes, Instant deadline) {
        Objects.requireNonNull(writes, "writes == null");
        Objects.requireNonNull(deadline, "deadline == null");
        // An event without a time (CloudEvents makes it optional) is stamped with its receipt, which its retries keep: a
        // "no" for it is then never taken from a listing older than that, and a retry settles once one is newer.
        Instant received = clock.instant();
        writes = writes.stream().map(w -> w.eventTime() != null ? w
                : new ArmWrite(w.eventId(), w.operationName(), w.subject(), received, w.correlationId(), w.actor())).toList();
        List<EventResult> events = mapper.mapAll(writes, deadline);
        Map<SubnetId, Trigger> work = new LinkedHashMap<>();
        HandOffs handOffs = new HandOffs(retries, clock);
        for (EventResult result : events) {
            ArmWrite write = result.write();
            if (result instanceof EventResult.Mapped mapped) {
                Trigger trigger = new Trigger.Event(write);
                mapped.subnets().forEach(s -> work.merge(s, trigger, Guard::later));
                if (!mapped.unread().isEmpty()) { // the VNet's other node subnets, once all is read
                    handOffs.submit(new RetryRequest(write.subject(), trigger, 1));
                }
            } else if (result instanceof EventResult.Failed f && f.retryable()) {
                handOffs.submit(new RetryRequest(write.subject(), new Trigger.Event(write), 1));
            }
        }
        Batches.Batch batch = batches.reconcileAll(work, deadline);
        for (Outcome o : batch.outcomes()) {
            if (Retries.needsRetry(o)) {
                handOffs.submit(RetryRequest.first(o.subnet(), o.trigger()));
            }
        }
        for (SubnetId s : batch.unfinished()) {
            handOffs.submit(RetryRequest.first(s, work.get(s)));
        }
        List<RetryRequest> notHandedOn = handOffs.await(deadline);
        return new DeliveryResult(events, batch.outcomes(), batch.unfinished(), handOffs.count() - notHandedOn.size(),
                notHandedOn);
    }

    /**
     * The most time spent after a delivery's deadline handing its work to the retry queue: each send to Storage may
     * take up to its own timeout (twice, on a missing queue), so the pieces are sent side by side and waited for
     * together, and the Event Grid function still answers well within Event Grid's 30 s ({@code EVENT_TIME_BUDGET}
     * 20 s by default, this, then at most 3 s of alert flushing, which ends by the same point).
     */
    public static final Duration HAND_OFF = Duration.ofSeconds(3);

    /** The more recent of two events naming the same subnet: its writer is the likelier cause of the drift. */
    private static Trigger later(Trigger a, Trigger b) {
        Instant ta = ((Trigger.Event) a).write().eventTime();
        Instant tb = ((Trigger.Event) b).write().eventTime();
        return ta != null && tb != null && ta.isAfter(tb) ? a : b;
    }

    /** For tests: the subnets one event concerns, mapped as a delivery maps it (a fresh per-delivery cluster memory). */
    Set<SubnetId> keysFor(String operation, ResourceId subject) {
        return mapper.keysFor(operation, subject);
    }

    // ---- retries ---------------------------------------------------------------------------------------------

    /**
     * What became of one retry.
     *
     * @param failure for event-level work given up (an event never mapped to subnets, or not fully, which no subnet
     *     outcome says), or work that could not be handed on again: why, as a {@code failed <subject> :: ...} line for
     *     the log, which the failed-outcome alert reads; null otherwise
     */
    public record RetryResult(RetryRequest request, List<Outcome> outcomes, Disposition disposition, @Nullable String failure) {
        public RetryResult {
            outcomes = List.copyOf(outcomes);
        }

        RetryResult(RetryRequest request, List<Outcome> outcomes, Disposition disposition) {
            this(request, outcomes, disposition, null);
        }
    }

    /** Whether a retried piece of work is finished, handed on again, or given up. */
    public enum Disposition {
        DONE, AGAIN, GAVE_UP
    }

    /**
     * Tries handed-on work again by {@code deadline}: reconciles the subnet (or maps the event again and reconciles its
     * subnets), hands it on once more after a longer wait while it still cannot finish, and gives it up — to the
     * retry queue's poison store, with a failed outcome alerted — after {@link #MAX_RETRIES}. Never throws.
     */
    public RetryResult onRetry(RetryRequest request, Instant deadline) {
        return retrying.onRetry(request, deadline);
    }

    // ---- one subnet, and many --------------------------------------------------------------------------------

    /** Reconciles one subnet and hands the outcome to the alert sink (which decides what is worth a message). */
    public Outcome reconcile(SubnetId id, Trigger trigger) {
        return reconcile(id, trigger, clock.instant().plus(Reconciler.MAX_PER_SUBNET));
    }

    /**
     * Reconciles one subnet; then, for a stripped subnet, names the deployment that made the write and records the strip
     * (off this thread, waiting for both at most a few seconds and never past {@code deadline}: the repair is already
     * done); then hands the outcome to the alert sink.
     */
    public Outcome reconcile(SubnetId id, Trigger trigger, Instant deadline) {
        return batches.reconcile(id, trigger, deadline);
    }

    /**
     * Waits at most {@code within} for the deployment lookups and repair-history writes that follow outcomes (they run
     * on daemon threads after the outcome is returned): a process about to exit, the CLI, calls this so that a strip
     * whose lookup answered after the outcome is still recorded.
     *
     * @return how many are still running when the wait ends (0: nothing lost)
     */
    public int drain(Duration within) {
        return provenance.drain(within);
    }

    // ---- sweep and audit -------------------------------------------------------------------------------------

    /**
     * One drift sweep of every guarded subscription (a management group's discovered again first). The subscriptions
     * are swept side by side, at most {@code concurrency} at a time, each on its own: its list calls, then every node
     * subnet of its kubenet clusters decided from the listing (a conflict on a subnet listed without its network
     * interfaces from a GET of the subnet: {@link Reconciler#assessOrRead}), then the drifted ones reconciled (fresh GET, then write)
     * with bounded concurrency. A subscription that cannot be read is reported and skipped; a slow or throttled one
     * holds up only itself. No work starts, and no wait ends, after {@code budget}; what is left is reported as not
     * reached, and the next sweep starts with the subscriptions it did not reach (then the others, from a place that moves
     * on every minute). Sends one summary alert. Never throws.
     */
    public SweepReport sweep(Duration budget) {
        return sweeper.sweep(budget);
    }

    /**
     * The read-only audit: one outcome per node subnet of every kubenet cluster of every guarded subscription, decided
     * from list calls (and, for a conflict on a subnet listed without its network interfaces, a GET of the subnet), the
     * subscriptions read side by side. Never writes. A subscription that cannot be read
     * makes this fail: a list of rows has no place to say a subscription is missing from it ({@link
     * #auditBySubscription()} does).
     *
     * @throws ArmException when a guarded subscription cannot be listed (or the subscriptions cannot be discovered)
     */
    public List<Outcome> audit() {
        return sweeper.audit();
    }

    /**
     * The audit, by subscription.
     *
     * @param rows one outcome per node subnet of the subscriptions that could be read
     * @param names display names by subscription ID, when known
     * @param subscriptions every guarded subscription, in order (empty: the scope has none, and nothing was audited)
     * @param unreadable why each subscription that could not be read was not (by ID, in order): its subnets are not
     *     in {@code rows}, so the audit is incomplete
     * @param discoveryProblem why a management group's subscriptions could not be discovered again (the list known
     *     before was audited), or null
     */
    public record Audit(List<Outcome> rows, Map<String, String> names, List<String> subscriptions, Map<String, String> unreadable,
            @Nullable String discoveryProblem) {
        public Audit {
            rows = List.copyOf(rows);
            names = Map.copyOf(names);
            subscriptions = List.copyOf(subscriptions);
            unreadable = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(unreadable));
        }

        /** An audit of subscriptions that were all read, from a current list. */
        public Audit(List<Outcome> rows, Map<String, String> names, List<String> subscriptions) {
            this(rows, names, subscriptions, Map.of(), null);
        }

        /** True when a subscription is missing from the rows, or there was no subscription to audit. */
        public boolean incomplete() {
            return !unreadable.isEmpty() || subscriptions.isEmpty();
        }
    }

    /**
     * The audit, by subscription: the readable subscriptions' rows, and why each other one could not be read. One
     * unreadable subscription does not hide the others' drift; the caller must treat the audit as incomplete ({@link
     * Audit#incomplete()}).
     *
     * @throws ArmException when the one guarded subscription could not be read, or the subscriptions cannot be
     *     discovered at all
     */
    public Audit auditBySubscription() {
        return sweeper.auditBySubscription();
    }

    /** The clusters the audit lists as due for migration off kubenet, from the directory. */
    public List<Cluster> kubenetClusters() {
        return directory.owners().clusters().stream().filter(Cluster::isKubenet).toList();
    }
}
