package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The tenant's management-group hierarchy and the subscriptions placed in it, as Microsoft.Management serves them
 * (api-version 2023-04-01): a group by ID, a group's descendants as a paged list, and a subscription by ID with its
 * display name. Seeded through {@link ArmEmulator}; there are no writes over HTTP. The tenant root group's ID is the
 * tenant ID, as in Azure. A subscription that was never placed here is not in any group.
 *
 * <p>Shapes: azure-rest-api-specs {@code specification/managementgroups/resource-manager/Microsoft.Management/stable/2023-04-01/management.json}
 * ({@code DescendantListResult}, {@code DescendantInfo}: {@code id}, {@code type}, {@code name},
 * {@code properties.displayName}, {@code properties.parent.id}; {@code ManagementGroup}); Subscriptions - Get,
 * {@code specification/resources/resource-manager/Microsoft.Resources/stable/2022-12-01/examples/GetSubscription.json}.
 * Thread-safe: every method is synchronized.
 */
final class ManagementGroups {

    static final String GROUP_TYPE = "Microsoft.Management/managementGroups";
    /** {@code DescendantInfo.type} of a subscription, as the spec describes it ("Microsoft.Management/managementGroups or /subscriptions"). */
    static final String SUBSCRIPTION_TYPE = "/subscriptions";
    static final String GROUP_PREFIX = "/providers/Microsoft.Management/managementGroups/";

    private static final Pattern PATH = Pattern.compile(
            "^/providers/Microsoft\\.Management/managementGroups/([^/]+)(/descendants)?/?$", Pattern.CASE_INSENSITIVE);
    private static final Base64.Encoder TOKEN_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder TOKEN_DECODER = Base64.getUrlDecoder();

    /** A request path of this provider taken apart. */
    record GroupPath(String groupId, boolean descendants) {}

    private record Group(String id, String displayName, @Nullable String parent) {}

    private record Subscription(String id, String displayName, String state, @Nullable String parent) {}

    private final String tenantId;
    /** By lower-case ID, in creation order (children are listed in that order). */
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Subscription> subscriptions = new LinkedHashMap<>();

    ManagementGroups(String tenantId) {
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId == null");
        groups.put(key(tenantId), new Group(tenantId, "Tenant Root Group", null));
    }

    /** The group path of a request, or empty for any other path. */
    static Optional<GroupPath> parse(String path) {
        Matcher m = PATH.matcher(path);
        return m.matches() ? Optional.of(new GroupPath(m.group(1), m.group(2) != null)) : Optional.empty();
    }

