package dev.aksrouteguard.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A subscription with many clusters, each in its own resource group and VNet, in a fixed mix by index:
 * of every ten, six kubenet clusters in sync, two kubenet clusters drifted (route table not associated),
 * one Azure CNI cluster (alternately overlay) and one plain VNet without a cluster. Names are
 * {@code rg-0000}, {@code aks-0000}, ... so runs are reproducible. Seeding 1,000 takes well under a second.
 */
public final class LargeSubscription {
    /**
     * What was written, by category.
     *
     * @param inSync kubenet clusters whose node subnets reference their route table
     * @param drifted kubenet clusters whose node subnets lost the association
     * @param azureCni Azure CNI clusters (no route table)
     * @param plainSubnetIds subnets that no cluster uses
     */
    public record Seeded(List<SeededCluster> inSync, List<SeededCluster> drifted, List<SeededCluster> azureCni,
            List<String> plainSubnetIds) {
        public Seeded {
            inSync = List.copyOf(inSync);
            drifted = List.copyOf(drifted);
            azureCni = List.copyOf(azureCni);
            plainSubnetIds = List.copyOf(plainSubnetIds);
        }

        /** All kubenet clusters, in sync and drifted. */
        public List<SeededCluster> kubenet() {
            List<SeededCluster> all = new ArrayList<>(inSync);
            all.addAll(drifted);
            return all;
        }
    }

    private final int count;
    private String subscriptionId = Fixtures.SUBSCRIPTION_ID;
    private int nodesPerPool = 3;

    LargeSubscription(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count < 0: " + count);
        }
        this.count = count;
    }

    public LargeSubscription subscription(String subscriptionId) {
        this.subscriptionId = Objects.requireNonNull(subscriptionId, "subscriptionId == null");
        return this;
    }

    public LargeSubscription nodesPerPool(int nodes) {
        this.nodesPerPool = nodes;
        return this;
    }

    public Seeded seed(ArmEmulator emulator) {
        Objects.requireNonNull(emulator, "emulator == null");
        List<SeededCluster> inSync = new ArrayList<>();
        List<SeededCluster> drifted = new ArrayList<>();
        List<SeededCluster> azureCni = new ArrayList<>();
        List<String> plain = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String group = String.format(Locale.ROOT, "rg-%04d", i);
            String cluster = String.format(Locale.ROOT, "aks-%04d", i);
            int kind = i % 10;
            if (kind <= 7) {
                ClusterFixture fixture = Fixtures.kubenetCluster(group, cluster).subscription(subscriptionId)
                        .nodesPerPool(nodesPerPool);
                if (kind >= 6) {
                    drifted.add(fixture.drifted().seed(emulator));
                } else {
                    inSync.add(fixture.seed(emulator));
                }
            } else if (kind == 8) {
                ClusterFixture fixture = Fixtures.azureCniCluster(group, cluster).subscription(subscriptionId)
                        .nodesPerPool(nodesPerPool);
                azureCni.add((i / 10) % 2 == 0 ? fixture.overlay().seed(emulator) : fixture.seed(emulator));
            } else {
                plain.add(Fixtures.plainSubnet(emulator, subscriptionId, group, "vnet-plain-" + i, "snet-workload"));
            }
        }
        return new Seeded(inSync, drifted, azureCni, plain);
    }
}
