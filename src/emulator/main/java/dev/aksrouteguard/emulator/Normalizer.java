package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a request (or seed) body into the stored resource, the way ARM does: the server sets {@code id},
 * {@code name} and {@code type}, keeps the properties it owns from the stored resource, and replaces
 * inline children wholesale (a VNet PUT replaces its subnet set).
 *
 * <p>With {@code trustBody} (seeding) server-owned properties in the body are kept, so fixtures can
 * write {@code ipConfigurations} or a cluster that is still {@code Creating}.
 */
final class Normalizer {
    private static final Set<String> SERVER_KEYS =
            Set.of("id", "name", "type", "etag", "eTag", "properties", "location", "tags", "systemData");

    private Normalizer() {
    }

    /** The new top-level resource; inline children not in the body are reported in {@code removed}. */
    static JsonObject topLevel(ArmPath path, JsonObject body, @Nullable JsonObject current, boolean trustBody,
            List<JsonObject> removed) {
        String type = path.resourceType();
        JsonObject resource = new JsonObject();
        resource.addProperty("name", current != null ? Json.string(current, "name") : path.lastName());
        resource.addProperty("id", current != null ? Json.string(current, "id") : path.resourceId());
        resource.addProperty("type", type);
        String location = Json.string(body, "location");
        if (location == null && current != null) {
            location = Json.string(current, "location");
        }
        if (location == null) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        resource.addProperty("location", location);
        JsonObject tags = Json.object(body, "tags");
        if (tags != null) {
            resource.add("tags", tags.deepCopy());
        }
        for (Map.Entry<String, JsonElement> member : body.entrySet()) {
            if (!SERVER_KEYS.contains(member.getKey())) {
                resource.add(member.getKey(), member.getValue().deepCopy());
            }
        }
        JsonObject bodyProperties = Json.object(body, "properties");
        JsonObject properties = bodyProperties == null ? new JsonObject() : bodyProperties.deepCopy();
        JsonObject currentProperties = current == null ? null : Json.object(current, "properties");
        keepReadOnly(properties, currentProperties, Types.readOnlyProperties(type), trustBody);
        if (Types.isReferencedBySubnets(type)) {
            properties.remove("subnets"); // computed on read
        }
        if (Types.isNetwork(type) && !properties.has("resourceGuid")) {
            properties.addProperty("resourceGuid", Types.fastUuid());
        }
        resource.add("properties", properties);
        InlineChildren children = InlineChildren.forParentType(type);
        if (children != null) {
            removed.addAll(replaceChildren(children, resource, current, trustBody));
        }
        if (Types.is(type, Types.MANAGED_CLUSTER)) {
            clusterDefaults(path, resource);
        }
        return resource;
    }

    /** A new inline entry for a child PUT ({@code .../subnets/{name}}). */
    static JsonObject child(InlineChildren kind, String parentId, String name, JsonObject body,
            @Nullable JsonObject currentEntry, boolean trustBody) {
        JsonObject entry = kind.entryFromBody(parentId, currentEntry != null ? Json.string(currentEntry, "name") : name,
                body);
        keepReadOnly(kind.entryProperties(entry), currentEntry == null ? null : kind.entryProperties(currentEntry),
                Types.readOnlyProperties(kind.childType()), trustBody);
        if (kind == InlineChildren.SUBNETS) {
            serviceEndpointStates(kind.entryProperties(entry));
            if (!trustBody) {
                allocatedPrefixes(kind.entryProperties(entry), currentEntry == null ? null : kind.entryProperties(currentEntry));
            }
        }
        if (kind == InlineChildren.AGENT_POOLS && !entry.has("powerState")) {
            entry.add("powerState", powerState("Running"));
        }
        if (currentEntry != null && kind.etag(currentEntry) != null) {
            kind.setEtag(entry, kind.etag(currentEntry));
        }
        return entry;
    }

