package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.containerservice.ContainerServiceManager;
import com.azure.resourcemanager.containerservice.fluent.models.AgentPoolInner;
import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.azure.resourcemanager.containerservice.models.NetworkPlugin;
import com.azure.resourcemanager.containerservice.models.NetworkPluginMode;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.fluent.models.RouteInner;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.models.RouteNextHopType;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The fixtures write shapes the real SDK deserializes into what the guard reads. */
class FixturesTest {
    private static ArmEmulator arm;
    private static NetworkManager network;
    private static ContainerServiceManager aks;

    @BeforeAll
    static void start() {
        arm = ArmEmulator.start();
        network = Sdk.network(arm);
        aks = Sdk.containerService(arm);
    }

    @AfterAll
    static void stop() {
        arm.close();
    }

    private static String name(String id) {
        return id.substring(id.lastIndexOf('/') + 1);
    }

    private static String group(String id) {
        return id.split("/")[4];
    }

    private static SubnetInner subnet(String id) {
        String[] parts = id.split("/");
        return network.serviceClient().getSubnets().get(parts[4], parts[8], parts[10]);
    }

    private static RouteTableInner routeTable(String id) {
        return network.serviceClient().getRouteTables().getByResourceGroup(group(id), name(id));
    }

    private static ManagedClusterInner cluster(SeededCluster seeded) {
        return aks.serviceClient().getManagedClusters().getByResourceGroup(group(seeded.clusterId()),
                name(seeded.clusterId()));
    }

    @Test
    void aKubenetClusterHasAnAksRouteTableWithOneRoutePerNodeOnItsNodeSubnet() {
        SeededCluster seeded = Fixtures.kubenetCluster("rg-kubenet", "aks-kubenet").nodesPerPool(4).seed(arm);

        ManagedClusterInner cluster = cluster(seeded);
        assertEquals(NetworkPlugin.KUBENET, cluster.networkProfile().networkPlugin());
        assertEquals("10.244.0.0/16", cluster.networkProfile().podCidr());
        assertEquals("MC_rg-kubenet_aks-kubenet_westeurope", cluster.nodeResourceGroup());
        assertEquals(seeded.nodeSubnetId(), cluster.agentPoolProfiles().get(0).vnetSubnetId());
        assertEquals("Succeeded", cluster.provisioningState());

        SubnetInner subnet = subnet(seeded.nodeSubnetId());
        assertEquals(seeded.routeTableId(), subnet.routeTable().id());
        assertTrue(name(seeded.routeTableId()).matches("aks-agentpool-\\d{8}-routetable"), seeded.routeTableId());
        assertEquals(seeded.nodeResourceGroup(), group(seeded.routeTableId()));
        assertEquals(2, subnet.serviceEndpoints().size());
        assertTrue(subnet.delegations().isEmpty());
        assertEquals(seeded.natGatewayId(), subnet.natGateway().id());
        assertEquals(4, subnet.ipConfigurations().size());

        List<RouteInner> routes = routeTable(seeded.routeTableId()).routes();
        assertEquals(seeded.routeNames(), routes.stream().map(RouteInner::name).toList());
        RouteInner second = routes.get(1);
        assertTrue(second.name().matches("aks-nodepool1-\\d{8}-vmss000001____102441024"),
                "named as cloud-provider-azure names it: the node, ____, the prefix without . and /: " + second.name());
        assertEquals(seeded.nodeNames().get(1) + "____102441024", second.name());
        assertEquals("10.244.1.0/24", second.addressPrefix());
        assertEquals(RouteNextHopType.VIRTUAL_APPLIANCE, second.nextHopType());
        assertEquals("10.10.0.5", second.nextHopIpAddress(), "a node IP inside the node subnet 10.10.0.0/22");
        assertEquals(seeded.nodeSubnetId(), routeTable(seeded.routeTableId()).subnets().get(0).id());
    }

    @Test
    void agentPoolsMirrorTheClustersProfiles() {
        SeededCluster seeded = Fixtures.kubenetCluster("rg-pools", "aks-pools").nodePools(2).subnetPerPool().seed(arm);

        List<AgentPoolInner> pools = aks.serviceClient().getAgentPools().list("rg-pools", "aks-pools").stream().toList();

        assertEquals(List.of("nodepool1", "nodepool2"), pools.stream().map(AgentPoolInner::name).toList());
        assertEquals(seeded.nodeSubnetIds(), pools.stream().map(AgentPoolInner::vnetSubnetId).toList());
        assertEquals(2, seeded.nodeSubnetIds().size());
        for (String subnetId : seeded.nodeSubnetIds()) {
            assertEquals(seeded.routeTableId(), subnet(subnetId).routeTable().id(), "one table for all pools");
        }
    }

