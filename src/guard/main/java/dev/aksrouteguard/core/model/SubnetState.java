package dev.aksrouteguard.core.model;

import java.util.List;
import java.util.Objects;

/**
 * What ARM says about a subnet, reduced to what the decision needs.
 *
 * @param addressPrefixes the subnet's prefixes ({@code addressPrefix} and {@code addressPrefixes} merged)
 * @param routeTable the associated route table, or null when there is none
 * @param etag the etag it was read with (sent back as {@code If-Match})
 */
public record SubnetState(
        SubnetId id,
        List<String> addressPrefixes,
        @Nullable ResourceId routeTable,
        @Nullable String etag,
        @Nullable String provisioningState) {

    public SubnetState {
        Objects.requireNonNull(id, "id == null");
        addressPrefixes = List.copyOf(addressPrefixes);
    }
}
