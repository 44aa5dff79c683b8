package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A fluent description of one AKS cluster and its customer network, written by {@link #seed(ArmEmulator)}:
 * the resource group(s), the VNet with node subnet(s) (NSG, NAT gateway, service endpoints, no delegation,
 * {@code ipConfigurations} of the node NICs), the managed cluster with its pools' {@code vnetSubnetID}, the
 * node resource group {@code MC_<rg>_<cluster>_<region>}, and for kubenet the route table
 * {@code aks-agentpool-<8 digits>-routetable} with one route per node, associated with the node subnets.
 *
 * <p>Defaults: VNet {@code 10.10.0.0/16}, node subnets {@code /22} from its start, pod CIDR
 * {@code 10.244.0.0/16}, one pool of three nodes. Several clusters seeded with defaults share address
 * spaces and pod CIDRs in isolated VNets, as real subscriptions do. Not thread-safe.
 */
public final class ClusterFixture {
    private final String resourceGroup;
    private final String clusterName;
    private final String networkPlugin;
    private String subscriptionId = Fixtures.SUBSCRIPTION_ID;
    private String location = Fixtures.LOCATION;
    private @Nullable String networkResourceGroup;
    private String addressSpace = "10.10.0.0/16";
    private String podCidr = "10.244.0.0/16";
    private int pools = 1;
    private int nodesPerPool = 3;
    private boolean subnetPerPool;
    private boolean bringYourOwnRouteTable;
    private boolean drifted;
    private boolean overlay;
    private boolean natGateway = true;
    private boolean networkSecurityGroup = true;
    private boolean serviceEndpoints = true;
    private boolean serviceEndpointPolicy;
    private @Nullable String ipamPoolId;
    private String provisioningState = "Succeeded";
    private final Map<String, String> tags = new LinkedHashMap<>();

    ClusterFixture(String resourceGroup, String clusterName, String networkPlugin) {
        this.resourceGroup = Objects.requireNonNull(resourceGroup, "resourceGroup == null");
        this.clusterName = Objects.requireNonNull(clusterName, "clusterName == null");
        this.networkPlugin = networkPlugin;
    }

    public ClusterFixture subscription(String subscriptionId) {
        this.subscriptionId = Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        return this;
    }

    public ClusterFixture location(String location) {
        this.location = Objects.requireNonNull(location, "location == null");
        return this;
    }

    /** Puts the VNet, NSG and NAT gateway in another resource group (a hub/network team's). */
    public ClusterFixture networkResourceGroup(String networkResourceGroup) {
        this.networkResourceGroup = Objects.requireNonNull(networkResourceGroup, "networkResourceGroup == null");
        return this;
    }

    public ClusterFixture addressSpace(String cidr) {
        this.addressSpace = Cidr.parse(cidr).toString();
        return this;
    }

    public ClusterFixture podCidr(String cidr) {
        this.podCidr = Cidr.parse(cidr).toString();
        return this;
    }

    public ClusterFixture nodePools(int pools) {
        if (pools < 1) {
            throw new IllegalArgumentException("pools < 1: " + pools);
        }
        this.pools = pools;
        return this;
    }

    public ClusterFixture nodesPerPool(int nodes) {
        if (nodes < 0 || nodes > 250) {
            throw new IllegalArgumentException("nodes must be 0..250: " + nodes);
        }
        this.nodesPerPool = nodes;
        return this;
    }

    /** Gives each pool its own node subnet (all share the one route table, as kubenet requires). */
    public ClusterFixture subnetPerPool() {
        this.subnetPerPool = true;
        return this;
    }

    /** The route table is the customer's ({@code rt-<cluster>} in the VNet's resource group), not AKS's. */
    public ClusterFixture bringYourOwnRouteTable() {
        this.bringYourOwnRouteTable = true;
        return this;
    }

    /** As after an IaC re-deploy: the node subnets no longer reference the route table (which still exists). */
    public ClusterFixture drifted() {
        this.drifted = true;
        return this;
    }

    /** Azure CNI overlay ({@code networkPluginMode: overlay}, with a pod CIDR); Azure CNI clusters only. */
    public ClusterFixture overlay() {
        if (!networkPlugin.equals("azure")) {
            throw new IllegalStateException("overlay applies to Azure CNI clusters");
        }
        this.overlay = true;
        return this;
    }

    public ClusterFixture natGateway(boolean enabled) {
        this.natGateway = enabled;
        return this;
    }

    public ClusterFixture networkSecurityGroup(boolean enabled) {
        this.networkSecurityGroup = enabled;
        return this;
    }

    public ClusterFixture serviceEndpoints(boolean enabled) {
        this.serviceEndpoints = enabled;
        return this;
    }

    /** Adds a service endpoint policy (Microsoft.Storage) to the node subnets. */
    public ClusterFixture serviceEndpointPolicy() {
        this.serviceEndpointPolicy = true;
        this.serviceEndpoints = true;
        return this;
    }

    /**
     * The VNet's address space and each node subnet's prefix are allocated from this Virtual Network Manager IPAM pool
     * ({@code Microsoft.Network/networkManagers/ipamPools}, which is not seeded): the subnet carries
     * {@code addressPrefixes} and {@code ipamPoolPrefixAllocations} with its read-only {@code allocatedAddressPrefixes},
     * as Network RP answers a subnet created from a pool (azure-rest-api-specs, Network 2025-05-01,
     * {@code examples/VirtualNetworkCreateWithIpamPool.json}), and no {@code addressPrefix}.
     */
    public ClusterFixture ipamPool(String poolId) {
        this.ipamPoolId = Objects.requireNonNull(poolId, "poolId == null");
        return this;
    }

    /** A cluster still being created: {@code Creating} everywhere and no node routes yet. */
    public ClusterFixture creating() {
        this.provisioningState = "Creating";
        return this;
    }

    public ClusterFixture tag(String name, String value) {
        tags.put(Objects.requireNonNull(name, "name == null"), Objects.requireNonNull(value, "value == null"));
        return this;
    }

    /** Writes everything into the emulator. */
    public SeededCluster seed(ArmEmulator emulator) {
        Objects.requireNonNull(emulator, "emulator == null");
        String clusterGroupId = groupId(resourceGroup);
        String networkGroup = networkResourceGroup == null ? resourceGroup : networkResourceGroup;
        String networkGroupId = groupId(networkGroup);
        String clusterId = clusterGroupId + "/providers/Microsoft.ContainerService/managedClusters/" + clusterName;
        String nodeResourceGroup = "MC_" + resourceGroup + "_" + clusterName + "_" + location;
        String nodeGroupId = groupId(nodeResourceGroup);
        String digits = String.format(Locale.ROOT, "%08d", Math.floorMod(clusterId.toLowerCase(Locale.ROOT).hashCode(),
                100_000_000));
        boolean kubenet = networkPlugin.equals("kubenet");
        boolean creatingNow = provisioningState.equals("Creating");

        emulator.put(clusterGroupId, group(null));
        if (!networkGroup.equals(resourceGroup)) {
            emulator.put(networkGroupId, group(null));
        }
        JsonObject nodeGroup = group(clusterId);
        JsonObject nodeGroupTags = new JsonObject();
        nodeGroupTags.addProperty("aks-managed-cluster-name", clusterName);
        nodeGroupTags.addProperty("aks-managed-cluster-rg", resourceGroup);
        nodeGroup.add("tags", nodeGroupTags);
        emulator.put(nodeGroupId, nodeGroup);

        String nsgId = networkSecurityGroup ? networkGroupId + "/providers/Microsoft.Network/networkSecurityGroups/nsg-"
                + clusterName + "-nodes" : null;
        if (nsgId != null) {
            emulator.put(nsgId, Fixtures.networkSecurityGroup(location));
        }
        String natId = natGateway ? networkGroupId + "/providers/Microsoft.Network/natGateways/ng-" + clusterName : null;
        if (natId != null) {
            JsonObject nat = Fixtures.resource(location, new JsonObject());
            Json.properties(nat).addProperty("idleTimeoutInMinutes", 4);
            Json.properties(nat).add("publicIpAddresses", new JsonArray());
            JsonObject sku = new JsonObject();
            sku.addProperty("name", "Standard");
            nat.add("sku", sku);
            emulator.put(natId, nat);
        }
        String policyId = serviceEndpointPolicy ? networkGroupId
                + "/providers/Microsoft.Network/serviceEndpointPolicies/sep-" + clusterName : null;
        if (policyId != null) {
            emulator.put(policyId, Fixtures.resource(location, new JsonObject()));
        }
        String routeTableId = !kubenet ? null : bringYourOwnRouteTable
                ? networkGroupId + "/providers/Microsoft.Network/routeTables/rt-" + clusterName
                : nodeGroupId + "/providers/Microsoft.Network/routeTables/aks-agentpool-" + digits + "-routetable";

        // Nodes, laid out over the pools and their subnets.
        Cidr space = Cidr.parse(addressSpace);
        Cidr pods = Cidr.parse(podCidr);
        String vnetName = "vnet-" + clusterName;
        String vnetId = networkGroupId + "/providers/Microsoft.Network/virtualNetworks/" + vnetName;
        List<String> subnetNames = new ArrayList<>();
        Map<String, JsonArray> ipConfigurationsBySubnet = new LinkedHashMap<>();
        Map<String, Cidr> prefixBySubnet = new LinkedHashMap<>();
        Map<String, Integer> nodesInSubnet = new LinkedHashMap<>();
        List<String> nodeNames = new ArrayList<>();
        List<String> routeNames = new ArrayList<>();
        JsonArray routes = new JsonArray();
        JsonArray poolProfiles = new JsonArray();
        for (int p = 0; p < pools; p++) {
            String pool = "nodepool" + (p + 1);
            String subnet = subnetPerPool ? "snet-" + pool : "snet-aks-nodes";
            if (!prefixBySubnet.containsKey(subnet)) {
                prefixBySubnet.put(subnet, space.block(22, prefixBySubnet.size()));
                subnetNames.add(subnet);
                ipConfigurationsBySubnet.put(subnet, new JsonArray());
                nodesInSubnet.put(subnet, 0);
            }
            String vmss = "aks-" + pool + "-" + digits + "-vmss";
            for (int n = 0; n < nodesPerPool; n++) {
                String nodeName = vmss + String.format(Locale.ROOT, "%6s", Integer.toString(n, 36)).replace(' ', '0');
                int indexInSubnet = nodesInSubnet.merge(subnet, 1, Integer::sum) - 1;
                String nodeIp = prefixBySubnet.get(subnet).address(4 + indexInSubnet);
                ipConfigurationsBySubnet.get(subnet).add(Json.reference(nodeGroupId
                        + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + vmss + "/virtualMachines/" + n
                        + "/networkInterfaces/" + vmss + "/ipConfigurations/ipconfig1"));
                if (kubenet && !creatingNow) {
                    JsonObject routeProperties = new JsonObject();
                    String podPrefix = pods.block(24, nodeNames.size()).toString();
                    routeProperties.addProperty("addressPrefix", podPrefix);
                    routeProperties.addProperty("nextHopType", "VirtualAppliance");
                    routeProperties.addProperty("nextHopIpAddress", nodeIp);
                    // as cloud-provider-azure names a node's route (RouteNameFmt "%s____%s", dual-stack support on)
                    String routeName = nodeName + "____" + podPrefix.replace(":", "").replace(".", "").replace("/", "");
                    routes.add(Fixtures.subnetEntry(routeName, routeProperties));
                    routeNames.add(routeName);
                }
                nodeNames.add(nodeName);
            }
            poolProfiles.add(poolProfile(pool, p == 0 ? "System" : "User", vnetId + "/subnets/" + subnet));
        }

        if (routeTableId != null) {
            JsonObject properties = new JsonObject();
            properties.addProperty("disableBgpRoutePropagation", false);
            properties.add("routes", routes);
            emulator.put(routeTableId, Fixtures.resource(location, properties));
        }

        JsonObject[] subnets = new JsonObject[subnetNames.size()];
        for (int i = 0; i < subnets.length; i++) {
            String name = subnetNames.get(i);
            JsonObject properties = new JsonObject();
            Cidr prefix = prefixBySubnet.get(name);
            if (ipamPoolId == null) {
                properties.addProperty("addressPrefix", prefix.toString());
            } else {
                properties.add("addressPrefixes", Json.strings(List.of(prefix.toString())));
                properties.add("ipamPoolPrefixAllocations", ipamAllocation(ipamPoolId, prefix));
            }
            if (routeTableId != null && !drifted) {
                properties.add("routeTable", Json.reference(routeTableId));
            }
            if (nsgId != null) {
                properties.add("networkSecurityGroup", Json.reference(nsgId));
            }
            if (natId != null) {
                properties.add("natGateway", Json.reference(natId));
            }
            if (serviceEndpoints) {
                properties.add("serviceEndpoints", serviceEndpointList());
            }
            if (policyId != null) {
                JsonArray policies = new JsonArray();
                policies.add(Json.reference(policyId));
                properties.add("serviceEndpointPolicies", policies);
            }
            properties.add("delegations", new JsonArray());
            properties.addProperty("privateEndpointNetworkPolicies", "Disabled");
            properties.addProperty("privateLinkServiceNetworkPolicies", "Enabled");
            properties.add("ipConfigurations", ipConfigurationsBySubnet.get(name));
            subnets[i] = Fixtures.subnetEntry(name, properties);
        }
        JsonObject vnet = Fixtures.virtualNetwork(location, addressSpace, subnets);
        if (ipamPoolId != null) {
            Json.object(Json.properties(vnet), "addressSpace").add("ipamPoolPrefixAllocations",
                    ipamAllocation(ipamPoolId, Cidr.parse(addressSpace)));
        }
        emulator.put(vnetId, vnet);

        emulator.put(clusterId, cluster(poolProfiles, nodeResourceGroup, natId != null));
        List<String> subnetIds = new ArrayList<>();
        subnetNames.forEach(name -> subnetIds.add(vnetId + "/subnets/" + name));
        return new SeededCluster(clusterId, networkPlugin, nodeResourceGroup, vnetId, subnetIds, routeTableId,
                routeTableId != null && !drifted, nsgId, natId, nodeNames, routeNames);
    }

    /** One {@code ipamPoolPrefixAllocations} entry: {@code prefix}, allocated from {@code poolId}. */
    private static JsonArray ipamAllocation(String poolId, Cidr prefix) {
        JsonObject allocation = new JsonObject();
        allocation.addProperty("numberOfIpAddresses", Long.toString(prefix.size()));
        allocation.add("pool", Json.reference(poolId));
        allocation.add("allocatedAddressPrefixes", Json.strings(List.of(prefix.toString())));
        JsonArray allocations = new JsonArray();
        allocations.add(allocation);
        return allocations;
    }

    private JsonObject cluster(JsonArray poolProfiles, String nodeResourceGroup, boolean natOutbound) {
        JsonObject network = new JsonObject();
        network.addProperty("networkPlugin", networkPlugin);
        if (overlay) {
            network.addProperty("networkPluginMode", "overlay");
        }
        if (networkPlugin.equals("kubenet") || overlay) {
            network.addProperty("podCidr", podCidr);
            network.add("podCidrs", Json.strings(List.of(podCidr)));
        }
        network.addProperty("serviceCidr", "10.0.0.0/16");
        network.add("serviceCidrs", Json.strings(List.of("10.0.0.0/16")));
        network.addProperty("dnsServiceIP", "10.0.0.10");
        network.addProperty("outboundType", natOutbound ? "userAssignedNATGateway" : "loadBalancer");
        network.addProperty("loadBalancerSku", "standard");
        network.add("ipFamilies", Json.strings(List.of("IPv4")));

        JsonObject properties = new JsonObject();
        properties.addProperty("provisioningState", provisioningState);
        properties.add("powerState", Normalizer.powerState("Running"));
        properties.addProperty("kubernetesVersion", "1.30.6");
        properties.addProperty("currentKubernetesVersion", "1.30.6");
        properties.addProperty("dnsPrefix", clusterName + "-dns");
        properties.add("agentPoolProfiles", poolProfiles);
        properties.addProperty("nodeResourceGroup", nodeResourceGroup);
        properties.addProperty("enableRBAC", true);
        properties.add("networkProfile", network);

        JsonObject identity = new JsonObject();
        identity.addProperty("type", "SystemAssigned");
        identity.addProperty("principalId", UUID.nameUUIDFromBytes(("aks:" + clusterName).getBytes(StandardCharsets.UTF_8))
                .toString());
        identity.addProperty("tenantId", ArmEmulator.TENANT_ID);
        JsonObject sku = new JsonObject();
        sku.addProperty("name", "Base");
        sku.addProperty("tier", "Free");

        JsonObject cluster = Fixtures.resource(location, properties);
        if (!tags.isEmpty()) {
            JsonObject tagObject = new JsonObject();
            tags.forEach(tagObject::addProperty);
            cluster.add("tags", tagObject);
        }
        cluster.add("identity", identity);
        cluster.add("sku", sku);
        return cluster;
    }

    private JsonObject poolProfile(String name, String mode, String subnetId) {
        JsonObject pool = new JsonObject();
        pool.addProperty("name", name);
        pool.addProperty("count", nodesPerPool);
        pool.addProperty("vmSize", "Standard_D4s_v5");
        pool.addProperty("osDiskSizeGB", 128);
        pool.addProperty("osDiskType", "Managed");
        pool.addProperty("kubeletDiskType", "OS");
        pool.addProperty("vnetSubnetID", subnetId);
        pool.addProperty("maxPods", networkPlugin.equals("kubenet") ? 110 : 30);
        pool.addProperty("type", "VirtualMachineScaleSets");
        pool.addProperty("enableAutoScaling", false);
        pool.addProperty("provisioningState", provisioningState);
        pool.add("powerState", Normalizer.powerState("Running"));
        pool.addProperty("orchestratorVersion", "1.30.6");
        pool.addProperty("currentOrchestratorVersion", "1.30.6");
        pool.addProperty("enableNodePublicIP", false);
        pool.addProperty("mode", mode);
        pool.addProperty("osType", "Linux");
        pool.addProperty("osSKU", "Ubuntu");
        pool.addProperty("nodeImageVersion", "AKSUbuntu-2204gen2containerd-202411.12.0");
        return pool;
    }

    private JsonArray serviceEndpointList() {
        JsonArray endpoints = new JsonArray();
        for (String service : List.of("Microsoft.Storage", "Microsoft.KeyVault")) {
            JsonObject endpoint = new JsonObject();
            endpoint.addProperty("service", service);
            endpoint.add("locations", Json.strings(List.of(service.equals("Microsoft.Storage") ? location : "*")));
            endpoint.addProperty("provisioningState", "Succeeded");
            endpoints.add(endpoint);
        }
        return endpoints;
    }

    private JsonObject group(@Nullable String managedBy) {
        JsonObject group = new JsonObject();
        group.addProperty("location", location);
        if (managedBy != null) {
            group.addProperty("managedBy", managedBy);
        }
        return group;
    }

    private String groupId(String name) {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + name;
    }
}
