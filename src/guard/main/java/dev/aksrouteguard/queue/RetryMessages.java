package dev.aksrouteguard.queue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Nullable;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.Trigger;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The retry queue's message: a {@link RetryRequest} as JSON, with the trigger kept whole so that a repair made on a
 * retry still names who made the change. Version 1:
 * <pre>{@code
 * {"v":1, "target":"/subscriptions/…/subnets/…", "attempt":2,
 *  "trigger":{"kind":"event", "eventId":"…", "operationName":"…", "subject":"…", "eventTime":"…", "correlationId":"…",
 *             "actor":{"principal":"…", "appId":"…", "clientIp":"…"}}}
 * }</pre>
 * (or {@code "kind":"sweep"} with {@code startedAt}, {@code "kind":"manual"} with {@code source}). Holds no secret.
 */
public final class RetryMessages {

    static final int VERSION = 1;

    private RetryMessages() {}

    public static String write(RetryRequest request) {
        JsonObject o = new JsonObject();
        o.addProperty("v", VERSION);
        o.addProperty("target", request.target().value());
        o.addProperty("attempt", request.attempt());
        o.add("trigger", trigger(request.trigger()));
        return o.toString();
    }

    /** @throws IllegalArgumentException naming what is wrong, for a message this code did not write */
    public static RetryRequest read(String message) {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(message == null ? "" : message);
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("not JSON");
        }
        int version = integer(o, "v");
        if (version != VERSION) {
            throw new IllegalArgumentException("unknown message version " + version);
        }
        ResourceId target = ResourceId.parse(text(o, "target"));
        int attempt = integer(o, "attempt");
        if (!(o.get("trigger") instanceof JsonObject t)) {
            throw new IllegalArgumentException("no trigger");
        }
        return new RetryRequest(target, trigger(t), attempt);
    }

    private static JsonObject trigger(Trigger trigger) {
        JsonObject t = new JsonObject();
        if (trigger instanceof Trigger.Event e) {
            ArmWrite w = e.write();
            t.addProperty("kind", "event");
            t.addProperty("eventId", w.eventId());
            t.addProperty("operationName", w.operationName());
            t.addProperty("subject", w.subject().value());
            t.addProperty("eventTime", w.eventTime() == null ? null : w.eventTime().toString());
            t.addProperty("correlationId", w.correlationId());
            JsonObject actor = new JsonObject();
            actor.addProperty("principal", w.actor().principal());
            actor.addProperty("appId", w.actor().appId());
            actor.addProperty("clientIp", w.actor().clientIp());
            t.add("actor", actor);
        } else if (trigger instanceof Trigger.Sweep s) {
            t.addProperty("kind", "sweep");
            t.addProperty("startedAt", s.startedAt().toString());
        } else {
            t.addProperty("kind", "manual");
            t.addProperty("source", ((Trigger.Manual) trigger).source());
        }
        return t;
    }

    private static Trigger trigger(JsonObject t) {
        String kind = text(t, "kind");
        switch (kind) {
            case "event" -> {
                JsonObject a = t.get("actor") instanceof JsonObject actor ? actor : new JsonObject();
                return new Trigger.Event(new ArmWrite(text(t, "eventId"), text(t, "operationName"),
                        ResourceId.parse(text(t, "subject")), instant(optional(t, "eventTime")), optional(t, "correlationId"),
                        new Actor(optional(a, "principal"), optional(a, "appId"), optional(a, "clientIp"))));
            }
            case "sweep" -> {
                return new Trigger.Sweep(instant(text(t, "startedAt")));
            }
            case "manual" -> {
                return new Trigger.Manual(text(t, "source"));
            }
            default -> throw new IllegalArgumentException("unknown trigger kind '" + kind + "'");
        }
    }

    private static String text(JsonObject o, String name) {
        String v = optional(o, name);
        if (v == null) {
            throw new IllegalArgumentException("no " + name);
        }
        return v;
    }

    private static @Nullable String optional(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive()) {
            throw new IllegalArgumentException(name + " is not a string");
        }
        return e.getAsString();
    }

    private static int integer(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw new IllegalArgumentException("no number " + name);
        }
        return e.getAsInt();
    }

    private static @Nullable Instant instant(@Nullable String v) {
        if (v == null) {
            return null;
        }
        try {
            return Instant.parse(v);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a time: '" + v + "'");
        }
    }
}
