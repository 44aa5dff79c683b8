package dev.aksrouteguard.events;

import com.azure.core.models.CloudEvent;
import com.azure.messaging.eventgrid.EventGridEvent;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses an Event Grid delivery — Event Grid schema or CloudEvents 1.0, one event or an array — into {@link
 * ParsedEvent}s. The envelope is validated by {@code azure-messaging-eventgrid} ({@link EventGridEvent}) and
 * azure-core ({@link CloudEvent}); the few fields of {@code ResourceWriteSuccess} data the guard needs are read
 * into our own record, because the SDK's system-event data classes are deprecated. Never throws: a poison event
 * becomes {@link ParsedEvent.Malformed} with one clear reason.
 *
 * <p>{@code data} is read from the JSON already parsed here, not through the SDK's {@code getData()}: that turns the
 * data back into JSON with azure-core's Jackson serializer, which on a cold start costs about 530 classes and their
 * reflective set-up (docs/performance.md, "Cold start") to produce what this class already holds.
 */
public final class ArmEvents {

    /** The only event type the guard acts on. */
    public static final String WRITE_SUCCESS = "Microsoft.Resources.ResourceWriteSuccess";

    static final String UPN_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn";
    static final String NAME_CLAIM = "name";
    static final String APP_ID_CLAIM = "appid";
    static final String IP_CLAIM = "ipaddr";

    private ArmEvents() {}

    /** Parses a delivery: a JSON object (one event) or an array of events, in either schema. */
    public static List<ParsedEvent> parse(String delivery) {
        JsonElement root;
        try {
            root = JsonParser.parseString(delivery == null ? "" : delivery);
        } catch (JsonParseException e) {
            return List.of(new ParsedEvent.Malformed("?", "not JSON: " + firstLine(e.getMessage())));
        }
        if (root.isJsonNull()) {
            return List.of(new ParsedEvent.Malformed("?", "empty delivery"));
        }
        List<ParsedEvent> out = new ArrayList<>();
        if (root.isJsonArray()) {
            JsonArray array = root.getAsJsonArray();
            if (array.isEmpty()) {
                return List.of(new ParsedEvent.Malformed("?", "an empty array holds no event"));
            }
            array.forEach(e -> out.add(parseOne(e)));
        } else {
            out.add(parseOne(root));
        }
        return out;
    }

    private static ParsedEvent parseOne(JsonElement element) {
        if (!element.isJsonObject()) {
            return new ParsedEvent.Malformed("?", "an event must be a JSON object, got " + kind(element));
        }
        JsonObject event = element.getAsJsonObject();
        String id = text(event, "id");
        String label = id == null ? "?" : id;
        boolean cloudEvent = event.has("specversion") || event.has("specVersion");
        try {
            return cloudEvent ? fromCloudEvent(event, label) : fromEventGridEvent(event, label);
        } catch (IllegalArgumentException | IllegalStateException | ClassCastException | UnsupportedOperationException e) {
            return new ParsedEvent.Malformed(label, firstLine(e.getMessage()));
        } catch (RuntimeException e) {
            return new ParsedEvent.Malformed(label, "unreadable event: " + e.getClass().getSimpleName() + ": " + firstLine(e.getMessage()));
        }
    }

    private static ParsedEvent fromEventGridEvent(JsonObject json, String label) {
        for (String field : List.of("id", "subject", "eventType", "eventTime")) {
            requireString(json, field);
        }
        requireData(json);
        if (!json.has("dataVersion")) {
            json.addProperty("dataVersion", ""); // optional on the wire for system events; required by the SDK model
        }
        List<EventGridEvent> events = EventGridEvent.fromString(json.toString());
        EventGridEvent e = events.get(0);
        if (!WRITE_SUCCESS.equalsIgnoreCase(e.getEventType())) {
            return new ParsedEvent.Ignored(e.getId(), e.getEventType());
        }
        return write(e.getId(), e.getSubject(), e.getEventTime(), json.getAsJsonObject("data"));
    }

    private static ParsedEvent fromCloudEvent(JsonObject json, String label) {
        if (json.has("specVersion") && !json.has("specversion")) {
            json.add("specversion", json.remove("specVersion"));
        }
        String version = requireString(json, "specversion");
        if (!version.equals("1.0")) {
            throw new IllegalArgumentException("unsupported CloudEvents specversion '" + version + "' (expected 1.0)");
        }
        for (String field : List.of("id", "source", "type", "subject")) {
            requireString(json, field);
        }
        requireData(json);
        CloudEvent e = CloudEvent.fromString(json.toString()).get(0);
        if (!WRITE_SUCCESS.equalsIgnoreCase(e.getType())) {
            return new ParsedEvent.Ignored(e.getId(), e.getType());
        }
        return write(e.getId(), e.getSubject(), e.getTime(), json.getAsJsonObject("data"));
    }

