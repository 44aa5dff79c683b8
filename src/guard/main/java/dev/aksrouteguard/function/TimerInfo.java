package dev.aksrouteguard.function;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.Map;

/** The timer payload, read tolerantly: {@code IsPastDue} (PascalCase from the host) or {@code isPastDue}. */
record TimerInfo(boolean pastDue) {

    static TimerInfo parse(String json) {
        try {
            JsonElement root = JsonParser.parseString(json == null ? "" : json);
            if (!root.isJsonObject()) {
                return new TimerInfo(false);
            }
            JsonObject o = root.getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : o.entrySet()) {
                if (e.getKey().equalsIgnoreCase("IsPastDue") && e.getValue().isJsonPrimitive()) {
                    return new TimerInfo(e.getValue().getAsJsonPrimitive().isBoolean()
                            ? e.getValue().getAsBoolean()
                            : Boolean.parseBoolean(e.getValue().getAsString()));
                }
            }
            return new TimerInfo(false);
        } catch (RuntimeException e) {
            return new TimerInfo(false);
        }
    }
}
