package dev.aksrouteguard.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.aksrouteguard.core.model.ArmWrite;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ArmEventsTest {

    static final String SUBNET = "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups/rg-app"
            + "/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/nodes";

    static ArmWrite only(String delivery) {
        List<ParsedEvent> parsed = ArmEvents.parse(delivery);
        assertEquals(1, parsed.size(), parsed.toString());
        return assertInstanceOf(ParsedEvent.Write.class, parsed.get(0), parsed.toString()).write();
    }

    @Test
    void readsAnEventGridSchemaArray() {
        ArmWrite w = only(EventJson.delivery(EventJson.subnetWrite(SUBNET).id("e1").eventGrid()));
        assertEquals("e1", w.eventId());
        assertEquals("Microsoft.Network/virtualNetworks/subnets/write", w.operationName());
        assertEquals(SUBNET, w.subject().value());
        assertEquals(Instant.parse("2026-11-26T10:15:30.1234567Z"), w.eventTime());
        assertEquals("54ef1e39-6a82-44b3-abc1-bdeb6ce4d3c6", w.correlationId());
        assertEquals("terraform@contoso.com", w.actor().principal());
        assertEquals("04b07795-8ddb-461a-bbee-02f9e1bf7b46", w.actor().appId());
        assertEquals("203.0.113.7", w.actor().clientIp(), "httpRequest.clientIpAddress wins over the ipaddr claim");
    }

    @Test
    void readsASingleEventGridEventAndASingleCloudEvent() {
        assertEquals(SUBNET, only(EventJson.subnetWrite(SUBNET).eventGrid().toString()).subject().value());
        assertEquals(SUBNET, only(EventJson.subnetWrite(SUBNET).cloudEvent().toString()).subject().value());
    }

    @Test
    void readsACloudEventsArrayAndTheSpecVersionSpelling() {
        JsonObject e = EventJson.subnetWrite(SUBNET).cloudEvent();
        e.add("specVersion", e.remove("specversion"));
        ArmWrite w = only(EventJson.delivery(e));
        assertEquals("terraform@contoso.com", w.actor().principal());
    }

    @Test
    void fallsBackToTheNameClaimAndTheIpClaim() {
        ArmWrite w = only(EventJson.subnetWrite(SUBNET).upn(null).clientIp(null).eventGrid().toString());
        assertEquals("Terraform Pipeline", w.actor().principal());
        assertEquals("198.51.100.1", w.actor().clientIp());
    }

    @Test
    void otherEventTypesAreIgnoredNotMalformed() {
        List<ParsedEvent> parsed = ArmEvents.parse(EventJson.subnetWrite(SUBNET).type("Microsoft.Resources.ResourceDeleteSuccess").eventGrid().toString());
        assertInstanceOf(ParsedEvent.Ignored.class, parsed.get(0));
    }

    @Test
    void aMixedDeliveryKeepsEveryEvent() {
        JsonObject bad = EventJson.subnetWrite(SUBNET).eventGrid();
        bad.remove("subject");
        List<ParsedEvent> parsed = ArmEvents.parse(EventJson.delivery(EventJson.subnetWrite(SUBNET).eventGrid(), bad,
                EventJson.subnetWrite(SUBNET).type("Microsoft.Resources.ResourceWriteFailure").eventGrid()));
        assertInstanceOf(ParsedEvent.Write.class, parsed.get(0));
        assertInstanceOf(ParsedEvent.Malformed.class, parsed.get(1));
        assertInstanceOf(ParsedEvent.Ignored.class, parsed.get(2));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "not JSON                     | {\"id\": | not JSON",
        "an empty array               | [] | empty array",
        "a bare string                | \"hello\" | must be a JSON object",
        "an array of numbers          | [1] | must be a JSON object",
        "JSON null                    | null | empty delivery",
    })
    void malformedDeliveriesSayWhy(String what, String delivery, String reason) {
        List<ParsedEvent> parsed = ArmEvents.parse(delivery);
        ParsedEvent.Malformed m = assertInstanceOf(ParsedEvent.Malformed.class, parsed.get(0));
        assertTrue(m.reason().contains(reason), m.reason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no subject                   | subject | REMOVE | no subject",
        "a subject that is no ARM ID  | subject | storage-account-7 | not an ARM resource ID",
        "a numeric subject            | subject | NUMBER | subject must be a string",
        "no data                      | data | REMOVE | no data",
        "data that is a string        | data | STRING | data must be a JSON object",
        "no event type                | eventType | REMOVE | no eventType",
        "no id                        | id | REMOVE | no id",
    })
    void malformedEventsSayWhy(String what, String field, String value, String reason) {
        JsonObject e = EventJson.subnetWrite(SUBNET).eventGrid();
        switch (value) {
            case "REMOVE" -> e.remove(field);
            case "NUMBER" -> e.add(field, new JsonPrimitive(42));
            case "STRING" -> e.add(field, new JsonPrimitive("x"));
            default -> e.addProperty(field, value);
        }
        ParsedEvent.Malformed m = assertInstanceOf(ParsedEvent.Malformed.class, ArmEvents.parse(e.toString()).get(0));
        assertTrue(m.reason().contains(reason), m.reason());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "operation as number  | operationName | data.operationName must be a string",
        "no operation         | MISSING | data.operationName is missing",
    })
    void wrongTypesInsideDataAreMalformed(String what, String field, String reason) {
        JsonObject e = EventJson.subnetWrite(SUBNET).eventGrid();
        JsonObject data = e.getAsJsonObject("data");
        if (field.equals("MISSING")) {
            data.remove("operationName");
        } else {
            data.addProperty(field, 7);
        }
        ParsedEvent.Malformed m = assertInstanceOf(ParsedEvent.Malformed.class, ArmEvents.parse(e.toString()).get(0));
        assertTrue(m.reason().contains(reason), m.reason());
    }

    @Test
    void attributionOfAnotherShapeCostsTheAttributionNotTheWrite() {
        JsonObject asStrings = EventJson.subnetWrite(SUBNET).eventGrid(); // the 2018-01-01 schema declares both strings
        JsonObject data = asStrings.getAsJsonObject("data");
        data.addProperty("claims", data.getAsJsonObject("claims").toString());
        data.addProperty("httpRequest", "{\"clientIpAddress\":\"198.51.100.9\"}");
        ArmWrite w = only(asStrings.toString());
        assertEquals("terraform@contoso.com", w.actor().principal());
        assertEquals("198.51.100.9", w.actor().clientIp());

        JsonObject odd = EventJson.subnetWrite(SUBNET).eventGrid();
        odd.getAsJsonObject("data").addProperty("httpRequest", "{request-operation}"); // an old Learn sample's placeholder
        odd.getAsJsonObject("data").add("claims", new JsonPrimitive(7));
        ArmWrite kept = only(odd.toString());
        assertEquals(SUBNET, kept.subject().toString());
        assertNull(kept.actor().principal());
        assertNull(kept.actor().clientIp());
    }

    @Test
    void anEventWithoutCorrelationIdIsStillAWrite() {
        JsonObject e = EventJson.subnetWrite(SUBNET).eventGrid();
        e.getAsJsonObject("data").remove("correlationId");
        assertNull(only(e.toString()).correlationId());
    }
}