    @Test
    void aBringYourOwnRouteTableLivesInTheCustomersResourceGroup() {
        SeededCluster seeded = Fixtures.kubenetCluster("rg-byo", "aks-byo").networkResourceGroup("rg-network")
                .bringYourOwnRouteTable().seed(arm);

        assertEquals("rg-network", group(seeded.routeTableId()));
        assertEquals("rt-aks-byo", name(seeded.routeTableId()));
        assertEquals("rg-network", group(seeded.virtualNetworkId()));
        assertEquals(seeded.routeTableId(), subnet(seeded.nodeSubnetId()).routeTable().id());
        assertEquals(3, routeTable(seeded.routeTableId()).routes().size());
    }

    @Test
    void azureCniClustersHaveNoRouteTable() {
        SeededCluster cni = Fixtures.azureCniCluster("rg-cni", "aks-cni").seed(arm);
        SeededCluster overlay = Fixtures.azureCniCluster("rg-overlay", "aks-overlay").overlay().seed(arm);

        assertEquals(NetworkPlugin.AZURE, cluster(cni).networkProfile().networkPlugin());
        assertNull(cluster(cni).networkProfile().networkPluginMode());
        assertNull(cluster(cni).networkProfile().podCidr());
        assertEquals(NetworkPluginMode.OVERLAY, cluster(overlay).networkProfile().networkPluginMode());
        assertEquals("10.244.0.0/16", cluster(overlay).networkProfile().podCidr());
        assertNull(cni.routeTableId());
        assertNull(subnet(overlay.nodeSubnetId()).routeTable());
    }

    @Test
    void aDriftedClusterKeepsItsTableButItsSubnetLostTheAssociation() {
        SeededCluster seeded = Fixtures.kubenetCluster("rg-drift", "aks-drift").drifted().seed(arm);

        assertFalse(seeded.associated());
        assertNull(subnet(seeded.nodeSubnetId()).routeTable());
        RouteTableInner table = routeTable(seeded.routeTableId());
        assertEquals(3, table.routes().size());
        assertTrue(table.subnets() == null || table.subnets().isEmpty());
    }

    @Test
    void aClusterStillCreatingHasNoRoutesYetAndCarriesItsTags() {
        SeededCluster seeded = Fixtures.kubenetCluster("rg-new", "aks-new").creating().tag("team", "payments")
                .tag("aks-route-guard", "ignore").seed(arm);

        ManagedClusterInner cluster = cluster(seeded);
        assertEquals("Creating", cluster.provisioningState());
        assertEquals("payments", cluster.tags().get("team"));
        assertEquals("Creating", cluster.agentPoolProfiles().get(0).provisioningState());
        assertTrue(routeTable(seeded.routeTableId()).routes().isEmpty());
    }

    @Test
    void clustersWithDefaultsShareAddressSpacesAndPodCidrsInIsolatedVnets() {
        SeededCluster one = Fixtures.kubenetCluster("rg-twin-1", "aks-twin").seed(arm);
        SeededCluster two = Fixtures.kubenetCluster("rg-twin-2", "aks-twin").seed(arm);

        assertFalse(one.virtualNetworkId().equals(two.virtualNetworkId()));
        assertEquals(subnet(one.nodeSubnetId()).addressPrefix(), subnet(two.nodeSubnetId()).addressPrefix());
        assertEquals(cluster(one).networkProfile().podCidr(), cluster(two).networkProfile().podCidr());
        assertFalse(one.routeTableId().equals(two.routeTableId()));
    }

    @Test
    void aPlainSubnetBelongsToNoCluster() {
        String id = Fixtures.plainSubnet(arm, Fixtures.SUBSCRIPTION_ID, "rg-plain", "vnet-plain", "snet-app");

        SubnetInner subnet = subnet(id);
        assertNull(subnet.routeTable());
        assertEquals("10.50.1.0/24", subnet.addressPrefix());
        assertTrue(subnet.ipConfigurations() == null || subnet.ipConfigurations().isEmpty());
    }

    @Test
    void aServiceEndpointPolicyIsReferencedAndBackReferenced() {
        SeededCluster seeded = Fixtures.kubenetCluster("rg-sep", "aks-sep").serviceEndpointPolicy().seed(arm);

        SubnetInner subnet = subnet(seeded.nodeSubnetId());
        assertEquals(1, subnet.serviceEndpointPolicies().size());
        String policyId = subnet.serviceEndpointPolicies().get(0).id();
        assertEquals(seeded.nodeSubnetId(), arm.get(policyId).orElseThrow().getAsJsonObject("properties")
                .getAsJsonArray("subnets").get(0).getAsJsonObject().get("id").getAsString());
    }
}
