package dev.aksrouteguard.core.model;

import java.util.List;
import java.util.Objects;

/**
 * A route table and the subnets ARM reports as associated with it ({@code properties.subnets}, read-only).
 */
public record RouteTable(ResourceId id, List<Route> routes, List<SubnetId> subnets) {

    public RouteTable {
        Objects.requireNonNull(id, "id == null");
        routes = List.copyOf(routes);
        subnets = List.copyOf(subnets);
    }

    public String name() {
        return id.name();
    }
}
