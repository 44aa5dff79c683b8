package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** ARM's write semantics for VNets and subnets, over plain HTTP. */
class VirtualNetworkWritesTest {
    private ArmEmulator arm;
    private ArmHttp http;
    private SeededCluster cluster;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start().synchronousWrites(true);
        http = new ArmHttp(arm, Principal.servicePrincipal("sp-terraform"));
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    private JsonObject virtualNetwork() {
        return http.get(cluster.virtualNetworkId() + "?" + ArmHttp.API).body();
    }

    private static JsonObject firstSubnet(JsonObject virtualNetwork) {
        return virtualNetwork.getAsJsonObject("properties").getAsJsonArray("subnets").get(0).getAsJsonObject();
    }

    @Test
    void aVnetPutWithoutTheRouteTableDropsTheAssociation() {
        JsonObject body = virtualNetwork();
        firstSubnet(body).getAsJsonObject("properties").remove("routeTable");

        ArmHttp.Response put = http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API, body);

        assertEquals(200, put.status());
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        assertNull(subnet.getAsJsonObject("properties").get("routeTable"));
        assertTrue(subnet.getAsJsonObject("properties").has("ipConfigurations"), "server-owned, kept");
        JsonObject routeTable = http.get(cluster.routeTableId() + "?" + ArmHttp.API).body();
        assertNull(routeTable.getAsJsonObject("properties").get("subnets"), "no subnet references the table now");
    }

    @Test
    void aVnetPutReplacesTheSubnetSetAndDeletesSubnetsNotInTheBody() {
        JsonObject body = virtualNetwork();
        JsonObject spare = new JsonObject();
        spare.addProperty("name", "snet-spare");
        JsonObject spareProperties = new JsonObject();
        spareProperties.addProperty("addressPrefix", "10.10.200.0/24");
        spare.add("properties", spareProperties);
        body.getAsJsonObject("properties").getAsJsonArray("subnets").add(spare);
        assertEquals(200, http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API, body).status());
        assertEquals(200, http.get(cluster.virtualNetworkId() + "/subnets/snet-spare?" + ArmHttp.API).status());

        body.getAsJsonObject("properties").getAsJsonArray("subnets").remove(1);
        assertEquals(200, http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API, body).status());

        ArmHttp.Response gone = http.get(cluster.virtualNetworkId() + "/subnets/snet-spare?" + ArmHttp.API);
        assertEquals(404, gone.status());
        assertEquals("NotFound", gone.errorCode(), "Network RP's code for a missing child");
    }

    @Test
    void aVnetPutCannotDeleteASubnetThatIsInUse() {
        JsonObject body = virtualNetwork();
        body.getAsJsonObject("properties").add("subnets", new JsonArray());

        ArmHttp.Response put = http.put(cluster.virtualNetworkId() + "?" + ArmHttp.API, body);

        assertEquals(400, put.status());
        assertEquals("InUseSubnetCannotBeDeleted", put.errorCode());
        assertTrue(put.errorMessage().startsWith("Subnet snet-aks-nodes is in use by /subscriptions/"), put.errorMessage());
        assertTrue(put.errorMessage().endsWith("See aka.ms/deletesubnet."), put.errorMessage());
        assertEquals(200, http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).status());
    }

    @Test
    void aSubnetPutReplacesOnlyThatSubnetAndKeepsServerOwnedProperties() {
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        JsonObject properties = subnet.getAsJsonObject("properties");
        properties.remove("natGateway");
        properties.add("ipConfigurations", new JsonArray());
        properties.addProperty("provisioningState", "Failed");
        properties.addProperty("purpose", "made-up");

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet);

        assertEquals(200, put.status());
        JsonObject stored = put.body().getAsJsonObject("properties");
        assertNull(stored.get("natGateway"));
        assertEquals(3, stored.getAsJsonArray("ipConfigurations").size());
        assertEquals("Succeeded", stored.get("provisioningState").getAsString());
        assertNull(stored.get("purpose"));
        assertNotEquals(null, stored.get("routeTable"));
    }

    @Test
    void aSubnetPutKeepsPropertiesItDoesNotKnowAndAGetReturnsThem() {
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        JsonObject properties = subnet.getAsJsonObject("properties");
        JsonObject gateway = new JsonObject();
        gateway.addProperty("id", "/subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/resourceGroups/rg-app/providers/Microsoft.Network/serviceGateways/sg-1");
        properties.add("serviceGateway", gateway);
        JsonObject future = Json.parseObject("{\"mode\":\"strict\",\"limits\":[1,2.50,{\"deep\":true}]}");
        properties.add("futureFeature", future);
        properties.getAsJsonObject("natGateway").addProperty("futureKey", "kept");
        properties.getAsJsonArray("serviceEndpoints").get(0).getAsJsonObject().addProperty("futureKey", 7);

        assertEquals(200, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet).status());

        JsonObject stored = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body().getAsJsonObject("properties");
        assertEquals(gateway, stored.get("serviceGateway"));
        assertEquals(future, stored.get("futureFeature"));
        assertEquals("kept", stored.getAsJsonObject("natGateway").get("futureKey").getAsString());
        assertEquals(7, stored.getAsJsonArray("serviceEndpoints").get(0).getAsJsonObject().get("futureKey").getAsInt());
        JsonObject inVnet = firstSubnet(virtualNetwork()).getAsJsonObject("properties");
        assertEquals(future, inVnet.get("futureFeature"), "the VNet carries it inline too");
    }

    @Test
    void aReferenceToAMissingResourceIsRejectedWithArmsWording() {
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        String missing = cluster.routeTableId() + "-gone";
        subnet.getAsJsonObject("properties").add("routeTable", Json.reference(missing));

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet);

        assertEquals(400, put.status());
        assertEquals("InvalidResourceReference", put.errorCode());
        assertEquals("Resource " + missing + " referenced by resource " + cluster.nodeSubnetId() + " was not found. "
                + "Please make sure that the referenced resource exists, and that both resources are in the same region.",
                put.errorMessage());
    }

    @Test
    void aReferenceToAResourceInAnotherRegionIsRejected() {
        SeededCluster other = Fixtures.kubenetCluster("rg-other", "aks-other").location("northeurope").seed(arm);
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        subnet.getAsJsonObject("properties").add("routeTable", Json.reference(other.routeTableId()));

        assertEquals("InvalidResourceReference",
                http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet).errorCode());
    }

    @Test
    void theRouteTableListsTheSubnetsThatReferenceIt() {
        JsonObject routeTable = http.get(cluster.routeTableId() + "?" + ArmHttp.API).body();
        JsonArray subnets = routeTable.getAsJsonObject("properties").getAsJsonArray("subnets");
        assertEquals(1, subnets.size());
        assertEquals(cluster.nodeSubnetId(), subnets.get(0).getAsJsonObject().get("id").getAsString());
        JsonObject nsg = http.get(cluster.networkSecurityGroupId() + "?" + ArmHttp.API).body();
        assertEquals(1, nsg.getAsJsonObject("properties").getAsJsonArray("subnets").size());
    }

    @Test
    void aBodyCannotWriteTheBackReference() {
        JsonObject routeTable = http.get(cluster.routeTableId() + "?" + ArmHttp.API).body();
        JsonArray fake = new JsonArray();
        fake.add(Json.reference(cluster.virtualNetworkId() + "/subnets/made-up"));
        routeTable.getAsJsonObject("properties").add("subnets", fake);

        ArmHttp.Response put = http.put(cluster.routeTableId() + "?" + ArmHttp.API, routeTable);

        JsonArray subnets = put.body().getAsJsonObject("properties").getAsJsonArray("subnets");
        assertEquals(cluster.nodeSubnetId(), subnets.get(0).getAsJsonObject().get("id").getAsString());
        assertEquals(1, subnets.size());
    }

    @Test
    void everyWriteChangesTheEtagAndSubnetsShareTheirVnetsEtag() {
        JsonObject before = virtualNetwork();
        String etag = before.get("etag").getAsString();
        assertTrue(etag.startsWith("W/\""), etag);
        assertEquals(etag, firstSubnet(before).get("etag").getAsString());

        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet);

        JsonObject after = virtualNetwork();
        assertNotEquals(etag, after.get("etag").getAsString());
        assertEquals(after.get("etag").getAsString(), firstSubnet(after).get("etag").getAsString());
    }

    @Test
    void ifMatchWithAStaleEtagFailsWith412() {
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        String stale = subnet.get("etag").getAsString();
        http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet); // someone else writes

        ArmHttp.Response put = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet, "If-Match", stale);

        assertEquals(412, put.status());
        assertEquals("PreconditionFailed", put.errorCode());
        JsonElement detail = put.body().getAsJsonObject("error").getAsJsonArray("details").get(0);
        assertEquals("PreconditionFailedEtagMismatch", detail.getAsJsonObject().get("code").getAsString());
    }

    @Test
    void ifMatchWithTheCurrentEtagOrAStarSucceeds() {
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        assertEquals(200, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet, "If-Match",
                subnet.get("etag").getAsString()).status());
        assertEquals(200, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet, "If-Match", "*").status());
        assertEquals(412, http.put(cluster.virtualNetworkId() + "/subnets/new?" + ArmHttp.API, subnet, "If-Match", "*")
                .status(), "* needs an existing resource");
    }

    @Test
    void ifNoneMatchStarFailsOnAnExistingResource() {
        JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
        assertEquals(412, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet, "If-None-Match", "*").status());
    }

    @Test
    void aSubnetPutCreatesANewSubnetWith201() {
        JsonObject body = new JsonObject();
        JsonObject properties = new JsonObject();
        properties.addProperty("addressPrefix", "10.10.100.0/24");
        body.add("properties", properties);

        ArmHttp.Response put = http.put(cluster.virtualNetworkId() + "/subnets/snet-new?" + ArmHttp.API, body);

        assertEquals(201, put.status());
        assertEquals(cluster.virtualNetworkId() + "/subnets/snet-new", put.body().get("id").getAsString());
        assertEquals("Microsoft.Network/virtualNetworks/subnets", put.body().get("type").getAsString());
        assertEquals(2, virtualNetwork().getAsJsonObject("properties").getAsJsonArray("subnets").size());
    }

    @Test
    void deletingAnInUseSubnetOrAReferencedRouteTableFails() {
        assertEquals("InUseSubnetCannotBeDeleted", http.delete(cluster.nodeSubnetId() + "?" + ArmHttp.API).errorCode());
        assertEquals("InUseRouteTableCannotBeDeleted", http.delete(cluster.routeTableId() + "?" + ArmHttp.API).errorCode());
        assertEquals(204, http.delete(cluster.virtualNetworkId() + "/subnets/nothing?" + ArmHttp.API).status());
    }

    @Test
    void writesInAMissingResourceGroupFailWithResourceGroupNotFound() {
        String id = "/subscriptions/" + Fixtures.SUBSCRIPTION_ID
                + "/resourceGroups/rg-nowhere/providers/Microsoft.Network/routeTables/rt?" + ArmHttp.API;
        JsonObject body = new JsonObject();
        body.addProperty("location", "westeurope");
        assertEquals("ResourceGroupNotFound", http.put(id, body).errorCode());
        assertEquals("ResourceGroupNotFound", http.get(id).errorCode());
    }

    @Test
    void aVnetPutWithALowerCasePathKeepsTheStoredIdCasing() {
        JsonObject body = virtualNetwork();
        ArmHttp.Response put = http.put(cluster.virtualNetworkId().toLowerCase(java.util.Locale.ROOT) + "?"
                + ArmHttp.API, body);
        assertEquals(200, put.status());
        assertEquals(cluster.virtualNetworkId(), put.body().get("id").getAsString());
        assertFalse(arm.drainEvents().isEmpty());
    }
}
