package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpRequest;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.azure.ArmClients;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.DeliveryResult;
import dev.aksrouteguard.core.model.EventResult;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.InterceptingHttpClient;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deciding an event's subnet never waits for another subscription's listing, on a cold worker as on a warm one: the
 * guard runs over the Azure SDK and HTTPS against the emulator, with every request to subscription B held at the HTTP
 * client until the test lets it go. Proved without timing: what must not wait for B finishes while B's listing is
 * still held (were it waited for, the hold would have to end first, and the test would see it ended).
 */
class ClusterDirectoryTest {

    static final String A = Emulated.SUB;
    static final String B = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";

    /** The enforce role, at one scope (as ManySubscriptionsTest grants it). */
    static final Set<String> ROLE = Set.of("Microsoft.Network/*/read", "Microsoft.ContainerService/managedClusters/read",
            "Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/routeTables/join/action",
            "Microsoft.Network/networkSecurityGroups/join/action", "Microsoft.Network/natGateways/join/action",
            "Microsoft.Network/serviceEndpointPolicies/join/action", "Microsoft.Resources/subscriptions/read");

    final Emulated azure = Emulated.start();
    final Hold hold = new Hold(B);
    final TestClock clock = TestClock.system();
    /** The directory's Warnings. */
    final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();
    ClusterDirectory directory;

    @AfterEach
    void stop() {
        hold.open(); // frees the directory's shared reader threads before the next test
        azure.close();
    }

    /** A guard for subscriptions A and B, as the function app wires it, over the holding HTTP client. */
    Guard guard() {
        return guard(true);
    }

