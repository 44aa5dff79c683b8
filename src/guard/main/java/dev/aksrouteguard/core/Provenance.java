package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
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
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * What happens after an outcome, never before the repair: which ARM deployment made the write (the one whose
 * correlation ID the event carries, in the VNet's resource group), and the strip recorded in the repair history with
 * how often the subnet has been stripped lately. Both run on threads of their own; the caller waits for them at most
 * {@link #MAX_WAIT} (and never past its deadline), then goes on with what is known: an alert may wait briefly for the
 * deployment, a repair never does. The recording finishes in the background either way.
 *
 * <p>One list call per event: the lookups of the subnets of one event (a VNet write strips all its inline subnets)
 * share one call, and its answer is kept for {@link #LOOKUP_TTL}.
 */
final class Provenance {

    /** How long a caller waits for the deployment and the history after an outcome. */
    static final Duration MAX_WAIT = Duration.ofSeconds(5);
    /** How long a lookup's answer is shared with later outcomes of the same event. */
    static final Duration LOOKUP_TTL = Duration.ofMinutes(10);
    private static final int MAX_LOOKUPS = 256;

    /** Nothing looked up, nothing recorded. */
    static final Provenance NONE = new Provenance(DeploymentLookup.NONE, RepairHistory.NONE, Recurrence.Policy.DEFAULT,
            Clock.systemUTC(), problem -> {});

    private final DeploymentLookup deployments;
    private final RepairHistory history;
    private final Recurrence.Policy policy;
    private final Clock clock;
    private final Consumer<String> problems;
    private final Map<String, Lookup> lookups = new LinkedHashMap<>();
    private final ThreadPoolExecutor pool;

    private record Lookup(CompletableFuture<Optional<Deployment>> answer, Instant startedAt) {}

    /**
     * @param problems where a failed lookup is reported (one line, e.g. the missing permission); the outcome then names
     *     the principal only
     */
    Provenance(DeploymentLookup deployments, RepairHistory history, Recurrence.Policy policy, Clock clock,
            Consumer<String> problems) {
        this.deployments = Objects.requireNonNull(deployments, "deployments == null");
        this.history = Objects.requireNonNull(history, "history == null");
        this.policy = Objects.requireNonNull(policy, "policy == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.problems = Objects.requireNonNull(problems, "problems == null");
        this.pool = new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
            Thread t = new Thread(r, "provenance");
            t.setDaemon(true);
            return t;
        });
        pool.allowCoreThreadTimeOut(true);
    }

    Recurrence.Policy policy() {
        return policy;
    }

    RepairHistory history() {
        return history;
    }

    /** True for the outcomes whose cause is worth naming and recording: the subnet had been stripped. */
    static boolean stripped(Outcome o) {
        return o.action() == Action.REASSOCIATED || o.action() == Action.DRIFT_REPORTED;
    }

    /**
     * {@code outcome} with its deployment and recurrence, as far as they are known within {@link #MAX_WAIT} and
     * {@code deadline}; the outcome as it is for anything else. Never throws.
     */
    Outcome enrich(Outcome outcome, Instant deadline) {
        if (!stripped(outcome) || this == NONE || history == RepairHistory.NONE && !lookedUp(outcome)) {
            return outcome; // nothing to look up or record: no thread, no wait
        }
        CompletableFuture<Outcome> work;
        try {
            work = CompletableFuture.supplyAsync(() -> complete(outcome), pool);
        } catch (RejectedExecutionException e) {
            problems.accept("deployment lookup and repair history skipped for " + outcome.subnet() + ": too much work queued");
            return outcome;
        }
        Duration left = Duration.between(clock.instant(), deadline);
        Duration wait = left.compareTo(MAX_WAIT) < 0 ? left : MAX_WAIT;
        if (wait.isNegative() || wait.isZero()) {
            return outcome; // recorded in the background; nothing more is waited for
        }
        try {
            return work.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return outcome;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return outcome;
        } catch (ExecutionException e) {
            problems.accept("deployment lookup or repair history failed for " + outcome.subnet() + ": " + e.getCause());
            return outcome;
        }
    }

    /** Looks the deployment up (shared per event), then records the strip. */
    private Outcome complete(Outcome outcome) {
        Outcome out = outcome.withDeployment(deployment(outcome));
        Strip strip = Strip.of(out);
        if (strip != null) {
            Recurrence recurrence = history.record(strip, policy, clock.instant());
            out = out.withRecurrence(recurrence);
        }
        return out;
    }

    /** True when the outcome's event carries a correlation ID to look a deployment up by. */
    private boolean lookedUp(Outcome outcome) {
        return deployments != DeploymentLookup.NONE && outcome.trigger() instanceof Trigger.Event e && e.write().correlationId() != null;
    }

    private @Nullable Deployment deployment(Outcome outcome) {
        if (!lookedUp(outcome)) {
            return null;
        }
        ArmWrite write = ((Trigger.Event) outcome.trigger()).write();
        ResourceId group = ResourceId.parse("/subscriptions/" + outcome.subnet().subscriptionId() + "/resourceGroups/"
                + outcome.subnet().resourceGroup());
        String key = (write.correlationId() + "|" + group).toLowerCase(Locale.ROOT);
        CompletableFuture<Optional<Deployment>> answer;
        boolean mine = false;
        synchronized (lookups) {
            evict();
            Lookup known = lookups.get(key);
            if (known == null) {
                known = new Lookup(new CompletableFuture<>(), clock.instant());
                lookups.put(key, known);
                mine = true;
            }
            answer = known.answer();
        }
        if (mine) {
            try {
                answer.complete(deployments.byCorrelationId(group, write.correlationId()));
            } catch (ArmException ex) {
                problems.accept("could not tell which deployment wrote " + outcome.subnet().virtualNetworkName() + " (correlation ID "
                        + write.correlationId() + "): " + ex.getMessage()
                        + (ex.kind() == ArmException.Kind.FORBIDDEN ? "; grant the guard's identity Microsoft.Resources/deployments/read"
                                + " (the aks-route-guard role in infra/ has it)" : "")
                        + "; the alert names the principal only");
                answer.complete(Optional.empty());
            } catch (RuntimeException ex) {
                problems.accept("could not tell which deployment wrote " + outcome.subnet().virtualNetworkName() + ": " + ex);
                answer.complete(Optional.empty());
            }
        }
        return answer.join().orElse(null);
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
