package dev.aksrouteguard.azure;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A subnet document as Network RP answered it, judged before anything is decided or written on it. A {@code 200}
 * without {@code properties} (or without an address prefix) would otherwise become a PUT whose body holds only
 * {@code routeTable}, and a subnet PUT replaces the whole subnet; an answer about another subnet would be written over
 * the one asked for.
 */
final class SubnetDocument {

    private SubnetDocument() {}

    /**
     * What is wrong with {@code body} as the read of {@code id}, or null when it is a subnet the guard may decide on:
     * a JSON object whose {@code id} is {@code id}, with a {@code properties} object holding at least one address
     * prefix, and a {@code routeTable} (if any) that is a reference with an ARM ID.
     */
    static @Nullable String problem(JsonElement body, SubnetId id) {
        if (body.isJsonNull()) {
            return "the answer has no body";
        }
        if (!(body instanceof JsonObject doc)) {
            return "the answer is not a JSON object";
        }
        String answered = string(doc, "id");
        if (answered == null) {
            return "the answer has no id";
        }
        if (!ResourceId.isValid(answered) || !ResourceId.parse(answered).equals(id.id())) {
            return "the answer is about another resource, " + answered;
        }
        if (!(doc.get("properties") instanceof JsonObject properties)) {
            return "the answer has no properties";
        }
        if (prefixes(properties).isEmpty()) {
            return "the answer has no address prefix";
        }
        JsonElement table = properties.get("routeTable");
        if (table != null && !table.isJsonNull()
                && !(table instanceof JsonObject t && ResourceId.isValid(string(t, "id")))) {
            return "its routeTable is not a reference with an ARM ID";
        }
        return null;
    }

    /** Like {@link #problem}, and the document must carry the etag that goes into {@code If-Match}. */
    static @Nullable String problemForWrite(JsonObject doc, SubnetId id) {
        String problem = problem(doc, id);
        if (problem != null) {
            return problem;
        }
        String etag = string(doc, "etag");
        return etag == null || etag.isBlank() ? "the answer has no etag, so the write could not carry If-Match" : null;
    }

    /** The decision's view of a document that passed {@link #problem}. */
    static SubnetState state(SubnetId id, JsonObject doc) {
        JsonObject properties = doc.getAsJsonObject("properties");
        JsonElement table = properties.get("routeTable");
        ResourceId routeTable = table instanceof JsonObject t && string(t, "id") != null ? ResourceId.parse(string(t, "id")) : null;
        return new SubnetState(id, List.copyOf(prefixes(properties)), routeTable, string(doc, "etag"),
                string(properties, "provisioningState"), ipConfigurations(properties), ipamPools(properties));
    }

    /** The pools of {@code ipamPoolPrefixAllocations[]} (entries without a pool ID are left out). */
    private static List<String> ipamPools(JsonObject properties) {
        Set<String> pools = new LinkedHashSet<>();
        if (properties.get("ipamPoolPrefixAllocations") instanceof JsonArray allocations) {
            for (JsonElement a : allocations) {
                if (a instanceof JsonObject allocation && allocation.get("pool") instanceof JsonObject pool
                        && string(pool, "id") != null && !string(pool, "id").isBlank()) {
                    pools.add(string(pool, "id"));
                }
            }
        }
        return List.copyOf(pools);
    }

    /** The IDs in {@code ipConfigurations[]} (entries without one are left out: they name no node). */
    private static List<String> ipConfigurations(JsonObject properties) {
        List<String> ids = new java.util.ArrayList<>();
        if (properties.get("ipConfigurations") instanceof JsonArray configurations) {
            for (JsonElement c : configurations) {
                if (c instanceof JsonObject o && string(o, "id") != null) {
                    ids.add(string(o, "id"));
                }
            }
        }
        return ids;
    }

    /** {@code addressPrefix} and {@code addressPrefixes}, merged. */
    private static Set<String> prefixes(JsonObject properties) {
        Set<String> prefixes = new LinkedHashSet<>();
        String single = string(properties, "addressPrefix");
        if (single != null && !single.isBlank()) {
            prefixes.add(single);
        }
        if (properties.get("addressPrefixes") instanceof JsonArray many) {
            for (JsonElement p : many) {
                if (p.isJsonPrimitive() && p.getAsJsonPrimitive().isString() && !p.getAsString().isBlank()) {
                    prefixes.add(p.getAsString());
                }
            }
        }
        return prefixes;
    }

    private static @Nullable String string(JsonObject o, String key) {
        JsonElement e = o.get(key);
        return e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString() ? e.getAsString() : null;
    }
}