    /**
     * {@code serviceEndpoints[].provisioningState} is read-only and computed by Network RP: clients (the SDK) do not
     * send it back, and ARM answers it again on every read.
     */
    private static void serviceEndpointStates(JsonObject subnetProperties) {
        JsonArray endpoints = Json.array(subnetProperties, "serviceEndpoints");
        if (endpoints == null) {
            return;
        }
        for (JsonElement endpoint : endpoints) {
            if (endpoint.isJsonObject()) {
                endpoint.getAsJsonObject().addProperty("provisioningState", "Succeeded");
            }
        }
    }

    /**
     * {@code ipamPoolPrefixAllocations[].allocatedAddressPrefixes} is read-only (azure-rest-api-specs, Network
     * 2025-05-01, {@code IpamPoolPrefixAllocation}): what a pool allocated stays the server's, matched by pool, whatever
     * the body says. (A new allocation is not made here: the emulator allocates nothing.)
     */
    private static void allocatedPrefixes(JsonObject subnetProperties, @Nullable JsonObject currentProperties) {
        JsonArray allocations = Json.array(subnetProperties, "ipamPoolPrefixAllocations");
        if (allocations == null) {
            return;
        }
        JsonArray before = currentProperties == null ? null : Json.array(currentProperties, "ipamPoolPrefixAllocations");
        for (JsonElement element : allocations) {
            if (!element.isJsonObject()) {
                continue;
            }
            JsonObject allocation = element.getAsJsonObject();
            String pool = Json.referenceId(allocation, "pool");
            JsonElement allocated = null;
            if (pool != null && before != null) {
                for (JsonElement stored : before) {
                    if (stored.isJsonObject() && pool.equalsIgnoreCase(Json.referenceId(stored.getAsJsonObject(), "pool"))) {
                        allocated = stored.getAsJsonObject().get("allocatedAddressPrefixes");
                    }
                }
            }
            if (allocated == null) {
                allocation.remove("allocatedAddressPrefixes");
            } else {
                allocation.add("allocatedAddressPrefixes", allocated.deepCopy()); // in place: the body's order is kept
            }
        }
    }

    /** Sets {@code provisioningState} on the resource and, if asked, on all its inline entries. */
    static void setProvisioningState(JsonObject resource, String state, boolean entriesToo) {
        Json.properties(resource).addProperty("provisioningState", state);
        InlineChildren children = InlineChildren.forParentType(Json.string(resource, "type"));
        if (entriesToo && children != null) {
            for (JsonElement entry : children.entries(resource)) {
                children.entryProperties(entry.getAsJsonObject()).addProperty("provisioningState", state);
            }
        }
    }

    /** Fills {@code provisioningState: Succeeded} wherever a (seeded) resource has none. */
    static void defaultProvisioningState(JsonObject resource) {
        JsonObject properties = Json.properties(resource);
        if (!properties.has("provisioningState")) {
            properties.addProperty("provisioningState", "Succeeded");
        }
        InlineChildren children = InlineChildren.forParentType(Json.string(resource, "type"));
        if (children != null) {
            for (JsonElement entry : children.entries(resource)) {
                JsonObject entryProperties = children.entryProperties(entry.getAsJsonObject());
                if (!entryProperties.has("provisioningState")) {
                    entryProperties.addProperty("provisioningState", "Succeeded");
                }
            }
        }
    }

    /** Settles every {@code Creating}/{@code Updating} state of the resource and its entries. */
    static void settle(JsonObject resource, String state) {
        settleOne(Json.properties(resource), state);
        InlineChildren children = InlineChildren.forParentType(Json.string(resource, "type"));
        if (children != null) {
            for (JsonElement entry : children.entries(resource)) {
                settleOne(children.entryProperties(entry.getAsJsonObject()), state);
            }
        }
    }

