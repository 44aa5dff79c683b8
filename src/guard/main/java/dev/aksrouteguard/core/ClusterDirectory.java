package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RouteTable;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import dev.aksrouteguard.core.port.Inventories;
import dev.aksrouteguard.core.port.InventorySource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The warm worker's memory of the guarded subscriptions: for each, its managed clusters and its network, read with
 * that subscription's own list calls (a {@link SubscriptionDirectory} each, so a slow or throttled subscription holds
 * up only itself) and trusted for the TTL. It answers two questions: "whose node subnet is this?" (the clusters of
 * every guarded subscription read so far, since a cluster may use a subnet of another; on a cold worker the others'
 * first reads run in the background, and {@link #known(String)} names those not read yet) and "which table is the
 * cluster's?" (the network of the subscriptions that cluster spans). It never decides a write on its own: right before
 * a write the reconciler reads the subnet and its owning cluster afresh; the route tables it weighs come from here (up
 * to the TTL old), and a write ARM refuses for an invalid reference makes it read this directory again.
 */
public final class ClusterDirectory {

    /** How long a part is trusted before it is read again. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);

    /** Parallel reads of different subscriptions' parts. */
    static final int READERS = 4;

    /**
     * A guarded subscription whose clusters were never read, and whose reads have kept failing (429, 5xx, timeouts, an
     * answer that cannot be trusted) for this long, is skipped as one the guard may not read is, instead of holding
     * every undecided subnet of the other subscriptions: short enough that work deferred for it is decided within the
     * retry queue's tries (30 s, 1, 2, 4, 8 minutes), long enough that a passing burst of throttling or 5xx defers
     * rather than skips.
     */
    public static final Duration UNREADABLE_AFTER = Duration.ofMinutes(5);

    /**
     * The re-reads of other subscriptions for a write newer than their listing ({@link #recheckClusters}): a pool of
     * their own, so that a slow subscription's re-read never takes a thread another caller waits for.
     */
    private static final ExecutorService RECHECKS = pool("directory-recheck");

    /** Reads nobody waits for: other subscriptions' first and stale clusters listings, started in the background. */
    private static final ExecutorService READS = pool("directory-read");

    /**
     * Reads the asking side waits for, several subscriptions side by side (an event's networks, the command line's
     * first listings): a pool of their own, so that they never queue behind the background reads of
     * {@link #READS}, which a slow or throttled subscription may hold for as long as its listing's bounds allow.
     */
    private static final ExecutorService ASKED = pool("directory-asked");

    private static ExecutorService pool(String name) {
        return Executors.newFixedThreadPool(READERS, Daemons.named(name));
    }

    private final GuardedSubscriptions scope;
    private final Inventories inventories;
    private final Clock clock;
    private final Duration ttl;
    /** How {@link #known(String)} treats the other subscriptions. */
    private final Others others;
    private final Map<String, SubscriptionDirectory> subscriptions = new ConcurrentHashMap<>();
    /** Subscriptions whose last read failed, with why: the sweep and the audit report them. */
    private final Map<String, ArmException> unreadable = new ConcurrentHashMap<>();
    private final Consumer<String> warnings;
    /** Subscriptions skipped after their reads kept failing, each said once (until a read of it works again). */
    private final Set<String> skippedSaid = ConcurrentHashMap.newKeySet();
    private final Object cacheLock = new Object();
    private @Nullable Combined owners;
    private final Map<Set<String>, Combined> combined = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Set<String>, Combined> eldest) {
            return size() > 16;
        }
    };

    /** An inventory and the parts it was built from (compared by identity: a part read again is a new object). */
    private record Combined(Inventory inventory, List<Object> parts) {}

    /** A directory for a process whose deferred work is tried again (the function app): see {@link #known(String)}. */
    public ClusterDirectory(GuardedSubscriptions scope, Inventories inventories, Clock clock, Duration ttl) {
        this(scope, inventories, clock, ttl, true);
    }

    /** As {@link #ClusterDirectory(GuardedSubscriptions, Inventories, Clock, Duration, boolean, Consumer)}, warning on {@code dev.aksrouteguard}. */
    public ClusterDirectory(GuardedSubscriptions scope, Inventories inventories, Clock clock, Duration ttl, boolean retried) {
        this(scope, inventories, clock, ttl, retried, Logger.getLogger("dev.aksrouteguard")::warning);
    }

    /**
     * @param retried true where deferred work is tried again later (the function app's retry queue): a question about
     *     one subscription never waits for another's first listing, and a subnet it cannot decide yet is deferred
     *     ({@link #known(String)}). False where nothing is tried again (the command line: one event per process, its
     *     directory always cold, a deferral that would be deferred again at every run): every subscription never read
     *     is read side by side and waited for (each listing bounded by the ARM limits), so the question is decided
     *     unless one of those listings fails (then it is deferred, naming the subscription and its error).
     * @param warnings where a subscription skipped (its read refused, or failing for {@link #UNREADABLE_AFTER}) is said, once
     */
    public ClusterDirectory(GuardedSubscriptions scope, Inventories inventories, Clock clock, Duration ttl, boolean retried,
            Consumer<String> warnings) {
        this.others = retried ? Others.BACKGROUND : Others.WAIT;
        this.scope = Objects.requireNonNull(scope, "scope == null");
        this.inventories = Objects.requireNonNull(inventories, "inventories == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.ttl = Objects.requireNonNull(ttl, "ttl == null");
        this.warnings = Objects.requireNonNull(warnings, "warnings == null");
    }

    /** One subscription and its inventory source: the CLI's and the tests' simple case. */
    public static ClusterDirectory of(String subscriptionId, InventorySource source, Clock clock, Duration ttl) {
        Objects.requireNonNull(source, "source == null");
        return new ClusterDirectory(GuardedSubscriptions.only(subscriptionId), s -> source, clock, ttl);
    }

    public GuardedSubscriptions scope() {
        return scope;
    }

    private SubscriptionDirectory of(String subscriptionId) {
        String key = subscriptionId.toLowerCase(Locale.ROOT);
        return subscriptions.computeIfAbsent(key, k -> new SubscriptionDirectory(k, inventories.of(k), clock, ttl));
    }

    // ---- owners ------------------------------------------------------------------------------------------------

    /** How a question about owners treats the guarded subscriptions other than the one it is about. */
    private enum Others {
        /** Each read when never read before, side by side, and waited for: a question about the whole directory. */
        WAIT,
        /** As last read (a stale one read again in the background); one never read is started in the background. */
        BACKGROUND,
        /** As last read, none read now: the sweep and the audit read each subscription themselves. */
        MEMORY
    }

    /**
     * What is known now of who uses node subnets, for deciding a subnet of {@code subscriptionId} without waiting for any
     * other subscription.
     *
     * @param owners the clusters of every guarded subscription read so far (no route tables, no subnets)
     * @param unread the guarded subscriptions whose clusters have never been read (their first read is under way in the
     *     background, or failed: 429, 5xx, a timeout, an answer that cannot be trusted), sorted: a cluster in one of them
     *     could use any subnet that no cluster in {@code owners} uses. A subscription this guard may not read (its last
     *     read was refused: 401/403, or 404) is not among them: it is reported by the sweep and skipped, as the sweep
     *     skips it; nor is one whose reads have kept failing for {@link #UNREADABLE_AFTER} (skipped too, with one
     *     Warning).
     */
    record Known(Inventory owners, List<String> unread) {
        public Known {
            Objects.requireNonNull(owners, "owners == null");
            unread = List.copyOf(unread);
        }
    }

    /**
     * The clusters of every guarded subscription, for a question about a subnet of {@code subscriptionId}. That
     * subscription's part is read again when stale, on this thread (a bounded wait: the ARM limits of its listing);
     * every other subscription is answered as last read, a stale part read again in the background, and one never read
     * is started in the background and left out (named in {@link Known#unread()}), never waited for: a slow or throttled
     * subscription holds up only itself, cold or warm. A subscription that cannot be read is answered from what was last
     * read of it, and one never read is named in {@link Known#unread()} (its read refused, 401/403/404, excepted: it is
     * skipped, as the sweep skips it; so is one whose reads have kept failing for {@link #UNREADABLE_AFTER}); if it is
     * {@code subscriptionId}, this throws instead, since "not a node subnet" could be wrong. A directory built for a
     * process that tries nothing again (the command line) reads every subscription never read instead, side by side,
     * and waits: only one whose listing failed is left unread (named, with its error, in {@link #lastReadError}).
     *
     * @throws ArmException when {@code subscriptionId}'s clusters cannot be read
     */
    Known known(String subscriptionId) {
        return known(subscriptionId, null);
    }

    /**
     * {@link #known(String)} for a caller with a deadline (a reconcile): no wait for a read (another read of a
     * subscription holding it, or a read on another thread) ends after {@code until} (null: no deadline).
     *
     * @throws DeadlineReached when a read waited for had not finished by {@code until}
     */
    Known known(String subscriptionId, @Nullable Instant until) {
        Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        return owners(subscriptionId, others, until);
    }

    private Known owners(@Nullable String focus, Others others, @Nullable Instant until) {
        List<String> subs = scope.list();
        Map<String, CompletableFuture<SubscriptionDirectory.Part<List<Cluster>>>> reads = new LinkedHashMap<>();
        long toRead = subs.stream().filter(s -> readsNow(of(s), isFocus(s, focus), others)).count();
        for (String s : subs) {
            SubscriptionDirectory d = of(s);
            java.util.function.Supplier<SubscriptionDirectory.Part<List<Cluster>>> read = isFocus(s, focus) ? () -> d.clusters(until)
                    : switch (others) {
                        case WAIT -> () -> d.lastClusters() != null ? d.clustersNoWait(READS)
                                : d.failedRecently() ? null : d.clusters(until);
                        case BACKGROUND -> () -> d.clustersNoWait(READS);
                        case MEMORY -> d::lastClusters;
                    };
            // Answers from memory, or a single read, on this thread; several reads side by side.
            reads.put(s, toRead <= 1 || !readsNow(d, isFocus(s, focus), others) ? completed(read)
                    : CompletableFuture.supplyAsync(read, ASKED));
        }
        List<Object> parts = new ArrayList<>();
        List<Cluster> clusters = new ArrayList<>();
        List<String> unread = new ArrayList<>();
        Instant oldest = null;
        for (Map.Entry<String, CompletableFuture<SubscriptionDirectory.Part<List<Cluster>>>> r : reads.entrySet()) {
            SubscriptionDirectory d = of(r.getKey());
            SubscriptionDirectory.Part<List<Cluster>> part;
            try {
                part = join(r.getValue(), until, "the clusters of subscription " + r.getKey());
                if (part != null) {
                    unreadable.remove(r.getKey());
                }
            } catch (ArmException e) {
                unreadable.put(r.getKey(), e);
                if (isFocus(r.getKey(), focus)) {
                    throw e;
                }
                part = d.lastClusters();
            }
            if (part == null) {
                // Never read: its first read is under way in the background, or failed. Not a reason to decide without
                // it (a cluster there could use the subnet), unless it is refused or has kept failing for long.
                if (!skipped(r.getKey(), d)) {
                    unread.add(r.getKey());
                }
                continue;
            }
            if (d.lastError() == null && skippedSaid.remove(r.getKey())) {
                warnings.accept("subscription " + r.getKey() + " can be read again: its clusters are taken into account again");
            }
            parts.add(part);
            clusters.addAll(part.value());
            oldest = oldest == null || part.readAt().isBefore(oldest) ? part.readAt() : oldest;
        }
        Collections.sort(unread);
        synchronized (cacheLock) {
            if (owners == null || !sameParts(owners.parts(), parts)) {
                owners = new Combined(new Inventory(clusters, List.of(), List.of(), oldest == null ? clock.instant() : oldest), parts);
            }
            return new Known(owners.inventory(), unread);
        }
    }

    /**
     * True when a subscription never read is left out of a decision instead of named unread: its last read was refused
     * (it is reported by the sweep, as the sweep skips it), or its reads have kept failing for
     * {@link #UNREADABLE_AFTER}; either is said once, as a Warning, until a read of it works again.
     */
    private boolean skipped(String subscriptionId, SubscriptionDirectory d) {
        RuntimeException why = d.lastError();
        if (refused(why)) {
            if (skippedSaid.add(subscriptionId)) {
                warnings.accept("subscription " + subscriptionId + " is skipped: reading its clusters was refused (" + why.getMessage()
                        + "); subnets of the other guarded subscriptions are decided without reading it (on its last listing, "
                        + "if any), so a subnet that only a cluster in " + subscriptionId + " uses (all of them when it was never "
                        + "read, one created since otherwise) is not recognised as a node subnet (nor repaired) until the guard "
                        + "may read it; the sweep reports it as unreadable");
            }
            return true;
        }
        Duration failing = d.failingFor();
        if (why == null || failing == null || failing.compareTo(UNREADABLE_AFTER) < 0) {
            return false;
        }
        if (skippedSaid.add(subscriptionId)) {
            warnings.accept("subscription " + subscriptionId + " is skipped: its clusters could not be read for "
                    + failing.toMinutes() + " minutes (last error: " + why.getMessage() + "); subnets of the other guarded "
                    + "subscriptions are decided without reading it (on its last listing, if any), so a subnet that only a "
                    + "cluster in " + subscriptionId + " uses (all of them when it was never read, one created since otherwise) "
                    + "is not recognised as a node subnet (nor repaired) until it can be read again; the sweep reports it as "
                    + "unreadable");
        }
        return true;
    }

    /** True when answering {@code d} runs an ARM read on the asking side (this thread, or side by side with others). */
    private static boolean readsNow(SubscriptionDirectory d, boolean focus, Others others) {
        return focus ? !d.freshClusters() : others == Others.WAIT && d.lastClusters() == null && !d.failedRecently();
    }

    /** A read refused for good (no permission, no such subscription), not one that may pass: 429, 5xx, a timeout. */
    private static boolean refused(@Nullable RuntimeException e) {
        return e instanceof ArmException a && (a.kind() == ArmException.Kind.FORBIDDEN || a.kind() == ArmException.Kind.NOT_FOUND);
    }

    private static boolean isFocus(String subscription, @Nullable String focus) {
        return focus != null && focus.equalsIgnoreCase(subscription);
    }

    /**
     * The owners of every guarded subscription, none read again in particular, each never read before read now side by
     * side and waited for: a question about the whole directory (the clusters due for migration, after an audit).
     */
    public Inventory owners() {
        return owners(null, Others.WAIT, null).owners();
    }

    /** The clusters of one subscription as last read (the sweep reads it first). */
    public List<Cluster> clustersOf(String subscriptionId) {
        SubscriptionDirectory.Part<List<Cluster>> part = of(subscriptionId).lastClusters();
        return part == null ? List.of() : part.value();
    }

    // ---- decisions -----------------------------------------------------------------------------------------------

    /**
     * Every guarded subscription's clusters, and the network of {@code networks} (each read again when stale): what
     * deciding a subnet needs. @throws ArmException when a needed part cannot be read
     */
    public Inventory current(Set<String> networks) {
        return current(networks, Others.BACKGROUND, null);
    }

    /**
     * {@link #current(Set)} for a caller with a deadline (a reconcile): no wait for a read ends after {@code until}.
     *
     * @throws DeadlineReached when a read waited for had not finished by {@code until}
     */
    Inventory current(Set<String> networks, Instant until) {
        return current(networks, Others.BACKGROUND, Objects.requireNonNull(until, "until == null"));
    }

    /**
     * As {@link #current(Set)}, but with the clusters of the subscriptions outside {@code networks} as last read, none
     * read now: the sweep and the audit, which read every subscription themselves, side by side.
     */
    public Inventory currentAsKnown(Set<String> networks) {
        return current(networks, Others.MEMORY, null);
    }

    private Inventory current(Set<String> networks, Others others, @Nullable Instant until) {
        Set<String> wanted = new TreeSet<>();
        networks.forEach(s -> wanted.add(s.toLowerCase(Locale.ROOT)));
        wanted.removeIf(s -> !scope.contains(s));
        // A wanted subscription with both parts stale is read whole first: its three listings side by side.
        for (String s : wanted) {
            SubscriptionDirectory d = of(s);
            if (!d.freshClusters() && !d.freshNetwork()) {
                try {
                    d.network(until);
                } catch (ArmException e) {
                    unreadable.put(s, e);
                    throw e;
                }
            }
        }
        Inventory ownersNow = owners(null, others, until).owners();
        Map<String, CompletableFuture<SubscriptionDirectory.Part<InventorySource.Network>>> reads = new LinkedHashMap<>();
        long stale = wanted.stream().filter(s -> !of(s).freshNetwork()).count();
        for (String s : wanted) {
            SubscriptionDirectory d = of(s);
            java.util.function.Supplier<SubscriptionDirectory.Part<InventorySource.Network>> read = () -> d.network(until);
            reads.put(s, stale <= 1 || d.freshNetwork() ? completed(read) : CompletableFuture.supplyAsync(read, ASKED));
        }
        List<Object> parts = new ArrayList<>();
        parts.add(ownersNow);
        List<RouteTable> tables = new ArrayList<>();
        List<SubnetState> subnets = new ArrayList<>();
        Instant oldest = ownersNow.readAt();
        for (Map.Entry<String, CompletableFuture<SubscriptionDirectory.Part<InventorySource.Network>>> r : reads.entrySet()) {
            SubscriptionDirectory.Part<InventorySource.Network> part;
            try {
                part = join(r.getValue(), until, "the route tables and subnets of subscription " + r.getKey());
                unreadable.remove(r.getKey());
            } catch (ArmException e) {
                unreadable.put(r.getKey(), e);
                throw e;
            }
            parts.add(part);
            tables.addAll(part.value().routeTables());
            subnets.addAll(part.value().subnets());
            oldest = part.readAt().isBefore(oldest) ? part.readAt() : oldest;
        }
        synchronized (cacheLock) {
            Combined cached = combined.get(wanted);
            if (cached != null && sameParts(cached.parts(), parts)) {
                return cached.inventory();
            }
            Combined fresh = new Combined(new Inventory(ownersNow.clusters(), tables, subnets, oldest), parts);
            combined.put(Set.copyOf(wanted), fresh);
            return fresh.inventory();
        }
    }

    /** Every guarded subscription, clusters and network. @throws ArmException when a part cannot be read */
    public Inventory current() {
        return current(new LinkedHashSet<>(scope.list()));
    }

    /**
     * The subscriptions whose network deciding {@code subnet} needs: its own, and those of the kubenet cluster that uses
     * it (its node resource group's, and its other node subnets').
     */
    public static Set<String> networksFor(SubnetId subnet, @Nullable Cluster owner) {
        Set<String> subs = new TreeSet<>();
        subs.add(subnet.subscriptionId().toLowerCase(Locale.ROOT));
        if (owner != null) {
            subs.add(owner.id().subscriptionId().toLowerCase(Locale.ROOT));
            owner.nodeSubnets().forEach(s -> subs.add(s.subscriptionId().toLowerCase(Locale.ROOT)));
        }
        return subs;
    }

    /**
     * Reads one cluster again (it was just written, or a write is about to rely on it) and puts it in the directory in
     * place of what was known of it: one ARM read (a clusters part never read, or stale, is listed instead).
     *
     * @return the directory with the cluster as it is now (absent when it was deleted), with the network its node
     *     subnets need
     * @throws ArmException when the cluster cannot be read
     */
    public Inventory updateCluster(ResourceId id) {
        return updateCluster(id, null);
    }

    /**
     * {@link #updateCluster(ResourceId)} for a caller with a deadline (a reconcile confirming the owner before a
     * write): no wait for a read (a sweep's or a background listing holding the subscription) ends after {@code until}
     * (null: no deadline).
     *
     * @throws DeadlineReached when a read waited for had not finished by {@code until}: the cluster was not read
     */
    Inventory updateCluster(ResourceId id, @Nullable Instant until) {
        Objects.requireNonNull(id, "id == null");
        if (!scope.contains(id.subscriptionId())) {
            throw new IllegalArgumentException("cluster " + id + " is outside the guarded " + scope.describe());
        }
        of(id.subscriptionId()).updateCluster(id, until);
        Inventory now = known(id.subscriptionId(), until).owners();
        Cluster cluster = now.cluster(id);
        Set<String> networks = new TreeSet<>();
        networks.add(id.subscriptionId().toLowerCase(Locale.ROOT));
        if (cluster != null) {
            cluster.nodeSubnets().forEach(s -> networks.add(s.subscriptionId().toLowerCase(Locale.ROOT)));
        }
        return current(networks, Others.BACKGROUND, until);
    }

    /**
     * A listing younger than this is not read again for a write it may predate: a burst of events shares one re-read.
     */
    public static final Duration RECHECK_FLOOR = Duration.ofSeconds(10);
    /** The clock skew allowed between the time Event Grid gives a write and this worker's clock. */
    static final Duration RECHECK_SKEW = Duration.ofSeconds(5);

    /** How long the asking side waits for the other subscriptions' re-reads of {@link #recheckClusters}. */
    static final Duration RECHECK_WAIT = Duration.ofSeconds(2);

    /**
     * What {@link #recheckClusters} did.
     *
     * @param reread true when some subscription's clusters were read again (decide again)
     * @param unconfirmed the guarded subscriptions whose clusters, listed before the write, could not be read again
     *     (the read failed or failed a moment ago, or it did not finish within {@link #RECHECK_WAIT}), each with why: a
     *     "no" cannot be confirmed for them, so the write is handed on rather than answered
     */
    record Recheck(boolean reread, Map<String, String> unconfirmed) {
        static final Recheck NONE = new Recheck(false, Map.of());
    }

    /**
     * Before a "no" is taken from the clusters (not a node subnet, no node subnet in this VNet) for a write made at
     * {@code writtenAt}: reads the clusters of every guarded subscription again whose part was read before that write
     * (a cluster created since, or known only to another worker, is missing from it; a cluster may use a subnet of
     * another subscription), unless it is younger than {@link #RECHECK_FLOOR}. {@code focus} (the subject's
     * subscription) is waited for; the others, side by side, for at most {@link #RECHECK_WAIT}, so that a slow
     * subscription holds up only itself. The part's TTL alone would let a warm worker answer "no" for a new cluster's
     * subnet for up to ten minutes. A subscription {@link #known} skips (refused for good, 403 or 404, or failing for
     * {@link #UNREADABLE_AFTER}) is skipped here too, with the same Warning.
     *
     * @param writtenAt when the write happened (the event's time); null: nothing is read again
     */
    Recheck recheckClusters(String focus, @Nullable Instant writtenAt) {
        return recheckClusters(focus, writtenAt, null);
    }

    /**
     * {@link #recheckClusters(String, Instant)} for a caller with a deadline (a reconcile): neither the wait for
     * {@code focus} nor the one for the others ends after {@code until} (null: no deadline).
     *
     * @throws DeadlineReached when a re-read waited for had not finished by {@code until}
     */
    Recheck recheckClusters(String focus, @Nullable Instant writtenAt, @Nullable Instant until) {
        if (writtenAt == null) {
            return Recheck.NONE;
        }
        List<String> subs;
        try {
            subs = new ArrayList<>(scope.list());
        } catch (RuntimeException e) {
            return Recheck.NONE; // the discovery's failure is reported where it is asked
        }
        return recheck(focus, subs, writtenAt, until, "clusters",
                (d, after, lockUntil) -> d.rereadClusters(after, RECHECK_FLOOR, lockUntil));
    }

    /**
     * The re-reads of other subscriptions on {@link #RECHECKS} now, by part and subscription: at most one each not
     * started yet, and one running.
     */
    private final Map<String, Shared> rechecksInFlight = new ConcurrentHashMap<>();

    /**
     * One re-read of one part of one subscription, shared by every caller that asks before it starts: it reads again
     * unless the part is current for the latest write any of them answers ({@link #join}). Once it has started, it has
     * decided for the writes it knew, so a caller for a later write does not join it but queues the next one.
     */
    private static final class Shared {
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        private Instant readAfter;
        private boolean started;

        Shared(Instant readAfter) {
            this.readAfter = readAfter;
        }

        /** Joins this re-read for a write needing a read at or after {@code after}; false when it has started already. */
        synchronized boolean join(Instant after) {
            if (started) {
                return false;
            }
            if (after.isAfter(readAfter)) {
                readAfter = after;
            }
            return true;
        }

        /** Starts it: no caller joins any more. @return the latest time a joined write needs a read at or after */
        synchronized Instant start() {
            started = true;
            return readAfter;
        }
    }

    /**
     * The re-read of one part of {@code subscription} on {@link #RECHECKS} for a write needing a read at or after
     * {@code readAfter}: the one queued and not started yet (made to answer this write too), or a new one, queued after
     * the one running if any. Sharing it keeps the pool's queue to one task per subscription and part, however many
     * events ask while a subscription hangs, so that a healthy subscription's re-read never waits behind a slow one's; and
     * a re-read that started (and decided whether to read) for an older write never answers a newer one: a listing that
     * started before a write would be taken for one made after it.
     */
    private CompletableFuture<Boolean> inFlight(String part, String subscription, Instant readAfter,
            java.util.function.Function<Instant, Boolean> read) {
        String key = part + "|" + subscription.toLowerCase(Locale.ROOT);
        Shared[] created = new Shared[1];
        Shared[] running = new Shared[1];
        Shared f = rechecksInFlight.compute(key, (k, old) -> {
            if (old != null && !old.result.isDone() && old.join(readAfter)) {
                return old;
            }
            created[0] = new Shared(readAfter);
            running[0] = old != null && !old.result.isDone() ? old : null;
            return created[0];
        });
        if (created[0] != null) {
            Shared mine = created[0];
            Runnable submit = () -> {
                try {
                    RECHECKS.execute(() -> {
                        try {
                            mine.result.complete(read.apply(mine.start()));
                        } catch (RuntimeException e) {
                            mine.result.completeExceptionally(e);
                        } catch (Error e) {
                            // completed all the same: the re-read queued behind this one starts only when it completes
                            mine.result.completeExceptionally(e);
                            throw e;
                        } finally {
                            rechecksInFlight.remove(key, mine);
                        }
                    });
                } catch (RuntimeException e) {
                    rechecksInFlight.remove(key, mine);
                    mine.result.completeExceptionally(e);
                }
            };
            if (running[0] == null) {
                submit.run();
            } else {
                running[0].result.whenComplete((v, t) -> submit.run()); // no thread of the pool waits for the running one
            }
        }
        return f.result;
    }

    /** One subscription's re-read of one part: {@link SubscriptionDirectory#rereadClusters} or {@code rereadNetwork}. */
    private interface Reread {
        boolean run(SubscriptionDirectory d, Instant readAfter, @Nullable Instant lockUntil);
    }

    /**
     * Re-reads a part of {@code focus} on this thread, waiting for a read under way as long as it takes (no later than
     * {@code until}, when given), and of the other {@code subscriptions} on {@link #RECHECKS} side by side, each waiting
     * at most {@link #RECHECK_WAIT} for a read under way and waited for at most that long (nor past {@code until}): a
     * slow subscription holds up neither this question beyond that nor any other caller's reads (its own pool, and no
     * thread of it waits on a lock longer than the wait).
     *
     * @throws DeadlineReached when a wait of this caller reached {@code until}
     */
    private Recheck recheck(String focus, List<String> subscriptions, Instant writtenAt, @Nullable Instant until, String part,
            Reread reread) {
        Instant now = clock.instant();
        Instant after = (writtenAt.isAfter(now) ? now : writtenAt).plus(RECHECK_SKEW); // a future time: as if now
        String own = focus.toLowerCase(Locale.ROOT);
        Instant recheckWait = now.plus(RECHECK_WAIT);
        boolean deadlineFirst = until != null && until.isBefore(recheckWait);
        Instant waitUntil = deadlineFirst ? until : recheckWait;
        Map<String, CompletableFuture<Boolean>> others = new LinkedHashMap<>();
        for (String s : subscriptions) {
            if (s.equalsIgnoreCase(own) || skipped(s, of(s))) {
                continue; // the focus below; one refused, or failing for UNREADABLE_AFTER, is left out with its Warning
            }
            // the wait on the pool counts from when the re-read starts (the caller's own wait is bounded below)
            others.put(s, inFlight(part, s, after, readAfter -> reread.run(of(s), readAfter, clock.instant().plus(RECHECK_WAIT))));
        }
        boolean any = false;
        Map<String, String> unconfirmed = new LinkedHashMap<>();
        try {
            if (scope.contains(focus)) {
                any = reread.run(of(focus), after, until);
            }
        } catch (DeadlineReached e) {
            throw e; // the caller's time is up: nothing more is read or decided for it
        } catch (RuntimeException e) {
            if (!refused(e)) {
                unconfirmed.put(own, "reading its " + part + " again failed: " + e.getMessage());
            }
        }
        for (Map.Entry<String, CompletableFuture<Boolean>> r : others.entrySet()) {
            try {
                long left = Math.max(0, Duration.between(clock.instant(), waitUntil).toNanos());
                any |= r.getValue().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                if (deadlineFirst) {
                    throw new DeadlineReached("the " + part + " of subscription " + r.getKey() + " were still being read again");
                }
                unconfirmed.put(r.getKey(), "reading its " + part + " again took longer than " + RECHECK_WAIT.toSeconds() + " s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unconfirmed.put(r.getKey(), "interrupted");
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (!(cause instanceof RuntimeException re && refused(re))) {
                    unconfirmed.put(r.getKey(), "reading its " + part + " again failed: " + cause.getMessage());
                }
            }
        }
        return new Recheck(any, unconfirmed);
    }

    /**
     * As {@link #recheckClusters}, for the network of {@code subscriptions} (route tables and subnets; {@code focus},
     * the subnet's, waited for): before "no route table carries the cluster's pod routes" (or a conflict with a
     * look-alike) is said of a write, since AKS creates a new cluster's table after the network was listed.
     */
    Recheck recheckNetwork(String focus, Set<String> subscriptions, @Nullable Instant writtenAt) {
        return recheckNetwork(focus, subscriptions, writtenAt, null);
    }

    /**
     * {@link #recheckNetwork(String, Set, Instant)} for a caller with a deadline (a reconcile): no wait ends after
     * {@code until} (null: no deadline). @throws DeadlineReached when a re-read waited for had not finished by then
     */
    Recheck recheckNetwork(String focus, Set<String> subscriptions, @Nullable Instant writtenAt, @Nullable Instant until) {
        if (writtenAt == null) {
            return Recheck.NONE;
        }
        return recheck(focus, new ArrayList<>(subscriptions), writtenAt, until, "network",
                (d, after, lockUntil) -> d.rereadNetwork(after, RECHECK_FLOOR, lockUntil));
    }

    /** Reads every guarded subscription again now, side by side. @throws ArmException when a read fails */
    public Inventory refresh() {
        List<String> subs = scope.refresh();
        Map<String, CompletableFuture<Void>> reads = new LinkedHashMap<>();
        for (String s : subs) {
            reads.put(s, CompletableFuture.runAsync(() -> of(s).refresh(), ASKED));
        }
        for (Map.Entry<String, CompletableFuture<Void>> r : reads.entrySet()) {
            try {
                join(r.getValue());
                unreadable.remove(r.getKey());
            } catch (ArmException e) {
                unreadable.put(r.getKey(), e);
                throw e;
            }
        }
        return current();
    }

    /**
     * Reads one subscription again now (the sweep fans out over them).
     *
     * @return null when it was read, else why not (and the subscription is remembered as unreadable)
     */
    public @Nullable ArmException refresh(String subscriptionId) {
        return refresh(subscriptionId, null);
    }

    /** @throws DeadlineReached when another read still holds the subscription at {@code until} (not a failed read) */
    private @Nullable ArmException refresh(String subscriptionId, @Nullable Instant until) {
        try {
            of(subscriptionId).refresh(until);
            unreadable.remove(subscriptionId.toLowerCase(Locale.ROOT));
            return null;
        } catch (ArmException e) {
            unreadable.put(subscriptionId.toLowerCase(Locale.ROOT), e);
            return e;
        } catch (DeadlineReached e) {
            throw e;
        } catch (RuntimeException e) {
            ArmException wrapped = ArmException.terminal(e.toString(), e);
            unreadable.put(subscriptionId.toLowerCase(Locale.ROOT), wrapped);
            return wrapped;
        }
    }

    /** Why the last read of {@code subscriptionId}'s directory failed, or null when it did not (or none was made). */
    @Nullable RuntimeException lastReadError(String subscriptionId) {
        return of(subscriptionId).lastError();
    }

    /** The guarded subscriptions whose last read failed, with why. */
    public Map<String, ArmException> unreadable() {
        return Collections.unmodifiableMap(new LinkedHashMap<>(unreadable));
    }

    private static boolean sameParts(List<Object> a, List<Object> b) {
        if (a.size() != b.size()) {
            return false;
        }
        Set<Object> identities = Collections.newSetFromMap(new IdentityHashMap<>());
        identities.addAll(a);
        return b.stream().allMatch(identities::contains);
    }

    /** The value or the failure of {@code read}, run on this thread. */
    private static <T> CompletableFuture<T> completed(java.util.function.Supplier<T> read) {
        try {
            return CompletableFuture.completedFuture(read.get());
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Reads the parts of {@code subscriptionIds} again now; failures are remembered, never thrown. A subscription another
     * read still holds at {@code until} is not read (nor counted as a failure): the caller's time is up.
     */
    void refreshQuietly(Set<String> subscriptionIds, Instant until) {
        Objects.requireNonNull(until, "until == null");
        for (String s : subscriptionIds) {
            if (scope.contains(s)) {
                try {
                    refresh(s, until);
                } catch (DeadlineReached e) {
                    return; // the next pass, if any starts, meets the same deadline and defers
                }
            }
        }
    }

    /**
     * {@link #join(CompletableFuture)}, waiting no later than {@code until} (null: as long as the read takes). A read
     * not started by then (queued behind others on its pool) is cancelled, so that none starts for a caller gone.
     *
     * @param what what is being read, for the message
     * @throws DeadlineReached when the read has not finished by {@code until}
     */
    private <T> T join(CompletableFuture<T> future, @Nullable Instant until, String what) {
        if (until == null || future.isDone()) {
            return join(future);
        }
        try {
            return future.get(Math.max(0, Duration.between(clock.instant(), until).toNanos()),
                    java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            future.cancel(false);
            throw new DeadlineReached(what + " were still being read on another thread");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            future.cancel(false);
            throw new DeadlineReached("interrupted while " + what + " were being read");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof RuntimeException r ? r : new CompletionException(cause);
        }
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }
}
