package dev.aksrouteguard.bench;

import dev.aksrouteguard.emulator.ArmEmulator;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;

/**
 * The small subscription the per-event benchmarks use: a kubenet cluster in sync, one whose node subnet the benchmark
 * strips (with NSG, NAT gateway, service endpoints and a policy, like the demo's), one with two node subnets in one
 * VNet, an Azure CNI cluster and a plain subnet. Each list call is one page.
 */
record BenchSubscription(SeededCluster inSync, SeededCluster drifting, SeededCluster twoSubnets, SeededCluster azureCni,
        String plainSubnet) {

    static BenchSubscription seed(ArmEmulator arm) {
        return new BenchSubscription(
                Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm),
                Fixtures.kubenetCluster("rg-payments", "aks-payments").serviceEndpointPolicy().seed(arm),
                Fixtures.kubenetCluster("rg-two", "aks-two").nodePools(2).subnetPerPool().seed(arm),
                Fixtures.azureCniCluster("rg-search", "aks-search").seed(arm),
                Fixtures.plainSubnet(arm, Fixtures.SUBSCRIPTION_ID, "rg-shared", "vnet-shared", "snet-jumpbox"));
    }

    String plainVnet() {
        return plainSubnet.substring(0, plainSubnet.indexOf("/subnets/"));
    }
}
