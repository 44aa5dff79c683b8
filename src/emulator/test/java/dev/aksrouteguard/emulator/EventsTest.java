package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Microsoft.Resources.ResourceWrite* events in the Event Grid schema, one per completed HTTP write. */
class EventsTest {
    private static final Principal ANA = Principal.user("ana@contoso.example", "Ana Lima");
    private ArmEmulator arm;
    private SeededCluster cluster;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start().synchronousWrites(true);
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    @Test
    void aSubnetWriteEmitsResourceWriteSuccessWithTheCallersClaims() {
        ArmHttp http = new ArmHttp(arm, ANA);
        String path = cluster.nodeSubnetId().replace("/resourceGroups/", "/resourcegroups/");
        JsonObject subnet = http.get(path + "?" + ArmHttp.API).body();

        ArmHttp.Response put = http.put(path + "?" + ArmHttp.API, subnet, "x-ms-client-request-id", "client-1");

        List<JsonObject> events = arm.drainEvents();
        assertEquals(1, events.size());
        JsonObject event = events.get(0);
        assertEquals("Microsoft.Resources.ResourceWriteSuccess", event.get("eventType").getAsString());
        assertEquals(path, event.get("subject").getAsString(), "the subject keeps the request's casing");
        assertEquals("/subscriptions/" + Fixtures.SUBSCRIPTION_ID, event.get("topic").getAsString());
        assertEquals("2", event.get("dataVersion").getAsString());
        assertEquals("1", event.get("metadataVersion").getAsString());
        JsonObject data = event.getAsJsonObject("data");
        assertEquals("Microsoft.Network/virtualNetworks/subnets/write", data.get("operationName").getAsString());
        assertEquals("Microsoft.Network", data.get("resourceProvider").getAsString());
        assertEquals(path, data.get("resourceUri").getAsString());
        assertEquals("Succeeded", data.get("status").getAsString());
        assertEquals(Fixtures.SUBSCRIPTION_ID, data.get("subscriptionId").getAsString());
        assertEquals(ArmEmulator.TENANT_ID, data.get("tenantId").getAsString());
        assertEquals(put.header("x-ms-correlation-request-id"), data.get("correlationId").getAsString());
        JsonObject claims = data.getAsJsonObject("claims");
        assertEquals("Ana Lima", claims.get("name").getAsString());
        assertEquals(Principal.AZURE_CLI_APP_ID, claims.get("appid").getAsString());
        assertEquals("ana@contoso.example",
                claims.get("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn").getAsString());
        assertEquals("127.0.0.1", claims.get("ipaddr").getAsString());
        JsonObject httpRequest = data.getAsJsonObject("httpRequest");
        assertEquals("client-1", httpRequest.get("clientRequestId").getAsString());
        assertEquals("PUT", httpRequest.get("method").getAsString());
        assertEquals(arm.endpoint() + path.substring(1) + "?" + ArmHttp.API, httpRequest.get("url").getAsString());
        assertEquals("Microsoft.Network/virtualNetworks/subnets/write",
                data.getAsJsonObject("authorization").get("action").getAsString());
    }

    @Test
    void aServicePrincipalHasNoUpnClaimAndACreateHasNoHttpRequest() {
        ArmHttp http = new ArmHttp(arm, Principal.servicePrincipal("sp-terraform"));
        JsonObject routeTable = new JsonObject();
        routeTable.addProperty("location", "westeurope");

        http.put("/subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/resourceGroups/rg-app/providers/Microsoft.Network/routeTables/rt-new?" + ArmHttp.API, routeTable);

        JsonObject data = arm.drainEvents().get(0).getAsJsonObject("data");
        assertEquals("Microsoft.Network/routeTables/write", data.get("operationName").getAsString());
        assertEquals("sp-terraform", data.getAsJsonObject("claims").get("name").getAsString());
        assertFalse(data.getAsJsonObject("claims").has("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"));
        assertFalse(data.has("httpRequest"), "ARM includes httpRequest only for updates and deletes");
    }

    @Test
    void aVnetWriteIsOneEventForTheVnet() {
        ArmHttp http = new ArmHttp(arm, ANA);
        http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API,
                http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body());

        List<JsonObject> events = arm.drainEvents();
        assertEquals(1, events.size());
        assertEquals("Microsoft.Network/virtualNetworks/write",
                events.get(0).getAsJsonObject("data").get("operationName").getAsString());
    }

    @Test
    void failedRequestsAndReadsEmitNothingAndSeedingEmitsNothing() {
        ArmHttp http = new ArmHttp(arm, ANA);
        http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, new JsonObject(), "If-Match", "W/\"stale\"");
        http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API);
        Fixtures.kubenetCluster("rg-more", "aks-more").seed(arm);

        assertTrue(arm.drainEvents().isEmpty());
    }

    @Test
    void deletesEmitResourceDeleteSuccess() {
        ArmHttp http = new ArmHttp(arm, ANA);
        http.delete(cluster.clusterId() + "?" + ArmHttp.API);

        JsonObject event = arm.drainEvents().get(0);
        assertEquals("Microsoft.Resources.ResourceDeleteSuccess", event.get("eventType").getAsString());
        assertEquals("Microsoft.ContainerService/managedClusters/delete",
                event.getAsJsonObject("data").get("operationName").getAsString());
    }

    @Test
    void listenersReceiveEventsOffTheRequestThread() throws Exception {
        CompletableFuture<JsonObject> received = new CompletableFuture<>();
        arm.onEvent(event -> received.complete(event));
        ArmHttp http = new ArmHttp(arm, ANA);

        http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body());

        assertEquals(cluster.nodeSubnetId(), received.get(30, TimeUnit.SECONDS).get("subject").getAsString());
        assertEquals(1, arm.events().size(), "listeners do not drain");
    }
}
