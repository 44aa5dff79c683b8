package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reads: api-version, not-found codes, collections and paging, the request log. */
class ArmRequestsTest {
    private static final String SUBSCRIPTION = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID;
    private static ArmEmulator arm;
    private static ArmHttp http;
    private static List<SeededCluster> clusters = new ArrayList<>();

    @BeforeAll
    static void start() {
        arm = ArmEmulator.start().pageSize(2);
        http = new ArmHttp(arm, Principal.GUARD);
        for (int i = 0; i < 5; i++) {
            clusters.add(Fixtures.kubenetCluster(i < 3 ? "rg-shared" : "rg-" + i, "aks-" + i).nodePools(3).subnetPerPool()
                    .seed(arm));
        }
    }

    @AfterAll
    static void stop() {
        arm.close();
    }

    @BeforeEach
    void forget() {
        arm.clearRequests();
    }

    private static List<String> names(String firstUrlPath) {
        List<String> names = new ArrayList<>();
        ArmHttp.Response page = http.get(firstUrlPath);
        while (true) {
            assertEquals(200, page.status(), page.body().toString());
            for (JsonElement value : page.body().getAsJsonArray("value")) {
                names.add(value.getAsJsonObject().get("name").getAsString());
            }
            if (!page.body().has("nextLink")) {
                return names;
            }
            page = http.getUrl(page.body().get("nextLink").getAsString());
        }
    }

    @Test
    void everyRequestNeedsAnApiVersion() {
        ArmHttp.Response response = http.get(clusters.get(0).virtualNetworkId());
        assertEquals(400, response.status());
        assertEquals("MissingApiVersionParameter", response.errorCode());
        assertEquals(200, http.get(clusters.get(0).virtualNetworkId() + "?api-version=1999-01-01").status(),
                "any version");
    }

    @Test
    void missingResourcesAnswerArmsNotFoundCodes() {
        assertEquals("ResourceGroupNotFound", http.get(SUBSCRIPTION + "/resourceGroups/nope?" + ArmHttp.API).errorCode());
        ArmHttp.Response vnet = http.get(SUBSCRIPTION
                + "/resourceGroups/rg-shared/providers/Microsoft.Network/virtualNetworks/nope?" + ArmHttp.API);
        assertEquals(404, vnet.status());
        assertEquals("ResourceNotFound", vnet.errorCode());
        assertTrue(vnet.errorMessage().startsWith(
                "The Resource 'Microsoft.Network/virtualNetworks/nope' under resource group 'rg-shared' was not found."));
        assertEquals("NotFound", http.get(clusters.get(0).virtualNetworkId() + "/subnets/nope?" + ArmHttp.API)
                .errorCode());
    }

