package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The emulator's ARM state and the rules of its writes. Resources are JSON objects keyed by lower-case id
 * (ARM ids are case-insensitive); inline children live inside their parent. Indexes keep reads and list
 * pages proportional to what they return. One lock guards everything: every method is synchronized.
 */
final class ArmState {
    /** One page of a collection; {@code nextSkipToken} is null on the last page. */
    record Page(List<JsonObject> values, @Nullable String nextSkipToken) {
    }

    /** The answer to a write: status, body (null for none) and extra headers. */
    record Written(int status, @Nullable JsonObject body, Map<String, String> headers) {
    }

    /** The answer to an operation poll. */
    record Poll(JsonObject body, boolean done) {
    }

    private static final Base64.Encoder TOKEN_ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder TOKEN_DECODER = Base64.getUrlDecoder();

    private final String tenantId;
    private final Clock clock;
    private final Consumer<JsonObject> events;
    private final TreeMap<String, JsonObject> resources = new TreeMap<>();
    private final Map<String, NavigableSet<String>> idsBySubscriptionAndType = new HashMap<>();
    private final BackReferences backReferences = new BackReferences();
    private final Map<String, AsyncOperation> operations = new HashMap<>();
    private final Map<String, AsyncOperation> pendingByResource = new HashMap<>();
    private String endpoint = "https://127.0.0.1/";
    private int inProgressPolls = 1;
    private int retryAfterSeconds = 1;
    private boolean conflictOnConcurrentWrites = true;
    private boolean supersedeConcurrentWrites;
    private boolean synchronousWrites;
    private int listedIpConfigurationsLimit = Integer.MAX_VALUE;

    ArmState(String tenantId, Clock clock, Consumer<JsonObject> events) {
        this.tenantId = Objects.requireNonNull(tenantId, "tenantId == null");
        this.clock = Objects.requireNonNull(clock, "clock == null");
        this.events = Objects.requireNonNull(events, "events == null");
    }

    synchronized void endpoint(String endpoint) {
        this.endpoint = endpoint.endsWith("/") ? endpoint : endpoint + "/";
    }

