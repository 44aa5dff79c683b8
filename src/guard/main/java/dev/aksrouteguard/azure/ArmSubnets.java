package dev.aksrouteguard.azure;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.Subnets;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Subnets over the Network RP, addressed by their full resource ID. The write is a read–modify–write of the raw
 * document: the JSON exactly as read goes back with only {@code properties.routeTable} set, so that every property is
 * kept, whether or not an SDK model knows it (a property newer than the model, such as {@code serviceGateway}, unknown
 * keys inside known objects, a subnet's IPAM pool allocation); {@code If-Match} carries the etag read. Read-only
 * properties in the body ({@code provisioningState}, {@code ipConfigurations}, {@code purpose},
 * {@code ipamPoolPrefixAllocations[].allocatedAddressPrefixes}, the etag) go back too, as the SDK sent them; ARM
 * ignores them.
 *
 * <p>Nothing is decided or written on a read that cannot be trusted (see {@link SubnetDocument}): such a read fails
 * {@link ArmException.Kind#INVALID_RESPONSE} ("incomplete read of subnet …; not writing").
 */
final class ArmSubnets implements Subnets {

    /**
     * The api-version of the GET and of the PUT: the same one, so that what is written back is what was read in the
     * same version's terms. 2025-05-01 is the first stable Network version whose subnet has the service gateway
     * reference (azure-rest-api-specs, {@code specification/network/resource-manager/Microsoft.Network/stable/2025-05-01/virtualNetwork.json},
     * {@code SubnetPropertiesFormat}); the azure-resourcemanager-network 2.57.0 models stop at 2025-03-01.
     */
    static final String API_VERSION = "2025-05-01";

    private final ArmRest arm;

    ArmSubnets(ArmRest arm) {
        this.arm = Objects.requireNonNull(arm, "arm == null");
    }

    /** The subnet as read, with the document exactly as ARM answered it. */
    private record Read(SubnetState state, JsonObject document) implements Observed {}

    @Override
    public Observed get(SubnetId id) {
        String what = "GET subnet " + id.name();
        ArmRest.Answer answer = arm.get(id.toString(), API_VERSION, what);
        JsonObject doc = document(id, answer.body(), false);
        return new Read(SubnetDocument.state(id, doc), doc);
    }

    @Override
    public SubnetState associate(Observed observed, ResourceId routeTable) {
        if (!(observed instanceof Read read)) {
            throw new IllegalArgumentException("not read by this adapter: " + observed);
        }
        SubnetId id = read.state().id();
        String problem = SubnetDocument.problemForWrite(read.document(), id);
        if (problem != null) {
            throw incomplete(id, problem);
        }
        ResourceId current = read.state().routeTable();
        if (current != null && !current.equals(routeTable)) {
            throw ArmException.terminal("subnet " + id.name() + " carries route table " + current.name()
                    + "; the guard never replaces a route table, not writing", null);
        }
        JsonObject body = read.document().deepCopy();
        JsonObject reference = new JsonObject();
        reference.addProperty("id", routeTable.value());
        body.getAsJsonObject("properties").add("routeTable", reference);
        byte[] bytes = StrictJson.GSON.toJson(body).getBytes(StandardCharsets.UTF_8);
        String etag = read.state().etag();
        ArmRest.Answer after = arm.putAndFollow(id.toString(), API_VERSION, bytes, Objects.requireNonNull(etag),
                "PUT subnet " + id.name());
        return SubnetDocument.state(id, document(id, after.body(), true));
    }

    /** The answer as a subnet document of {@code id}, or the reason it is not one. */
    private static JsonObject document(SubnetId id, byte[] body, boolean afterWrite) {
        JsonElement parsed;
        try {
            parsed = StrictJson.parse(body);
        } catch (IllegalArgumentException e) {
            throw afterWrite ? afterWrite(id, e.getMessage()) : incomplete(id, e.getMessage() + ", so it cannot be carried back intact");
        }
        String problem = SubnetDocument.problem(parsed, id);
        if (problem != null) {
            throw afterWrite ? afterWrite(id, problem) : incomplete(id, problem);
        }
        return parsed.getAsJsonObject();
    }

    private static ArmException incomplete(SubnetId id, String problem) {
        return ArmErrors.invalid("incomplete read of subnet " + id.name() + " (" + problem + "); not writing");
    }

    private static ArmException afterWrite(SubnetId id, String problem) {
        return ArmErrors.invalid("PUT subnet " + id.name() + " succeeded, but the subnet read after it cannot be trusted ("
                + problem + ")");
    }
}
