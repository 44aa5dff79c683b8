package dev.aksrouteguard.infra;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Bicep type definitions of one provider namespace at one API version: the very files the Bicep compiler checks
 * templates against (Azure/bicep-types-az, {@code generated/.../types.json}), vendored unchanged under
 * {@code src/guard/test/resources/schemas/bicep-types/<namespace>@<api-version>.types.json} (SOURCES.md there).
 *
 * <p>The file is a JSON array of types; {@code {"$ref": "#/N"}} points at entry N. This class reads the kinds that
 * matter for checking a resource body and keeps the rest as {@link Other}. What a body may contain is decided by
 * {@link ArmBodyCheck}.
 *
 * <pre>{@code
 * BicepSchema web = BicepSchema.load("microsoft.web@2024-04-01");
 * TypeRef site = web.resourceBody("Microsoft.Web/sites@2024-04-01").orElseThrow();
 * }</pre>
 */
final class BicepSchema {

    /** Property flags, as bicep-types defines them. */
    static final int REQUIRED = 1;
    static final int READ_ONLY = 2;
    static final int WRITE_ONLY = 4;
    static final int DEPLOY_TIME_CONSTANT = 8;

    /** Where the vendored files are on the test class path. */
    static final String RESOURCE_FOLDER = "/schemas/bicep-types/";

    /** A type definition. */
    sealed interface Type permits StringType, StringLiteralType, IntegerType, BooleanType, AnyType, ArrayType,
            ObjectType, DiscriminatedObjectType, UnionType, ResourceType, Other {}

    /** A reference to entry {@code index} of a schema file. */
    record TypeRef(BicepSchema schema, int index) {
        Type resolve() {
            return schema.type(index);
        }

        @Override
        public String toString() {
            return schema.name + "#/" + index;
        }
    }

    record StringType(Integer minLength, Integer maxLength, String pattern) implements Type {}

    record StringLiteralType(String value) implements Type {}

    record IntegerType(Long minValue, Long maxValue) implements Type {}

    record BooleanType() implements Type {}

    record AnyType() implements Type {}

    record ArrayType(TypeRef itemType, Integer minLength, Integer maxLength) implements Type {}

    /** A property of an object: its type and {@link #REQUIRED}/{@link #READ_ONLY}/... flags. */
    record Property(TypeRef type, int flags, String description) {
        boolean required() {
            return (flags & REQUIRED) != 0;
        }

        boolean readOnly() {
            return (flags & READ_ONLY) != 0;
        }
    }

    /**
     * An object.
     *
     * @param additionalProperties the type of the values of a map (e.g. {@code tags}), or {@code null} when only the
     *     listed properties are allowed
     */
    record ObjectType(String name, Map<String, Property> properties, TypeRef additionalProperties) implements Type {}

    /** An object whose shape depends on the value of one property (e.g. {@code endpointType}, or a config's name). */
    record DiscriminatedObjectType(String name, String discriminator, Map<String, Property> baseProperties,
            Map<String, TypeRef> elements) implements Type {}

    record UnionType(List<TypeRef> elements) implements Type {}

    record ResourceType(String name, TypeRef body) implements Type {}

    /** Kinds a body check does not need ({@code ResourceFunctionType}, ...). */
    record Other(String kind) implements Type {}

    private static final Map<String, BicepSchema> CACHE = new ConcurrentHashMap<>();

    private final String name;
    private final JsonArray entries;
    private final Type[] parsed;

    private BicepSchema(String name, JsonArray entries) {
        this.name = name;
        this.entries = entries;
        this.parsed = new Type[entries.size()];
    }

