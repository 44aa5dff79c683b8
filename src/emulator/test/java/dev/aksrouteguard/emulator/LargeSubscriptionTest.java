package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.azure.resourcemanager.containerservice.models.NetworkPlugin;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A thousand clusters seed quickly and the SDK pages through them. */
class LargeSubscriptionTest {
    @Test
    void seedsAThousandClustersInAFixedMixAndServesThemInPages() {
        try (ArmEmulator arm = ArmEmulator.start()) {
            long started = System.nanoTime();
            LargeSubscription.Seeded seeded = Fixtures.largeSubscription(1_000).seed(arm);
            System.out.printf("seeded 1,000 clusters (%d resources) in %d ms%n", arm.resourceCount(),
                    (System.nanoTime() - started) / 1_000_000);

            assertEquals(600, seeded.inSync().size());
            assertEquals(200, seeded.drifted().size());
            assertEquals(100, seeded.azureCni().size());
            assertEquals(100, seeded.plainSubnetIds().size());

            started = System.nanoTime();
            List<VirtualNetworkInner> vnets = Sdk.network(arm).serviceClient().getVirtualNetworks().list().stream().toList();
            Map<NetworkPlugin, Long> plugins = Sdk.containerService(arm).serviceClient().getManagedClusters().list().stream()
                    .collect(Collectors.groupingBy(c -> c.networkProfile().networkPlugin(), Collectors.counting()));
            System.out.printf("listed them through the SDK in %d ms%n", (System.nanoTime() - started) / 1_000_000);

            assertEquals(1_000, vnets.size());
            assertEquals(Map.of(NetworkPlugin.KUBENET, 800L, NetworkPlugin.AZURE, 100L), plugins);
            assertEquals(19, arm.readCount(), "10 pages of VNets and 9 of clusters at 100 per page");
            SubnetInner drifted = vnets.stream().filter(v -> v.id().equals(seeded.drifted().get(0).virtualNetworkId()))
                    .findFirst().orElseThrow().subnets().get(0);
            assertNull(drifted.routeTable());
        }
    }
}
