package dev.aksrouteguard.emulator;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Objects;

/**
 * Realistic ARM state for tests and the demo, written straight into an emulator (no HTTP, no events).
 *
 * <pre>{@code
 * SeededCluster app = Fixtures.kubenetCluster("rg-app", "aks-app").nodesPerPool(3).seed(emulator);
 * SeededCluster byo = Fixtures.kubenetCluster("rg-byo", "aks-byo").bringYourOwnRouteTable().seed(emulator);
 * SeededCluster cni = Fixtures.azureCniCluster("rg-cni", "aks-cni").overlay().seed(emulator);
 * LargeSubscription.Seeded many = Fixtures.largeSubscription(1_000).seed(emulator);
 * }</pre>
 */
public final class Fixtures {
    /** The subscription fixtures use unless told otherwise. */
    public static final String SUBSCRIPTION_ID = "9b2f6c1e-4d3a-4e8b-a7c5-1f0e2d3c4b5a";
    /** The region fixtures use unless told otherwise. */
    public static final String LOCATION = "westeurope";

    private Fixtures() {
    }

    /** A kubenet cluster in its own VNet, with an AKS-managed route table associated with its node subnet. */
    public static ClusterFixture kubenetCluster(String resourceGroup, String clusterName) {
        return new ClusterFixture(resourceGroup, clusterName, "kubenet");
    }

    /** An Azure CNI cluster (no route table); add {@link ClusterFixture#overlay()} for CNI overlay. */
    public static ClusterFixture azureCniCluster(String resourceGroup, String clusterName) {
        return new ClusterFixture(resourceGroup, clusterName, "azure");
    }

    /** Many clusters in one subscription, a fixed mix of in-sync, drifted, Azure CNI and plain VNets. */
    public static LargeSubscription largeSubscription(int clusters) {
        return new LargeSubscription(clusters);
    }

    /**
     * A VNet with one subnet that no cluster uses: a delegation-free {@code 10.50.1.0/24} with an NSG and no
     * route table. Returns the subnet id.
     */
    public static String plainSubnet(ArmEmulator emulator, String subscriptionId, String resourceGroup,
            String virtualNetwork, String subnet) {
        Objects.requireNonNull(emulator, "emulator == null");
        String groupId = "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup;
        String nsgId = groupId + "/providers/Microsoft.Network/networkSecurityGroups/nsg-" + subnet;
        emulator.put(nsgId, networkSecurityGroup(LOCATION));
        JsonObject properties = new JsonObject();
        properties.addProperty("addressPrefix", "10.50.1.0/24");
        properties.add("networkSecurityGroup", Json.reference(nsgId));
        properties.addProperty("privateEndpointNetworkPolicies", "Disabled");
        properties.addProperty("privateLinkServiceNetworkPolicies", "Enabled");
        properties.add("delegations", new JsonArray());
        String vnetId = groupId + "/providers/Microsoft.Network/virtualNetworks/" + virtualNetwork;
        emulator.put(vnetId, virtualNetwork(LOCATION, "10.50.0.0/16", subnetEntry(subnet, properties)));
        return vnetId + "/subnets/" + subnet;
    }

    static JsonObject virtualNetwork(String location, String addressSpace, JsonObject... subnets) {
        JsonObject addressSpaceObject = new JsonObject();
        addressSpaceObject.add("addressPrefixes", Json.strings(java.util.List.of(addressSpace)));
        JsonArray subnetArray = new JsonArray();
        for (JsonObject subnet : subnets) {
            subnetArray.add(subnet);
        }
        JsonObject properties = new JsonObject();
        properties.add("addressSpace", addressSpaceObject);
        properties.add("subnets", subnetArray);
        properties.add("virtualNetworkPeerings", new JsonArray());
        properties.addProperty("enableDdosProtection", false);
        return resource(location, properties);
    }

    static JsonObject subnetEntry(String name, JsonObject properties) {
        JsonObject subnet = new JsonObject();
        subnet.addProperty("name", name);
        subnet.add("properties", properties);
        return subnet;
    }

    static JsonObject networkSecurityGroup(String location) {
        JsonObject properties = new JsonObject();
        properties.add("securityRules", new JsonArray());
        return resource(location, properties);
    }

    static JsonObject resource(String location, JsonObject properties) {
        JsonObject resource = new JsonObject();
        resource.addProperty("location", location);
        resource.add("properties", properties);
        return resource;
    }
}