    @Test
    void listsVnetsOfTheSubscriptionInPagesInAStableOrder() {
        List<String> names = names(SUBSCRIPTION + "/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API);

        // ordered by resource id, case-insensitively: rg-3 < rg-4 < rg-shared
        assertEquals(List.of("vnet-aks-3", "vnet-aks-4", "vnet-aks-0", "vnet-aks-1", "vnet-aks-2"), names);
        assertEquals(3, arm.readCount(), "three pages of two");
        assertTrue(arm.requests().get(1).query().contains("$skiptoken="), arm.requests().get(1).query());
    }

    @Test
    void listsByResourceGroup() {
        assertEquals(List.of("aks-0", "aks-1", "aks-2"), names(SUBSCRIPTION
                + "/resourceGroups/rg-shared/providers/Microsoft.ContainerService/managedClusters?" + ArmHttp.API));
        assertEquals(List.of("vnet-aks-3"), names(SUBSCRIPTION
                + "/resourceGroups/rg-3/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API));
    }

    @Test
    void listsChildCollections() {
        SeededCluster cluster = clusters.get(0);
        assertEquals(List.of("snet-nodepool1", "snet-nodepool2", "snet-nodepool3"),
                names(cluster.virtualNetworkId() + "/subnets?" + ArmHttp.API));
        assertEquals(List.of("nodepool1", "nodepool2", "nodepool3"),
                names(cluster.clusterId() + "/agentPools?" + ArmHttp.API));
        assertEquals(cluster.routeNames(), names(cluster.routeTableId() + "/routes?" + ArmHttp.API));
    }

    @Test
    void listingsOfVirtualNetworksLeaveOutIpConfigurationsPastTheLimitAndAGetOfTheSubnetDoesNot() {
        SeededCluster cluster = clusters.get(0); // three nodes in each subnet
        String bySubscription = SUBSCRIPTION + "/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API;
        String byGroup = SUBSCRIPTION + "/resourceGroups/rg-shared/providers/Microsoft.Network/virtualNetworks?" + ArmHttp.API;
        try {
            arm.listedIpConfigurationsLimit(3);
            assertEquals(3, listedConfigurations(bySubscription, cluster), "at the limit: listed");
            arm.listedIpConfigurationsLimit(2);
            assertEquals(-1, listedConfigurations(bySubscription, cluster), "past the limit: left out");
            assertEquals(-1, listedConfigurations(byGroup, cluster));
            assertEquals(3, http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body().getAsJsonObject("properties")
                    .getAsJsonArray("ipConfigurations").size(), "a listing does not change what is stored");
        } finally {
            arm.listedIpConfigurationsLimit(Integer.MAX_VALUE);
        }
        assertEquals(3, listedConfigurations(bySubscription, cluster));
    }

    /** How many {@code ipConfigurations} the listing shows for the cluster's node subnet; -1 when it leaves them out. */
    private static int listedConfigurations(String firstUrlPath, SeededCluster cluster) {
        ArmHttp.Response page = http.get(firstUrlPath);
        while (true) {
            for (JsonElement vnet : page.body().getAsJsonArray("value")) {
                for (JsonElement subnet : vnet.getAsJsonObject().getAsJsonObject("properties").getAsJsonArray("subnets")) {
                    if (subnet.getAsJsonObject().get("id").getAsString().equalsIgnoreCase(cluster.nodeSubnetId())) {
                        JsonElement configurations = subnet.getAsJsonObject().getAsJsonObject("properties").get("ipConfigurations");
                        return configurations == null ? -1 : configurations.getAsJsonArray().size();
                    }
                }
            }
            assertTrue(page.body().has("nextLink"), "the node subnet is listed");
            page = http.getUrl(page.body().get("nextLink").getAsString());
        }
    }

    @Test
    void listsRouteTablesAcrossResourceGroupsWithTheirBackReferences() {
        ArmHttp.Response page = http.get(SUBSCRIPTION + "/providers/Microsoft.Network/routeTables?" + ArmHttp.API);
        assertEquals(2, page.body().getAsJsonArray("value").size());
        assertEquals(3, page.body().getAsJsonArray("value").get(0).getAsJsonObject().getAsJsonObject("properties")
                .getAsJsonArray("subnets").size(), "all pools' subnets share the one table");
    }

    @Test
    void listsResourceGroups() {
        List<String> names = names(SUBSCRIPTION + "/resourceGroups?" + ArmHttp.API);
        assertTrue(names.containsAll(List.of("rg-shared", "rg-3", "rg-4", "MC_rg-shared_aks-0_westeurope")), names.toString());
    }

    @Test
    void anInvalidSkipTokenIsABadRequest() {
        assertEquals("InvalidSkipToken", http.get(SUBSCRIPTION + "/providers/Microsoft.Network/virtualNetworks?"
                + ArmHttp.API + "&$skiptoken=!!").errorCode());
    }

    @Test
    void logsEveryArmRequestWithItsOutcome() {
        http.get(clusters.get(0).nodeSubnetId() + "?" + ArmHttp.API);
        http.send("GET", clusters.get(0).nodeSubnetId() + "?" + ArmHttp.API, null, "If-Match", "W/\"x\"",
                "x-ms-correlation-request-id", "corr-1");
        http.delete(clusters.get(0).virtualNetworkId() + "/subnets/none?" + ArmHttp.API);

        List<RecordedRequest> requests = arm.requests();
        assertEquals(3, requests.size());
        RecordedRequest second = requests.get(1);
        assertEquals("GET", second.method());
        assertEquals(clusters.get(0).nodeSubnetId(), second.path());
        assertEquals(ArmHttp.API, second.query());
        assertEquals(200, second.status());
        assertEquals("W/\"x\"", second.ifMatch());
        assertEquals(Principal.GUARD, second.principal());
        assertEquals("corr-1", second.correlationId());
        assertEquals("Microsoft.Network/virtualNetworks/subnets/read", second.rbacAction());
        assertNull(requests.get(0).ifMatch());
        assertEquals(2, arm.readCount());
        assertEquals(1, arm.writeCount());
        assertEquals(204, requests.get(2).status());
    }

    @Test
    void answersCarryTheCorrelationId() {
        ArmHttp.Response response = http.send("GET", clusters.get(0).nodeSubnetId() + "?" + ArmHttp.API, null,
                "x-ms-correlation-request-id", "corr-2");
        assertEquals("corr-2", response.header("x-ms-correlation-request-id"));
        assertTrue(http.get(clusters.get(0).nodeSubnetId() + "?" + ArmHttp.API).header("x-ms-request-id") != null);
    }
}
