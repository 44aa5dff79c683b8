package dev.aksrouteguard.azure;

import com.azure.json.JsonReader;
import com.azure.json.JsonToken;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.config.SubscriptionScope;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.port.GuardedSubscriptions;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The guarded subscriptions over ARM. A fixed list ({@code AZURE_SUBSCRIPTION_ID}, {@code AZURE_SUBSCRIPTION_IDS}) is
 * what the settings say; a management group's ({@code AZURE_MANAGEMENT_GROUP_ID}) are discovered with the Management
 * Groups API ({@code GET /providers/Microsoft.Management/managementGroups/{groupId}/descendants}, paged; the
 * subscriptions among the descendants, at any depth), again after {@link #TTL}, on every sweep ({@link #refresh()}),
 * and when an event names a subscription not known yet (at most once a minute). A discovery that fails keeps the last
 * list, and only the sweep asks again within a minute of it: events do not pay for a failing call each (with its
 * retries); callers that ask at once share one discovery (those who waited for it take its result, or its failure).
 * Display names come from the descendants, or from {@code GET /subscriptions/{id}} once per subscription.
 */
final class ArmSubscriptions implements GuardedSubscriptions {

    /** Management Groups api-version of the descendants listing (Management Groups REST API, Management Groups - Get Descendants). */
    static final String GROUPS_API_VERSION = "2023-04-01";
    /** Subscriptions api-version for a subscription's display name. */
    static final String SUBSCRIPTIONS_API_VERSION = "2022-12-01";
    /** How long a discovered list is trusted, as the directory trusts its parts. */
    static final Duration TTL = Duration.ofMinutes(10);
    /** An event from a subscription not known yet discovers again, but not more often than this. */
    static final Duration UNKNOWN_RETRY = Duration.ofMinutes(1);

    private static final Pattern GUID = Pattern.compile("[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}");

    private final SubscriptionScope scope;
    private final ArmRest arm;
    private final Clock clock;
    private final Map<String, String> names = new ConcurrentHashMap<>();
    /** One discovery at a time; those who waited for it take its result instead of asking again. */
    private final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();
    private volatile @Nullable Discovery last;
    private volatile @Nullable ArmException problem;
    /** When the last discovery started, whether it worked or not: the once-a-minute limits count from here. */
    private volatile @Nullable Instant attempted;
    /** Discoveries finished, worked or not: a caller that saw this change while it waited asks no more. */
    private volatile long finished;

    private record Discovery(List<String> subscriptions, Instant at) {}

    ArmSubscriptions(SubscriptionScope scope, ArmRest arm, Clock clock) {
        this.scope = Objects.requireNonNull(scope, "scope == null");
        this.arm = Objects.requireNonNull(arm, "arm == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
    }

    @Override
    public boolean contains(String subscriptionId) {
        if (subscriptionId == null) {
            return false;
        }
        String id = subscriptionId.toLowerCase(Locale.ROOT);
        if (knownNow().contains(id)) {
            return true;
        }
        if (scope instanceof SubscriptionScope.ManagementGroup && GUID.matcher(id).matches()) {
            long seen = finished;
            // Not asked within a minute, or a discovery is under way now: waited for, and its answer taken.
            if (!askedWithin(UNKNOWN_RETRY) || lock.isLocked()) {
                try {
                    return discover(seen).contains(id);
                } catch (ArmException e) {
                    return false;
                }
            }
        }
        return false;
    }

    @Override
    public List<String> list() {
        return knownNow();
    }

    @Override
    public List<String> refresh() {
        if (scope instanceof SubscriptionScope.ManagementGroup) {
            long seen = finished;
            return keepingLast(() -> discover(seen)); // unless one finished while this one waited for it
        }
        return knownNow();
    }

    /** The discovery's list, or when it fails the last one (thrown when there is none). */
    private List<String> keepingLast(java.util.function.Supplier<List<String>> discovery) {
        try {
            return discovery.get();
        } catch (ArmException e) {
            Discovery d = last;
            if (d == null) {
                throw e;
            }
            return d.subscriptions();
        }
    }

    /** Why the last discovery failed (the list in use is then the one before), or null. */
    @Override
    public @Nullable ArmException problem() {
        return problem;
    }

    private List<String> knownNow() {
        if (scope instanceof SubscriptionScope.Single single) {
            return List.of(single.subscriptionId());
        }
        if (scope instanceof SubscriptionScope.Listed listed) {
            return listed.subscriptionIds();
        }
        long seen = finished;
        Discovery d = last;
        if (d != null && (Duration.between(d.at(), clock.instant()).compareTo(TTL) < 0 || problem != null && askedWithin(UNKNOWN_RETRY))) {
            return d.subscriptions();
        }
        return keepingLast(() -> discover(seen));
    }

    private boolean askedWithin(Duration period) {
        Instant a = attempted;
        return a != null && Duration.between(a, clock.instant()).compareTo(period) < 0;
    }

    /**
     * Discovers the list, unless a discovery finished since the caller found it needed one ({@code seen}, the count of
     * finished discoveries read before deciding to ask): that one, made while this caller waited for the lock, answers
     * it. So concurrent events whose TTL ran out together, or that came after a failure, cost one descendants listing
     * (with its retries), not one each.
     *
     * @throws ArmException when the discovery fails, or when the one waited for failed
     */
    private List<String> discover(long seen) {
        String group = ((SubscriptionScope.ManagementGroup) scope).groupId();
        lock.lock();
        try {
            if (finished != seen) {
                ArmException p = problem;
                Discovery d = last;
                if (p != null || d == null) {
                    throw p != null ? p : new IllegalStateException("no discovery was made");
                }
                return d.subscriptions();
            }
            String what = "list the subscriptions below management group " + group;
            attempted = clock.instant();
            try {
                List<Descendant> items = arm.listAt("/providers/Microsoft.Management/managementGroups/" + group, "/descendants",
                        GROUPS_API_VERSION, what, ArmSubscriptions::descendant);
                List<String> subs = new ArrayList<>();
                for (Descendant d : items) {
                    if (d.subscriptionId() != null) {
                        subs.add(d.subscriptionId());
                        if (d.displayName() != null) {
                            names.put(d.subscriptionId(), d.displayName());
                        }
                    }
                }
                List<String> sorted = subs.stream().distinct().sorted().toList();
                last = new Discovery(sorted, clock.instant());
                problem = null;
                return sorted;
            } catch (ArmException e) {
                problem = e;
                throw e;
            } finally {
                finished++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Callers waiting for the discovery another is making (a test's way to see them wait without timing). */
    int waitingForDiscovery() {
        return lock.getQueueLength();
    }

    /** One descendant: a subscription ({@code id} {@code /subscriptions/{id}}) or a group (ignored). */
    private record Descendant(@Nullable String subscriptionId, @Nullable String displayName) {}

    private static Descendant descendant(JsonReader reader) throws IOException {
        String id = null;
        String displayName = null;
        while (reader.nextToken() != JsonToken.END_OBJECT) {
            String field = reader.getFieldName();
            reader.nextToken();
            if (field.equals("id")) {
                id = reader.getString();
            } else if (field.equals("properties") && reader.currentToken() == JsonToken.START_OBJECT) {
                while (reader.nextToken() != JsonToken.END_OBJECT) {
                    String p = reader.getFieldName();
                    reader.nextToken();
                    if (p.equals("displayName")) {
                        displayName = reader.getString();
                    } else {
                        reader.skipChildren();
                    }
                }
            } else {
                reader.skipChildren();
            }
        }
        String sub = null;
        // A subscription is recognised by its ID; its type is /subscriptions in the service's model, but the spec's own
        // example says Microsoft.Management/managementGroups/subscriptions (docs/emulator.md).
        if (id != null && id.toLowerCase(Locale.ROOT).startsWith("/subscriptions/")) {
            String rest = id.substring("/subscriptions/".length()).toLowerCase(Locale.ROOT);
            if (GUID.matcher(rest).matches()) {
                sub = rest;
            }
        }
        return new Descendant(sub, displayName);
    }

    @Override
    public String howToCover(String subscriptionId) {
        if (scope instanceof SubscriptionScope.ManagementGroup group) {
            return "move subscription " + subscriptionId + " below management group " + group.groupId()
                    + " (the guard finds it within " + TTL.toMinutes() + " minutes, or at the next sweep)";
        }
        if (scope instanceof SubscriptionScope.Single) {
            return "guard subscription " + subscriptionId + " too: list both in " + Settings.AZURE_SUBSCRIPTION_IDS
                    + " (instead of " + Settings.AZURE_SUBSCRIPTION_ID + "), or deploy aks-route-guard for it";
        }
        return "add subscription " + subscriptionId + " to " + Settings.AZURE_SUBSCRIPTION_IDS;
    }

    @Override
    public String describe() {
        if (scope instanceof SubscriptionScope.ManagementGroup group) {
            Discovery d = last;
            return "the subscriptions below management group " + group.groupId() + (d == null ? "" : " (" + d.subscriptions().size()
                    + ")");
        }
        List<String> ids = knownNow();
        return ids.size() == 1 ? "subscription " + ids.get(0) : ids.size() + " subscriptions (" + Settings.AZURE_SUBSCRIPTION_IDS + ")";
    }

    /**
     * The display name: from the discovery, or one GET of the subscription for a listed one (remembered; null when it
     * fails). A guard of one subscription does not ask: its cards and audit need no names to tell subscriptions apart.
     */
    @Override
    public @Nullable String name(String subscriptionId) {
        String id = subscriptionId.toLowerCase(Locale.ROOT);
        String known = names.get(id);
        if (known != null || scope instanceof SubscriptionScope.Single) {
            return known;
        }
        try {
            ArmRest.Answer answer = arm.get("/subscriptions/" + id, SUBSCRIPTIONS_API_VERSION, "GET subscription " + id);
            String name = displayName(answer.body());
            if (name != null) {
                names.put(id, name);
            }
            return name;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static @Nullable String displayName(byte[] body) {
        try (JsonReader reader = com.azure.json.JsonProviders.createReader(body)) {
            if (reader.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (reader.nextToken() != JsonToken.END_OBJECT) {
                String field = reader.getFieldName();
                reader.nextToken();
                if (field.equals("displayName")) {
                    return reader.getString();
                }
                reader.skipChildren();
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

}