    /** A new etag on the resource; Network RP children share it, AKS pools get their own when written. */
    static void stampEtag(JsonObject resource, @Nullable String onlyChild) {
        String type = Json.string(resource, "type");
        String key = Types.etagKey(type);
        if (key == null) {
            return;
        }
        resource.addProperty(key, Types.newEtag(type));
        InlineChildren children = InlineChildren.forParentType(type);
        if (children == null) {
            return;
        }
        for (JsonElement element : children.entries(resource)) {
            JsonObject entry = element.getAsJsonObject();
            if (children == InlineChildren.AGENT_POOLS) {
                if (onlyChild == null || onlyChild.equalsIgnoreCase(Json.string(entry, "name")) || children.etag(entry) == null) {
                    children.setEtag(entry, Types.newEtag(type));
                }
            } else {
                children.setEtag(entry, Json.string(resource, key));
            }
        }
    }

    static JsonObject powerState(String code) {
        JsonObject powerState = new JsonObject();
        powerState.addProperty("code", code);
        return powerState;
    }

    private static List<JsonObject> replaceChildren(InlineChildren kind, JsonObject resource,
            @Nullable JsonObject current, boolean trustBody) {
        String parentId = Json.string(resource, "id");
        JsonArray bodyEntries = Json.array(Json.properties(resource), kind.arrayProperty());
        JsonArray entries = new JsonArray();
        List<String> kept = new ArrayList<>();
        if (bodyEntries != null) {
            for (JsonElement element : bodyEntries) {
                if (!element.isJsonObject() || Json.string(element.getAsJsonObject(), "name") == null) {
                    throw ArmError.badRequest("InvalidRequestFormat",
                            "Cannot parse the request: every item of " + kind.childType() + " needs a name.");
                }
                JsonObject bodyEntry = element.getAsJsonObject();
                String name = Json.string(bodyEntry, "name");
                JsonObject currentEntry = current == null ? null : kind.find(current, name);
                entries.add(child(kind, parentId, name, kind.bodyFromEntry(bodyEntry), currentEntry, trustBody));
                kept.add(name.toLowerCase(Locale.ROOT));
            }
        }
        Json.properties(resource).add(kind.arrayProperty(), entries);
        List<JsonObject> removed = new ArrayList<>();
        if (current != null) {
            for (JsonElement element : kind.entries(current)) {
                String name = Json.string(element.getAsJsonObject(), "name");
                if (name != null && !kept.contains(name.toLowerCase(Locale.ROOT))) {
                    removed.add(element.getAsJsonObject());
                }
            }
        }
        return removed;
    }

    private static void clusterDefaults(ArmPath path, JsonObject cluster) {
        JsonObject properties = Json.properties(cluster);
        String location = Json.string(cluster, "location");
        if (!properties.has("nodeResourceGroup")) {
            properties.addProperty("nodeResourceGroup",
                    "MC_" + path.resourceGroup() + "_" + Json.string(cluster, "name") + "_" + location);
        }
        if (!properties.has("powerState")) {
            properties.add("powerState", powerState("Running"));
        }
        String kubernetesVersion = Json.string(properties, "kubernetesVersion");
        if (!properties.has("currentKubernetesVersion") && kubernetesVersion != null) {
            properties.addProperty("currentKubernetesVersion", kubernetesVersion);
        }
        String dnsPrefix = Json.string(properties, "dnsPrefix");
        if (!properties.has("fqdn") && dnsPrefix != null) {
            String suffix = Integer.toHexString(Json.string(cluster, "id").toLowerCase(Locale.ROOT).hashCode());
            properties.addProperty("fqdn", dnsPrefix + "-" + suffix + ".hcp." + location + ".azmk8s.io");
        }
        if (!properties.has("maxAgentPools")) {
            properties.addProperty("maxAgentPools", 100);
        }
    }

    private static void settleOne(JsonObject properties, String state) {
        String current = Json.string(properties, "provisioningState");
        if ("Creating".equals(current) || "Updating".equals(current)) {
            properties.addProperty("provisioningState", state);
        }
    }

    private static void keepReadOnly(JsonObject properties, @Nullable JsonObject currentProperties,
            Set<String> readOnly, boolean trustBody) {
        for (String key : readOnly) {
            if (!trustBody) {
                properties.remove(key);
            }
            if (!properties.has(key) && currentProperties != null && currentProperties.has(key)) {
                properties.add(key, currentProperties.get(key).deepCopy());
            }
        }
    }
}
