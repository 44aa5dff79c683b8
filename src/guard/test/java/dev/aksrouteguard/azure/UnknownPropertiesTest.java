package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.core.port.Subnets;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 §3: the repair keeps every property of the subnet as read, known to the SDK or not, and changes only
 * {@code properties.routeTable}. The subnet carries {@code serviceGateway} (api-version 2025-05-01, newer than the
 * SDK's models), an invented {@code futureFeature} object, and unknown keys inside objects the SDK knows.
 */
class UnknownPropertiesTest {

    Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    /** A drifted kubenet node subnet that carries properties no SDK model knows. */
    SeededCluster seedWithUnknownProperties() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").serviceEndpointPolicy().drifted().seed(azure.arm);
        JsonObject subnet = azure.resource(c.nodeSubnetId());
        JsonObject p = subnet.getAsJsonObject("properties");
        p.add("serviceGateway", JsonParser.parseString("{\"id\":\"/subscriptions/" + Emulated.SUB
                + "/resourceGroups/rg-app/providers/Microsoft.Network/serviceGateways/sg-egress\"}"));
        p.add("futureFeature", JsonParser.parseString(
                "{\"mode\":\"strict\",\"limits\":[1,2.50,{\"deep\":true}],\"note\":\"<kept & unescaped>\"}"));
        p.getAsJsonObject("natGateway").addProperty("futureKey", "inside a known reference");
        p.getAsJsonArray("serviceEndpoints").get(0).getAsJsonObject().addProperty("futureKey", 7);
        JsonArray delegations = new JsonArray();
        delegations.add(JsonParser.parseString("{\"name\":\"d0\",\"properties\":{\"serviceName\":\"Microsoft.Example/things\","
                + "\"futureKey\":{\"a\":[]}}}"));
        p.add("delegations", delegations);
        p.addProperty("defaultOutboundAccess", false);
        azure.arm.put(c.nodeSubnetId(), subnet);
        return c;
    }

    /** The subnet without what the server owns or the repair changes. */
    static JsonObject comparable(JsonObject subnet) {
        JsonObject copy = subnet.deepCopy();
        copy.remove("etag");
        JsonObject p = copy.getAsJsonObject("properties");
        p.remove("routeTable");
        p.remove("provisioningState");
        return copy;
    }

    @Test
    void aRepairKeepsEveryPropertyAsReadKnownToTheSdkOrNot() {
        SeededCluster c = seedWithUnknownProperties();
        JsonObject before = azure.resource(c.nodeSubnetId());
        Subnets subnets = Connect.to(azure).subnets();

        subnets.associate(subnets.get(SubnetId.parse(c.nodeSubnetId())), ResourceId.parse(c.routeTableId()));

        JsonObject after = azure.resource(c.nodeSubnetId());
        assertEquals(comparable(before), comparable(after), "nothing but routeTable changed");
        JsonObject p = after.getAsJsonObject("properties");
        assertEquals(before.getAsJsonObject("properties").get("serviceGateway"), p.get("serviceGateway"));
        assertEquals(before.getAsJsonObject("properties").get("futureFeature"), p.get("futureFeature"));
        assertEquals("inside a known reference", p.getAsJsonObject("natGateway").get("futureKey").getAsString());
        assertEquals(7, p.getAsJsonArray("serviceEndpoints").get(0).getAsJsonObject().get("futureKey").getAsInt());
        assertEquals(c.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(c.nodeSubnetId()).toLowerCase(Locale.ROOT));
    }

    @Test
    void theGuardsRepairThroughALongRunningWriteKeepsThemToo() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = seedWithUnknownProperties();
        JsonObject before = azure.resource(c.nodeSubnetId());

        Outcome outcome = azure.wiring().guard().reconcile(SubnetId.parse(c.nodeSubnetId()), new Trigger.Manual("test"));

        assertEquals(Action.REASSOCIATED, outcome.action(), outcome.toString());
        assertEquals(comparable(before), comparable(azure.resource(c.nodeSubnetId())), "nothing but routeTable changed");
        assertEquals(1, azure.writes().size());
    }
}
