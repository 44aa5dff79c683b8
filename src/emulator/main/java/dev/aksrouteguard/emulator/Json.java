package dev.aksrouteguard.emulator;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/** Small gson helpers; absent and JSON {@code null} are treated alike. */
final class Json {
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();

    private Json() {
    }

    /** Parses a JSON object; anything else is a {@link JsonParseException}. */
    static JsonObject parseObject(String text) {
        JsonElement element = JsonParser.parseString(text);
        if (!element.isJsonObject()) {
            throw new JsonParseException("expected a JSON object");
        }
        return element.getAsJsonObject();
    }

    static @Nullable JsonObject object(JsonObject parent, String key) {
        JsonElement element = parent.get(key);
        return element != null && element.isJsonObject() ? element.getAsJsonObject() : null;
    }

    static JsonObject objectOrCreate(JsonObject parent, String key) {
        JsonObject child = object(parent, key);
        if (child == null) {
            child = new JsonObject();
            parent.add(key, child);
        }
        return child;
    }

    static @Nullable JsonArray array(JsonObject parent, String key) {
        JsonElement element = parent.get(key);
        return element != null && element.isJsonArray() ? element.getAsJsonArray() : null;
    }

    static @Nullable String string(JsonObject parent, String key) {
        JsonElement element = parent.get(key);
        return element != null && element.isJsonPrimitive() ? element.getAsString() : null;
    }

    /** {@code parent.key.id}, the ARM "SubResource" reference shape. */
    static @Nullable String referenceId(JsonObject parent, String key) {
        JsonObject reference = object(parent, key);
        return reference == null ? null : string(reference, "id");
    }

    static JsonObject properties(JsonObject resource) {
        return objectOrCreate(resource, "properties");
    }

    static JsonObject reference(String id) {
        JsonObject reference = new JsonObject();
        reference.addProperty("id", id);
        return reference;
    }

    static JsonArray strings(Iterable<String> values) {
        JsonArray array = new JsonArray();
        values.forEach(array::add);
        return array;
    }
}
