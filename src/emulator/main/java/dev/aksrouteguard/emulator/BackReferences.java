package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which subnets reference which route table, NSG, NAT gateway or service endpoint policy: the index behind
 * the read-only {@code properties.subnets[]} of those resources. Updated whenever a VNet changes, so reads
 * never scan all subnets. Not thread-safe: {@link ArmState} guards it.
 */
final class BackReferences {
    private final Map<String, Map<String, String>> subnetsByTarget = new HashMap<>();

    /** The references a subnet entry makes, in the order ARM checks them. */
    static List<String> referencesOf(JsonObject subnetEntry) {
        JsonObject properties = Json.properties(subnetEntry);
        List<String> references = new ArrayList<>();
        for (String key : List.of("routeTable", "networkSecurityGroup", "natGateway")) {
            String id = Json.referenceId(properties, key);
            if (id != null) {
                references.add(id);
            }
        }
        JsonArray policies = Json.array(properties, "serviceEndpointPolicies");
        if (policies != null) {
            for (JsonElement policy : policies) {
                String id = policy.isJsonObject() ? Json.string(policy.getAsJsonObject(), "id") : null;
                if (id != null) {
                    references.add(id);
                }
            }
        }
        return references;
    }

    /** Replaces what {@code before} contributed with what {@code after} contributes (either may be null). */
    void replaceVirtualNetwork(@Nullable JsonObject before, @Nullable JsonObject after) {
        if (before != null) {
            forEachReference(before, (target, subnetId) -> {
                Map<String, String> subnets = subnetsByTarget.get(key(target));
                if (subnets != null) {
                    subnets.remove(key(subnetId));
                    if (subnets.isEmpty()) {
                        subnetsByTarget.remove(key(target));
                    }
                }
            });
        }
        if (after != null) {
            forEachReference(after, (target, subnetId) ->
                    subnetsByTarget.computeIfAbsent(key(target), k -> new LinkedHashMap<>()).put(key(subnetId), subnetId));
        }
    }

    List<String> subnetsReferencing(String targetId) {
        Map<String, String> subnets = subnetsByTarget.get(key(targetId));
        return subnets == null ? List.of() : List.copyOf(subnets.values());
    }

    private static void forEachReference(JsonObject virtualNetwork, java.util.function.BiConsumer<String, String> action) {
        for (JsonElement element : InlineChildren.SUBNETS.entries(virtualNetwork)) {
            JsonObject subnet = element.getAsJsonObject();
            String subnetId = Json.string(subnet, "id");
            for (String target : referencesOf(subnet)) {
                action.accept(target, subnetId);
            }
        }
    }

    private static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }
}
