package dev.aksrouteguard.teams;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.CardFormat;
import java.nio.charset.StandardCharsets;

/** The format: turns a {@link CardContent} into the JSON message one kind of Teams webhook accepts. */
interface CardFormatter {

    /** Nulls are written ({@code "contentUrl": null}); {@code =} and {@code &} in URLs are not escaped. */
    Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    /** The whole message, as posted. */
    JsonObject message(CardContent card);

    /** The message as posted: compact JSON. */
    default String json(CardContent card) {
        return GSON.toJson(message(card));
    }

    /** The size Teams counts: the UTF-8 bytes of the posted JSON. */
    default int bytes(CardContent card) {
        return json(card).getBytes(StandardCharsets.UTF_8).length;
    }

    static CardFormatter of(CardFormat format) {
        return switch (format) {
            case ADAPTIVE -> new AdaptiveCardFormatter();
            case MESSAGECARD -> new MessageCardFormatter();
        };
    }
}
