package dev.aksrouteguard.core;

import dev.aksrouteguard.core.Guard.Audit;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.ArmTraffic;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The sweep and the audit across every guarded subscription: the subscriptions read side by side, at most {@code
 * concurrency} at a time, each on its own (a subscription that cannot be read is reported, never stopping the others);
 * every node subnet of their kubenet clusters decided from the listing (or, for a conflict the listing may have made,
 * from a read of the subnet: {@link Reconciler#assessOrRead}); in the sweep, the drifted ones reconciled by
 * {@link Batches} within the sweep's budget and one summary alerted. Owned by {@link Guard}; thread-safe.
 */
final class Sweeper {

    private final ClusterDirectory directory;
    private final Reconciler reconciler;
    private final Batches batches;
    private final AlertSink alerts;
    private final ArmTraffic traffic;
    private final Clock clock;
    private final int concurrency;
    /**
     * The subscriptions the last sweep's budget did not reach (lower case): the next sweep starts with them, so that a
     * subscription late in the list is not left out sweep after sweep while the ones before it use up the budget.
     */
    private volatile Set<String> leftOut = Set.of();

    Sweeper(ClusterDirectory directory, Reconciler reconciler, Batches batches, AlertSink alerts, ArmTraffic traffic, Clock clock,
            int concurrency) {
        this.directory = Objects.requireNonNull(directory, "directory == null");
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler == null");
        this.batches = Objects.requireNonNull(batches, "batches == null");
        this.alerts = Objects.requireNonNull(alerts, "alerts == null");
        this.traffic = Objects.requireNonNull(traffic, "traffic == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.concurrency = concurrency;
    }

    private Mode mode() {
        return reconciler.mode();
    }

    private GuardedSubscriptions scope() {
        return directory.scope();
    }

    /** The body of {@link Guard#sweep}: every guarded subscription swept within {@code budget}, one summary alerted. */
    SweepReport sweep(Duration budget) {
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
        if (subscriptions.isEmpty()) {
            // A management group with no subscription below it (or not one the guard can see): the sweep guards nothing,
            // which is not a passing sweep, as it is not a passing audit.
            return report(started, before, List.of(), "nothing to sweep: no guarded subscription (" + scope().describe()
                    + "); an empty scope guards nothing", stale);
        }
        List<SubscriptionSweep> swept = fanOut(subscriptions, startOrder(subscriptions, started),
                (sub, firstWave) -> sweepOne(sub, trigger, deadline, true, firstWave));
        leftOut = swept.stream().filter(s -> !s.reached()).map(s -> s.id().toLowerCase(java.util.Locale.ROOT))
                .collect(java.util.stream.Collectors.toUnmodifiableSet());
        if (!swept.isEmpty() && swept.stream().allMatch(s -> s.error() != null)) {
            String why = swept.size() == 1 ? swept.get(0).error() : "none of the " + swept.size() + " guarded subscriptions "
                    + "could be read (first: " + swept.get(0).error() + ")";
            return report(started, before, swept, "could not list the clusters, route tables and virtual networks: " + why, stale);
        }
        return report(started, before, swept, null, stale);
    }

    /**
     * {@code subscriptions} in the order a sweep starts them: those the last sweep of this instance did not reach first,
     * then the others from a place that moves on by one every minute of {@code started}. The rotation needs no memory,
     * so it also holds when sweeps run on different instances (a Flex Consumption app scales in and out): a
     * subscription late in the list is not left to the end of every sweep's budget.
     */
    static List<String> startOrder(List<String> subscriptions, Set<String> leftOut, Instant started) {
        List<String> order = new ArrayList<>(subscriptions.size());
        List<String> others = new ArrayList<>();
        for (String s : subscriptions) {
            (leftOut.contains(s.toLowerCase(java.util.Locale.ROOT)) ? order : others).add(s);
        }
        if (!others.isEmpty()) {
            int from = (int) Math.floorMod(Math.floorDiv(started.getEpochSecond(), 60L), (long) others.size());
            order.addAll(others.subList(from, others.size()));
            order.addAll(others.subList(0, from));
        }
        return order;
    }

    private List<String> startOrder(List<String> subscriptions, Instant started) {
        return startOrder(subscriptions, leftOut, started);
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
                    o = reconciler.assessOrRead(id, directory.currentAsKnown(ClusterDirectory.networksFor(id, cluster)), trigger,
                            deadline);
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
        Batches.Batch batch = batches.reconcileAll(drifted, deadline, true);
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
     * Runs {@code work} for each subscription, started in the order of {@code order} (the same subscriptions), at most
     * {@code concurrency} at a time, each result in the order of {@code subscriptions}; the work learns whether it is in
     * the first wave (started at once) or waited for a free place.
     */
    private List<SubscriptionSweep> fanOut(List<String> subscriptions, List<String> order,
            java.util.function.BiFunction<String, Boolean, SubscriptionSweep> work) {
        if (subscriptions.isEmpty()) {
            return List.of();
        }
        if (subscriptions.size() == 1) {
            return List.of(work.apply(subscriptions.get(0), true));
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, subscriptions.size()),
                Daemons.named("sweep-subscription"));
        try {
            Map<String, Future<SubscriptionSweep>> started = new java.util.HashMap<>();
            for (int i = 0; i < order.size(); i++) {
                String s = order.get(i);
                boolean firstWave = i < concurrency;
                started.put(s, pool.submit(() -> work.apply(s, firstWave)));
            }
            List<Future<SubscriptionSweep>> futures = subscriptions.stream().map(started::get).toList();
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
     * The body of {@link Guard#audit}: the audit's rows, or the first unreadable subscription's error.
     *
     * @throws ArmException when a guarded subscription cannot be listed (or the subscriptions cannot be discovered)
     */
    List<Outcome> audit() {
        Audit audit = auditBySubscription();
        if (!audit.unreadable().isEmpty()) {
            Map.Entry<String, String> first = audit.unreadable().entrySet().iterator().next();
            throw directory.unreadable().getOrDefault(first.getKey(),
                    ArmException.terminal("subscription " + first.getKey() + ": " + first.getValue(), null));
        }
        return audit.rows();
    }

    /**
     * The body of {@link Guard#auditBySubscription}: every guarded subscription decided without writing, by subscription.
     *
     * @throws ArmException when the one guarded subscription could not be read, or the subscriptions cannot be
     *     discovered at all
     */
    Audit auditBySubscription() {
        List<String> subscriptions = scope().refresh();
        String stale = staleDiscovery();
        Trigger trigger = new Trigger.Manual("audit");
        List<SubscriptionSweep> swept = fanOut(subscriptions, subscriptions,
                (sub, firstWave) -> sweepOne(sub, trigger, Instant.MAX, false, true));
        if (swept.size() == 1 && swept.get(0).error() != null) { // the one subscription: nothing to report beside the error
            SubscriptionSweep only = swept.get(0);
            throw directory.unreadable().getOrDefault(only.id(),
                    ArmException.terminal("subscription " + only.id() + ": " + only.error(), null));
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
}