    /** @param data the event's {@code data}, already checked to be a JSON object ({@link #requireData}) */
    private static ParsedEvent write(String id, @Nullable String subject, @Nullable OffsetDateTime time, JsonObject data) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("the event has no subject");
        }
        if (!ResourceId.isValid(subject)) {
            throw new IllegalArgumentException("subject is not an ARM resource ID: '" + abbreviate(subject) + "'");
        }
        WriteData d = WriteData.from(data);
        if (d.operationName() == null) {
            throw new IllegalArgumentException("data.operationName is missing");
        }
        Instant eventTime = time == null ? null : time.toInstant();
        return new ParsedEvent.Write(new ArmWrite(id, d.operationName(), ResourceId.parse(subject), eventTime,
                d.correlationId(), d.actor()));
    }

    /** The fields of {@code ResourceWriteSuccess} data the guard uses. */
    record WriteData(@Nullable String operationName, @Nullable String correlationId, Actor actor) {

        static WriteData from(JsonObject data) {
            String operation = optionalString(data, "operationName", "data.");
            String correlation = optionalString(data, "correlationId", "data.");
            // Who made the write only names it: a shape other than Event Grid's today costs the attribution, never the write.
            JsonObject claims = attributionObject(data, "claims");
            JsonObject http = attributionObject(data, "httpRequest");
            String upn = attributionString(claims, UPN_CLAIM);
            String name = attributionString(claims, NAME_CLAIM);
            String appId = attributionString(claims, APP_ID_CLAIM);
            String ip = attributionString(http, "clientIpAddress");
            if (ip == null) {
                ip = attributionString(claims, IP_CLAIM);
            }
            return new WriteData(operation, correlation, new Actor(upn != null ? upn : name, appId, ip));
        }
    }

    /**
     * {@code data.claims} or {@code data.httpRequest}: an object, as Event Grid sends them, or a string holding one, as
     * the 2018-01-01 schema of {@code Microsoft.Resources} events declares them (azure-rest-api-specs,
     * {@code Resources.json}); anything else is no attribution (null), not a malformed event.
     */
    private static @Nullable JsonObject attributionObject(JsonObject data, String field) {
        JsonElement e = data.get(field);
        if (e != null && e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            try {
                e = JsonParser.parseString(e.getAsString());
            } catch (RuntimeException notJson) {
                return null;
            }
        }
        return e != null && e.isJsonObject() ? e.getAsJsonObject() : null;
    }

    /** A string claim (or field) for the attribution; null when absent, blank or of another type. */
    private static @Nullable String attributionString(@Nullable JsonObject o, String field) {
        JsonElement e = o == null ? null : o.get(field);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            return null;
        }
        String s = e.getAsString().trim();
        return s.isEmpty() ? null : s;
    }

    private static @Nullable String optionalString(JsonObject o, String field, String prefix) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(prefix + field + " must be a string, got " + kind(e));
        }
        String s = e.getAsString().trim();
        return s.isEmpty() ? null : s;
    }

    private static String requireString(JsonObject o, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new IllegalArgumentException("the event has no " + field);
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(field + " must be a string, got " + kind(e));
        }
        return e.getAsString();
    }

    private static void requireData(JsonObject o) {
        JsonElement data = o.get("data");
        if (data == null || data.isJsonNull()) {
            throw new IllegalArgumentException("the event has no data");
        }
        if (!data.isJsonObject()) {
            throw new IllegalArgumentException("data must be a JSON object, got " + kind(data));
        }
    }

    private static @Nullable String text(JsonObject o, String field) {
        JsonElement e = o.get(field);
        return e != null && e.isJsonPrimitive() ? e.getAsString() : null;
    }

    private static String kind(JsonElement e) {
        if (e.isJsonArray()) {
            return "an array";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonNull()) {
            return "null";
        }
        return e.getAsJsonPrimitive().isNumber() ? "a number" : e.getAsJsonPrimitive().isBoolean() ? "a boolean" : "a string";
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    private static String firstLine(@Nullable String s) {
        if (s == null) {
            return "no detail";
        }
        int nl = s.indexOf('\n');
        return abbreviate(nl < 0 ? s : s.substring(0, nl));
    }
}
