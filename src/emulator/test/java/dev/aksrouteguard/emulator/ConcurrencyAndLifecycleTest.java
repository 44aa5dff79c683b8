package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ConcurrencyAndLifecycleTest {
    @Test
    void concurrentWritesToDifferentVnetsAllLand() throws Exception {
        try (ArmEmulator arm = ArmEmulator.start().synchronousWrites(true)) {
            List<SeededCluster> clusters = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                clusters.add(Fixtures.kubenetCluster("rg-" + i, "aks-" + i).seed(arm));
            }
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Callable<Integer>> writers = new ArrayList<>();
                for (SeededCluster cluster : clusters) {
                    writers.add(() -> {
                        ArmHttp http = new ArmHttp(arm, Principal.GUARD);
                        int ok = 0;
                        for (int n = 0; n < 8; n++) {
                            JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
                            subnet.getAsJsonObject("properties").addProperty("defaultOutboundAccess", n % 2 == 0);
                            ok += http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet).status() == 200 ? 1 : 0;
                        }
                        return ok;
                    });
                }
                int total = 0;
                for (Future<Integer> result : pool.invokeAll(writers)) {
                    total += result.get();
                }
                assertEquals(48, total);
            }  finally {
                pool.shutdown();
            }
            assertEquals(48, arm.drainEvents().size());
            assertEquals(96, arm.requests().size());
        }
    }

    @Test
    void concurrentWritesToOneVnetConflictWhileAnOperationIsInProgress() throws Exception {
        try (ArmEmulator arm = ArmEmulator.start().asyncOperations(1, 1)) {
            SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").nodePools(4).subnetPerPool().seed(arm);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Callable<Integer>> writers = new ArrayList<>();
                for (String subnetId : cluster.nodeSubnetIds()) {
                    writers.add(() -> {
                        ArmHttp http = new ArmHttp(arm, Principal.GUARD);
                        return http.put(subnetId + "?" + ArmHttp.API, http.get(subnetId + "?" + ArmHttp.API).body()).status();
                    });
                }
                List<Integer> statuses = new ArrayList<>();
                for (Future<Integer> result : pool.invokeAll(writers)) {
                    statuses.add(result.get());
                }
                assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
                assertEquals(3, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void closeStopsBothServersAndTheirThreads() {
        ArmEmulator arm = ArmEmulator.start();
        ArmHttp http = new ArmHttp(arm, Principal.GUARD);
        http.get("/subscriptions/s?" + ArmHttp.API);

        arm.close();

        assertThrows(UncheckedIOException.class, () -> http.get("/subscriptions/s?" + ArmHttp.API));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().startsWith(arm.threadNamePrefix())), "every thread of this emulator ended");
    }

    @Test
    void anIacRedeployDropsTheAssociationThroughHttpWithAnEvent() {
        try (ArmEmulator arm = ArmEmulator.start()) {
            SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
            Principal terraform = Principal.servicePrincipal("sp-terraform");

            JsonObject vnet = IacRedeploy.dropRouteTables(arm, cluster.virtualNetworkId(), terraform);

            assertNull(vnet.getAsJsonObject("properties").getAsJsonArray("subnets").get(0).getAsJsonObject()
                    .getAsJsonObject("properties").get("routeTable"));
            assertEquals("Succeeded", vnet.getAsJsonObject("properties").get("provisioningState").getAsString());
            JsonObject event = arm.drainEvents().get(0);
            assertEquals("Microsoft.Network/virtualNetworks/write",
                    event.getAsJsonObject("data").get("operationName").getAsString());
            assertEquals("sp-terraform", event.getAsJsonObject("data").getAsJsonObject("claims").get("name").getAsString());
        }
    }
}
