package dev.aksrouteguard.core.model;

import java.util.Objects;

/** One route of a route table. */
public record Route(String name, @Nullable String addressPrefix, @Nullable String nextHopType, @Nullable String nextHopIpAddress) {

    public Route {
        Objects.requireNonNull(name, "name == null");
    }
}
