package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.CallCount;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SweepReport;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.AlertSink;
import dev.aksrouteguard.core.port.ArmTraffic;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The guard of one subscription: turns every trigger (event, sweep, CLI) into subnet keys, reconciles each with the
 * one {@link Reconciler}, and tells the {@link AlertSink}. Built once per worker; thread-safe.
 */
public final class Guard {

    private final String subscriptionId;
    private final ClusterDirectory directory;
    private final Reconciler reconciler;
    private final AlertSink alerts;
    private final ArmTraffic traffic;
    private final Clock clock;
    private final int sweepConcurrency;

    public Guard(String subscriptionId, ClusterDirectory directory, Reconciler reconciler, AlertSink alerts,
            ArmTraffic traffic, Clock clock, int sweepConcurrency) {
        this.subscriptionId = Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        this.directory = Objects.requireNonNull(directory, "directory == null");
        this.reconciler = Objects.requireNonNull(reconciler, "reconciler == null");
        this.alerts = Objects.requireNonNull(alerts, "alerts == null");
        this.traffic = Objects.requireNonNull(traffic, "traffic == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        if (sweepConcurrency < 1) {
            throw new IllegalArgumentException("sweepConcurrency < 1");
        }
        this.sweepConcurrency = sweepConcurrency;
    }

    public Mode mode() {
        return reconciler.mode();
    }

    public String subscriptionId() {
        return subscriptionId;
    }

    /**
     * Handles one ARM write event: checks it is in the guarded subscription and a handled operation, maps it to
     * subnets, reconciles each and alerts. Never throws.
     */
    public EventResult onWrite(ArmWrite write) {
        Objects.requireNonNull(write, "write == null");
        if (!write.subject().subscriptionId().equalsIgnoreCase(subscriptionId)) {
            return new EventResult.Skipped(write, "subject is outside the guarded subscription " + subscriptionId);
        }
        String operation = Operations.canonical(write.operationName());
        if (operation == null) {
            return new EventResult.Skipped(write, "operation " + write.operationName() + " is not one the guard acts on");
        }
        Set<SubnetId> keys;
        try {
            keys = keysFor(operation, write.subject());
        } catch (IllegalArgumentException e) {
            return new EventResult.Skipped(write, e.getMessage());
        } catch (ArmException e) {
            return new EventResult.Failed(write, "could not read the subscription's clusters: " + e.getMessage(),
                    e.kind() == ArmException.Kind.TRANSIENT);
        } catch (RuntimeException e) {
            return new EventResult.Failed(write, "could not read the subscription's clusters: " + e, false);
        }
        Trigger trigger = new Trigger.Event(write);
        List<Outcome> outcomes = new ArrayList<>();
        for (SubnetId key : keys) {
            outcomes.add(reconcile(key, trigger));
        }
        return new EventResult.Reconciled(write, outcomes);
    }

    /**
     * The subnets an operation on {@code subject} concerns: a subnet write → that subnet; a VNet write → its kubenet
     * node subnets; a cluster or agent-pool write → the cluster's node subnets (after reading that cluster again,
     * since the write may have changed them).
     *
     * @throws IllegalArgumentException when the subject is not of the operation's resource type
     */
    Set<SubnetId> keysFor(String operation, ResourceId subject) {
        switch (operation) {
            case Operations.SUBNET_WRITE -> {
                requireType(subject, SubnetId.TYPE, operation);
                return Set.of(new SubnetId(subject));
            }
            case Operations.VNET_WRITE -> {
                requireType(subject, "Microsoft.Network/virtualNetworks", operation);
                return directory.owners().kubenetNodeSubnetsIn(subject);
            }
            case Operations.CLUSTER_WRITE, Operations.AGENT_POOL_WRITE -> {
                ResourceId clusterId = operation.equals(Operations.CLUSTER_WRITE) ? subject : subject.parent();
                requireType(subject, operation.equals(Operations.CLUSTER_WRITE)
                        ? "Microsoft.ContainerService/managedClusters"
                        : "Microsoft.ContainerService/managedClusters/agentPools", operation);
                Cluster cluster = directory.updateCluster(clusterId).cluster(clusterId);
                return cluster == null ? Set.of() : new LinkedHashSet<>(cluster.nodeSubnets());
            }
            default -> throw new IllegalArgumentException("operation " + operation + " is not handled");
        }
    }

