package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.azure.core.util.BinaryData;
import com.azure.core.util.serializer.JsonSerializer;
import com.azure.core.util.serializer.JsonSerializerProviders;
import com.azure.core.util.serializer.TypeReference;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * azure-core finds the lazy serializer through its service file, and it serializes as azure-core's own Jackson
 * serializer does: {@code BinaryData} of an object and back.
 */
class LazyJsonSerializerProviderTest {

    @Test
    void azureCoreUsesTheLazySerializer() {
        JsonSerializer serializer = JsonSerializerProviders.createInstance(true);
        assertSame(LazyJsonSerializerProvider.class, serializer.getClass().getEnclosingClass());
    }

    @Test
    void objectsGoToJsonAndBackAsWithAzureCoresDefault() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("name", "snet-aks-nodes");
        value.put("count", 3);
        value.put("tags", List.of("a", "b"));
        BinaryData data = BinaryData.fromObject(value);
        assertEquals("{\"name\":\"snet-aks-nodes\",\"count\":3,\"tags\":[\"a\",\"b\"]}", data.toString());
        assertEquals(value, data.toObject(new TypeReference<Map<String, Object>>() {}));

        JsonSerializer serializer = JsonSerializerProviders.createInstance(true);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer.serialize(out, value);
        assertEquals(data.toString(), out.toString(StandardCharsets.UTF_8));
        assertEquals(value, serializer.deserialize(new ByteArrayInputStream(out.toByteArray()),
                new TypeReference<Map<String, Object>>() {}));
        assertEquals(value, serializer.deserializeFromBytesAsync(out.toByteArray(),
                new TypeReference<Map<String, Object>>() {}).block());
    }
}