    /** @param retried false: a process that tries nothing again (the command line) */
    Guard guard(boolean retried) {
        Settings settings = azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS, A + "," + B);
        hold.delegate = ArmClients.httpClient(azure.arm.clientSslContext());
        ArmClients arm = ArmClients.connect(settings, azure.arm.credential(Principal.GUARD), hold);
        directory = new ClusterDirectory(arm.subscriptions(), arm.inventories(), clock, ClusterDirectory.DEFAULT_TTL, retried,
                warnings::add);
        Reconciler reconciler = new Reconciler(arm.subnets(), directory, Mode.ENFORCE, clock, azure.options().backoff());
        return new Guard(directory, reconciler, azure.alerts, azure.retries, arm.traffic(), clock, 4);
    }

    DeliveryResult deliver(Guard guard, String... subnets) {
        List<ArmWrite> writes = java.util.Arrays.stream(subnets).map(ClusterDirectoryTest::write).toList();
        return guard.onWrites(writes, clock.instant().plus(Duration.ofSeconds(20)));
    }

    static ArmWrite write(String subnet) {
        return new ArmWrite("e-" + subnet.hashCode(), "Microsoft.Network/virtualNetworks/subnets/write", ResourceId.parse(subnet),
                Instant.parse("2026-12-04T10:00:00Z"), "corr-1", new Actor("alice@contoso.com", "app-1", "203.0.113.7"));
    }

    static Outcome outcomeFor(DeliveryResult r, String subnet) {
        return r.outcomes().stream().filter(o -> o.subnet().toString().equalsIgnoreCase(subnet)).findFirst()
                .orElseThrow(() -> new AssertionError("no outcome for " + subnet + " in " + r.outcomes()));
    }

    String tableOf(String subnet) {
        String t = azure.routeTableOf(subnet);
        return t == null ? null : t.toLowerCase(Locale.ROOT);
    }

    /** B's cluster runs its node pools in {@code subnet} of A: a subnet of A that only a cluster in B uses. */
    void usedFromB(SeededCluster inB, String subnet) {
        JsonObject cluster = azure.resource(inB.clusterId());
        for (JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", subnet);
        }
        azure.arm.put(inB.clusterId(), cluster);
    }

    /** Waits (bounded) until the directory has read B's clusters in the background. */
    void awaitBRead() throws InterruptedException {
        for (int i = 0; i < 400 && !directory.known(A).unread().isEmpty(); i++) {
            Thread.sleep(25);
        }
        assertEquals(List.of(), directory.known(A).unread(), "B was read in the background");
    }

    // ---- (a) ---------------------------------------------------------------------------------------------------

    @Test
    void aColdEventForADriftedNodeSubnetOfAClusterInOneSubscriptionIsRepairedWhileAnotherSubscriptionsListingIsHeld()
            throws InterruptedException {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).drifted().seed(azure.arm);
        Guard guard = guard();
        hold.close();

        DeliveryResult r = deliver(guard, a.nodeSubnetId());

        Outcome o = outcomeFor(r, a.nodeSubnetId());
        assertEquals(Action.REASSOCIATED, o.action(), o.logLine());
        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), tableOf(a.nodeSubnetId()));
        assertTrue(hold.awaitArrival(), "B's first listing was started, in the background");
        assertEquals(1, hold.held(), "and B's listing was still held when A's repair was done: it was never waited for");
        assertEquals(List.of(B), directory.known(A).unread(), "B is still not read");
    }

    // ---- (b) ---------------------------------------------------------------------------------------------------

    @Test
    void aColdEventForASubnetNoClusterReadSoFarUsesIsDeferredNamingTheUnreadSubscriptionAndTheRetryDecidesItOnceItIsRead()
            throws InterruptedException {
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        usedFromB(theirs, mine.nodeSubnetId());
        azure.arm.delete(mine.clusterId()); // A's own cluster is gone: only the cluster in B uses the subnet now
        Guard guard = guard();
        hold.close();
        azure.arm.clearRequests();

        DeliveryResult r = deliver(guard, mine.nodeSubnetId());

        Outcome o = outcomeFor(r, mine.nodeSubnetId());
        assertEquals(Action.DEFERRED, o.action(), "not ignored on what A alone says: " + o.logLine());
        assertTrue(o.message().contains(B) && !o.message().contains(A), "names the subscription not read: " + o.message());
        assertTrue(o.retryable());
        assertEquals(List.of(), azure.writes(), "nothing written on partial knowledge");
        assertNull(azure.routeTableOf(mine.nodeSubnetId()));
        assertEquals(1, r.handedOn(), "handed to the retry queue");
        Emulated.RecordingRetries.Submitted handed = azure.retries.submitted.get(0);
        assertEquals(mine.nodeSubnetId().toLowerCase(Locale.ROOT), handed.request().target().toString().toLowerCase(Locale.ROOT));
        assertEquals(Guard.retryDelay(1), handed.delay());
        assertTrue(hold.awaitArrival() && hold.held() == 1, "B's listing was started and is still held");

        hold.open();
        awaitBRead();
        Guard.RetryResult retried = guard.onRetry(handed.request(), clock.instant().plus(Duration.ofSeconds(20)));

        assertEquals(Guard.Disposition.DONE, retried.disposition(), retried.outcomes().toString());
        Outcome decided = retried.outcomes().get(0);
        assertEquals(Action.REASSOCIATED, decided.action(), "decided by its owner in B: " + decided.logLine());
        assertEquals("aks-b", decided.cluster().name());
        assertEquals(theirs.routeTableId().toLowerCase(Locale.ROOT), tableOf(mine.nodeSubnetId()));
    }

    /**
     * A VNet write on a cold worker maps to the node subnets of the clusters read so far, and is handed on whole while
     * another subscription is unread: a cluster of its could use another subnet of that VNet. The known subnet is
     * repaired at once; the retry, once B is read, repairs B's.
     */
    @Test
    void aColdVnetWriteRepairsWhatIsKnownAndIsMappedAgainOnceEverySubscriptionIsRead() throws InterruptedException {
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        String second = mine.virtualNetworkId() + "/subnets/snet-b-nodes";
        JsonObject subnet = azure.resource(mine.nodeSubnetId()).deepCopy();
        subnet.remove("etag");
        subnet.getAsJsonObject("properties").addProperty("addressPrefix", "10.0.200.0/24");
        subnet.getAsJsonObject("properties").remove("routeTable");
        azure.arm.put(second, subnet);
        usedFromB(theirs, second);
        Guard guard = guard();
        hold.close();
        azure.arm.clearRequests();

        ArmWrite vnetWrite = new ArmWrite("e-vnet", "Microsoft.Network/virtualNetworks/write",
                ResourceId.parse(mine.virtualNetworkId()), Instant.parse("2026-12-04T10:00:00Z"), "corr-1",
                new Actor("alice@contoso.com", "app-1", "203.0.113.7"));
        DeliveryResult r = guard.onWrites(List.of(vnetWrite), clock.instant().plus(Duration.ofSeconds(20)));

        assertEquals(Action.REASSOCIATED, outcomeFor(r, mine.nodeSubnetId()).action(), "what is known is repaired at once");
        EventResult.Mapped mapped = (EventResult.Mapped) r.events().get(0);
        assertEquals(List.of(B), mapped.unread());
        assertNull(azure.routeTableOf(second), "B's subnet is not known yet, and nothing guesses it");
        assertEquals(1, r.handedOn());
        Emulated.RecordingRetries.Submitted handed = azure.retries.submitted.get(0);
        assertEquals(mine.virtualNetworkId().toLowerCase(Locale.ROOT),
                handed.request().target().toString().toLowerCase(Locale.ROOT), "the event, to be mapped again");

        hold.open();
        awaitBRead();
        Guard.RetryResult retried = guard.onRetry(handed.request(), clock.instant().plus(Duration.ofSeconds(20)));

        assertEquals(Guard.Disposition.DONE, retried.disposition(), retried.outcomes().toString());
        assertEquals(theirs.routeTableId().toLowerCase(Locale.ROOT), tableOf(second), "B's cluster's subnet, repaired by the retry");
    }

    @Test
    void aSubnetNoClusterUsesIsIgnoredOnceEverySubscriptionIsRead() throws InterruptedException {
        SeededCluster gone = Fixtures.kubenetCluster("rg-old", "aks-old").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        azure.arm.delete(gone.clusterId());
        Guard guard = guard();
        hold.close();

        Outcome cold = outcomeFor(deliver(guard, gone.nodeSubnetId()), gone.nodeSubnetId());
        assertEquals(Action.DEFERRED, cold.action(), cold.logLine());

        hold.open();
        awaitBRead();
        Outcome known = outcomeFor(deliver(guard, gone.nodeSubnetId()), gone.nodeSubnetId());
        assertEquals(Action.IGNORED, known.action(), known.logLine());
        assertNull(azure.routeTableOf(gone.nodeSubnetId()));
    }

    @Test
    void aSubscriptionTheGuardMayNotReadIsSkippedAsTheSweepSkipsItNotDeferredFor() throws InterruptedException {
        SeededCluster gone = Fixtures.kubenetCluster("rg-old", "aks-old").drifted().seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        azure.arm.delete(gone.clusterId());
        azure.arm.allowActions("/subscriptions/" + A, ROLE); // the role is assigned in A only: B answers 403
        Guard guard = guard();

        Outcome first = outcomeFor(deliver(guard, gone.nodeSubnetId()), gone.nodeSubnetId());
        assertEquals(Action.DEFERRED, first.action(), "B's first read was only started: " + first.logLine());
        for (int i = 0; i < 400 && directory.lastReadError(B) == null; i++) {
            Thread.sleep(25);
        }
        assertTrue(String.valueOf(directory.lastReadError(B)).contains("403"), String.valueOf(directory.lastReadError(B)));

        Outcome then = outcomeFor(deliver(guard, gone.nodeSubnetId()), gone.nodeSubnetId());
        assertEquals(Action.IGNORED, then.action(), "a refused subscription is not waited for again and again: " + then.logLine());
    }

    @Test
    void aProcessThatTriesNothingAgainReadsEveryOtherSubscriptionFirstAndDecidesTheSubnetAtOnce() {
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        usedFromB(theirs, mine.nodeSubnetId());
        azure.arm.delete(mine.clusterId());
        Guard guard = guard(false); // the command line: always cold, and a deferral would be deferred again at every run

        Outcome o = outcomeFor(deliver(guard, mine.nodeSubnetId()), mine.nodeSubnetId());

        assertEquals(Action.REASSOCIATED, o.action(), o.logLine());
        assertEquals("aks-b", o.cluster().name());
        assertEquals(List.of(), azure.retries.submitted);
    }

    /** B's cluster listing answers 503 (no wait asked): a subscription whose reads fail, not one that refuses. */
    void bListingFails() {
        azure.arm.inject(Fault.on("GET", "^/subscriptions/" + B + "/providers/Microsoft.ContainerService/managedClusters$")
                .respond(503, "ServiceUnavailable", "try later").retryAfter(0).always());
    }

    /** A drifted subnet of A that only {@code theirs}, a cluster in B, uses. */
    record UsedFromB(String subnet, SeededCluster theirs) {}

    /** A subnet of A that only a cluster in B uses (A's own cluster is gone). */
    UsedFromB aSubnetOnlyBUses() {
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        usedFromB(theirs, mine.nodeSubnetId());
        azure.arm.delete(mine.clusterId());
        return new UsedFromB(mine.nodeSubnetId(), theirs);
    }

    @Test
    void aProcessThatTriesNothingAgainDefersASubnetWhenAnotherSubscriptionsListingFailsNamingItAndItsErrorNeverIgnoresIt() {
        String subnet = aSubnetOnlyBUses().subnet();
        bListingFails();
        Guard guard = guard(false); // the command line: B's listing is waited for, and it fails

        DeliveryResult r = deliver(guard, subnet);

        Outcome o = outcomeFor(r, subnet);
        assertEquals(Action.DEFERRED, o.action(), "not ignored on what A alone says: " + o.logLine());
        assertTrue(o.message().contains(B) && o.message().contains("503"), "names the subscription and its error: " + o.message());
        assertTrue(r.anyUnfinished(), "the command line exits 4: run again");
        assertEquals(List.of(), azure.writes());
        assertEquals(List.of(), warnings, "a listing that failed once is not skipped");
    }

    @Test
    void aWorkerThatRetriesDefersASubnetWhileAnotherSubscriptionsReadsFailNamingItsErrorAndSkipsItOnceTheyHaveFailedForFiveMinutes()
            throws InterruptedException {
        UsedFromB shared = aSubnetOnlyBUses();
        String subnet = shared.subnet();
        SeededCluster theirs = shared.theirs();
        bListingFails();
        Guard guard = guard();
        assertTrue(String.valueOf(directory.refresh(B)).contains("503"), "the sweep's read of B fails");

        Outcome failing = outcomeFor(deliver(guard, subnet), subnet);
        assertEquals(Action.DEFERRED, failing.action(), "a failed read is unknown, not nothing: " + failing.logLine());
        assertTrue(failing.message().contains(B) && failing.message().contains("503"), failing.message());
        assertEquals(List.of(), warnings);

        clock.advance(ClusterDirectory.UNREADABLE_AFTER.minusSeconds(1));
        assertTrue(directory.refresh(B) != null, "B still fails");
        assertEquals(Action.DEFERRED, outcomeFor(deliver(guard, subnet), subnet).action(), "not yet failing for five minutes");
        clock.advance(Duration.ofSeconds(1));
        assertTrue(directory.refresh(B) != null, "B still fails, five minutes after its first failure");

        Outcome skipped = outcomeFor(deliver(guard, subnet), subnet);
        outcomeFor(deliver(guard, subnet), subnet);

        assertEquals(Action.IGNORED, skipped.action(), "B is skipped as a refused subscription is: " + skipped.logLine());
        assertEquals(1, warnings.size(), "said once: " + warnings);
        assertTrue(warnings.get(0).contains(B) && warnings.get(0).contains("skipped") && warnings.get(0).contains("503")
                && warnings.get(0).contains("until it can be read again"), warnings.get(0));
        assertEquals(List.of(), azure.writes(), "nothing written for B's cluster while B is unread");

        azure.arm.clearFaults();
        clock.advance(SubscriptionDirectory.QUIET_AFTER_FAILURE);
        deliver(guard, subnet); // starts B's read again, in the background
        for (int i = 0; i < 400 && directory.clustersOf(B).isEmpty(); i++) {
            Thread.sleep(25);
        }
        Outcome decided = outcomeFor(deliver(guard, subnet), subnet);

        assertEquals(Action.REASSOCIATED, decided.action(), "B read again: decided by its cluster: " + decided.logLine());
        assertEquals(theirs.routeTableId().toLowerCase(Locale.ROOT), tableOf(subnet));
        assertEquals(2, warnings.size(), String.valueOf(warnings));
        assertTrue(warnings.get(1).contains(B) && warnings.get(1).contains("read again"), warnings.get(1));
    }

    // ---- (c) ---------------------------------------------------------------------------------------------------

    /** A's drifted cluster, a subnet whose cluster is gone ("gone"), B's cluster; a worker that has read A and B. */
    record Warm(SeededCluster a, SeededCluster gone, Guard guard) {}

    Warm warm() {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").drifted().seed(azure.arm);
        SeededCluster gone = Fixtures.kubenetCluster("rg-old", "aks-old").seed(azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(B).seed(azure.arm);
        azure.arm.delete(gone.clusterId());
        Guard guard = guard();
        directory.refresh(); // warm: every subscription read
        return new Warm(a, gone, guard);
    }

    /**
     * B's listing hangs (held), and one write after another is newer than it: each is deferred after the recheck wait,
     * and no re-read of B is left holding a thread that a later event, or another caller, needs (before, four such
     * events filled the shared pool and the fifth event ran out its whole time budget, unfinished).
     */
    @Test
    void aHangingSubscriptionNeverHoldsUpTheNextEventsBeyondTheRecheckWait() {
        Warm w = warm();
        SeededCluster gone = w.gone();
        Guard guard = w.guard();
        clock.advance(Duration.ofMinutes(1));
        hold.close();
        for (int i = 0; i <= ClusterDirectory.READERS; i++) { // one more than the threads of a pool
            clock.advance(Duration.ofSeconds(11)); // past the floor: each write wants B read again
            Instant now = clock.instant();
            DeliveryResult r = guard.onWrites(List.of(new ArmWrite("e" + i, "Microsoft.Network/virtualNetworks/subnets/write",
                    ResourceId.parse(gone.nodeSubnetId()), now, "c", Actor.UNKNOWN)), now.plus(Duration.ofSeconds(8)));
            assertEquals(List.of(), r.unfinished(), "event " + i + " decided within its budget");
            Outcome o = outcomeFor(r, gone.nodeSubnetId());
            assertEquals(Action.DEFERRED, o.action(), "event " + i + ": " + o.logLine());
            assertTrue(o.message().contains(B), o.message());
        }
        assertEquals(1, hold.held(), "one listing of B under way at a time, not one per event");
    }

    /**
     * A write newer than every listing, and B slow to list again: a subnet a cluster of A uses is decided at once; one
     * no cluster used as last listed waits for B at most {@link ClusterDirectory#RECHECK_WAIT}, then is deferred, not
     * ignored on B's listing from before the write.
     */
    @Test
    void aWriteNewerThanAnotherSubscriptionsListingWaitsForItsReReadAtMostTheRecheckWait() throws InterruptedException {
        Warm w = warm();
        SeededCluster a = w.a();
        SeededCluster gone = w.gone();
        Guard guard = w.guard();
        clock.advance(Duration.ofMinutes(1));
        hold.close();
        Instant now = clock.instant();
        java.util.function.Function<String, ArmWrite> newer = subnet -> new ArmWrite("e-" + subnet.hashCode(),
                "Microsoft.Network/virtualNetworks/subnets/write", ResourceId.parse(subnet), now, "corr-1", Actor.UNKNOWN);

        DeliveryResult r = guard.onWrites(List.of(newer.apply(a.nodeSubnetId()), newer.apply(gone.nodeSubnetId())),
                clock.instant().plus(Duration.ofSeconds(20)));

        assertEquals(Action.REASSOCIATED, outcomeFor(r, a.nodeSubnetId()).action(), r.outcomes().toString());
        Outcome unknown = outcomeFor(r, gone.nodeSubnetId());
        assertEquals(Action.DEFERRED, unknown.action(), unknown.logLine());
        assertTrue(unknown.message().contains(B) && unknown.message().contains("took longer than "
                + ClusterDirectory.RECHECK_WAIT.toSeconds() + " s"), unknown.message());
        assertTrue(hold.awaitArrival(), "B was listed again");
    }

    @Test
    void aWarmWorkerDecidesFromAnotherSubscriptionsLastListingWhileItIsReadAgainInTheBackground() throws InterruptedException {
        Warm w = warm();
        SeededCluster a = w.a();
        SeededCluster gone = w.gone();
        Guard guard = w.guard();
        clock.advance(ClusterDirectory.DEFAULT_TTL.plusMinutes(1)); // and every part stale
        hold.close();

        DeliveryResult r = deliver(guard, a.nodeSubnetId(), gone.nodeSubnetId());

        assertEquals(Action.REASSOCIATED, outcomeFor(r, a.nodeSubnetId()).action(), r.outcomes().toString());
        assertEquals(Action.IGNORED, outcomeFor(r, gone.nodeSubnetId()).action(),
                "decided on B's last listing, not deferred: " + r.outcomes());
        assertEquals(a.routeTableId().toLowerCase(Locale.ROOT), tableOf(a.nodeSubnetId()));
        assertTrue(hold.awaitArrival(), "B's stale part is read again in the background");
        assertEquals(1, hold.held(), "and was not waited for");
        assertEquals(List.of(), directory.known(A).unread());
    }

    /** Guarded subscriptions the test adds to, as a management group's grow. */
    static final class Growing implements dev.aksrouteguard.core.port.GuardedSubscriptions {
        final AtomicReference<List<String>> ids;

        Growing(String... ids) {
            this.ids = new AtomicReference<>(List.of(ids));
        }

        private dev.aksrouteguard.core.port.GuardedSubscriptions now() {
            return dev.aksrouteguard.core.port.GuardedSubscriptions.fixed(ids.get(), Settings.AZURE_SUBSCRIPTION_IDS);
        }

        @Override
        public boolean contains(String subscriptionId) {
            return now().contains(subscriptionId);
        }

        @Override
        public List<String> list() {
            return now().list();
        }

        @Override
        public List<String> refresh() {
            return now().refresh();
        }

        @Override
        public String howToCover(String subscriptionId) {
            return now().howToCover(subscriptionId);
        }

        @Override
        public String describe() {
            return now().describe();
        }
    }

    /**
     * An event's own reads of several subscriptions side by side (here the stale networks of the subnet's subscription
     * and of its cluster's) run on a pool of their own: four other subscriptions' first listings, started in the
     * background and held, fill the background pool, and the event is still decided and repaired while they are held.
     */
    @Test
    void anEventsOwnReadsOfSeveralSubscriptionsNeverQueueBehindOtherSubscriptionsBackgroundListings() throws InterruptedException {
        String f = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
        List<String> others = List.of("1a2b3c4d-0000-4000-8000-000000000001", "1a2b3c4d-0000-4000-8000-000000000002",
                "1a2b3c4d-0000-4000-8000-000000000003", "1a2b3c4d-0000-4000-8000-000000000004");
        assertEquals(ClusterDirectory.READERS, others.size(), "as many held listings as background readers");
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(azure.arm);
        SeededCluster theirs = Fixtures.kubenetCluster("rg-f", "aks-f").subscription(f).seed(azure.arm);
        usedFromB(theirs, mine.nodeSubnetId());
        azure.arm.delete(mine.clusterId());
        Hold held = new Hold(others.toArray(String[]::new));
        held.delegate = ArmClients.httpClient(azure.arm.clientSslContext());
        Settings settings = azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS, A + "," + f);
        ArmClients arm = ArmClients.connect(settings, azure.arm.credential(Principal.GUARD), held);
        Growing scope = new Growing(A, f);
        directory = new ClusterDirectory(scope, arm.inventories(), clock, ClusterDirectory.DEFAULT_TTL, true, warnings::add);
        Guard guard = new Guard(directory, new Reconciler(arm.subnets(), directory, Mode.ENFORCE, clock, azure.options().backoff()),
                azure.alerts, azure.retries, arm.traffic(), clock, 4);
        try {
            // A and F read, then both stale; their clusters read again (A's here, F's in the background), their networks not.
            assertNull(directory.refresh(A));
            assertNull(directory.refresh(f));
            clock.advance(ClusterDirectory.DEFAULT_TTL.plusMinutes(1));
            List<dev.aksrouteguard.core.model.Cluster> before = directory.clustersOf(f);
            directory.known(A);
            for (int i = 0; i < 400 && directory.clustersOf(f) == before; i++) {
                Thread.sleep(25);
            }
            assertTrue(directory.clustersOf(f) != before, "F's clusters read again in the background");
            held.close();
            scope.ids.set(java.util.stream.Stream.concat(Stream.of(A, f), others.stream()).toList()); // four more, never read

            DeliveryResult r = deliver(guard, mine.nodeSubnetId());

            Outcome o = outcomeFor(r, mine.nodeSubnetId());
            assertEquals(Action.REASSOCIATED, o.action(), o.logLine());
            assertEquals(theirs.routeTableId().toLowerCase(Locale.ROOT), tableOf(mine.nodeSubnetId()));
            for (int i = 0; i < 400 && held.held() < ClusterDirectory.READERS; i++) {
                Thread.sleep(25); // the last of them may still be on its way to the HTTP client
            }
            assertEquals(ClusterDirectory.READERS, held.held(), "the four first listings, which fill the background readers, "
                    + "were still held after the event was done (held until the test opens them): its reads did not wait behind them");
        } finally {
            held.open();
        }
    }

    /**
     * Holds every request to some subscriptions at the HTTP client while closed, until opened (or a bound of 60 s, so a
     * test of code that waits fails instead of hanging), and counts the requests held.
     */
    static final class Hold extends InterceptingHttpClient {
        private final List<String> prefixes;
        private volatile CountDownLatch gate = new CountDownLatch(0);
        private final CountDownLatch arrived = new CountDownLatch(1);
        private final AtomicInteger held = new AtomicInteger();

        Hold(String... subscriptionIds) {
            this.prefixes = java.util.Arrays.stream(subscriptionIds).map(id -> ("/subscriptions/" + id + "/").toLowerCase(Locale.ROOT))
                    .toList();
        }

        void close() {
            gate = new CountDownLatch(1);
        }

        void open() {
            gate.countDown();
        }

        /** True once a request to the subscription arrived while closed (waited for at most 30 s). */
        boolean awaitArrival() throws InterruptedException {
            return arrived.await(30, TimeUnit.SECONDS);
        }

        /** Requests being held now. */
        int held() {
            return held.get();
        }

        @Override
        protected void before(HttpRequest request) {
            String path = request.getUrl().getPath().toLowerCase(Locale.ROOT);
            if (prefixes.stream().noneMatch(path::startsWith)) {
                return;
            }
            CountDownLatch g = gate;
            if (g.getCount() == 0) {
                return;
            }
            held.incrementAndGet();
            arrived.countDown();
            try {
                g.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                held.decrementAndGet();
            }
        }
    }
}
