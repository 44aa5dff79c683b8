package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.resourcemanager.containerservice.fluent.models.ManagedClusterInner;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AKS writes: clusters and agent pools stay consistent, server-owned fields stay the server's. */
class ClusterWritesTest {
    private ArmEmulator arm;
    private ArmHttp http;
    private SeededCluster seeded;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start().synchronousWrites(true);
        http = new ArmHttp(arm, Principal.servicePrincipal("sp-terraform"));
        seeded = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    @Test
    void anAgentPoolPutUpdatesTheClustersProfile() {
        JsonObject body = new JsonObject();
        JsonObject properties = new JsonObject();
        properties.addProperty("count", 2);
        properties.addProperty("vmSize", "Standard_D8s_v5");
        properties.addProperty("mode", "User");
        properties.addProperty("vnetSubnetID", seeded.nodeSubnetId());
        body.add("properties", properties);

        ArmHttp.Response put = http.put(seeded.clusterId() + "/agentPools/userpool?" + ArmHttp.API, body);

        assertEquals(201, put.status());
        assertEquals("Microsoft.ContainerService/managedClusters/agentPools", put.body().get("type").getAsString());
        JsonArray profiles = http.get(seeded.clusterId() + "?" + ArmHttp.API).body().getAsJsonObject("properties")
                .getAsJsonArray("agentPoolProfiles");
        assertEquals(2, profiles.size());
        JsonObject userPool = profiles.get(1).getAsJsonObject();
        assertEquals("userpool", userPool.get("name").getAsString());
        assertEquals(seeded.nodeSubnetId(), userPool.get("vnetSubnetID").getAsString());
        assertEquals("Running", userPool.getAsJsonObject("powerState").get("code").getAsString());
    }

    @Test
    void aClusterPutReplacesItsPoolsAndKeepsServerOwnedFields() {
        JsonObject cluster = http.get(seeded.clusterId() + "?" + ArmHttp.API).body();
        JsonObject properties = cluster.getAsJsonObject("properties");
        properties.addProperty("nodeResourceGroup", "MC_something_else");
        properties.addProperty("fqdn", "made-up.example");
        properties.getAsJsonArray("agentPoolProfiles").get(0).getAsJsonObject().addProperty("count", 7);

        ArmHttp.Response put = http.put(seeded.clusterId() + "?" + ArmHttp.API, cluster);

        assertEquals(200, put.status());
        JsonObject stored = put.body().getAsJsonObject("properties");
        assertEquals(seeded.nodeResourceGroup(), stored.get("nodeResourceGroup").getAsString());
        assertTrue(stored.get("fqdn").getAsString().endsWith(".hcp.westeurope.azmk8s.io"));
        assertEquals(7, http.get(seeded.clusterId() + "/agentPools/nodepool1?" + ArmHttp.API).body()
                .getAsJsonObject("properties").get("count").getAsInt());
    }

    @Test
    void aNewClusterGetsTheDefaultNodeResourceGroup() {
        JsonObject cluster = new JsonObject();
        cluster.addProperty("location", "westeurope");
        JsonObject properties = new JsonObject();
        properties.addProperty("dnsPrefix", "fresh");
        properties.add("agentPoolProfiles", new JsonArray());
        cluster.add("properties", properties);

        ArmHttp.Response put = http.put("/subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/resourceGroups/rg-app/providers/Microsoft.ContainerService/managedClusters/aks-fresh?" + ArmHttp.API,
                cluster);

        assertEquals(201, put.status());
        assertEquals("MC_rg-app_aks-fresh_westeurope",
                put.body().getAsJsonObject("properties").get("nodeResourceGroup").getAsString());
    }

    @Test
    void aksEtagsChangeOnWritesAndGuardWrites() {
        ManagedClusterInner before = Sdk.containerService(arm).serviceClient().getManagedClusters()
                .getByResourceGroup("rg-app", "aks-app");
        assertTrue(before.etag() != null && !before.etag().isEmpty(), "AKS spells it eTag; the SDK maps it");
        JsonObject cluster = http.get(seeded.clusterId() + "?" + ArmHttp.API).body();

        http.put(seeded.clusterId() + "?" + ArmHttp.API, cluster);

        String after = http.get(seeded.clusterId() + "?" + ArmHttp.API).body().get("eTag").getAsString();
        assertNotEquals(before.etag(), after);
        assertEquals(412, http.put(seeded.clusterId() + "?" + ArmHttp.API, cluster, "If-Match", before.etag()).status());
    }

    @Test
    void aResourceGroupCanBeCheckedWrittenAndDeleted() {
        String group = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-temp?" + ArmHttp.API;
        assertEquals(404, http.send("HEAD", group, null).status());
        JsonObject body = new JsonObject();
        body.addProperty("location", "westeurope");
        assertEquals(201, http.put(group, body).status());
        assertEquals(204, http.send("HEAD", group, null).status());
        Fixtures.plainSubnet(arm, Fixtures.SUBSCRIPTION_ID, "rg-temp", "vnet-temp", "snet");

        assertEquals(200, http.delete(group).status());

        assertEquals(404, http.get(group).status());
        assertTrue(arm.get("/subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/resourceGroups/rg-temp/providers/Microsoft.Network/virtualNetworks/vnet-temp").isEmpty());
    }
}
