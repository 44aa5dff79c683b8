package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.CallCount;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The guard: turns every trigger (a delivery of events, a retry, the sweep, the CLI) into subnet keys, reconciles
 * each with the one {@link Reconciler}, tells the {@link AlertSink}, and hands what could not finish to the
 * {@link RetryQueue}. Built once per worker; thread-safe.
 */
public final class Guard {

    /** Retries of one piece of work before it is given up (and alerted): about 15 minutes of tries in all. */
    public static final int MAX_RETRIES = 5;

    private final ClusterDirectory directory;
    private final Reconciler reconciler;
    private final AlertSink alerts;
    private final RetryQueue retries;
    private final ArmTraffic traffic;
    private final Clock clock;
    private final int concurrency;
    private final Provenance provenance;

    /**
     * Where events are mapped to subnets, off the caller's thread: mapping may read ARM, and a delivery must be
     * answered by its deadline whatever ARM does. Daemon threads, reused across deliveries, ended when idle.
     */
    private static final ExecutorService MAPPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "map-events");
        t.setDaemon(true);
        return t;
    });

    /**
     * Where an outcome whose follow-up finished on another thread is handed to the alert sink: not Provenance's timer
     * thread, which only completes futures. Two daemon threads, ended when idle.
     */
    private static final ExecutorService ALERT_HANDOFF = alertHandoff();

    private static ExecutorService alertHandoff() {
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "alert-handoff");
                    t.setDaemon(true);
                    return t;
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

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
        this.alerts = Objects.requireNonNull(alerts, "alerts == null");
        this.retries = Objects.requireNonNull(retries, "retries == null");
        this.traffic = Objects.requireNonNull(traffic, "traffic == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency < 1");
        }
        this.concurrency = concurrency;
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
        List<EventResult> events = mapAll(writes, deadline);
        Map<SubnetId, Trigger> work = new LinkedHashMap<>();
        HandOffs handOffs = new HandOffs();
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
        Batch batch = reconcileAll(work, deadline);
        for (Outcome o : batch.outcomes()) {
            if (needsRetry(o)) {
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

    /** Where work is handed to the retry queue, off the caller's thread. Daemon threads, ended when idle. */
    private static final ExecutorService HANDERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hand-off");
        t.setDaemon(true);
        return t;
    });

    /** The pieces of one delivery's work being handed to the retry queue (none without a queue). */
    private final class HandOffs {
        private final List<RetryRequest> requests = new ArrayList<>();
        private final List<Future<Boolean>> sends = new ArrayList<>();

        void submit(RetryRequest request) {
            if (!retries.enabled()) {
                return;
            }
            requests.add(request);
            sends.add(HANDERS.submit(() -> retries.submit(request, retryDelay(1))));
        }

        int count() {
            return requests.size();
        }

        /**
         * Waits for the sends until {@link #HAND_OFF} after {@code deadline} (measured from now, so a deadline already
         * past still leaves that much); returns the requests not handed on by then, in order. A send still running is
         * left to finish on its own (each is bounded by the queue's timeouts), but nothing counts on it.
         */
        List<RetryRequest> await(Instant deadline) {
            long left = Math.max(0, Duration.between(clock.instant(), deadline).toNanos()) + HAND_OFF.toNanos();
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

    /** The more recent of two events naming the same subnet: its writer is the likelier cause of the drift. */
    private static Trigger later(Trigger a, Trigger b) {
        Instant ta = ((Trigger.Event) a).write().eventTime();
        Instant tb = ((Trigger.Event) b).write().eventTime();
        return ta != null && tb != null && ta.isAfter(tb) ? a : b;
    }

    /**
     * Each event to its subnets by {@code deadline}, in order. Mapping may read ARM — a VNet write on a cold directory
     * lists the clusters, a cluster or agent-pool write reads the cluster, an unknown subscription may make a
     * management group be discovered again — each read bounded by ARM's own limits, which are longer than an event's
     * budget; so it runs off the caller's thread, and an event not mapped by the deadline is answered as a retryable
     * failure (handed to the retry queue like any other). What a late mapping still finds is discarded.
     */
    private List<EventResult> mapAll(List<ArmWrite> writes, Instant deadline) {
        EventResult[] results = new EventResult[writes.size()];
        AtomicBoolean cut = new AtomicBoolean();
        long left = Duration.between(clock.instant(), deadline).toNanos(); // before the mapping can move any clock
        Future<?> mapping = left <= 0 ? null : MAPPERS.submit(() -> {
            Map<ResourceId, Set<SubnetId>> clusters = new LinkedHashMap<>();
            for (int i = 0; i < writes.size(); i++) {
                EventResult result = map(writes.get(i), clusters);
                synchronized (results) {
                    if (cut.get()) {
                        return;
                    }
                    results[i] = result;
                }
            }
        });
        if (mapping != null) {
            awaitMapping(mapping, left);
        }
        synchronized (results) {
            cut.set(true);
            List<EventResult> all = new ArrayList<>(writes.size());
            for (int i = 0; i < results.length; i++) {
                all.add(results[i] != null ? results[i] : new EventResult.Failed(writes.get(i),
                        "not mapped to subnets by the delivery's deadline: ARM answered too slowly", true, true));
            }
            return all;
        }
    }

    private static void awaitMapping(Future<?> mapping, long nanos) {
        try {
            mapping.get(nanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // answered below: what is not mapped by now is handed on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("mapping an event threw, which it must never do", e.getCause());
        }
    }

    /** One event to its subnets; {@code clusters} remembers clusters already read for this delivery. */
    private EventResult map(ArmWrite write, Map<ResourceId, Set<SubnetId>> clusters) {
        String subscription = write.subject().subscriptionId();
        boolean guarded;
        try {
            guarded = scope().contains(subscription); // a management group's first discovery is an ARM call
        } catch (ArmException e) {
            return new EventResult.Failed(write, "could not discover the guarded subscriptions: " + e.getMessage(),
                    e.kind() == ArmException.Kind.TRANSIENT);
        }
        if (!guarded) {
            return new EventResult.Skipped(write, "subject is in subscription " + subscription
                    + ", outside the guarded " + scope().describe());
        }
        String operation = Operations.canonical(write.operationName());
        if (operation == null) {
            return new EventResult.Skipped(write, "operation " + write.operationName() + " is not one the guard acts on");
        }
        try {
            return mapped(write, operation, clusters);
        } catch (IllegalArgumentException e) {
            return new EventResult.Skipped(write, e.getMessage());
        } catch (ArmException e) {
            return new EventResult.Failed(write, "could not read the clusters: " + e.getMessage(),
                    e.kind() == ArmException.Kind.TRANSIENT);
        } catch (RuntimeException e) {
            return new EventResult.Failed(write, "could not read the clusters: " + e, false);
        }
    }

    /** For tests: the subnets one event concerns, mapped as a delivery maps it (a fresh per-delivery cluster memory). */
    Set<SubnetId> keysFor(String operation, ResourceId subject) {
        ArmWrite write = new ArmWrite("keys", operation, subject, clock.instant(), null, Actor.UNKNOWN);
        return mapped(write, operation, new LinkedHashMap<>()).subnets();
    }

    /**
     * The subnets a handled write concerns: a subnet write → that subnet; a VNet write → its kubenet node subnets, as
     * far as the clusters read so far tell (the subscriptions not read yet are named, and the event is handed on to be
     * mapped again once they are); a cluster or agent-pool write → the cluster's node subnets, after reading that
     * cluster again (once per delivery), since the write may have changed them. Node subnets in subscriptions that are
     * not guarded are kept: reconciling them gives an outcome that says so, without any read.
     *
     * @throws IllegalArgumentException when the subject is not of the operation's resource type
     */
    private EventResult.Mapped mapped(ArmWrite write, String operation, Map<ResourceId, Set<SubnetId>> clusters) {
        ResourceId subject = write.subject();
        switch (operation) {
            case Operations.SUBNET_WRITE -> {
                requireType(subject, SubnetId.TYPE, operation);
                return new EventResult.Mapped(write, Set.of(new SubnetId(subject)));
            }
            case Operations.VNET_WRITE -> {
                requireType(subject, "Microsoft.Network/virtualNetworks", operation);
                ClusterDirectory.Known known = directory.known(subject.subscriptionId());
                return new EventResult.Mapped(write, known.owners().kubenetNodeSubnetsIn(subject), known.unread());
            }
            case Operations.CLUSTER_WRITE, Operations.AGENT_POOL_WRITE -> {
                boolean clusterWrite = operation.equals(Operations.CLUSTER_WRITE);
                requireType(subject, clusterWrite ? "Microsoft.ContainerService/managedClusters"
                        : "Microsoft.ContainerService/managedClusters/agentPools", operation);
                ResourceId clusterId = clusterWrite ? subject : subject.parent();
                Set<SubnetId> known = clusters.get(clusterId);
                if (known == null) {
                    Cluster cluster = directory.updateCluster(clusterId).cluster(clusterId);
                    known = cluster == null ? Set.of() : new LinkedHashSet<>(cluster.nodeSubnets());
                    clusters.put(clusterId, known);
                }
                return new EventResult.Mapped(write, known);
            }
            default -> throw new IllegalArgumentException("operation " + operation + " is not handled");
        }
    }

    private static void requireType(ResourceId subject, String type, String operation) {
        if (!subject.isType(type)) {
            throw new IllegalArgumentException("subject " + subject + " is not a " + type + " (operation " + operation + ")");
        }
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
        Objects.requireNonNull(request, "request == null");
        Map<SubnetId, Trigger> work = new LinkedHashMap<>();
        List<String> unreadFor = List.of();
        SubnetId subnet = request.subnet();
        if (subnet != null) {
            work.put(subnet, request.trigger());
        } else {
            ArmWrite write = ((Trigger.Event) request.trigger()).write();
            EventResult mapped = mapAll(List.of(write), deadline).get(0);
            if (mapped instanceof EventResult.Failed f) {
                return again(request, List.of(), List.of(), f.retryable(), f.reason());
            }
            if (mapped instanceof EventResult.Mapped m) {
                m.subnets().forEach(s -> work.put(s, request.trigger()));
                unreadFor = m.unread();
            }
        }
        Batch batch = reconcileAll(work, deadline);
        boolean unfinished = !batch.unfinished().isEmpty() || batch.outcomes().stream().anyMatch(Guard::needsRetry)
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
        if (retryable && request.attempt() < MAX_RETRIES) {
            if (retries.submit(request.next(), retryDelay(request.attempt() + 1))) {
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
                gaveUp.put(o, o.gaveUp(gaveUpAfter + o.message()));
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

    /** A deferred outcome, or a failure that a later try may mend. */
    static boolean needsRetry(Outcome o) {
        return o.action() == Action.DEFERRED || o.action() == Action.FAILED && o.retryable();
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

    private record Batch(List<Outcome> outcomes, List<SubnetId> unfinished) {}

    /**
     * Reconciles {@code work} with bounded concurrency, on threads of its own so that the caller is never held past
     * {@code deadline} by a slow ARM call. A subnet not started by the deadline is not started at all. One still
     * running then is, with {@code waitForStarted}, waited for (every wait of a reconcile ends by the deadline; only
     * an ARM call in flight can outlast it, and each is bounded); without it, left to finish on its own while this
     * returns. Outcomes come back in the order of {@code work}.
     */
    private Batch reconcileAll(Map<SubnetId, Trigger> work, Instant deadline) {
        return reconcileAll(work, deadline, false);
    }

    private Batch reconcileAll(Map<SubnetId, Trigger> work, Instant deadline, boolean waitForStarted) {
        if (work.isEmpty()) {
            return new Batch(List.of(), List.of());
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, work.size()), r -> {
            Thread t = new Thread(r, "reconcile");
            t.setDaemon(true);
            return t;
        });
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

    // ---- sweep and audit -------------------------------------------------------------------------------------

    /**
     * One drift sweep of every guarded subscription (a management group's discovered again first). The subscriptions
     * are swept side by side, at most {@code concurrency} at a time, each on its own: its list calls, then every node
     * subnet of its kubenet clusters decided from the listing, then the drifted ones reconciled (fresh GET, then write)
     * with bounded concurrency. A subscription that cannot be read is reported and skipped; a slow or throttled one
     * holds up only itself. No work starts, and no wait ends, after {@code budget}; what is left is reported as not
     * reached. Sends one summary alert. Never throws.
     */
    public SweepReport sweep(Duration budget) {
        Instant started = clock.instant();
        Instant deadline = started.plus(budget);
        CallCount before = traffic.snapshot();
        Trigger trigger = new Trigger.Sweep(started);
        List<String> subscriptions;
        try {
            subscriptions = scope().refresh();
        } catch (RuntimeException e) {
            return report(started, before, List.of(), "could not discover the guarded subscriptions: " + e.getMessage(), null);
        }
        String stale = staleDiscovery();
        List<SubscriptionSweep> swept = fanOut(subscriptions, (sub, firstWave) -> sweepOne(sub, trigger, deadline, true, firstWave));
        if (!swept.isEmpty() && swept.stream().allMatch(s -> s.error() != null)) {
            String why = swept.size() == 1 ? swept.get(0).error() : "none of the " + swept.size() + " guarded subscriptions "
                    + "could be read (first: " + swept.get(0).error() + ")";
            return report(started, before, swept, "could not list the clusters, route tables and virtual networks: " + why, stale);
        }
        return report(started, before, swept, null, stale);
    }

    /** Why the subscriptions just listed are the ones known before, not a fresh discovery; null when they are current. */
    private @Nullable String staleDiscovery() {
        ArmException problem = scope().problem();
        return problem == null ? null : SweepReport.withoutSecrets(problem.getMessage());
    }

    private SweepReport report(Instant started, CallCount before, List<SubscriptionSweep> swept, @Nullable String error,
            @Nullable String discoveryProblem) {
        List<Outcome> outcomes = new ArrayList<>();
        List<Outcome> notReached = new ArrayList<>();
        List<SweepReport.Subscription> subscriptions = new ArrayList<>();
        for (SubscriptionSweep s : swept) {
            outcomes.addAll(s.outcomes());
            notReached.addAll(s.notReached());
            subscriptions.add(new SweepReport.Subscription(s.id(), s.name(), s.error(), s.reached()));
        }
        outcomes.sort((a, b) -> a.subnet().toString().compareToIgnoreCase(b.subnet().toString()));
        SweepReport report = new SweepReport(started, clock.instant(), mode(), outcomes, notReached,
                traffic.snapshot().minus(before), error, subscriptions, discoveryProblem);
        alerts.sweep(report);
        return report;
    }

    /** One subscription in a sweep or an audit. */
    private record SubscriptionSweep(String id, @Nullable String name, List<Outcome> outcomes, List<Outcome> notReached,
            @Nullable String error, boolean reached) {

        /** Swept: what was decided, and the drifted subnets the budget left (possibly none). */
        static SubscriptionSweep swept(String id, @Nullable String name, List<Outcome> outcomes, List<Outcome> notReached) {
            return new SubscriptionSweep(id, name, outcomes, notReached, null, true);
        }

        /** Reached, but its listing could not be read. */
        static SubscriptionSweep unreadable(String id, @Nullable String name, String error) {
            return new SubscriptionSweep(id, name, List.of(), List.of(), error, true);
        }

        /** Not reached within the sweep's budget. */
        static SubscriptionSweep notReached(String id, @Nullable String name) {
            return new SubscriptionSweep(id, name, List.of(), List.of(), null, false);
        }
    }

    /**
     * Sweeps one subscription: reads it, decides every node subnet of its kubenet clusters from the listing and (when
     * {@code repair}, in enforce mode) reconciles the drifted ones by {@code deadline}. Never throws.
     */
    private SubscriptionSweep sweepOne(String subscription, Trigger trigger, Instant deadline, boolean repair, boolean firstWave) {
        String name = nameOf(subscription);
        if (!firstWave && !clock.instant().isBefore(deadline)) { // the first wave is always read: a sweep always sweeps
            return SubscriptionSweep.notReached(subscription, name);
        }
        ArmException unreadable = directory.refresh(subscription);
        if (unreadable != null) {
            return SubscriptionSweep.unreadable(subscription, name, unreadable.getMessage());
        }
        List<Outcome> outcomes = new ArrayList<>();
        Map<SubnetId, Trigger> drifted = new LinkedHashMap<>();
        Map<SubnetId, Outcome> assessedDrift = new LinkedHashMap<>();
        Set<SubnetId> seen = new java.util.HashSet<>();
        for (Cluster cluster : directory.clustersOf(subscription)) {
            if (!cluster.isKubenet()) {
                continue;
            }
            for (SubnetId id : cluster.nodeSubnets()) {
                if (!seen.add(id)) {
                    continue; // a subnet of two kubenet clusters: decided once (a conflict)
                }
                Outcome o;
                try {
                    o = reconciler.assess(id, directory.currentAsKnown(ClusterDirectory.networksFor(id, cluster)), trigger);
                } catch (ArmException e) {
                    o = reconciler.assessFailed(id, cluster, "could not read the network this subnet's decision needs: "
                            + e.getMessage(), trigger);
                }
                if (repair && o.action() == Action.DRIFT_REPORTED && mode() == Mode.ENFORCE) {
                    drifted.put(id, trigger);
                    assessedDrift.put(id, o);
                } else {
                    outcomes.add(o);
                }
            }
        }
        Batch batch = reconcileAll(drifted, deadline, true);
        outcomes.addAll(batch.outcomes());
        List<Outcome> notReached = batch.unfinished().stream().map(assessedDrift::get).toList();
        return SubscriptionSweep.swept(subscription, name, outcomes, notReached);
    }

    private @Nullable String nameOf(String subscription) {
        try {
            return scope().name(subscription);
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * Runs {@code work} for each subscription, at most {@code concurrency} at a time, each result in list order; the
     * work learns whether it is in the first wave (started at once) or waited for a free place.
     */
    private List<SubscriptionSweep> fanOut(List<String> subscriptions,
            java.util.function.BiFunction<String, Boolean, SubscriptionSweep> work) {
        if (subscriptions.isEmpty()) {
            return List.of();
        }
        if (subscriptions.size() == 1) {
            return List.of(work.apply(subscriptions.get(0), true));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, subscriptions.size()), r -> {
            Thread t = new Thread(r, "sweep-subscription");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<SubscriptionSweep>> futures = new ArrayList<>();
            for (int i = 0; i < subscriptions.size(); i++) {
                String s = subscriptions.get(i);
                boolean firstWave = i < concurrency;
                futures.add(pool.submit(() -> work.apply(s, firstWave)));
            }
            List<SubscriptionSweep> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    out.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("sweeping a subscription threw, which it must never do", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    out.add(SubscriptionSweep.notReached(subscriptions.get(i), null));
                }
            }
            return out;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The read-only audit: one outcome per node subnet of every kubenet cluster of every guarded subscription, decided
     * from list calls alone, the subscriptions read side by side. Never writes. A subscription that cannot be read
     * makes this fail: a list of rows has no place to say a subscription is missing from it ({@link
     * #auditBySubscription()} does).
     *
     * @throws ArmException when a guarded subscription cannot be listed (or the subscriptions cannot be discovered)
     */
    public List<Outcome> audit() {
        Audit audit = auditBySubscription();
        if (!audit.unreadable().isEmpty()) {
            Map.Entry<String, String> first = audit.unreadable().entrySet().iterator().next();
            throw directory.unreadable().getOrDefault(first.getKey(), new ArmException(ArmException.Kind.TERMINAL, 0, null,
                    "subscription " + first.getKey() + ": " + first.getValue(), null, null, null));
        }
        return audit.rows();
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
        List<String> subscriptions = scope().refresh();
        String stale = staleDiscovery();
        Trigger trigger = new Trigger.Manual("audit");
        List<SubscriptionSweep> swept = fanOut(subscriptions, (sub, firstWave) -> sweepOne(sub, trigger, Instant.MAX, false, true));
        if (swept.size() == 1 && swept.get(0).error() != null) { // the one subscription: nothing to report beside the error
            SubscriptionSweep only = swept.get(0);
            throw directory.unreadable().getOrDefault(only.id(), new ArmException(ArmException.Kind.TERMINAL, 0, null,
                    "subscription " + only.id() + ": " + only.error(), null, null, null));
        }
        List<Outcome> rows = new ArrayList<>();
        Map<String, String> names = new LinkedHashMap<>();
        Map<String, String> unreadable = new LinkedHashMap<>();
        for (SubscriptionSweep s : swept) {
            if (s.error() != null) {
                unreadable.put(s.id(), SweepReport.withoutSecrets(s.error()));
            }
            rows.addAll(s.outcomes());
            if (s.name() != null) {
                names.put(s.id(), s.name());
            }
        }
        return new Audit(rows, names, subscriptions, unreadable, stale);
    }

    /** The clusters the audit lists as due for migration off kubenet, from the directory. */
    public List<Cluster> kubenetClusters() {
        return directory.owners().clusters().stream().filter(Cluster::isKubenet).toList();
    }
}
