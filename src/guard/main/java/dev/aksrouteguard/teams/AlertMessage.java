package dev.aksrouteguard.teams;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One rendered alert on its way to Teams, and the body of a message in the {@code routeguard-alerts} queue:
 * {@code {"v":1,"subject":"reassociated snet-a","claimIds":["…"],"card":"{…the JSON to post…}"}}.
 *
 * <p>It carries what the delivery needs and nothing secret: the card exactly as it will be posted (rendered, fitted
 * to size, in the configured format), a subject for log lines, and the claim IDs to give back to the alert memory if
 * the card is never delivered. Never the webhook URL: the consumer reads {@code TEAMS_WEBHOOK_URL} itself. A card is
 * at most {@link CardSizing#BUDGET_BYTES}, so a message stays far below the queue's 64 KiB, Base64 included.
 *
 * @param subject what the alert is about, for log lines ("reassociated snet-a", "sweep summary"): no secret
 * @param card the JSON message to post
 * @param claimIds the alert memory's claims behind this alert (none without a memory)
 */
record AlertMessage(String subject, String card, List<String> claimIds) {

    static final int VERSION = 1;

    AlertMessage {
        Objects.requireNonNull(subject, "subject == null");
        Objects.requireNonNull(card, "card == null");
        claimIds = List.copyOf(claimIds);
    }

    String toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("v", VERSION);
        o.addProperty("subject", subject);
        JsonArray ids = new JsonArray();
        claimIds.forEach(ids::add);
        o.add("claimIds", ids);
        o.addProperty("card", card);
        return CardFormatter.GSON.toJson(o);
    }

    /**
     * @throws IllegalArgumentException naming what is wrong (never quoting the message), for anything that is not a
     *     message of this version
     */
    static AlertMessage parse(String json) {
        JsonObject o;
        try {
            JsonElement root = JsonParser.parseString(json == null ? "" : json);
            if (!root.isJsonObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            o = root.getAsJsonObject();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        if (!o.has("v") || !o.get("v").isJsonPrimitive() || o.get("v").getAsInt() != VERSION) {
            throw new IllegalArgumentException("not a version " + VERSION + " alert message");
        }
        String subject = string(o, "subject");
        String card = string(o, "card");
        List<String> ids = new ArrayList<>();
        if (o.has("claimIds")) {
            if (!o.get("claimIds").isJsonArray()) {
                throw new IllegalArgumentException("claimIds is not an array");
            }
            for (JsonElement e : o.getAsJsonArray("claimIds")) {
                if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                    throw new IllegalArgumentException("claimIds holds a non-string");
                }
                ids.add(e.getAsString());
            }
        }
        return new AlertMessage(subject, card, ids);
    }

    private static String string(JsonObject o, String name) {
        JsonElement e = o.get(name);
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new IllegalArgumentException(name + " is missing");
        }
        return e.getAsString();
    }
}
