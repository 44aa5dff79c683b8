package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.Subnets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Subnets held in memory, with etags and scripted failures, for reconciler tests without HTTP. */
final class InMemorySubnets implements Subnets {

    private final Map<SubnetId, SubnetState> subnets = new HashMap<>();
    private final Deque<ArmException> getFailures = new ArrayDeque<>();
    private final Deque<ArmException> putFailures = new ArrayDeque<>();
    final List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
    private int etag = 1;
    /** Run just before a PUT is applied: lets a test change the subnet "under" the reconciler. */
    Runnable beforePut = () -> {};
    /** When set, the next GET answers this state as read (a broken answer), once. */
    SubnetState nextRead;

    private record Read(SubnetState state) implements Observed {}

    synchronized InMemorySubnets put(SubnetState s) {
        subnets.put(s.id(), new SubnetState(s.id(), s.addressPrefixes(), s.routeTable(), "W/\"" + etag++ + "\"", "Succeeded",
                s.ipConfigurations()));
        return this;
    }

    /** The subnet as stored, now reading {@code provisioningState} (an operation on it still running, say). */
    synchronized InMemorySubnets provisioningState(SubnetId id, String state) {
        SubnetState s = subnets.get(id);
        subnets.put(id, new SubnetState(id, s.addressPrefixes(), s.routeTable(), s.etag(), state, s.ipConfigurations()));
        return this;
    }

    synchronized SubnetState state(SubnetId id) {
        return subnets.get(id);
    }

    InMemorySubnets failGet(ArmException e) {
        getFailures.add(e);
        return this;
    }

    InMemorySubnets failPut(ArmException e) {
        putFailures.add(e);
        return this;
    }

    long puts() {
        return calls.stream().filter(c -> c.startsWith("PUT")).count();
    }

    @Override
    public synchronized Observed get(SubnetId id) {
        calls.add("GET " + id.name());
        if (!getFailures.isEmpty()) {
            throw getFailures.poll();
        }
        SubnetState s = subnets.get(id);
        if (nextRead != null) {
            s = nextRead;
            nextRead = null;
        }
        if (s == null) {
            throw new ArmException(ArmException.Kind.NOT_FOUND, 404, "NotFound", "subnet " + id.name() + " not found", null, null, null);
        }
        return new Read(s);
    }

    @Override
    public synchronized SubnetState associate(Observed read, ResourceId routeTable) {
        SubnetId id = read.state().id();
        calls.add("PUT " + id.name() + " " + routeTable.name());
        beforePut.run();
        beforePut = () -> {};
        if (!putFailures.isEmpty()) {
            throw putFailures.poll();
        }
        SubnetState now = subnets.get(id);
        if (now == null) {
            throw new ArmException(ArmException.Kind.NOT_FOUND, 404, "NotFound", "gone", null, null, null);
        }
        if (!now.etag().equals(read.state().etag())) {
            throw new ArmException(ArmException.Kind.PRECONDITION_FAILED, 412, "PreconditionFailed", "etag mismatch", null, null, null);
        }
        SubnetState after = new SubnetState(id, now.addressPrefixes(), routeTable, "W/\"" + etag++ + "\"", "Succeeded",
                now.ipConfigurations());
        subnets.put(id, after);
        return after;
    }

    static ArmException transientError(int status, String code) {
        return new ArmException(ArmException.Kind.TRANSIENT, status, code, code, java.time.Duration.ofSeconds(3), null, null);
    }
}