    /**
     * The vendored types of a namespace at an API version, e.g. {@code microsoft.web@2024-04-01} (case-insensitive).
     *
     * @throws IllegalArgumentException when no such file is vendored, naming what is
     */
    static BicepSchema load(String namespaceAtVersion) {
        String key = namespaceAtVersion.toLowerCase(Locale.ROOT);
        return CACHE.computeIfAbsent(key, k -> {
            String path = RESOURCE_FOLDER + k + ".types.json";
            try (InputStream in = BicepSchema.class.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalArgumentException("no Bicep types vendored for " + k + " (expected " + path
                            + " on the test class path; see src/guard/test/resources/schemas/SOURCES.md)");
                }
                return new BicepSchema(k, JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .getAsJsonArray());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Whether types for the namespace of {@code resourceTypeAtVersion} at its API version are vendored. */
    static boolean isVendored(String resourceTypeAtVersion) {
        String path = RESOURCE_FOLDER + fileKey(resourceTypeAtVersion) + ".types.json";
        return BicepSchema.class.getResource(path) != null;
    }

    /**
     * The body type of a resource type, e.g. {@code Microsoft.Web/sites@2024-04-01}, from the file of its namespace
     * and API version.
     *
     * @throws IllegalArgumentException when the file is not vendored
     */
    static Optional<TypeRef> bodyOf(String resourceTypeAtVersion) {
        return load(fileKey(resourceTypeAtVersion)).resourceBody(resourceTypeAtVersion);
    }

    /** {@code Microsoft.Web/sites/config@2024-04-01} to {@code microsoft.web@2024-04-01}. */
    static String fileKey(String resourceTypeAtVersion) {
        int at = resourceTypeAtVersion.indexOf('@');
        if (at < 0 || resourceTypeAtVersion.indexOf('/') < 0) {
            throw new IllegalArgumentException("not <Namespace>/<type>@<api-version>: " + resourceTypeAtVersion);
        }
        String namespace = resourceTypeAtVersion.substring(0, resourceTypeAtVersion.indexOf('/'));
        return (namespace + resourceTypeAtVersion.substring(at)).toLowerCase(Locale.ROOT);
    }

    /** The name this schema was loaded by, e.g. {@code microsoft.web@2024-04-01}. */
    String name() {
        return name;
    }

    /** The body of a resource type of this file (name compared case-insensitively, as ARM does). */
    Optional<TypeRef> resourceBody(String resourceTypeAtVersion) {
        Objects.requireNonNull(resourceTypeAtVersion, "resourceTypeAtVersion == null");
        for (int i = 0; i < entries.size(); i++) {
            JsonObject e = entries.get(i).getAsJsonObject();
            if ("ResourceType".equals(kind(e)) && e.get("name").getAsString().equalsIgnoreCase(resourceTypeAtVersion)) {
                return Optional.of(((ResourceType) type(i)).body());
            }
        }
        return Optional.empty();
    }

    /** bicep-types scope flags ({@code readableScopes}, {@code writableScopes}): where a resource type may be deployed. */
    static final int TENANT = 1;
    static final int MANAGEMENT_GROUP = 2;
    static final int SUBSCRIPTION = 4;
    static final int RESOURCE_GROUP = 8;
    static final int EXTENSION = 16;

    /** The names of the scope flags set in {@code flags}, for messages. */
    static List<String> scopeNames(int flags) {
        List<String> names = new ArrayList<>();
        if ((flags & TENANT) != 0) {
            names.add("tenant");
        }
        if ((flags & MANAGEMENT_GROUP) != 0) {
            names.add("management group");
        }
        if ((flags & SUBSCRIPTION) != 0) {
            names.add("subscription");
        }
        if ((flags & RESOURCE_GROUP) != 0) {
            names.add("resource group");
        }
        if ((flags & EXTENSION) != 0) {
            names.add("extension (scope: a resource)");
        }
        return names;
    }

    /**
     * Where a resource type may be deployed ({@code writable}) or referenced as {@code existing} ({@code readable}), as
     * the Bicep compiler reads it from the types file; empty when the file does not say (older bicep-types files).
     */
    Optional<Integer> scopes(String resourceTypeAtVersion, boolean writable) {
        for (JsonElement e : entries) {
            JsonObject o = e.getAsJsonObject();
            if ("ResourceType".equals(kind(o)) && o.get("name").getAsString().equalsIgnoreCase(resourceTypeAtVersion)) {
                JsonElement flags = o.get(writable ? "writableScopes" : "readableScopes");
                return flags == null ? Optional.empty() : Optional.of(flags.getAsInt());
            }
        }
        return Optional.empty();
    }

    /** Every resource type this file defines, e.g. {@code Microsoft.Web/sites@2024-04-01}. */
    List<String> resourceTypes() {
        List<String> names = new ArrayList<>();
        for (JsonElement e : entries) {
            if ("ResourceType".equals(kind(e.getAsJsonObject()))) {
                names.add(e.getAsJsonObject().get("name").getAsString());
            }
        }
        return names;
    }

    Type type(int index) {
        if (index < 0 || index >= parsed.length) {
            throw new IllegalArgumentException(name + ": no type #/" + index);
        }
        Type t = parsed[index];
        if (t == null) {
            t = parse(entries.get(index).getAsJsonObject());
            parsed[index] = t;
        }
        return t;
    }

    private Type parse(JsonObject e) {
        String kind = kind(e);
        return switch (kind) {
            case "StringType" -> new StringType(intOrNull(e, "minLength"), intOrNull(e, "maxLength"), stringOrNull(e, "pattern"));
            case "StringLiteralType" -> new StringLiteralType(e.get("value").getAsString());
            case "IntegerType" -> new IntegerType(longOrNull(e, "minValue"), longOrNull(e, "maxValue"));
            case "BooleanType" -> new BooleanType();
            case "AnyType" -> new AnyType();
            case "ArrayType" -> new ArrayType(ref(e.get("itemType")), intOrNull(e, "minLength"), intOrNull(e, "maxLength"));
            case "ObjectType" -> new ObjectType(stringOrNull(e, "name"), properties(e.getAsJsonObject("properties")),
                    e.has("additionalProperties") ? ref(e.get("additionalProperties")) : null);
            case "DiscriminatedObjectType" -> {
                Map<String, TypeRef> elements = new LinkedHashMap<>();
                e.getAsJsonObject("elements").entrySet().forEach(x -> elements.put(x.getKey(), ref(x.getValue())));
                yield new DiscriminatedObjectType(stringOrNull(e, "name"), e.get("discriminator").getAsString(),
                        properties(e.getAsJsonObject("baseProperties")), elements);
            }
            case "UnionType" -> {
                List<TypeRef> elements = new ArrayList<>();
                e.getAsJsonArray("elements").forEach(x -> elements.add(ref(x)));
                yield new UnionType(elements);
            }
            case "ResourceType" -> new ResourceType(e.get("name").getAsString(), ref(e.get("body")));
            default -> new Other(kind);
        };
    }

    private Map<String, Property> properties(JsonObject props) {
        Map<String, Property> out = new LinkedHashMap<>();
        if (props != null) {
            props.entrySet().forEach(p -> {
                JsonObject o = p.getValue().getAsJsonObject();
                out.put(p.getKey(), new Property(ref(o.get("type")), o.has("flags") ? o.get("flags").getAsInt() : 0,
                        stringOrNull(o, "description")));
            });
        }
        return out;
    }

    private TypeRef ref(JsonElement refObject) {
        String ref = refObject.getAsJsonObject().get("$ref").getAsString();
        if (!ref.startsWith("#/")) {
            throw new IllegalStateException(name + ": unsupported $ref " + ref);
        }
        return new TypeRef(this, Integer.parseInt(ref.substring(2)));
    }

    private static String kind(JsonObject e) {
        return e.get("$type").getAsString();
    }

    private static String stringOrNull(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsString() : null;
    }

    private static Integer intOrNull(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsInt() : null;
    }

    private static Long longOrNull(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull() ? o.get(key).getAsLong() : null;
    }

    @Override
    public String toString() {
        return "BicepSchema[" + name + "]";
    }
}
