package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Long-running writes: Azure-AsyncOperation, polls counted, Failed operations, conflicts. */
class AsyncOperationsTest {
    private ArmEmulator arm;
    private ArmHttp http;
    private SeededCluster cluster;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start().asyncOperations(2, 1);
        http = new ArmHttp(arm, Principal.GUARD);
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    private JsonObject subnet() {
        return http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
    }

    @Test
    void aSubnetPutAnswersUpdatingWithAnOperationToPoll() {
        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet());

        assertEquals(200, put.status());
        assertEquals("Updating", put.provisioningState());
        assertEquals("1", put.header("Retry-After"));
        String operation = put.header("Azure-AsyncOperation");
        assertTrue(operation.startsWith(arm.endpoint() + "subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/providers/Microsoft.Network/locations/westeurope/operations/"), operation);
        assertTrue(operation.endsWith("?" + ArmHttp.API), operation);

        assertEquals("InProgress", http.getUrl(operation).body().get("status").getAsString());
        assertEquals("Updating", subnet().getAsJsonObject("properties").get("provisioningState").getAsString());
        assertEquals("InProgress", http.getUrl(operation).body().get("status").getAsString());
        assertTrue(arm.drainEvents().isEmpty(), "the event comes when the write completes");
        ArmHttp.Response done = http.getUrl(operation);
        assertEquals("Succeeded", done.body().get("status").getAsString());
        assertNull(done.header("Retry-After"));
        assertEquals("Succeeded", subnet().getAsJsonObject("properties").get("provisioningState").getAsString());
        assertEquals(1, arm.drainEvents().size());
        assertEquals("Succeeded", http.getUrl(operation).body().get("status").getAsString(), "stays done");
    }

    @Test
    void aFailedOperationLeavesTheOldSubnetMarkedFailed() {
        arm.inject(Fault.on("PUT", "/subnets/snet-aks-nodes$").failAsync("InternalServerError", "NRP failed."));
        JsonObject body = subnet();
        body.getAsJsonObject("properties").remove("routeTable");

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, body);
        ArmHttp.Response end = http.pollToEnd(put);

        assertEquals("Failed", end.body().get("status").getAsString());
        assertEquals("InternalServerError", end.body().getAsJsonObject("error").get("code").getAsString());
        JsonObject properties = subnet().getAsJsonObject("properties");
        assertEquals("Failed", properties.get("provisioningState").getAsString());
        assertEquals(cluster.routeTableId(), properties.getAsJsonObject("routeTable").get("id").getAsString(),
                "the write was not applied");
        JsonObject event = arm.drainEvents().get(0);
        assertEquals("Microsoft.Resources.ResourceWriteFailure", event.get("eventType").getAsString());
    }

    @Test
    void aSupersededOperationEndsCanceledAndLeavesTheSubnetAsItWas() {
        arm.inject(Fault.on("PUT", "/subnets/snet-aks-nodes$").supersededAsync());
        JsonObject before = subnet();
        JsonObject body = before.deepCopy();
        body.getAsJsonObject("properties").remove("routeTable");

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, body);
        ArmHttp.Response end = http.pollToEnd(put);

        assertEquals("Canceled", end.body().get("status").getAsString());
        JsonObject error = end.body().getAsJsonObject("error");
        assertEquals("Canceled", error.get("code").getAsString());
        assertEquals("Operation was canceled.", error.get("message").getAsString());
        JsonObject detail = error.getAsJsonArray("details").get(0).getAsJsonObject();
        assertEquals("CanceledAndSupersededDueToAnotherOperation", detail.get("code").getAsString());
        assertTrue(detail.get("message").getAsString().contains("was canceled and superseded by operation"), detail.toString());
        assertEquals(before, subnet(), "not applied, not marked Failed: the subnet is as it was, etag included");
        JsonObject event = arm.drainEvents().get(0);
        assertEquals("Microsoft.Resources.ResourceWriteCancel", event.get("eventType").getAsString());
    }

    @Test
    void aFailedCreateLeavesNothingBehind() {
        arm.inject(Fault.on("PUT", "/subnets/snet-new$").failAsync("SubnetsOverlap", "Overlaps."));
        JsonObject body = new JsonObject();
        JsonObject properties = new JsonObject();
        properties.addProperty("addressPrefix", "10.10.100.0/24");
        body.add("properties", properties);

        ArmHttp.Response put = http.put(cluster.virtualNetworkId() + "/subnets/snet-new?" + ArmHttp.API, body);
        assertEquals(201, put.status());
        http.pollToEnd(put);

        assertEquals(404, http.get(cluster.virtualNetworkId() + "/subnets/snet-new?" + ArmHttp.API).status());
    }

    @Test
    void aSecondWriteInTheSameVnetWhileOneIsInProgressFailsWith409() {
        ArmHttp.Response first = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet());

        ArmHttp.Response second = http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API,
                http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body());

        assertEquals(409, second.status());
        assertEquals("AnotherOperationInProgress", second.errorCode());
        assertTrue(second.errorMessage().contains(first.header("Azure-AsyncOperation")), second.errorMessage());
        http.pollToEnd(first);
        assertEquals(200, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet()).status());
    }

    @Test
    void withSupersedingWritesASubnetPutCancelsTheVnetWriteInProgressAndBuildsOnIt() {
        arm.supersedeConcurrentWrites(true);
        JsonObject vnet = http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body();
        vnet.getAsJsonObject("properties").getAsJsonArray("subnets").get(0).getAsJsonObject()
                .getAsJsonObject("properties").remove("routeTable");
        vnet.add("tags", Json.parseObject("{\"deployedBy\":\"terraform\"}"));
        ArmHttp.Response redeploy = http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API, vnet);
        assertEquals("Updating", subnet().getAsJsonObject("properties").get("provisioningState").getAsString());
        assertNull(subnet().getAsJsonObject("properties").get("routeTable"), "a GET shows what the write will make");

        JsonObject repair = subnet();
        JsonObject table = new JsonObject();
        table.addProperty("id", cluster.routeTableId());
        repair.getAsJsonObject("properties").add("routeTable", table);
        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, repair);

        assertEquals(200, put.status(), "accepted, not 409");
        ArmHttp.Response end = http.getUrl(redeploy.header("Azure-AsyncOperation"));
        assertEquals("Canceled", end.body().get("status").getAsString());
        JsonObject detail = end.body().getAsJsonObject("error").getAsJsonArray("details").get(0).getAsJsonObject();
        assertEquals("CanceledAndSupersededDueToAnotherOperation", detail.get("code").getAsString());
        assertTrue(detail.get("message").getAsString().endsWith("superseded by operation "
                + "Microsoft.Network/virtualNetworks/subnets/write."), detail.toString());
        assertEquals("Microsoft.Resources.ResourceWriteCancel", arm.drainEvents().get(0).get("eventType").getAsString());
        http.pollToEnd(put);
        assertEquals(cluster.routeTableId(), subnet().getAsJsonObject("properties").getAsJsonObject("routeTable")
                .get("id").getAsString());
        assertEquals("terraform", http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body().getAsJsonObject("tags")
                .get("deployedBy").getAsString(), "the canceled write's own changes stay");
    }

    /** Superseding is Network RP's: AKS refuses a write to a cluster while another operation runs on it, whatever. */
    @Test
    void withSupersedingWritesAClusterWriteDuringAnotherIsStillRefused() {
        arm.supersedeConcurrentWrites(true);
        JsonObject aks = http.get(cluster.clusterId() + "?" + ArmHttp.API).body();
        ArmHttp.Response first = http.put(cluster.clusterId() + "?" + ArmHttp.API, aks);
        assertEquals("Updating", first.provisioningState());

        ArmHttp.Response second = http.put(cluster.clusterId() + "?" + ArmHttp.API, aks);

        assertEquals(409, second.status());
        assertTrue(arm.drainEvents().stream().noneMatch(e -> e.get("eventType").getAsString().endsWith("ResourceWriteCancel")),
                "the first is not canceled");
        assertEquals("Succeeded", http.pollToEnd(first).body().get("status").getAsString());
    }

    /**
     * The superseded VNet write no longer runs, so nothing stays Updating on its account: a write that completes at once
     * leaves the VNet and every subnet settled (were they left Updating, no operation would ever settle them, and a
     * client that waits out Updating would wait for ever).
     */
    @Test
    void aWriteThatSupersedesAndCompletesAtOnceLeavesNothingUpdating() {
        arm.supersedeConcurrentWrites(true).synchronousWrites(true);
        arm.inject(Fault.on("PUT", "/virtualNetworks/[^/]+$").neverEnds());
        JsonObject vnet = http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body();
        vnet.add("tags", Json.parseObject("{\"deployedBy\":\"terraform\"}"));
        ArmHttp.Response redeploy = http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API, vnet);
        assertEquals("Updating", redeploy.provisioningState());

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet());

        assertEquals("Succeeded", put.provisioningState(), "completed in the answer");
        assertEquals("Canceled", http.getUrl(redeploy.header("Azure-AsyncOperation")).body().get("status").getAsString());
        JsonObject after = http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body().getAsJsonObject("properties");
        assertEquals("Succeeded", after.get("provisioningState").getAsString(), "the VNet");
        for (var entry : after.getAsJsonArray("subnets")) {
            JsonObject s = entry.getAsJsonObject();
            assertEquals("Succeeded", s.getAsJsonObject("properties").get("provisioningState").getAsString(),
                    s.get("name").getAsString());
        }
        assertEquals(0, arm.settlePendingOperations(), "no operation left to settle them");
    }

    @Test
    void settlingCompletesOperationsNobodyPolls() {
        http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet());

        assertEquals(1, arm.settlePendingOperations());

        assertEquals("Succeeded", subnet().getAsJsonObject("properties").get("provisioningState").getAsString());
        assertEquals(1, arm.drainEvents().size());
        assertEquals(0, arm.settlePendingOperations());
    }

    @Test
    void anUnknownOperationIsNotFound() {
        assertEquals(404, http.get("/subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/providers/Microsoft.Network/locations/westeurope/operations/nope?" + ArmHttp.API).status());
    }

    @Test
    void synchronousWritesCompleteInTheAnswer() {
        arm.synchronousWrites(true);

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet());

        assertEquals("Succeeded", put.provisioningState());
        assertNull(put.header("Azure-AsyncOperation"));
        assertEquals(1, arm.drainEvents().size());
    }

    @Test
    void aksWritesAreLongRunningToo() {
        JsonObject pool = http.get(cluster.clusterId() + "/agentPools/nodepool1?" + ArmHttp.API).body();
        pool.getAsJsonObject("properties").addProperty("count", 5);

        ArmHttp.Response put = http.put(cluster.clusterId() + "/agentPools/nodepool1?" + ArmHttp.API, pool);

        assertEquals("Updating", put.provisioningState());
        assertTrue(put.header("Azure-AsyncOperation").contains("/providers/Microsoft.ContainerService/locations/"));
        http.pollToEnd(put);
        JsonObject profile = http.get(cluster.clusterId() + "?" + ArmHttp.API).body().getAsJsonObject("properties")
                .getAsJsonArray("agentPoolProfiles").get(0).getAsJsonObject();
        assertEquals(5, profile.get("count").getAsInt());
        assertEquals("Succeeded", profile.get("provisioningState").getAsString());
    }
}
