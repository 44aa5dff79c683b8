package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Resource group deployments ({@code Microsoft.Resources/deployments}): stored with the correlation ID of the request
 * that made them, listed per resource group with paging, and played by {@link IacRedeploy#viaDeployment} so that the
 * VNet write carries the deployment's correlation ID, as ARM's deployment engine makes a deployment's writes.
 */
class DeploymentsTest {
    private static final Principal PIPELINE = Principal.servicePrincipal("sp-bicep-release");
    private static final String API = "api-version=2025-04-01";
    private ArmEmulator arm;
    private SeededCluster cluster;
    private String group;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start().synchronousWrites(true);
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
        group = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-app";
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    @Test
    void aDeploymentPutIsStoredWithTheRequestsCorrelationIdAndTheShapeArmAnswers() {
        ArmHttp http = new ArmHttp(arm, PIPELINE);
        JsonObject link = new JsonObject();
        link.addProperty("uri", "https://example.invalid/templates/main.json");
        JsonObject properties = new JsonObject();
        properties.addProperty("mode", "Incremental");
        properties.add("templateLink", link);
        JsonObject body = new JsonObject();
        body.add("properties", properties);

        ArmHttp.Response put = http.put(group + "/providers/Microsoft.Resources/deployments/release-1?" + API, body,
                "x-ms-correlation-request-id", "11111111-2222-4333-8444-555555555555");

        assertEquals(201, put.status());
        JsonObject d = http.get(group + "/providers/Microsoft.Resources/deployments/release-1?" + API).body();
        assertEquals(group + "/providers/Microsoft.Resources/deployments/release-1", d.get("id").getAsString());
        assertEquals("release-1", d.get("name").getAsString());
        assertEquals("Microsoft.Resources/deployments", d.get("type").getAsString());
        JsonObject p = d.getAsJsonObject("properties");
        assertEquals("11111111-2222-4333-8444-555555555555", p.get("correlationId").getAsString());
        assertEquals("Succeeded", p.get("provisioningState").getAsString());
        assertEquals("Incremental", p.get("mode").getAsString());
        assertEquals("https://example.invalid/templates/main.json", p.getAsJsonObject("templateLink").get("uri").getAsString());
        assertTrue(p.get("templateHash").getAsString().matches("\\d+"), "a decimal hash, as ARM gives it");
        assertTrue(p.has("timestamp") && p.has("duration"));
        assertFalse(d.has("location"), "a resource group deployment has no location");
    }

    @Test
    void aDeploymentWithoutModeOrTemplateIsRefused() {
        ArmHttp http = new ArmHttp(arm, PIPELINE);
        ArmHttp.Response put = http.put(group + "/providers/Microsoft.Resources/deployments/bad?" + API, new JsonObject());
        assertEquals(400, put.status());
        assertEquals("InvalidDeployment", put.errorCode());
    }

    @Test
    void theGroupsDeploymentsAreListedPageByPage() {
        arm.pageSize(2);
        for (int i = 0; i < 5; i++) {
            JsonObject properties = new JsonObject();
            properties.addProperty("correlationId", "c-" + i);
            properties.addProperty("timestamp", "2026-01-0" + (i + 1) + "T10:00:00Z");
            JsonObject body = new JsonObject();
            body.add("properties", properties);
            arm.put(group + "/providers/Microsoft.Resources/deployments/seeded-" + i, body);
        }
        arm.put("/subscriptions/" + Fixtures.SUBSCRIPTION_ID + "/resourceGroups/rg-other/providers/Microsoft.Resources/deployments/elsewhere",
                new JsonObject());
        ArmHttp http = new ArmHttp(arm, PIPELINE);

        List<String> correlations = new ArrayList<>();
        ArmHttp.Response page = http.get(group.replace("resourceGroups", "resourcegroups") + "/providers/Microsoft.Resources/deployments?" + API);
        int pages = 1;
        while (true) {
            for (JsonElement e : page.body().getAsJsonArray("value")) {
                correlations.add(e.getAsJsonObject().getAsJsonObject("properties").get("correlationId").getAsString());
            }
            if (!page.body().has("nextLink")) {
                break;
            }
            page = http.getUrl(page.body().get("nextLink").getAsString());
            pages++;
        }
        assertEquals(3, pages);
        assertEquals(List.of("c-0", "c-1", "c-2", "c-3", "c-4"), correlations, "this group's only");
    }

    @Test
    void aBicepRedeployCarriesTheDeploymentsCorrelationIdIntoTheVnetWriteEvent() {
        IacRedeploy.Deployed d = IacRedeploy.viaDeployment(arm, cluster.virtualNetworkId(), "vnet-release-42",
                "https://example.invalid/network.json", PIPELINE);

        JsonObject vnet = d.virtualNetwork();
        for (JsonElement subnet : vnet.getAsJsonObject("properties").getAsJsonArray("subnets")) {
            assertNull(subnet.getAsJsonObject().getAsJsonObject("properties").get("routeTable"), "the table was stripped");
        }
        List<JsonObject> events = arm.drainEvents();
        assertEquals(List.of("Microsoft.Resources/deployments/write", "Microsoft.Network/virtualNetworks/write"),
                events.stream().map(e -> e.getAsJsonObject("data").get("operationName").getAsString()).toList());
        for (JsonObject e : events) {
            assertEquals(d.correlationId(), e.getAsJsonObject("data").get("correlationId").getAsString());
        }
        JsonObject stored = arm.get(d.deploymentId()).orElseThrow();
        assertEquals(d.correlationId(), stored.getAsJsonObject("properties").get("correlationId").getAsString());
    }

    @Test
    void listingDeploymentsIsTheDeploymentsReadActionUnderRbac() {
        assertEquals("Microsoft.Resources/deployments/read", ArmEmulator.rbacAction("GET",
                "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Resources/deployments?" + API));
        arm.enforceRbacFor(Principal.GUARD).allowActions(Set.of("Microsoft.Network/*/read"));
        ArmHttp.Response denied = new ArmHttp(arm, Principal.GUARD).get(group + "/providers/Microsoft.Resources/deployments?" + API);
        assertEquals(403, denied.status());
        assertTrue(denied.errorMessage().contains("'Microsoft.Resources/deployments/read'"), denied.errorMessage());
        JsonArray none = new ArmHttp(arm, PIPELINE).get(group + "/providers/Microsoft.Resources/deployments?" + API).body()
                .getAsJsonArray("value");
        assertEquals(0, none.size(), "an unrestricted caller sees the (empty) list");
    }
}
