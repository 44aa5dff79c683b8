package dev.aksrouteguard.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * An ARM request path taken apart: subscription, resource group, provider namespace, and the alternating
 * resource types and names below it. A path with one more type than names is a collection.
 * Names keep the caller's casing; types and namespaces are put into ARM's canonical casing.
 */
record ArmPath(Scope scope, String subscription, @Nullable String resourceGroup, @Nullable String namespace,
        List<String> types, List<String> names) {

    /** What the path addresses, before the provider part. */
    enum Scope { SUBSCRIPTION, RESOURCE_GROUPS, RESOURCE_GROUP, PROVIDER }

    private static final Map<String, String> CANONICAL = canonicalNames(
            "Microsoft.Network", "Microsoft.ContainerService", "Microsoft.Resources", "Microsoft.Compute",
            "Microsoft.ManagedIdentity", "virtualNetworks", "subnets", "routeTables", "routes",
            "networkSecurityGroups", "securityRules", "natGateways", "serviceEndpointPolicies", "publicIPAddresses",
            "networkInterfaces", "loadBalancers", "managedClusters", "agentPools", "locations", "operations",
            "operationResults", "resourceGroups", "subscriptions", "virtualMachineScaleSets", "virtualMachines",
            "userAssignedIdentities", "deployments");

    ArmPath {
        Objects.requireNonNull(scope, "scope == null");
        Objects.requireNonNull(subscription, "subscription == null");
        types = List.copyOf(types);
        names = List.copyOf(names);
    }

    /**
     * Parses a decoded request path (no query). Empty segments (double slashes) are ignored.
     *
     * @throws ArmError 400 {@code InvalidRequestUri} for anything that is not an ARM subscription path
     */
    static ArmPath parse(String path) {
        List<String> segments = new ArrayList<>();
        for (String segment : path.split("/")) {
            if (!segment.isEmpty()) {
                segments.add(segment);
            }
        }
        if (segments.size() < 2 || !segments.get(0).equalsIgnoreCase("subscriptions")) {
            throw invalid(path);
        }
        String subscription = segments.get(1);
        if (segments.size() == 2) {
            return new ArmPath(Scope.SUBSCRIPTION, subscription, null, null, List.of(), List.of());
        }
        int next = 2;
        String resourceGroup = null;
        if (segments.get(2).equalsIgnoreCase("resourceGroups")) {
            if (segments.size() == 3) {
                return new ArmPath(Scope.RESOURCE_GROUPS, subscription, null, null, List.of(), List.of());
            }
            resourceGroup = segments.get(3);
            if (segments.size() == 4) {
                return new ArmPath(Scope.RESOURCE_GROUP, subscription, resourceGroup, null, List.of(), List.of());
            }
            next = 4;
        }
        if (segments.size() < next + 3 || !segments.get(next).equalsIgnoreCase("providers")) {
            throw invalid(path);
        }
        String namespace = canonical(segments.get(next + 1));
        List<String> types = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = next + 2; i < segments.size(); i++) {
            if ((i - next) % 2 == 0) {
                types.add(canonical(segments.get(i)));
            } else {
                names.add(segments.get(i));
            }
        }
        return new ArmPath(Scope.PROVIDER, subscription, resourceGroup, namespace, types, names);
    }

    /** ARM's casing for well-known namespaces and types; anything else as given. */
    static String canonical(String segment) {
        return CANONICAL.getOrDefault(segment.toLowerCase(Locale.ROOT), segment);
    }

    boolean isCollection() {
        return scope == Scope.RESOURCE_GROUPS || (scope == Scope.PROVIDER && types.size() == names.size() + 1);
    }

    /** {@code Microsoft.Network/locations/{l}/operations/{id}} at subscription scope. */
    boolean isOperationStatus() {
        return scope == Scope.PROVIDER && resourceGroup == null && types.size() == 2 && names.size() == 2
                && types.get(0).equals("locations") && types.get(1).equals("operations");
    }

    /** E.g. {@code Microsoft.Network/virtualNetworks/subnets}; for collections the type of the items. */
    String resourceType() {
        if (scope == Scope.RESOURCE_GROUP || scope == Scope.RESOURCE_GROUPS) {
            return "Microsoft.Resources/resourceGroups";
        }
        if (scope == Scope.SUBSCRIPTION) {
            return "Microsoft.Resources/subscriptions";
        }
        return namespace + "/" + String.join("/", types);
    }

    String lastName() {
        return names.isEmpty() ? Objects.requireNonNullElse(resourceGroup, subscription) : names.get(names.size() - 1);
    }

    /** The canonical resource id; for a collection, the id of the scope that holds it. */
    String resourceId() {
        StringBuilder id = new StringBuilder("/subscriptions/").append(subscription);
        if (resourceGroup != null) {
            id.append("/resourceGroups/").append(resourceGroup);
        }
        if (scope == Scope.PROVIDER && !names.isEmpty()) {
            id.append("/providers/").append(namespace);
            for (int i = 0; i < names.size(); i++) {
                id.append('/').append(types.get(i)).append('/').append(names.get(i));
            }
        }
        return id.toString();
    }

    String resourceGroupId() {
        return "/subscriptions/" + subscription + "/resourceGroups/" + resourceGroup;
    }

    /** The path of the first {@code depth} type/name pairs, e.g. the VNet of a subnet path. */
    ArmPath ancestor(int depth) {
        if (depth < 1 || depth > names.size()) {
            throw new IllegalArgumentException("no ancestor at depth " + depth + " of " + this);
        }
        return new ArmPath(scope, subscription, resourceGroup, namespace, types.subList(0, depth),
                names.subList(0, depth));
    }

    /** {@code Microsoft.Network/virtualNetworks/vnet1}, as ARM's ResourceNotFound message names it. */
    String typeAndNames() {
        StringBuilder text = new StringBuilder(namespace == null ? "" : namespace);
        for (int i = 0; i < names.size(); i++) {
            text.append('/').append(types.get(i)).append('/').append(names.get(i));
        }
        return text.toString();
    }

    private static ArmError invalid(String path) {
        return ArmError.badRequest("InvalidRequestUri",
                "The request URI '" + path + "' is not a valid Azure Resource Manager path.");
    }

    private static Map<String, String> canonicalNames(String... names) {
        Map<String, String> map = new java.util.HashMap<>();
        for (String name : names) {
            map.put(name.toLowerCase(Locale.ROOT), name);
        }
        return Map.copyOf(map);
    }
}
