package dev.aksrouteguard.azure;

import com.azure.core.util.serializer.JacksonAdapter;
import com.azure.core.util.serializer.JsonSerializer;
import com.azure.core.util.serializer.JsonSerializerProvider;
import com.azure.core.util.serializer.SerializerAdapter;
import com.azure.core.util.serializer.SerializerEncoding;
import com.azure.core.util.serializer.TypeReference;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import reactor.core.publisher.Mono;

/**
 * azure-core's default JSON serializer, built on first use instead of when {@code BinaryData} is first touched.
 *
 * <p>{@code BinaryData}'s static initializer asks {@code JsonSerializerProviders} for a serializer and, with no
 * provider on the class path, builds azure-core's Jackson one at once: an {@code ObjectMapper} with its modules,
 * about 530 Jackson classes and their reflective set-up, on every cold start. The guard never serializes an object
 * through {@code BinaryData} (every body travels as bytes, see {@link ArmRest}), so that cost bought nothing. This
 * provider (registered in {@code META-INF/services}, azure-core's documented extension point) answers with a
 * serializer that builds the same Jackson adapter, with the same JSON encoding, the first time something does use it.
 */
public final class LazyJsonSerializerProvider implements JsonSerializerProvider {

    /** Required by {@link java.util.ServiceLoader}. */
    public LazyJsonSerializerProvider() {}

    @Override
    public JsonSerializer createInstance() {
        return new Lazy();
    }

    /** Delegates to {@link JacksonAdapter#createDefaultSerializerAdapter()}, as azure-core's default serializer does. */
    private static final class Lazy implements JsonSerializer {

        private volatile SerializerAdapter adapter;

        private SerializerAdapter adapter() {
            SerializerAdapter a = adapter;
            if (a == null) {
                a = JacksonAdapter.createDefaultSerializerAdapter();
                adapter = a;
            }
            return a;
        }

        @Override
        public <T> T deserializeFromBytes(byte[] data, TypeReference<T> type) {
            try {
                return adapter().deserialize(data, type.getJavaType(), SerializerEncoding.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public <T> T deserialize(InputStream stream, TypeReference<T> type) {
            try {
                return adapter().deserialize(stream, type.getJavaType(), SerializerEncoding.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public <T> Mono<T> deserializeFromBytesAsync(byte[] data, TypeReference<T> type) {
            return Mono.fromCallable(() -> deserializeFromBytes(data, type));
        }

        @Override
        public <T> Mono<T> deserializeAsync(InputStream stream, TypeReference<T> type) {
            return Mono.fromCallable(() -> deserialize(stream, type));
        }

        @Override
        public byte[] serializeToBytes(Object value) {
            try {
                return adapter().serializeToBytes(value, SerializerEncoding.JSON);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void serialize(OutputStream stream, Object value) {
            try {
                adapter().serialize(value, SerializerEncoding.JSON, stream);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public Mono<byte[]> serializeToBytesAsync(Object value) {
            return Mono.fromCallable(() -> serializeToBytes(value));
        }

        @Override
        public Mono<Void> serializeAsync(OutputStream stream, Object value) {
            return Mono.fromRunnable(() -> serialize(stream, value));
        }
    }
}
