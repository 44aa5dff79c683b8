package dev.aksrouteguard.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.network.fluent.SubnetsClient;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.Subnets;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Subnets over the Network RP. The write is a read–modify–write of the full subnet as read: the SDK model goes
 * back with every property it was read with (NSG, NAT gateway, service endpoints and policies, delegations,
 * network policies, …); only {@code routeTable} is set; {@code If-Match} carries the etag it was read with.
 */
final class ArmSubnets implements Subnets {

    private final SubnetsClient client;

    ArmSubnets(SubnetsClient client) {
        this.client = Objects.requireNonNull(client, "client == null");
    }

    /** The subnet as read, with the SDK model kept for the write. */
    private record Read(SubnetState state, SubnetInner body) implements Observed {}

    @Override
    public Observed get(SubnetId id) {
        SubnetInner inner;
        try {
            inner = client.getWithResponse(id.resourceGroup(), id.virtualNetworkName(), id.name(), null, Context.NONE).getValue();
        } catch (RuntimeException e) {
            throw ArmErrors.map("GET subnet " + id.name(), e);
        }
        if (inner == null) {
            throw new ArmException(ArmException.Kind.NOT_FOUND, 404, "NotFound", "GET subnet " + id.name() + " returned no body",
                    null, null, null);
        }
        return new Read(ArmMapping.subnet(id, inner), inner);
    }

    @Override
    public SubnetState associate(Observed observed, ResourceId routeTable) {
        if (!(observed instanceof Read read)) {
            throw new IllegalArgumentException("not read by this adapter: " + observed);
        }
        SubnetId id = read.state().id();
        if (read.state().etag() == null) {
            // Network RP always returns one; without it a concurrent change could be overwritten, so no write.
            throw new ArmException(ArmException.Kind.TERMINAL, 0, null, "subnet " + id.name()
                    + " was read without an etag; not writing it without If-Match", null, null, null);
        }
        SubnetInner body = copy(read.body());
        body.withRouteTable(new RouteTableInner().withId(routeTable.value()));
        Context context = new Context(IfMatchPolicy.ETAG, read.state().etag());
        String what = "PUT subnet " + id.name();
        SubnetInner after;
        try {
            SyncPoller<PollResult<SubnetInner>, SubnetInner> poller =
                    client.beginCreateOrUpdate(id.resourceGroup(), id.virtualNetworkName(), id.name(), body, context);
            PollResponse<PollResult<SubnetInner>> last = poller.waitForCompletion();
            if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                throw ArmErrors.operationFailed(what, last.getStatus().toString(),
                        last.getValue() == null ? null : last.getValue().getError());
            }
            after = poller.getFinalResult();
        } catch (ArmException e) {
            throw e;
        } catch (RuntimeException e) {
            throw ArmErrors.map(what, e);
        }
        if (after == null) {
            throw new ArmException(ArmException.Kind.TERMINAL, 0, null, what + " ended without a result", null, null, null);
        }
        return ArmMapping.subnet(id, after);
    }

    /** A deep copy through the model's own JSON, so the observed read is never mutated. */
    static SubnetInner copy(SubnetInner inner) {
        try {
            String json = inner.toJsonString();
            try (JsonReader reader = JsonProviders.createReader(json)) {
                return SubnetInner.fromJson(reader);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
