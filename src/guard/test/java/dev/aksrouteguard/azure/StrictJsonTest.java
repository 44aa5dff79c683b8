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
    void bytesThatAreNotUtf8AreRefusedNotReplacedSinceTheReplacementWouldBeWrittenBack() {
        byte[] start = "{\"name\":\"snet-".getBytes(StandardCharsets.UTF_8);
        byte[] end = "\"}".getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[start.length + 2 + end.length];
        System.arraycopy(start, 0, body, 0, start.length);
        body[start.length] = (byte) 0xC3; // a lead byte ...
        body[start.length + 1] = (byte) 0x28; // ... followed by one that cannot continue it
        System.arraycopy(end, 0, body, start.length + 2, end.length);
        assertThrows(IllegalArgumentException.class, () -> StrictJson.parse(body));
        assertEquals("snet-é", StrictJson.parse("{\"name\":\"snet-é\"}".getBytes(StandardCharsets.UTF_8))
                .getAsJsonObject().get("name").getAsString(), "valid UTF-8 still reads");
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
