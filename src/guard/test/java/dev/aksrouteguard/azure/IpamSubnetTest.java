package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.Subnets;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A kubenet node subnet whose prefixes come from a Virtual Network Manager IPAM pool. Network RP answers such a subnet
 * with {@code addressPrefixes} (the allocated prefixes; 80 addresses come as a /26 and a /28) and
 * {@code ipamPoolPrefixAllocations} carrying the read-only {@code allocatedAddressPrefixes}, and no {@code addressPrefix}
 * (azure-rest-api-specs, Network 2025-05-01, {@code examples/VirtualNetworkCreateWithIpamPool.json}). The repair must
 * send all of it back as read, with the other subnet properties of 2025-05-01 the guard's code never names
 * ({@code sharingScope}, {@code defaultOutboundAccess}, {@code serviceGateway}, {@code applicationGatewayIPConfigurations},
 * {@code ipAllocations}): a PUT without the allocation would release the subnet from its pool.
 */
class IpamSubnetTest {

    static final String POOL = "/subscriptions/" + Emulated.SUB
            + "/resourceGroups/rg-platform/providers/Microsoft.Network/networkManagers/nm-platform/ipamPools/pool-aks";
    static final String ASSOCIATE = "Microsoft.Network/networkManagers/ipamPools/associateResourcesToPool/action";

    Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    SeededCluster seed() {
        return Fixtures.kubenetCluster("rg-app", "aks-app").ipamPool(POOL).drifted().seed(azure.arm);
    }

    @Test
    void theRepairSendsThePoolAllocatedSubnetBackByteForByteWithOnlyTheRouteTableAdded() {
        SeededCluster c = seed();
        String id = c.nodeSubnetId();
        JsonObject stored = azure.resource(id);
        JsonObject p = stored.getAsJsonObject("properties");
        // The read, in the order and with the number and character forms it arrives in: every property other than
        // routeTable must leave in exactly these bytes. Prefixes as an 80-address allocation gets them.
        JsonObject read = new JsonObject();
        read.add("name", stored.get("name"));
        read.add("id", stored.get("id"));
        read.add("etag", stored.get("etag"));
        read.addProperty("type", "Microsoft.Network/virtualNetworks/subnets");
        JsonObject rp = new JsonObject();
        rp.addProperty("provisioningState", "Succeeded");
        rp.add("addressPrefixes", JsonParser.parseString("[\"10.10.0.0/26\",\"10.10.0.64/28\"]"));
        rp.add("ipamPoolPrefixAllocations", JsonParser.parseString("[{\"numberOfIpAddresses\":\"80\",\"pool\":{\"id\":\"" + POOL
                + "\"},\"allocatedAddressPrefixes\":[\"10.10.0.0/26\",\"10.10.0.64/28\"]}]"));
        rp.add("networkSecurityGroup", p.get("networkSecurityGroup"));
        rp.add("natGateway", p.get("natGateway"));
        rp.add("serviceEndpoints", p.get("serviceEndpoints"));
        rp.add("ipConfigurations", p.get("ipConfigurations"));
        rp.add("delegations", JsonParser.parseString("[]"));
        rp.addProperty("purpose", "PrivateEndpoints");
        rp.addProperty("privateEndpointNetworkPolicies", "RouteTableEnabled");
        rp.addProperty("privateLinkServiceNetworkPolicies", "Enabled");
        rp.add("applicationGatewayIPConfigurations", JsonParser.parseString("[]"));
        rp.add("ipAllocations", JsonParser.parseString("[]"));
        rp.addProperty("sharingScope", "Tenant");
        rp.addProperty("defaultOutboundAccess", false);
        rp.add("serviceGateway", JsonParser.parseString("{\"id\":\"/subscriptions/" + Emulated.SUB
                + "/resourceGroups/rg-app/providers/Microsoft.Network/serviceGateways/sg-egress\"}"));
        rp.add("futureFeature", JsonParser.parseString(
                "{\"ratio\":2.50,\"big\":12345678901234567890123,\"exp\":1e5,\"none\":null,\"note\":\"<kept & unescaped> é\"}"));
        read.add("properties", rp);
        String raw = new GsonBuilder().disableHtmlEscaping().serializeNulls().create().toJson(read);
        assertTrue(raw.endsWith("}}") && raw.contains("2.50") && raw.contains("1e5") && raw.contains("<kept & unescaped> é"), raw);
        azure.arm.inject(Fault.on("GET", "/subnets/" + stored.get("name").getAsString() + "$").respondRaw(200, raw));
        Subnets subnets = Connect.to(azure).subnets();

        subnets.associate(subnets.get(SubnetId.parse(id)), ResourceId.parse(c.routeTableId()));

        List<RecordedRequest> puts = azure.puts("/subnets/");
        assertEquals(1, puts.size());
        String expected = raw.substring(0, raw.length() - 2) + ",\"routeTable\":{\"id\":\"" + c.routeTableId() + "\"}}}";
        assertEquals(expected, puts.get(0).body(), "the body is the read, byte for byte, with routeTable added");
        JsonObject after = azure.resource(id).getAsJsonObject("properties");
        JsonObject allocation = after.getAsJsonArray("ipamPoolPrefixAllocations").get(0).getAsJsonObject();
        assertEquals(POOL, allocation.getAsJsonObject("pool").get("id").getAsString());
        assertEquals("80", allocation.get("numberOfIpAddresses").getAsString());
        assertEquals(p.getAsJsonArray("ipamPoolPrefixAllocations").get(0).getAsJsonObject().get("allocatedAddressPrefixes"),
                allocation.get("allocatedAddressPrefixes"), "what the pool allocated is the server's (read-only)");
        assertEquals(rp.get("addressPrefixes"), after.get("addressPrefixes"));
        assertFalse(after.has("addressPrefix"), "no single prefix appears beside the allocation");
    }

