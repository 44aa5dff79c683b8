package dev.aksrouteguard.emulator;

import java.util.Locale;
import java.util.Set;

/** The resource types the emulator gives behaviour to, and what differs between them. */
final class Types {
    static final String RESOURCE_GROUP = "Microsoft.Resources/resourceGroups";
    static final String VIRTUAL_NETWORK = "Microsoft.Network/virtualNetworks";
    static final String SUBNET = VIRTUAL_NETWORK + "/subnets";
    static final String ROUTE_TABLE = "Microsoft.Network/routeTables";
    static final String ROUTE = ROUTE_TABLE + "/routes";
    static final String NETWORK_SECURITY_GROUP = "Microsoft.Network/networkSecurityGroups";
    static final String NAT_GATEWAY = "Microsoft.Network/natGateways";
    static final String SERVICE_ENDPOINT_POLICY = "Microsoft.Network/serviceEndpointPolicies";
    static final String MANAGED_CLUSTER = "Microsoft.ContainerService/managedClusters";
    static final String AGENT_POOL = MANAGED_CLUSTER + "/agentPools";
    static final String DEPLOYMENT = "Microsoft.Resources/deployments";

    private static final Set<String> SUBNET_READ_ONLY = Set.of("provisioningState", "ipConfigurations",
            "ipConfigurationProfiles", "privateEndpoints", "purpose", "resourceNavigationLinks",
            "serviceAssociationLinks");
    private static final Set<String> BACK_REFERENCED_READ_ONLY =
            Set.of("provisioningState", "resourceGuid", "subnets", "networkInterfaces");
    private static final Set<String> CLUSTER_READ_ONLY = Set.of("provisioningState", "powerState", "fqdn",
            "azurePortalFQDN", "privateFQDN", "currentKubernetesVersion", "maxAgentPools", "nodeResourceGroup");
    private static final Set<String> AGENT_POOL_READ_ONLY =
            Set.of("provisioningState", "currentOrchestratorVersion", "nodeImageVersion", "eTag");
    private static final Set<String> NETWORK_READ_ONLY = Set.of("provisioningState", "resourceGuid");

    private Types() {
    }

    static boolean is(String type, String expected) {
        return type.equalsIgnoreCase(expected);
    }

    static String namespace(String type) {
        int slash = type.indexOf('/');
        return slash < 0 ? type : type.substring(0, slash);
    }

    static boolean isNetwork(String type) {
        return namespace(type).equalsIgnoreCase("Microsoft.Network");
    }

    static boolean isContainerService(String type) {
        return namespace(type).equalsIgnoreCase("Microsoft.ContainerService");
    }

    /** Writes to these answer with an async operation, as Network RP and AKS do. */
    static boolean isLongRunning(String type) {
        return isNetwork(type) || isContainerService(type);
    }

    /** Types whose {@code properties.subnets[]} lists the subnets that reference them (read-only). */
    static boolean isReferencedBySubnets(String type) {
        return is(type, ROUTE_TABLE) || is(type, NETWORK_SECURITY_GROUP) || is(type, NAT_GATEWAY)
                || is(type, SERVICE_ENDPOINT_POLICY);
    }

    /** AKS spells it {@code eTag}, Network RP {@code etag}; other providers have none here. */
    static @Nullable String etagKey(String type) {
        if (isContainerService(type)) {
            return "eTag";
        }
        return isNetwork(type) ? "etag" : null;
    }

    static String newEtag(String type) {
        String uuid = fastUuid();
        return isContainerService(type) ? uuid.replace("-", "").substring(0, 12) : "W/\"" + uuid + "\"";
    }

    /** A random version-4 UUID from a fast, non-cryptographic source: etags and GUIDs only need to differ. */
    static String fastUuid() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        long most = (random.nextLong() & ~0xf000L) | 0x4000L;
        long least = (random.nextLong() & 0x3fffffffffffffffL) | 0x8000000000000000L;
        return new java.util.UUID(most, least).toString();
    }

    /** State a write shows until its async operation ends. */
    static String inProgressState(String type, boolean create) {
        return isContainerService(type) && create ? "Creating" : "Updating";
    }

    /** Properties the server owns: ignored in request bodies, kept from the stored resource. */
    static Set<String> readOnlyProperties(String type) {
        String lower = type.toLowerCase(Locale.ROOT);
        if (lower.equals(SUBNET.toLowerCase(Locale.ROOT))) {
            return SUBNET_READ_ONLY;
        }
        if (lower.equals(AGENT_POOL.toLowerCase(Locale.ROOT))) {
            return AGENT_POOL_READ_ONLY;
        }
        if (lower.equals(MANAGED_CLUSTER.toLowerCase(Locale.ROOT))) {
            return CLUSTER_READ_ONLY;
        }
        if (isReferencedBySubnets(type)) {
            return BACK_REFERENCED_READ_ONLY;
        }
        return isNetwork(type) ? NETWORK_READ_ONLY : Set.of("provisioningState");
    }
}
