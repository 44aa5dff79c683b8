package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Maps ARM write events to the subnets they concern, within a deadline: checks each event (guarded subscription,
 * handled operation, subject type), then maps it — a subnet write to that subnet, a VNet write to its kubenet node
 * subnets as the {@link ClusterDirectory} knows them, a cluster or agent-pool write to the cluster's node subnets after
 * reading it again. Mapping may read ARM, so it runs on threads of its own and what is not mapped by the deadline is
 * answered as a retryable failure. Owned by {@link Guard}; thread-safe.
 */
final class EventMapper {

    /**
     * Where events are mapped to subnets, off the caller's thread: mapping may read ARM, and a delivery must be
     * answered by its deadline whatever ARM does. Daemon threads, reused across deliveries, ended when idle.
     */
    private static final ExecutorService MAPPERS = Executors.newCachedThreadPool(Daemons.named("map-events"));

    private final ClusterDirectory directory;
    private final Clock clock;

    EventMapper(ClusterDirectory directory, Clock clock) {
        this.directory = Objects.requireNonNull(directory, "directory == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    private GuardedSubscriptions scope() {
        return directory.scope();
    }

    /**
     * Each event to its subnets by {@code deadline}, in order. Mapping may read ARM — a VNet write on a cold directory
     * lists the clusters, a cluster or agent-pool write reads the cluster, an unknown subscription may make a
     * management group be discovered again — each read bounded by ARM's own limits, which are longer than an event's
     * budget; so it runs off the caller's thread, and an event not mapped by the deadline is answered as a retryable
     * failure (handed to the retry queue like any other). What a late mapping still finds is discarded.
     */
    List<EventResult> mapAll(List<ArmWrite> writes, Instant deadline) {
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
            ArmException stale = scope().problem();
            if (stale != null) { // a subscription added to the management group since the last discovery that worked?
                return new EventResult.Failed(write, "subject is in subscription " + subscription + ", which was not among "
                        + scope().describe() + " when last discovered, and discovering them again failed: "
                        + stale.getMessage() + "; not decided until they can be discovered", stale.kind() == ArmException.Kind.TRANSIENT);
            }
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
                // A cluster created before this write but after the clusters were listed has subnets here too; one whose
                // subscription could not be listed again may: the event is mapped again later, as for one never read.
                ClusterDirectory.Recheck recheck = directory.recheckClusters(subject.subscriptionId(),
                        write.eventTime() != null ? write.eventTime() : clock.instant());
                ClusterDirectory.Known known = directory.known(subject.subscriptionId());
                java.util.Set<String> unread = new java.util.TreeSet<>(known.unread());
                unread.addAll(recheck.unconfirmed().keySet());
                return new EventResult.Mapped(write, known.owners().kubenetNodeSubnetsIn(subject), List.copyOf(unread));
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
}
