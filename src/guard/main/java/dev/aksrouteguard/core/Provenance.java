package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Attribution;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.Recurrence;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.Strip;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.DeploymentLookup;
import dev.aksrouteguard.core.port.RepairHistory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * What follows an outcome, off the thread that repaired the subnet: which ARM deployment made the write (the one whose
 * correlation ID the event carries, in the resource group of the event's subject; {@link #choose} when several do), and the strip
 * recorded in the repair history with how often the subnet has been stripped lately. {@link #follow} starts both on
 * threads of its own and answers at once with a future, so a repair slot is free as soon as its subnet is written and
 * no subnet's repair ever waits for a lookup. The future completes when both are known, or after {@link #MAX_WAIT}
 * (never past the caller's deadline) with what is known by then, saying once per event that the deployment was not
 * known in time; the recording finishes in the background either way ({@link #drain} lets a process that is about to
 * exit wait for it). The outcome says which of three things the lookup said ({@link Attribution}): the deployment,
 * none (the lookup answered and no deployment carries the ID), or unknown (late, failed, refused, skipped).
 *
 * <p>At most one list call per event: the lookup is of one resource group, the one of the event's subject (the resource
 * written: a deployment's write to a resource is made by a deployment in that resource's group, since ARM deploys to
 * another group only through a nested deployment, which lives in that group), so the subnets of one event (a VNet
 * write strips all its inline subnets; a cluster write maps to node subnets in VNets of any group) share one call. A
 * real answer (found, or none found) is kept for {@link #LOOKUP_TTL} and shared with later outcomes of the same
 * correlation ID and group; a failed or refused lookup is not kept, so a retry of the event looks again.
 */
final class Provenance {

    /** How long what follows an outcome may take before the outcome goes on (to the alert) without it. */
    static final Duration MAX_WAIT = Duration.ofSeconds(5);
    /** How long a lookup's answer is shared with later outcomes of the same event. */
    static final Duration LOOKUP_TTL = Duration.ofMinutes(10);
    private static final int MAX_LOOKUPS = 256;

    /** Nothing looked up, nothing recorded. */
    static final Provenance NONE = new Provenance(DeploymentLookup.NONE, RepairHistory.NONE, Recurrence.Policy.DEFAULT,
            Clock.systemUTC(), problem -> {});

    /**
     * Ends the waits of {@link #follow}: one daemon thread for every instance, which only completes futures (what
     * depends on them, the alert, must not block: {@link dev.aksrouteguard.core.port.AlertSink} promises that).
     */
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private final DeploymentLookup deployments;
    private final RepairHistory history;
    private final Recurrence.Policy policy;
    private final Clock clock;
    private final Consumer<String> problems;
    private final Duration maxWait;
    private final Map<String, Lookup> lookups = new LinkedHashMap<>();
    private final ThreadPoolExecutor pool;

    /** Work started by {@link #follow} (the lookup and the recording) that has not finished yet; see {@link #drain}. */
    private final Set<CompletableFuture<?>> pending = ConcurrentHashMap.newKeySet();

    /**
     * One event's lookup and whether its lateness was reported; {@code asked} false when nothing is looked up for the
     * outcome (its answer is then empty and means nothing).
     */
    private record Lookup(CompletableFuture<Answer> answer, Instant startedAt, AtomicBoolean lateSaid, boolean asked) {}

    /** What the one list call of an event answered: every deployment carrying its correlation ID, or why nothing is known. */
    private record Answer(List<DeploymentLookup.Candidate> candidates, Attribution.@Nullable Reason unknown) {
        static Answer of(List<DeploymentLookup.Candidate> candidates) {
            return new Answer(List.copyOf(candidates), null);
        }

        static Answer unknown(Attribution.Reason reason) {
            return new Answer(List.of(), reason);
        }

        /** Kept for later outcomes of the same correlation ID: a real answer, not a failure. */
        boolean real() {
            return unknown == null;
        }
    }

    /**
     * @param problems where a failed or late lookup is reported (one line, e.g. the missing permission); the outcome
     *     then names the principal only
     */
    Provenance(DeploymentLookup deployments, RepairHistory history, Recurrence.Policy policy, Clock clock,
            Consumer<String> problems) {
        this(deployments, history, policy, clock, problems, MAX_WAIT);
    }

    Provenance(DeploymentLookup deployments, RepairHistory history, Recurrence.Policy policy, Clock clock,
            Consumer<String> problems, Duration maxWait) {
        this.deployments = Objects.requireNonNull(deployments, "deployments == null");
        this.history = Objects.requireNonNull(history, "history == null");
        this.policy = Objects.requireNonNull(policy, "policy == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.problems = Objects.requireNonNull(problems, "problems == null");
        this.maxWait = Objects.requireNonNull(maxWait, "maxWait == null");
        if (maxWait.isNegative() || maxWait.isZero()) {
            throw new IllegalArgumentException("maxWait <= 0: " + maxWait);
        }
        this.pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), Daemons.named("provenance"));
        pool.allowCoreThreadTimeOut(true);
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, Daemons.named("provenance-timer"));
        t.setRemoveOnCancelPolicy(true);
        return t;
    }

    Recurrence.Policy policy() {
        return policy;
    }

    RepairHistory history() {
        return history;
    }

    /** The longest {@link #follow} takes to complete. */
    Duration maxWait() {
        return maxWait;
    }

    /** True for the outcomes whose cause is worth naming and recording: the subnet had been stripped. */
    static boolean stripped(Outcome o) {
        return o.action() == Action.REASSOCIATED || o.action() == Action.DRIFT_REPORTED;
    }

    /**
     * {@code outcome} with its deployment and recurrence, once they are known, or as far as they are known after
     * {@link #MAX_WAIT} or at {@code deadline}, whichever comes first; the outcome as it is, at once, for anything
     * else. Returns at once: the lookup and the recording run on threads of their own. The future never fails.
     */
    CompletableFuture<Outcome> follow(Outcome outcome, Instant deadline) {
        if (!stripped(outcome) || this == NONE || history == RepairHistory.NONE && !lookedUp(outcome)) {
            return CompletableFuture.completedFuture(outcome); // nothing to look up or record: no thread, no wait
        }
        Lookup lookup = lookup(outcome);
        CompletableFuture<Outcome> work;
        try {
            work = lookup.answer().thenApplyAsync(answer -> record(outcome.withAttribution(attribution(lookup, answer, outcome))), pool);
        } catch (RejectedExecutionException e) {
            work = CompletableFuture.failedFuture(e);
        }
        track(work);
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        work.whenComplete((done, failure) -> {
            if (failure != null) {
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                problems.accept(cause instanceof RejectedExecutionException
                        ? "deployment lookup and repair history skipped for " + outcome.subnet() + ": too much work queued"
                        : "deployment lookup or repair history failed for " + outcome.subnet() + ": " + cause);
                result.complete(soFar(outcome, lookup));
            } else {
                result.complete(done);
            }
        });
        Duration left = Duration.between(clock.instant(), deadline);
        Duration wait = left.compareTo(maxWait) < 0 ? left : maxWait;
        if (wait.isNegative() || wait.isZero()) {
            result.complete(soFar(outcome, lookup)); // recorded in the background; nothing more is waited for
            return result;
        }
        ScheduledFuture<?> timeout = TIMER.schedule(() -> {
            Outcome partial = soFar(outcome, lookup);
            if (result.complete(partial) && !lookup.answer().isDone() && lookup.lateSaid().compareAndSet(false, true)) {
                ArmWrite write = ((Trigger.Event) outcome.trigger()).write();
                problems.accept("the deployment that wrote " + outcome.subnet().virtualNetworkName() + " (correlation ID "
                        + write.correlationId() + ") was not found within " + wait.toMillis() + " ms: the alert names the principal"
                        + " only and says the tool is not known; the repair history records the deployment when the lookup answers");
            }
        }, wait.toNanos(), TimeUnit.NANOSECONDS);
        result.whenComplete((o, t) -> timeout.cancel(false));
        return result;
    }

    /**
     * The outcome with what the lookup said if it has answered already, else saying it was late (the recurrence is not
     * known yet).
     */
    private static Outcome soFar(Outcome outcome, Lookup lookup) {
        Answer known = lookup.answer().getNow(null);
        return outcome.withAttribution(known == null ? lookup.asked() ? Attribution.unknown(Attribution.Reason.LATE) : null
                : attribution(lookup, known, outcome));
    }

    /** The lookup's answer as the outcome says it: the deployment chosen, none, or why it is unknown; null if not asked. */
    private static @Nullable Attribution attribution(Lookup lookup, Answer answer, Outcome outcome) {
        if (!lookup.asked()) {
            return null;
        }
        if (answer.unknown() != null) {
            return Attribution.unknown(answer.unknown());
        }
        Deployment d = choose(answer.candidates(), outcome);
        return d == null ? Attribution.NONE_FOUND : Attribution.found(d);
    }

    /** Keeps {@code work} in {@link #pending} until it completes. */
    private void track(CompletableFuture<?> work) {
        pending.add(work);
        work.whenComplete((v, t) -> pending.remove(work));
    }

    /**
     * Waits, at most {@code within}, for the lookups and recordings {@link #follow} started to finish: a process about
     * to exit (the CLI) calls this so that a strip whose lookup answered late is still recorded. Returns at once when
     * nothing is pending.
     *
     * @return how many are still running when the wait ends (0: all done)
     */
    int drain(Duration within) {
        Objects.requireNonNull(within, "within == null");
        long end = System.nanoTime() + Math.max(0, within.toNanos());
        while (true) {
            List<CompletableFuture<?>> now = List.copyOf(pending);
            long left = end - System.nanoTime();
            if (now.isEmpty() || left <= 0) {
                return now.size();
            }
            try {
                // done, failed or not: a failure was reported by follow already
                CompletableFuture.allOf(now.stream().map(f -> f.handle((v, t) -> null)).toArray(CompletableFuture[]::new))
                        .get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException | ExecutionException e) {
                return (int) pending.stream().filter(f -> !f.isDone()).count();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return (int) pending.stream().filter(f -> !f.isDone()).count();
            }
        }
    }

    /** Records the strip (off the repair thread) and adds the recurrence to the outcome. */
    private Outcome record(Outcome out) {
        Strip strip = Strip.of(out);
        if (strip != null) {
            Recurrence recurrence = history.record(strip, policy, clock.instant());
            out = out.withRecurrence(recurrence);
        }
        return out;
    }

    /**
     * Which of the deployments that carry an event's correlation ID made the write to {@code outcome}'s subnet. A Bicep
     * module runs as a deployment of its own under its parent's correlation ID, so a parent and its modules in one
     * resource group all match. Preferred: one whose {@code properties.outputResources} names the subnet or its virtual
     * network; among several that do, the one with the fewest output resources (a module deploys part of what its
     * parent does, so where a parent reports its modules' resources too, the module is the narrower), then one naming
     * the subnet itself. When none names either, the one that started first: a module is started by its parent, so that
     * is the top-level deployment. Remaining ties go to the name, so the answer never depends on the listing's order.
     * Null when there is no candidate.
     */
    static @Nullable Deployment choose(List<DeploymentLookup.Candidate> candidates, Outcome outcome) {
        if (candidates.isEmpty()) {
            return null;
        }
        if (candidates.size() == 1) {
            return candidates.get(0).deployment();
        }
        ResourceId subnet = outcome.subnet().id();
        ResourceId vnet = outcome.subnet().virtualNetwork();
        Comparator<DeploymentLookup.Candidate> byStartThenName = Comparator
                .comparing((DeploymentLookup.Candidate c) -> c.deployment().startedAt(), Comparator.nullsLast(Comparator.naturalOrder()))
                .thenComparing(c -> c.deployment().name().toLowerCase(Locale.ROOT));
        Comparator<DeploymentLookup.Candidate> narrowest = Comparator
                .comparingInt((DeploymentLookup.Candidate c) -> c.outputResources().size())
                .thenComparing(c -> !c.outputResources().contains(subnet))
                .thenComparing(byStartThenName);
        Optional<DeploymentLookup.Candidate> named = candidates.stream()
                .filter(c -> c.outputResources().contains(subnet) || c.outputResources().contains(vnet)).min(narrowest);
        return named.orElseGet(() -> candidates.stream().min(byStartThenName).orElseThrow()).deployment();
    }


    /** True when the outcome's event carries a correlation ID to look a deployment up by. */
    private boolean lookedUp(Outcome outcome) {
        return deployments != DeploymentLookup.NONE && outcome.trigger() instanceof Trigger.Event e && e.write().correlationId() != null;
    }

    /**
     * The resource group a write's deployment is looked for in: the one of the event's subject (the resource written),
     * or the subnet's when the subject has none.
     */
    static ResourceId group(Outcome outcome, ArmWrite write) {
        ResourceId subject = write.subject();
        return subject.resourceGroup() != null
                ? ResourceId.parse("/subscriptions/" + subject.subscriptionId() + "/resourceGroups/" + subject.resourceGroup())
                : ResourceId.parse("/subscriptions/" + outcome.subnet().subscriptionId() + "/resourceGroups/"
                        + outcome.subnet().resourceGroup());
    }

    /** The lookup of {@code outcome}'s event: started now on {@link #pool} unless another subnet of it started it. */
    private Lookup lookup(Outcome outcome) {
        if (!lookedUp(outcome)) {
            return new Lookup(CompletableFuture.completedFuture(Answer.of(List.of())), clock.instant(), new AtomicBoolean(true), false);
        }
        ArmWrite write = ((Trigger.Event) outcome.trigger()).write();
        ResourceId group = group(outcome, write);
        String key = (write.correlationId() + "|" + group).toLowerCase(Locale.ROOT);
        Lookup lookup;
        synchronized (lookups) {
            evict();
            Lookup known = lookups.get(key);
            if (known != null) {
                return known;
            }
            lookup = new Lookup(new CompletableFuture<>(), clock.instant(), new AtomicBoolean(false), true);
            lookups.put(key, lookup);
        }
        try {
            pool.execute(() -> answer(key, lookup, list(group, write, outcome)));
        } catch (RejectedExecutionException e) {
            problems.accept("could not tell which deployment wrote " + outcome.subnet().virtualNetworkName() + ": too much work queued");
            answer(key, lookup, Answer.unknown(Attribution.Reason.SKIPPED));
        }
        return lookup;
    }

    /**
     * Completes {@code lookup} with {@code answer}; a failure is not an answer to keep, so it is forgotten first (the
     * outcomes already waiting on it still get it) and a retry of the event looks again.
     */
    private void answer(String key, Lookup lookup, Answer answer) {
        if (!answer.real()) {
            synchronized (lookups) {
                lookups.remove(key, lookup);
            }
        }
        lookup.answer().complete(answer);
    }

    /** The one list call of an event; unknown, with the reason reported, when it fails. */
    private Answer list(ResourceId group, ArmWrite write, Outcome outcome) {
        try {
            return Answer.of(deployments.byCorrelationId(group, write.correlationId()));
        } catch (ArmException ex) {
            boolean refused = ex.kind() == ArmException.Kind.FORBIDDEN;
            problems.accept("could not tell which deployment wrote " + outcome.subnet().virtualNetworkName() + " (correlation ID "
                    + write.correlationId() + "): " + ex.getMessage()
                    + (refused ? "; grant the guard's identity Microsoft.Resources/deployments/read"
                            + " (the aks-route-guard role in infra/ has it)" : "")
                    + "; the alert names the principal only and says the tool is not known");
            return Answer.unknown(refused ? Attribution.Reason.NOT_PERMITTED : Attribution.Reason.FAILED);
        } catch (RuntimeException ex) {
            problems.accept("could not tell which deployment wrote " + outcome.subnet().virtualNetworkName() + ": " + ex);
            return Answer.unknown(Attribution.Reason.FAILED);
        }
    }

    /** Drops answers older than {@link #LOOKUP_TTL}, and the oldest beyond {@link #MAX_LOOKUPS}. */
    private void evict() {
        Instant stale = clock.instant().minus(LOOKUP_TTL);
        Iterator<Lookup> it = lookups.values().iterator();
        while (it.hasNext()) {
            Lookup l = it.next();
            if (l.startedAt().isBefore(stale) && l.answer().isDone() || lookups.size() > MAX_LOOKUPS && l.answer().isDone()) {
                it.remove();
            }
        }
    }
}
