package dev.aksrouteguard.azure;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON read so that it can be written back unchanged: a document with a name twice in one object, trailing content or
 * more nesting than ARM ever sends is refused (gson would silently keep one of the duplicates); numbers keep their text;
 * {@code null} members are written back as {@code null}, not dropped.
 */
final class StrictJson {

    /** Writes back what {@link #parse} read: no HTML escaping, {@code null} members kept. */
    static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private static final int MAX_DEPTH = 64;

    private StrictJson() {}

    /**
     * @return the document; {@link JsonNull} for an empty (or blank) body or a {@code null} literal
     * @throws IllegalArgumentException with the reason, when the text is not one JSON value that can be carried back
     *     intact
     */
    static JsonElement parse(byte[] body) {
        if (new String(body, StandardCharsets.UTF_8).isBlank()) {
            return JsonNull.INSTANCE;
        }
        // A decoder that refuses malformed UTF-8 rather than replacing it: a replaced character would be written back.
        try (Reader text = new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
                JsonReader reader = new JsonReader(text)) {
            reader.setStrictness(Strictness.STRICT);
            JsonElement value = read(reader, 0);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new IllegalArgumentException("content after the JSON value");
            }
            return value;
        } catch (IOException | IllegalStateException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage(), e);
        }
    }

    private static JsonElement read(JsonReader reader, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels");
        }
        switch (reader.peek()) {
            case BEGIN_OBJECT -> {
                JsonObject object = new JsonObject();
                reader.beginObject();
                while (reader.hasNext()) {
                    String name = reader.nextName();
                    if (object.has(name)) {
                        throw new IllegalArgumentException("the name '" + name + "' appears twice in one object");
                    }
                    object.add(name, read(reader, depth + 1));
                }
                reader.endObject();
                return object;
            }
            case BEGIN_ARRAY -> {
                JsonArray array = new JsonArray();
                reader.beginArray();
                while (reader.hasNext()) {
                    array.add(read(reader, depth + 1));
                }
                reader.endArray();
                return array;
            }
            case STRING -> {
                return new JsonPrimitive(reader.nextString());
            }
            case NUMBER -> {
                return JsonParser.parseString(reader.nextString()); // a number that keeps its text
            }
            case BOOLEAN -> {
                return new JsonPrimitive(reader.nextBoolean());
            }
            case NULL -> {
                reader.nextNull();
                return JsonNull.INSTANCE;
            }
            default -> throw new IllegalArgumentException("unexpected " + reader.peek());
        }
    }
}