    private static void requireType(ResourceId subject, String type, String operation) {
        if (!subject.isType(type)) {
            throw new IllegalArgumentException("subject " + subject + " is not a " + type + " (operation " + operation + ")");
        }
    }

    /** Reconciles one subnet and hands the outcome to the alert sink (which decides what is worth a message). */
    public Outcome reconcile(SubnetId id, Trigger trigger) {
        Outcome outcome = reconciler.reconcile(id, trigger);
        alerts.outcome(outcome);
        return outcome;
    }

    /**
     * One drift sweep: reads the subscription with list calls, decides every node subnet of every kubenet cluster
     * from the listing, and reconciles (fresh GET, then write) only the drifted ones, with bounded concurrency.
     * Once {@code budget} is spent no new write starts; the drifted subnets left are reported as not reached.
     * Sends one summary alert. Never throws.
     */
    public SweepReport sweep(Duration budget) {
        Instant started = clock.instant();
        CallCount before = traffic.snapshot();
        Trigger trigger = new Trigger.Sweep(started);
        Inventory inventory;
        try {
            inventory = directory.refresh();
        } catch (RuntimeException e) {
            SweepReport report = new SweepReport(started, clock.instant(), mode(), List.of(), List.of(),
                    traffic.snapshot().minus(before),
                    "could not list the subscription's clusters, route tables and virtual networks: " + e.getMessage());
            alerts.sweep(report);
            return report;
        }
        List<Outcome> assessed = new ArrayList<>();
        for (SubnetId id : inventory.kubenetNodeSubnets()) {
            assessed.add(reconciler.assess(id, inventory, trigger));
        }
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        List<Outcome> notReached = Collections.synchronizedList(new ArrayList<>());
        Instant deadline = started.plus(budget);
        List<Outcome> drifted = new ArrayList<>();
        for (Outcome o : assessed) {
            if (o.action() == Action.DRIFT_REPORTED && mode() == Mode.ENFORCE) {
                drifted.add(o);
            } else {
                outcomes.add(o);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(sweepConcurrency, Math.max(1, drifted.size())), r -> {
            Thread t = new Thread(r, "sweep");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Outcome o : drifted) {
                futures.add(pool.submit(() -> {
                    if (clock.instant().isAfter(deadline)) {
                        notReached.add(o);
                    } else {
                        outcomes.add(reconciler.reconcile(o.subnet(), trigger));
                    }
                }));
            }
            for (Future<?> f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a sweep task failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        List<Outcome> ordered = new ArrayList<>(outcomes);
        ordered.sort((a, b) -> a.subnet().toString().compareToIgnoreCase(b.subnet().toString()));
        SweepReport report = new SweepReport(started, clock.instant(), mode(), ordered, notReached,
                traffic.snapshot().minus(before), null);
        alerts.sweep(report);
        return report;
    }

    /**
     * The read-only audit: one outcome per node subnet of every kubenet cluster, decided from list calls alone.
     * Never writes. @throws ArmException when the subscription cannot be listed
     */
    public List<Outcome> audit() {
        Inventory inventory = directory.refresh();
        Trigger trigger = new Trigger.Manual("audit");
        List<Outcome> rows = new ArrayList<>();
        for (SubnetId id : inventory.kubenetNodeSubnets()) {
            rows.add(reconciler.assess(id, inventory, trigger));
        }
        return rows;
    }

    /** The clusters the audit lists as due for migration off kubenet, from the directory. */
    public List<Cluster> kubenetClusters() {
        return directory.owners().clusters().stream().filter(Cluster::isKubenet).toList();
    }
}