    synchronized void asyncOperations(int inProgressPolls, int retryAfterSeconds) {
        this.inProgressPolls = inProgressPolls;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    synchronized int retryAfterSeconds() {
        return retryAfterSeconds;
    }

    synchronized void synchronousWrites(boolean enabled) {
        this.synchronousWrites = enabled;
    }

    synchronized void conflictOnConcurrentWrites(boolean enabled) {
        this.conflictOnConcurrentWrites = enabled;
    }

    synchronized void supersedeConcurrentWrites(boolean enabled) {
        this.supersedeConcurrentWrites = enabled;
    }

    synchronized void listedIpConfigurationsLimit(int limit) {
        this.listedIpConfigurationsLimit = limit;
    }

    // ---------------------------------------------------------------- reads

    synchronized JsonObject read(ArmPath path) {
        switch (path.scope()) {
            case SUBSCRIPTION:
                return subscription(path.subscription());
            case RESOURCE_GROUP:
                JsonObject group = resources.get(key(path.resourceGroupId()));
                if (group == null) {
                    throw ArmError.resourceGroupNotFound(path.resourceGroup());
                }
                return group.deepCopy();
            case PROVIDER:
                requireResourceGroup(path);
                if (path.names().size() == 1) {
                    JsonObject resource = resources.get(key(path.resourceId()));
                    if (resource == null) {
                        throw ArmError.resourceNotFound(path);
                    }
                    return view(resource);
                }
                if (path.names().size() == 2) {
                    InlineChildren kind = InlineChildren.forChildType(path.resourceType());
                    JsonObject parent = existingParent(path);
                    JsonObject entry = kind == null ? null : kind.find(parent, path.lastName());
                    if (entry == null) {
                        throw ArmError.notFound(path.resourceId());
                    }
                    return kind.view(parent, entry);
                }
                throw ArmError.notFound(path.resourceId());
            default:
                throw new IllegalArgumentException("not a resource: " + path);
        }
    }

    synchronized Page list(ArmPath path, @Nullable String skipToken, int pageSize) {
        if (path.scope() == ArmPath.Scope.RESOURCE_GROUPS) {
            return topLevelPage(ids(path.subscription(), Types.RESOURCE_GROUP), skipToken, pageSize);
        }
        if (path.names().isEmpty()) {
            NavigableSet<String> ids = ids(path.subscription(), path.resourceType());
            if (path.resourceGroup() != null) {
                requireResourceGroup(path);
                String prefix = key(path.resourceGroupId()) + "/";
                ids = ids.subSet(prefix, true, prefix + Character.MAX_VALUE, false);
            }
            return topLevelPage(ids, skipToken, pageSize);
        }
        InlineChildren kind = InlineChildren.forChildType(path.resourceType());
        if (path.names().size() != 1 || kind == null) {
            throw ArmError.badRequest("InvalidResourceType",
                    "The resource type '" + path.resourceType() + "' could not be found.");
        }
        requireResourceGroup(path);
        JsonObject parent = existingParent(path);
        JsonArray entries = kind.entries(parent);
        int from = skipToken == null ? 0 : decodeIndex(skipToken);
        List<JsonObject> values = new ArrayList<>();
        for (int i = from; i < entries.size() && values.size() < pageSize; i++) {
            values.add(kind.view(parent, entries.get(i).getAsJsonObject()));
        }
        int next = from + values.size();
        return new Page(values, next < entries.size() ? TOKEN_ENCODER.encodeToString(
                ("i:" + next).getBytes(StandardCharsets.UTF_8)) : null);
    }

    // ---------------------------------------------------------------- writes

    synchronized Written put(ArmPath path, JsonObject body, Preconditions preconditions, RequestContext request) {
        if (path.scope() == ArmPath.Scope.RESOURCE_GROUP) {
            return putResourceGroup(path, body, request);
        }
        if (path.scope() != ArmPath.Scope.PROVIDER || path.isCollection() || path.names().size() > 2) {
            throw new ArmError(405, "MethodNotAllowed", "The requested resource does not support http method 'PUT'.");
        }
        requireResourceGroup(path);
        return path.names().size() == 1
                ? putTopLevel(path, body, preconditions, request)
                : putChild(path, body, preconditions, request);
    }

    private Written putResourceGroup(ArmPath path, JsonObject body, RequestContext request) {
        String location = Json.string(body, "location");
        if (location == null) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        JsonObject before = resources.get(key(path.resourceGroupId()));
        store(resourceGroup(path, body, before));
        emit(Events.WRITE_SUCCESS, "Succeeded", request, path, Rbac.action(request.method(), request.path()),
                before != null);
        return new Written(before == null ? 201 : 200, read(path), Map.of());
    }

    private Written putTopLevel(ArmPath path, JsonObject body, Preconditions preconditions, RequestContext request) {
        if (Types.is(path.resourceType(), Types.DEPLOYMENT)) {
            JsonObject before = resources.get(key(path.resourceId()));
            store(Deployments.fromRequest(path, body, request.correlationId(), clock.instant()));
            emit(Events.WRITE_SUCCESS, "Succeeded", request, path, Rbac.action(request.method(), request.path()), before != null);
            return new Written(before == null ? 201 : 200, read(path), Map.of());
        }
        String lockKey = key(path.resourceId());
        JsonObject current = resources.get(lockKey);
        requireNoOperationInProgress(lockKey, true);
        preconditions.check(current == null ? null : etag(current), current != null, path.resourceId());
        List<JsonObject> removed = new ArrayList<>();
        JsonObject next = Normalizer.topLevel(path, body, current, false, removed);
        String action = Rbac.action(request.method(), request.path());
        if (Types.is(path.resourceType(), Types.VIRTUAL_NETWORK)) {
            for (JsonObject subnet : removed) {
                requireNotInUse(subnet);
            }
            List<RequestContext.LinkedAction> linked = new ArrayList<>();
            for (JsonElement subnet : InlineChildren.SUBNETS.entries(next)) {
                linked.addAll(linkedActions(subnet.getAsJsonObject()));
            }
            request.linkedAccess().check(action, path.resourceId(), linked);
            for (JsonElement subnet : InlineChildren.SUBNETS.entries(next)) {
                validateReferences(Json.string(next, "location"), subnet.getAsJsonObject());
            }
        }
        boolean longRunning = Types.isLongRunning(path.resourceType()) && asynchronous(request);
        Normalizer.stampEtag(next, null);
        Normalizer.setProvisioningState(next,
                longRunning ? Types.inProgressState(path.resourceType(), current == null) : "Succeeded", true);
        JsonObject before = supersedePending(lockKey, action) ? settled(current) : current;
        store(next);
        return finishWrite(path, request, next, before, null, longRunning, action);
    }

    private Written putChild(ArmPath path, JsonObject body, Preconditions preconditions, RequestContext request) {
        InlineChildren kind = InlineChildren.forChildType(path.resourceType());
        if (kind == null) {
            throw ArmError.badRequest("UnsupportedResourceType",
                    "The emulator does not support writing '" + path.resourceType() + "' resources.");
        }
        JsonObject parent = existingParent(path);
        String lockKey = key(Json.string(parent, "id"));
        requireNoOperationInProgress(lockKey, true);
        JsonObject currentEntry = kind.find(parent, path.lastName());
        preconditions.check(currentEntry == null ? null : kind.etag(currentEntry), currentEntry != null,
                path.resourceId());
        JsonObject entry = Normalizer.child(kind, Json.string(parent, "id"), path.lastName(), body, currentEntry, false);
        String action = Rbac.action(request.method(), request.path());
        if (kind == InlineChildren.SUBNETS) {
            request.linkedAccess().check(action, path.resourceId(), linkedActions(entry));
            validateReferences(Json.string(parent, "location"), entry);
        }
        JsonObject next = parent.deepCopy();
        int index = kind.indexOf(next, path.lastName());
        if (index < 0) {
            kind.entries(next).add(entry);
        } else {
            kind.entries(next).set(index, entry);
        }
        String name = Json.string(entry, "name");
        Normalizer.stampEtag(next, name);
        boolean longRunning = asynchronous(request);
        JsonObject before = parent;
        if (supersedePending(lockKey, action)) {
            before = settled(parent);
            Normalizer.settle(next, "Succeeded"); // the VNet and the other subnets, left Updating by the canceled write
        }
        kind.entryProperties(entry).addProperty("provisioningState",
                longRunning ? Types.inProgressState(kind.childType(), currentEntry == null) : "Succeeded");
        store(next);
        return finishWrite(path, request, next, before, name, longRunning, action);
    }

    /** Whether a Network/AKS write answers with an async operation (always when a fault changes its operation). */
    private boolean asynchronous(RequestContext request) {
        return !synchronousWrites || request.operationFault() != null;
    }

    private Written finishWrite(ArmPath path, RequestContext request, JsonObject stored, @Nullable JsonObject before,
            @Nullable String childName, boolean longRunning, String action) {
        boolean created = childName == null ? before == null
                : InlineChildren.forChildType(path.resourceType()).find(before, childName) == null;
        int status = created ? 201 : 200;
        if (!longRunning) {
            emit(Events.WRITE_SUCCESS, "Succeeded", request, path, action, !created);
            return new Written(status, responseView(path, stored, childName), Map.of());
        }
        String location = Json.string(stored, "location").toLowerCase(Locale.ROOT).replace(" ", "");
        String id = UUID.randomUUID().toString();
        String statusUrl = endpoint + "subscriptions/" + path.subscription() + "/providers/" + path.namespace()
                + "/locations/" + location + "/operations/" + id + "?api-version=" + request.apiVersion();
        Fault fault = request.operationFault();
        AsyncOperation operation = new AsyncOperation(id, statusUrl, key(Json.string(stored, "id")), childName,
                before == null ? null : before.deepCopy(), created, fault != null && fault.isAsyncFailure() ? fault : null,
                request, action, clock.instant(),
                fault != null && fault.neverEndsOperation() ? Integer.MAX_VALUE : inProgressPolls);
        operations.put(id, operation);
        pendingByResource.put(operation.lockKey, operation);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Azure-AsyncOperation", statusUrl);
        headers.put("Retry-After", Integer.toString(retryAfterSeconds));
        return new Written(status, responseView(path, stored, childName), headers);
    }

    synchronized Written delete(ArmPath path, Preconditions preconditions, RequestContext request) {
        String action = Rbac.action(request.method(), request.path());
        if (path.scope() == ArmPath.Scope.RESOURCE_GROUP) {
            String groupKey = key(path.resourceGroupId());
            if (!resources.containsKey(groupKey)) {
                return new Written(204, null, Map.of());
            }
            for (String id : new ArrayList<>(resources.subMap(groupKey + "/", groupKey + "/" + Character.MAX_VALUE)
                    .keySet())) {
                unstore(id);
            }
            unstore(groupKey);
            emit(Events.DELETE_SUCCESS, "Succeeded", request, path, action, true);
            return new Written(200, null, Map.of());
        }
        if (path.scope() != ArmPath.Scope.PROVIDER || path.isCollection() || path.names().size() > 2) {
            throw new ArmError(405, "MethodNotAllowed", "The requested resource does not support http method 'DELETE'.");
        }
        requireResourceGroup(path);
        if (path.names().size() == 1) {
            JsonObject current = resources.get(key(path.resourceId()));
            if (current == null) {
                return new Written(204, null, Map.of());
            }
            requireNoOperationInProgress(key(path.resourceId()), false);
            preconditions.check(etag(current), true, path.resourceId());
            if (Types.is(path.resourceType(), Types.VIRTUAL_NETWORK)) {
                for (JsonElement subnet : InlineChildren.SUBNETS.entries(current)) {
                    requireNotInUse(subnet.getAsJsonObject());
                }
            }
            List<String> users = backReferences.subnetsReferencing(path.resourceId());
            if (Types.isReferencedBySubnets(path.resourceType()) && !users.isEmpty()) {
                String typeName = path.types().get(0).substring(0, 1).toUpperCase(Locale.ROOT)
                        + path.types().get(0).substring(1, path.types().get(0).length() - 1);
                throw ArmError.badRequest("InUse" + typeName + "CannotBeDeleted", Json.string(current, "name")
                        + " is in use by " + users.get(0) + " and cannot be deleted.");
            }
            unstore(key(path.resourceId()));
            emit(Events.DELETE_SUCCESS, "Succeeded", request, path, action, true);
            return new Written(200, null, Map.of());
        }
        InlineChildren kind = InlineChildren.forChildType(path.resourceType());
        JsonObject parent = kind == null ? null : resources.get(key(path.ancestor(1).resourceId()));
        JsonObject entry = parent == null ? null : kind.find(parent, path.lastName());
        if (entry == null) {
            return new Written(204, null, Map.of());
        }
        requireNoOperationInProgress(key(Json.string(parent, "id")), false);
        preconditions.check(kind.etag(entry), true, path.resourceId());
        if (kind == InlineChildren.SUBNETS) {
            requireNotInUse(entry);
        }
        JsonObject next = parent.deepCopy();
        kind.entries(next).remove(kind.indexOf(next, path.lastName()));
        Normalizer.stampEtag(next, null);
        store(next);
        emit(Events.DELETE_SUCCESS, "Succeeded", request, path, action, true);
        return new Written(200, null, Map.of());
    }

    // ---------------------------------------------------------------- async operations

    synchronized Poll poll(ArmPath path) {
        AsyncOperation operation = operations.get(path.lastName());
        if (operation == null) {
            throw ArmError.notFound(path.resourceId());
        }
        if (operation.status == AsyncOperation.Status.IN_PROGRESS) {
            if (operation.remainingPolls > 0) {
                operation.remainingPolls--;
            } else {
                complete(operation);
            }
        }
        return new Poll(operation.statusBody(), operation.status != AsyncOperation.Status.IN_PROGRESS);
    }

    /** Completes every pending operation now, as if its client had polled it to the end. */
    synchronized int settle() {
        List<AsyncOperation> pending = new ArrayList<>(pendingByResource.values());
        pending.forEach(this::complete);
        return pending.size();
    }

    private void complete(AsyncOperation operation) {
        pendingByResource.remove(operation.lockKey);
        operation.endTime = clock.instant();
        ArmPath path = ArmPath.parse(operation.request.path());
        if (operation.failure != null && operation.failure.isSuperseded()) {
            // Another write took over: this one is dropped and the resource keeps its state from before it.
            operation.status = AsyncOperation.Status.CANCELED;
            if (operation.before == null) {
                unstore(operation.lockKey);
            } else {
                store(operation.before.deepCopy());
            }
            emit(Events.WRITE_CANCEL, "Canceled", operation.request, path, operation.operationName, !operation.created);
            return;
        }
        if (operation.failure != null) {
            operation.status = AsyncOperation.Status.FAILED;
            if (operation.before == null) {
                unstore(operation.lockKey);
            } else {
                JsonObject restored = operation.before.deepCopy();
                InlineChildren kind = InlineChildren.forParentType(Json.string(restored, "type"));
                JsonObject entry = operation.childName == null || kind == null ? null : kind.find(restored, operation.childName);
                if (operation.childName == null) {
                    Json.properties(restored).addProperty("provisioningState", "Failed");
                } else if (entry != null) {
                    kind.entryProperties(entry).addProperty("provisioningState", "Failed");
                }
                Normalizer.stampEtag(restored, operation.childName);
                store(restored);
            }
            emit(Events.WRITE_FAILURE, "Failed", operation.request, path, operation.operationName, !operation.created);
            return;
        }
        operation.status = AsyncOperation.Status.SUCCEEDED;
        JsonObject resource = resources.get(operation.lockKey);
        if (resource != null) {
            Normalizer.settle(resource, "Succeeded");
        }
        emit(Events.WRITE_SUCCESS, "Succeeded", operation.request, path, operation.operationName, !operation.created);
    }

    /**
     * Refuses a write to a resource (a VNet, for a subnet) with an operation in progress, 409 as Network RP does; unless
     * {@code write} and writes supersede instead ({@link #supersedePending}).
     */
    private void requireNoOperationInProgress(String lockKey, boolean write) {
        AsyncOperation pending = pendingByResource.get(lockKey);
        if (pending != null && conflictOnConcurrentWrites && !(write && supersedes(lockKey))) {
            throw new ArmError(409, "AnotherOperationInProgress", "Another operation on this or dependent resource is "
                    + "in progress. To retrieve status of the operation use uri: " + pending.statusUrl + ".");
        }
    }

    /**
     * With {@link #supersedeConcurrentWrites}, a write accepted while an operation runs on the same resource (the VNet,
     * for a subnet) ends that operation {@code Canceled} with {@code CanceledAndSupersededDueToAnotherOperation}, as
     * Network RP does ("Operation PutVirtualNetworkOperation (…) was canceled and superseded by operation
     * PutSubnetOperation (…)", from a Terraform log pasted in v-ive-k/SampleJavaProject README.md; Network RP's team on
     * the same code for Application Gateway: "if customer performed multiple PUT operations in quick succession on the
     * same appgw resource, then the previous one gets cancelled and superseded by the new one", Azure/azure-cli#21156).
     * Its client sees its write fail; the resource keeps what it wrote, and the new write is made on top of it.
     *
     * @return true when an operation was superseded
     */
    private boolean supersedePending(String lockKey, String byOperation) {
        AsyncOperation pending = pendingByResource.get(lockKey);
        if (pending == null || !supersedes(lockKey)) {
            return false;
        }
        pendingByResource.remove(lockKey);
        pending.status = AsyncOperation.Status.CANCELED;
        pending.endTime = clock.instant();
        pending.supersededBy = byOperation;
        emit(Events.WRITE_CANCEL, "Canceled", pending.request, ArmPath.parse(pending.request.path()), pending.operationName,
                !pending.created);
        return true;
    }

    /**
     * Whether a write to the resource of {@code lockKey} supersedes its operation in progress: only with
     * {@link #supersedeConcurrentWrites}, and only a Network RP resource. AKS refuses a write to a cluster with an
     * operation in progress, whatever it is ("OperationNotAllowed: Operation is not allowed because there's an in
     * progress update managed cluster operation … Please wait for it to finish before starting a new operation",
     * quoted in Azure/azure-cli-extensions#9855; "Another operation (Updating) is in progress" in
     * Azure/terraform-azurerm-avm-ptn-aks-production#25).
     */
    private boolean supersedes(String lockKey) {
        return supersedeConcurrentWrites && lockKey.contains("/providers/microsoft.network/");
    }

    /**
     * {@code resource} (null for none) as a superseded operation leaves it: nothing {@code Creating} or {@code Updating}
     * on that operation's account, since it no longer runs. The new write's own state is set on top; what a failure of
     * the new write restores is this, not a state of a write that has ended.
     */
    private static @Nullable JsonObject settled(@Nullable JsonObject resource) {
        if (resource == null) {
            return null;
        }
        JsonObject copy = resource.deepCopy();
        Normalizer.settle(copy, "Succeeded");
        return copy;
    }

    // ---------------------------------------------------------------- seeding (no HTTP, no events)

    /** Writes a resource as given (server-owned properties included); creates a missing resource group. */
    synchronized void seed(String id, JsonObject body) {
        ArmPath path = ArmPath.parse(id);
        if (path.scope() == ArmPath.Scope.RESOURCE_GROUP) {
            store(resourceGroup(path, body, resources.get(key(path.resourceGroupId()))));
            return;
        }
        if (path.scope() != ArmPath.Scope.PROVIDER || path.isCollection() || path.resourceGroup() == null
                || path.names().size() > 2) {
            throw new IllegalArgumentException("cannot seed " + id);
        }
        if (!resources.containsKey(key(path.resourceGroupId()))) {
            JsonObject group = new JsonObject();
            String location = Json.string(body, "location");
            group.addProperty("location", location == null ? "westeurope" : location);
            store(resourceGroup(ArmPath.parse(path.resourceGroupId()), group, null));
        }
        if (path.names().size() == 1 && Types.is(path.resourceType(), Types.DEPLOYMENT)) {
            store(Deployments.seeded(path, body));
            return;
        }
        JsonObject next;
        String childName = null;
        if (path.names().size() == 1) {
            next = Normalizer.topLevel(path, body, resources.get(key(path.resourceId())), true, new ArrayList<>());
        } else {
            InlineChildren kind = InlineChildren.forChildType(path.resourceType());
            JsonObject parent = resources.get(key(path.ancestor(1).resourceId()));
            if (kind == null || parent == null) {
                throw new IllegalStateException("seed the parent of " + id + " first");
            }
            next = parent.deepCopy();
            JsonObject entry = Normalizer.child(kind, Json.string(parent, "id"), path.lastName(), body,
                    kind.find(parent, path.lastName()), true);
            int index = kind.indexOf(next, path.lastName());
            if (index < 0) {
                kind.entries(next).add(entry);
            } else {
                kind.entries(next).set(index, entry);
            }
            childName = path.lastName();
        }
        Normalizer.defaultProvisioningState(next);
        Normalizer.stampEtag(next, childName);
        store(next);
    }

    synchronized Optional<JsonObject> snapshot(String id) {
        try {
            ArmPath path = ArmPath.parse(id);
            return path.isCollection() ? Optional.empty() : Optional.of(read(path));
        } catch (ArmError e) {
            return Optional.empty();
        }
    }

    synchronized boolean remove(String id) {
        ArmPath path = ArmPath.parse(id);
        if (path.names().size() == 2) {
            InlineChildren kind = InlineChildren.forChildType(path.resourceType());
            JsonObject parent = resources.get(key(path.ancestor(1).resourceId()));
            if (kind == null || parent == null || kind.indexOf(parent, path.lastName()) < 0) {
                return false;
            }
            JsonObject next = parent.deepCopy();
            kind.entries(next).remove(kind.indexOf(next, path.lastName()));
            Normalizer.stampEtag(next, null);
            store(next);
            return true;
        }
        return unstore(key(path.resourceId()));
    }

    synchronized int size() {
        return resources.size();
    }

    // ---------------------------------------------------------------- helpers

    /**
     * A resource as a listing shows it: a virtual network's subnets without {@code ipConfigurations} when they have more
     * than {@link #listedIpConfigurationsLimit} (a GET of the subnet still shows them all).
     */
    private JsonObject listed(JsonObject view) {
        if (listedIpConfigurationsLimit == Integer.MAX_VALUE || !Types.is(Json.string(view, "type"), Types.VIRTUAL_NETWORK)) {
            return view;
        }
        JsonArray subnets = Json.array(Json.properties(view), "subnets");
        if (subnets != null) {
            for (JsonElement subnet : subnets) {
                JsonObject properties = Json.properties(subnet.getAsJsonObject());
                JsonArray configurations = Json.array(properties, "ipConfigurations");
                if (configurations != null && configurations.size() > listedIpConfigurationsLimit) {
                    properties.remove("ipConfigurations");
                }
            }
        }
        return view;
    }

    private JsonObject view(JsonObject resource) {
        JsonObject view = resource.deepCopy();
        String type = Json.string(resource, "type");
        if (Types.isReferencedBySubnets(type)) {
            List<String> subnets = backReferences.subnetsReferencing(Json.string(resource, "id"));
            if (!subnets.isEmpty()) {
                JsonArray references = new JsonArray();
                subnets.forEach(id -> references.add(Json.reference(id)));
                Json.properties(view).add("subnets", references);
            }
        }
        return view;
    }

    private JsonObject responseView(ArmPath path, JsonObject stored, @Nullable String childName) {
        if (childName == null) {
            return view(stored);
        }
        InlineChildren kind = InlineChildren.forChildType(path.resourceType());
        return kind.view(stored, kind.find(stored, childName));
    }

    private JsonObject existingParent(ArmPath path) {
        ArmPath parentPath = path.ancestor(1);
        JsonObject parent = resources.get(key(parentPath.resourceId()));
        if (parent == null) {
            throw ArmError.resourceNotFound(parentPath);
        }
        return parent;
    }

    private void requireResourceGroup(ArmPath path) {
        if (path.resourceGroup() == null) {
            if (path.names().isEmpty()) {
                return; // a subscription-wide list
            }
            throw ArmError.badRequest("InvalidRequestUri",
                    "The emulator serves resources inside resource groups only: " + path.resourceId());
        }
        if (!resources.containsKey(key(path.resourceGroupId()))) {
            throw ArmError.resourceGroupNotFound(path.resourceGroup());
        }
    }

    private void requireNotInUse(JsonObject subnetEntry) {
        JsonArray ipConfigurations = Json.array(Json.properties(subnetEntry), "ipConfigurations");
        if (ipConfigurations != null && !ipConfigurations.isEmpty()) {
            String user = Json.string(ipConfigurations.get(0).getAsJsonObject(), "id");
            throw ArmError.badRequest("InUseSubnetCannotBeDeleted", "Subnet " + Json.string(subnetEntry, "name")
                    + " is in use by " + user + " and cannot be deleted. In order to delete the subnet, delete all the "
                    + "resources within the subnet. See aka.ms/deletesubnet.");
        }
    }

    private static List<RequestContext.LinkedAction> linkedActions(JsonObject subnetEntry) {
        JsonObject properties = Json.properties(subnetEntry);
        List<RequestContext.LinkedAction> linked = new ArrayList<>();
        addLinked(linked, properties, "routeTable", "Microsoft.Network/routeTables/join/action");
        addLinked(linked, properties, "networkSecurityGroup", "Microsoft.Network/networkSecurityGroups/join/action");
        addLinked(linked, properties, "natGateway", "Microsoft.Network/natGateways/join/action");
        JsonArray policies = Json.array(properties, "serviceEndpointPolicies");
        if (policies != null) {
            for (JsonElement policy : policies) {
                String id = policy.isJsonObject() ? Json.string(policy.getAsJsonObject(), "id") : null;
                if (id != null) {
                    linked.add(new RequestContext.LinkedAction("Microsoft.Network/serviceEndpointPolicies/join/action", id));
                }
            }
        }
        // Service endpoints are not linked: virtualNetworks/subnets/joinViaServiceEndpoint/action is what a storage
        // account or SQL server needs to join a subnet through an endpoint, not what a subnet PUT needs.
        // An allocation from a Virtual Network Manager IPAM pool is checked on the pool, as reported for subnet writes
        // in a pool-allocated VNet (Azure/Azure-Landing-Zones#4166) and as the built-in subnet writers' roles carry it.
        JsonArray allocations = Json.array(properties, "ipamPoolPrefixAllocations");
        if (allocations != null) {
            for (JsonElement allocation : allocations) {
                String pool = allocation.isJsonObject() ? Json.referenceId(allocation.getAsJsonObject(), "pool") : null;
                if (pool != null) {
                    linked.add(new RequestContext.LinkedAction(
                            "Microsoft.Network/networkManagers/ipamPools/associateResourcesToPool/action", pool));
                }
            }
        }
        return linked;
    }

    private static void addLinked(List<RequestContext.LinkedAction> linked, JsonObject properties, String key,
            String action) {
        String id = Json.referenceId(properties, key);
        if (id != null) {
            linked.add(new RequestContext.LinkedAction(action, id));
        }
    }

    private void validateReferences(String location, JsonObject subnetEntry) {
        String subnetId = Json.string(subnetEntry, "id");
        for (String reference : BackReferences.referencesOf(subnetEntry)) {
            JsonObject target = resources.get(key(reference));
            if (target == null || !sameRegion(location, Json.string(target, "location"))) {
                throw ArmError.badRequest("InvalidResourceReference", "Resource " + reference + " referenced by resource "
                        + subnetId + " was not found. Please make sure that the referenced resource exists, and that both "
                        + "resources are in the same region.");
            }
            String state = Json.string(Json.properties(target), "provisioningState");
            if ("Updating".equals(state) || "Creating".equals(state) || "Deleting".equals(state)) {
                throw new ArmError(429, "ReferencedResourceNotProvisioned", "Cannot proceed with operation because "
                        + "resource " + reference + " used by resource " + subnetId + " is not in Succeeded state. Resource is in "
                        + state + " state and the last operation that updated/is updating the resource is PutOperation.")
                        .header("Retry-After", Integer.toString(retryAfterSeconds));
            }
        }
    }

    private static boolean sameRegion(String a, @Nullable String b) {
        return b != null && a.replace(" ", "").equalsIgnoreCase(b.replace(" ", ""));
    }

    private JsonObject resourceGroup(ArmPath path, JsonObject body, @Nullable JsonObject before) {
        JsonObject group = new JsonObject();
        group.addProperty("id", before != null ? Json.string(before, "id") : path.resourceGroupId());
        group.addProperty("name", before != null ? Json.string(before, "name") : path.resourceGroup());
        group.addProperty("type", Types.RESOURCE_GROUP);
        String location = Json.string(body, "location");
        if (location == null && before != null) {
            location = Json.string(before, "location");
        }
        group.addProperty("location", location != null ? location : "westeurope");
        String managedBy = Json.string(body, "managedBy");
        if (managedBy != null) {
            group.addProperty("managedBy", managedBy);
        }
        JsonObject tags = Json.object(body, "tags");
        if (tags != null) {
            group.add("tags", tags.deepCopy());
        }
        JsonObject properties = new JsonObject();
        properties.addProperty("provisioningState", "Succeeded");
        group.add("properties", properties);
        return group;
    }

    private JsonObject subscription(String subscriptionId) {
        JsonObject subscription = new JsonObject();
        subscription.addProperty("id", "/subscriptions/" + subscriptionId);
        subscription.addProperty("subscriptionId", subscriptionId);
        subscription.addProperty("tenantId", tenantId);
        subscription.addProperty("displayName", "Emulated subscription " + subscriptionId);
        subscription.addProperty("state", "Enabled");
        return subscription;
    }

    private Page topLevelPage(NavigableSet<String> ids, @Nullable String skipToken, int pageSize) {
        NavigableSet<String> remaining = skipToken == null ? ids : ids.tailSet(decodeKey(skipToken), false);
        List<JsonObject> values = new ArrayList<>(Math.min(pageSize, remaining.size()));
        String last = null;
        for (String id : remaining) {
            if (values.size() == pageSize) {
                return new Page(values, TOKEN_ENCODER.encodeToString(last.getBytes(StandardCharsets.UTF_8)));
            }
            values.add(listed(view(resources.get(id))));
            last = id;
        }
        return new Page(values, null);
    }

    private NavigableSet<String> ids(String subscription, String type) {
        NavigableSet<String> ids = idsBySubscriptionAndType.get(indexKey(subscription, type));
        return ids == null ? new TreeSet<>() : ids;
    }

    private void store(JsonObject resource) {
        String id = Json.string(resource, "id");
        String type = Json.string(resource, "type");
        JsonObject before = resources.put(key(id), resource);
        idsBySubscriptionAndType.computeIfAbsent(indexKey(subscriptionOf(id), type),
                k -> new TreeSet<>()).add(key(id));
        if (Types.is(type, Types.VIRTUAL_NETWORK)) {
            backReferences.replaceVirtualNetwork(before, resource);
        }
    }

    private boolean unstore(String lowerId) {
        JsonObject before = resources.remove(lowerId);
        if (before == null) {
            return false;
        }
        String type = Json.string(before, "type");
        NavigableSet<String> ids = idsBySubscriptionAndType.get(indexKey(subscriptionOf(lowerId), type));
        if (ids != null) {
            ids.remove(lowerId);
        }
        if (Types.is(type, Types.VIRTUAL_NETWORK)) {
            backReferences.replaceVirtualNetwork(before, null);
        }
        return true;
    }

    private void emit(String eventType, String status, RequestContext request, ArmPath path, String operationName,
            boolean update) {
        String subject = request.path().endsWith("/")
                ? request.path().substring(0, request.path().length() - 1) : request.path();
        String provider = path.scope() == ArmPath.Scope.PROVIDER ? path.namespace() : "Microsoft.Resources";
        events.accept(Events.resourceEvent(eventType, status, request, tenantId, path.subscription(), provider, subject,
                operationName, update, clock.instant()));
    }

    private static @Nullable String etag(JsonObject resource) {
        String key = Types.etagKey(Json.string(resource, "type"));
        return key == null ? null : Json.string(resource, key);
    }

    /** The subscription of a stored id ({@code /subscriptions/{s}/...}). */
    private static String subscriptionOf(String id) {
        int start = "/subscriptions/".length();
        int end = id.indexOf('/', start);
        return end < 0 ? id.substring(start) : id.substring(start, end);
    }

    private static String indexKey(String subscription, String type) {
        return (subscription + "|" + type).toLowerCase(Locale.ROOT);
    }

    private static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    private static String decodeKey(String skipToken) {
        try {
            return new String(TOKEN_DECODER.decode(skipToken), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ArmError.badRequest("InvalidSkipToken", "The $skiptoken '" + skipToken + "' is not valid.");
        }
    }

    private static int decodeIndex(String skipToken) {
        String decoded = decodeKey(skipToken);
        try {
            if (decoded.startsWith("i:")) {
                return Integer.parseInt(decoded.substring(2));
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw ArmError.badRequest("InvalidSkipToken", "The $skiptoken '" + skipToken + "' is not valid.");
    }
}
