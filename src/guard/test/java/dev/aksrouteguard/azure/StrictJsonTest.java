package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonNull;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Reading a document so that it can be written back unchanged. */
class StrictJsonTest {

    static String roundTrip(String json) {
        return StrictJson.GSON.toJson(StrictJson.parse(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aDocumentGoesBackWithItsNullsNumbersOrderAndCharacters() {
        String doc = "{\"z\":null,\"a\":[1,2.50,1e5,-0,12345678901234567890123],\"m\":{\"x\":\"<&>é\\u2028\"},\"b\":false}";
        assertEquals("{\"z\":null,\"a\":[1,2.50,1e5,-0,12345678901234567890123],\"m\":{\"x\":\"<&>é\\u2028\"},\"b\":false}",
                roundTrip(doc));
    }

    @Test
    void aNameTwiceInOneObjectCannotBeCarriedBackAndIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StrictJson.parse("{\"p\":{\"a\":1,\"a\":2}}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(e.getMessage().contains("'a' appears twice"), e.getMessage());
    }

    @Test
    void contentAfterTheValueAndLenientSyntaxAreRefused() {
        for (String bad : new String[] {"{} {}", "{'a':1}", "{a:1}", "{\"a\":1,}", "[1,]", "{\"a\":NaN}"}) {
            assertThrows(IllegalArgumentException.class, () -> StrictJson.parse(bad.getBytes(StandardCharsets.UTF_8)), bad);
        }
    }

    @Test
    void nestingDeeperThanArmEverSendsIsRefused() {
        String deep = "[".repeat(100) + "]".repeat(100);
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse(deep.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anEmptyBodyAndANullLiteralAreNoDocument() {
        assertEquals(JsonNull.INSTANCE, StrictJson.parse(new byte[0]));
        assertEquals(JsonNull.INSTANCE, StrictJson.parse("null".getBytes(StandardCharsets.UTF_8)));
        assertEquals(JsonNull.INSTANCE, StrictJson.parse("  \n".getBytes(StandardCharsets.UTF_8)));
    }
}
