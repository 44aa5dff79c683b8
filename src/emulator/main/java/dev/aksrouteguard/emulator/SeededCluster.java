package dev.aksrouteguard.emulator;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link ClusterFixture} wrote, by id.
 *
 * @param clusterId the managed cluster
 * @param networkPlugin {@code kubenet} or {@code azure}
 * @param nodeResourceGroup the {@code MC_...} resource group name
 * @param virtualNetworkId the customer VNet
 * @param nodeSubnetIds the node subnets (pools' {@code vnetSubnetID}s), in pool order, without duplicates
 * @param routeTableId the kubenet route table (AKS-managed or bring-your-own), null for Azure CNI
 * @param associated whether the node subnets reference the route table (false when seeded drifted)
 * @param networkSecurityGroupId the node subnets' NSG, if any
 * @param natGatewayId the node subnets' NAT gateway, if any
 * @param nodeNames the node names, e.g. {@code aks-nodepool1-12345678-vmss000000}
 * @param routeNames the pod routes of the kubenet table, named as cloud-provider-azure names them (its
 *     {@code RouteNameFmt} {@code "%s____%s"}: the node's name, then its pod CIDR without {@code . / :}), e.g.
 *     {@code aks-nodepool1-12345678-vmss000000____102440024}; empty when none were seeded
 */
public record SeededCluster(String clusterId, String networkPlugin, String nodeResourceGroup, String virtualNetworkId,
        List<String> nodeSubnetIds, @Nullable String routeTableId, boolean associated,
        @Nullable String networkSecurityGroupId, @Nullable String natGatewayId, List<String> nodeNames, List<String> routeNames) {

    public SeededCluster {
        Objects.requireNonNull(clusterId, "clusterId == null");
        Objects.requireNonNull(networkPlugin, "networkPlugin == null");
        Objects.requireNonNull(nodeResourceGroup, "nodeResourceGroup == null");
        Objects.requireNonNull(virtualNetworkId, "virtualNetworkId == null");
        nodeSubnetIds = List.copyOf(nodeSubnetIds);
        nodeNames = List.copyOf(nodeNames);
        routeNames = List.copyOf(routeNames);
    }

    /** The first (or only) node subnet. */
    public String nodeSubnetId() {
        return nodeSubnetIds.get(0);
    }
}