    /** The RBAC action of a request to this provider ({@code .../read}, {@code .../descendants/read}). */
    static String action(String method, GroupPath path) {
        String verb = switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD" -> "read";
            case "PUT", "PATCH" -> "write";
            case "DELETE" -> "delete";
            default -> "action";
        };
        return GROUP_TYPE + (path.descendants() ? "/descendants/" : "/") + verb;
    }

    static String scope(String groupId) {
        return GROUP_PREFIX + groupId;
    }

    synchronized String rootId() {
        return tenantId;
    }

    synchronized void addGroup(String groupId, String displayName, String parentGroupId) {
        requireName(groupId, "groupId");
        Objects.requireNonNull(displayName, "displayName == null");
        Group parent = requireGroup(parentGroupId);
        if (groups.containsKey(key(groupId))) {
            throw new IllegalArgumentException("management group " + groupId + " exists already");
        }
        groups.put(key(groupId), new Group(groupId, displayName, parent.id()));
    }

    synchronized void placeSubscription(String subscriptionId, String displayName, String groupId) {
        requireName(subscriptionId, "subscriptionId");
        Objects.requireNonNull(displayName, "displayName == null");
        Group parent = requireGroup(groupId);
        subscriptions.put(key(subscriptionId), new Subscription(subscriptionId, displayName, "Enabled", parent.id()));
    }

    synchronized void moveSubscription(String subscriptionId, String groupId) {
        Subscription current = subscriptions.get(key(subscriptionId));
        if (current == null) {
            throw new IllegalArgumentException("no subscription " + subscriptionId + " in the hierarchy; place it first");
        }
        Group parent = requireGroup(groupId);
        subscriptions.put(key(subscriptionId), new Subscription(current.id(), current.displayName(), current.state(), parent.id()));
    }

    /** The scopes above a subscription, nearest first: its group, that group's parent, …, the tenant root group. */
    synchronized List<String> ancestorScopesOfSubscription(String subscriptionId) {
        Subscription s = subscriptions.get(key(subscriptionId));
        return s == null || s.parent() == null ? List.of() : chain(s.parent());
    }

    /** The scopes above a group, nearest first. */
    synchronized List<String> ancestorScopesOfGroup(String groupId) {
        Group g = groups.get(key(groupId));
        return g == null || g.parent() == null ? List.of() : chain(g.parent());
    }

    private List<String> chain(String groupId) {
        List<String> scopes = new ArrayList<>();
        for (Group g = groups.get(key(groupId)); g != null; g = g.parent() == null ? null : groups.get(key(g.parent()))) {
            scopes.add(scope(g.id()));
        }
        return scopes;
    }

    /** {@code GET /subscriptions/{id}} of a placed subscription, or empty. */
    synchronized Optional<JsonObject> subscription(String subscriptionId) {
        Subscription s = subscriptions.get(key(subscriptionId));
        if (s == null) {
            return Optional.empty();
        }
        JsonObject body = new JsonObject();
        body.addProperty("id", "/subscriptions/" + s.id());
        body.addProperty("subscriptionId", s.id());
        body.addProperty("tenantId", tenantId);
        body.addProperty("displayName", s.displayName());
        body.addProperty("state", s.state());
        JsonObject policies = new JsonObject();
        policies.addProperty("locationPlacementId", "Public_2014-09-01");
        policies.addProperty("quotaId", "PayAsYouGo_2014-09-01");
        policies.addProperty("spendingLimit", "Off");
        body.add("subscriptionPolicies", policies);
        body.addProperty("authorizationSource", "RoleBased");
        body.add("managedByTenants", new JsonArray());
        return Optional.of(body);
    }

    /** {@code GET /providers/Microsoft.Management/managementGroups/{groupId}}. */
    synchronized JsonObject group(String groupId) {
        Group g = requireExisting(groupId);
        JsonObject properties = new JsonObject();
        properties.addProperty("tenantId", tenantId);
        properties.addProperty("displayName", g.displayName());
        JsonObject details = new JsonObject();
        if (g.parent() != null) {
            Group parent = groups.get(key(g.parent()));
            JsonObject parentInfo = new JsonObject();
            parentInfo.addProperty("id", scope(parent.id()));
            parentInfo.addProperty("name", parent.id());
            parentInfo.addProperty("displayName", parent.displayName());
            details.add("parent", parentInfo);
        }
        properties.add("details", details);
        JsonObject body = new JsonObject();
        body.addProperty("id", scope(g.id()));
        body.addProperty("type", GROUP_TYPE);
        body.addProperty("name", g.id());
        body.add("properties", properties);
        return body;
    }

    /** One page of a group's descendants (groups and subscriptions, breadth first); null token on the last page. */
    record Page(List<JsonObject> values, @Nullable String nextSkipToken) {}

    synchronized Page descendants(String groupId, @Nullable String skipToken, int pageSize) {
        Group top = requireExisting(groupId);
        List<JsonObject> all = new ArrayList<>();
        Deque<Group> queue = new ArrayDeque<>();
        queue.add(top);
        while (!queue.isEmpty()) {
            Group parent = queue.removeFirst();
            for (Group child : groups.values()) {
                if (parent.id().equalsIgnoreCase(child.parent() == null ? "" : child.parent())) {
                    all.add(descendant(scope(child.id()), GROUP_TYPE, child.id(), child.displayName(), parent.id()));
                    queue.addLast(child);
                }
            }
            for (Subscription s : subscriptions.values()) {
                if (parent.id().equalsIgnoreCase(s.parent() == null ? "" : s.parent())) {
                    all.add(descendant("/subscriptions/" + s.id(), SUBSCRIPTION_TYPE, s.id(), s.displayName(), parent.id()));
                }
            }
        }
        int from = skipToken == null ? 0 : decode(skipToken);
        int to = Math.min(all.size(), from + pageSize);
        List<JsonObject> values = from >= all.size() ? List.of() : List.copyOf(all.subList(from, to));
        return new Page(values, to < all.size()
                ? TOKEN_ENCODER.encodeToString(("d:" + to).getBytes(StandardCharsets.UTF_8)) : null);
    }

    private static JsonObject descendant(String id, String type, String name, String displayName, String parentId) {
        JsonObject parent = new JsonObject();
        parent.addProperty("id", scope(parentId));
        JsonObject properties = new JsonObject();
        properties.addProperty("displayName", displayName);
        properties.add("parent", parent);
        JsonObject item = new JsonObject();
        item.addProperty("id", id);
        item.addProperty("type", type);
        item.addProperty("name", name);
        item.add("properties", properties);
        return item;
    }

    private Group requireGroup(String groupId) {
        Objects.requireNonNull(groupId, "groupId == null");
        Group g = groups.get(key(groupId));
        if (g == null) {
            throw new IllegalArgumentException("no management group " + groupId);
        }
        return g;
    }

    private Group requireExisting(String groupId) {
        Group g = groups.get(key(groupId));
        if (g == null) {
            throw new ArmError(404, "NotFound", "'" + scope(groupId) + "' not found");
        }
        return g;
    }

    private static int decode(String skipToken) {
        try {
            String decoded = new String(TOKEN_DECODER.decode(skipToken), StandardCharsets.UTF_8);
            if (decoded.startsWith("d:")) {
                return Integer.parseInt(decoded.substring(2));
            }
        } catch (IllegalArgumentException e) {
            // falls through
        }
        throw ArmError.badRequest("InvalidSkipToken", "The $skiptoken '" + skipToken + "' is not valid.");
    }

    private static void requireName(String name, String what) {
        Objects.requireNonNull(name, what + " == null");
        if (name.isBlank() || name.contains("/")) {
            throw new IllegalArgumentException("not a valid " + what + ": " + name);
        }
    }

    private static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }
}