    @Test
    void theGuardRepairsAPoolAllocatedNodeSubnetAndChangesNothingElse() {
        SeededCluster c = seed();
        JsonObject before = azure.resource(c.nodeSubnetId());

        Outcome outcome = azure.wiring().guard().reconcile(SubnetId.parse(c.nodeSubnetId()), new Trigger.Manual("test"));

        assertEquals(Action.REASSOCIATED, outcome.action(), outcome.toString());
        assertEquals(List.of("10.10.0.0/22"), outcome.addressPrefixes());
        assertEquals(List.of(POOL), outcome.ipamPools(), "the outcome says where the prefixes come from");
        assertEquals(UnknownPropertiesTest.comparable(before), UnknownPropertiesTest.comparable(azure.resource(c.nodeSubnetId())), "nothing but routeTable changed");
        assertEquals(c.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(Locale.ROOT));
    }

    /**
     * A subnet write is checked on the pool its allocation names, as it is on the NSG or NAT gateway it references
     * (modelled on Azure/Azure-Landing-Zones#4166; the guard's role does not carry the action): refused, the repair is a
     * failure that names the action, nothing is written, and once the action is granted on the pool the next try
     * repairs.
     */
    @Test
    void withoutThePoolsAssociateActionTheRepairFailsNamingItAndWritesNothing() {
        SeededCluster c = seed();
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Set.of("Microsoft.Network/*/read",
                "Microsoft.ContainerService/managedClusters/read", "Microsoft.Network/virtualNetworks/subnets/write",
                "Microsoft.Network/routeTables/join/action", "Microsoft.Network/networkSecurityGroups/join/action",
                "Microsoft.Network/natGateways/join/action"));
        SubnetId id = SubnetId.parse(c.nodeSubnetId());

        Outcome refused = azure.wiring().guard().reconcile(id, new Trigger.Manual("test"));

        assertEquals(Action.FAILED, refused.action(), refused.toString());
        assertTrue(refused.nextStep() != null && refused.nextStep().contains(ASSOCIATE), refused.nextStep());
        // Not "the role in infra/ holds the actions a repair needs": it deliberately does not hold this one.
        assertTrue(refused.nextStep().contains("on the IPAM pool the error names: the aks-route-guard role in infra/ does "
                + "not carry it"), refused.nextStep());
        assertNull(azure.routeTableOf(c.nodeSubnetId()));

        azure.arm.allowActions(POOL, Set.of(ASSOCIATE));
        Outcome repaired = azure.wiring().guard().reconcile(id, new Trigger.Manual("test"));

        assertEquals(Action.REASSOCIATED, repaired.action(), repaired.toString());
    }
}
