package dev.aksrouteguard.core.model;

import java.util.List;
import java.util.Objects;

/**
 * What ARM says about a subnet, reduced to what the decision needs.
 *
 * @param addressPrefixes the subnet's prefixes ({@code addressPrefix} and {@code addressPrefixes} merged)
 * @param routeTable the associated route table, or null when there is none
 * @param etag the etag it was read with (sent back as {@code If-Match})
 * @param ipConfigurations the IDs of the network interfaces' IP configurations in the subnet ({@code ipConfigurations[]}):
 *     an AKS node's says which scale set (or VM) of which node resource group it belongs to
 * @param ipamPools the Virtual Network Manager IPAM pools its prefixes are allocated from
 *     ({@code ipamPoolPrefixAllocations[].pool.id}); empty when the prefixes are the subnet's own
 */
public record SubnetState(
        SubnetId id,
        List<String> addressPrefixes,
        @Nullable ResourceId routeTable,
        @Nullable String etag,
        @Nullable String provisioningState,
        List<String> ipConfigurations,
        List<String> ipamPools) {

    public SubnetState {
        Objects.requireNonNull(id, "id == null");
        addressPrefixes = List.copyOf(addressPrefixes);
        ipConfigurations = List.copyOf(ipConfigurations);
        ipamPools = List.copyOf(ipamPools);
    }

    /** A subnet whose prefixes are its own (no IPAM pool). */
    public SubnetState(SubnetId id, List<String> addressPrefixes, @Nullable ResourceId routeTable, @Nullable String etag,
            @Nullable String provisioningState, List<String> ipConfigurations) {
        this(id, addressPrefixes, routeTable, etag, provisioningState, ipConfigurations, List.of());
    }

    /** A subnet with no IP configuration in it. */
    public SubnetState(SubnetId id, List<String> addressPrefixes, @Nullable ResourceId routeTable, @Nullable String etag,
            @Nullable String provisioningState) {
        this(id, addressPrefixes, routeTable, etag, provisioningState, List.of());
    }
}
