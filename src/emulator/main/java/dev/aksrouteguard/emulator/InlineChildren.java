package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Map;

/**
 * Child resources that ARM stores inside their parent: a VNet's {@code properties.subnets[]}, a route
 * table's {@code properties.routes[]}, a cluster's {@code properties.agentPoolProfiles[]}. The parent is
 * the single source of truth; the child resource ({@code .../subnets/{name}}) is a view of one entry.
 * Subnets and routes are stored in resource shape ({@code name, id, etag, type, properties}); agent pool
 * profiles are flat ({@code name} next to the properties), so their view wraps them.
 */
enum InlineChildren {
    SUBNETS(Types.VIRTUAL_NETWORK, "subnets", "subnets", false),
    ROUTES(Types.ROUTE_TABLE, "routes", "routes", false),
    AGENT_POOLS(Types.MANAGED_CLUSTER, "agentPools", "agentPoolProfiles", true);

    private final String parentType;
    private final String segment;
    private final String arrayProperty;
    private final boolean flat;

    InlineChildren(String parentType, String segment, String arrayProperty, boolean flat) {
        this.parentType = parentType;
        this.segment = segment;
        this.arrayProperty = arrayProperty;
        this.flat = flat;
    }

    static @Nullable InlineChildren forChildType(String childType) {
        for (InlineChildren kind : values()) {
            if (Types.is(childType, kind.childType())) {
                return kind;
            }
        }
        return null;
    }

    static @Nullable InlineChildren forParentType(String parentType) {
        for (InlineChildren kind : values()) {
            if (Types.is(parentType, kind.parentType)) {
                return kind;
            }
        }
        return null;
    }

    String childType() {
        return parentType + "/" + segment;
    }

    String arrayProperty() {
        return arrayProperty;
    }

    String childId(String parentId, String name) {
        return parentId + "/" + segment + "/" + name;
    }

    /** The parent's entries, created empty when absent. */
    JsonArray entries(JsonObject parent) {
        JsonObject properties = Json.properties(parent);
        JsonArray entries = Json.array(properties, arrayProperty);
        if (entries == null) {
            entries = new JsonArray();
            properties.add(arrayProperty, entries);
        }
        return entries;
    }

    @Nullable JsonObject find(JsonObject parent, String name) {
        int index = indexOf(parent, name);
        return index < 0 ? null : entries(parent).get(index).getAsJsonObject();
    }

    int indexOf(JsonObject parent, String name) {
        JsonArray entries = entries(parent);
        for (int i = 0; i < entries.size(); i++) {
            String entryName = Json.string(entries.get(i).getAsJsonObject(), "name");
            if (name.equalsIgnoreCase(entryName)) {
                return i;
            }
        }
        return -1;
    }

    /** The child resource as {@code GET .../{segment}/{name}} answers it. */
    JsonObject view(JsonObject parent, JsonObject entry) {
        if (!flat) {
            return entry.deepCopy();
        }
        String name = Json.string(entry, "name");
        JsonObject properties = entry.deepCopy();
        properties.remove("name");
        JsonObject view = new JsonObject();
        view.addProperty("id", childId(Json.string(parent, "id"), name));
        view.addProperty("name", name);
        view.addProperty("type", childType());
        view.add("properties", properties);
        return view;
    }

    /** A new entry from a child resource body ({@code {"properties":{...}}}). */
    JsonObject entryFromBody(String parentId, String name, JsonObject body) {
        JsonObject bodyProperties = Json.object(body, "properties");
        JsonObject properties = bodyProperties == null ? new JsonObject() : bodyProperties.deepCopy();
        JsonObject entry = new JsonObject();
        entry.addProperty("name", name);
        if (flat) {
            properties.remove("name");
            for (Map.Entry<String, JsonElement> member : properties.entrySet()) {
                entry.add(member.getKey(), member.getValue());
            }
            return entry;
        }
        entry.addProperty("id", childId(parentId, name));
        entry.addProperty("type", childType());
        entry.add("properties", properties);
        return entry;
    }

    /** Turns an inline entry as a parent body carries it into a child resource body. */
    JsonObject bodyFromEntry(JsonObject entry) {
        JsonObject body = new JsonObject();
        if (flat) {
            JsonObject properties = entry.deepCopy();
            properties.remove("name");
            body.add("properties", properties);
        } else {
            JsonObject properties = Json.object(entry, "properties");
            body.add("properties", properties == null ? new JsonObject() : properties.deepCopy());
        }
        return body;
    }

    /** Where the entry's properties (and {@code provisioningState}) live. */
    JsonObject entryProperties(JsonObject entry) {
        return flat ? entry : Json.properties(entry);
    }

    /** The entry's etag: shared with the parent for Network RP, the pool's own {@code eTag} for AKS. */
    @Nullable String etag(JsonObject entry) {
        return flat ? Json.string(entry, "eTag") : Json.string(entry, "etag");
    }

    void setEtag(JsonObject entry, String etag) {
        if (flat) {
            entry.addProperty("eTag", etag);
        } else {
            entry.addProperty("etag", etag);
        }
    }
}
