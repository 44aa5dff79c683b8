package dev.aksrouteguard.core.model;

import java.util.Objects;

/** The key the reconciler works on: a subnet of a virtual network. Case-insensitive, like {@link ResourceId}. */
public record SubnetId(ResourceId id) {

    public static final String TYPE = "Microsoft.Network/virtualNetworks/subnets";

    public SubnetId {
        Objects.requireNonNull(id, "id == null");
        if (!id.isType(TYPE)) {
            throw new IllegalArgumentException("not a subnet ID (expected " + TYPE + "): " + id);
        }
    }

    /** Parses a subnet resource ID, throwing {@link IllegalArgumentException} with the reason when it is not one. */
    public static SubnetId parse(String value) {
        return new SubnetId(ResourceId.parse(value));
    }

    public static SubnetId of(String subscriptionId, String resourceGroup, String virtualNetwork, String subnet) {
        return parse("/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
                + "/providers/Microsoft.Network/virtualNetworks/" + virtualNetwork + "/subnets/" + subnet);
    }

    public ResourceId virtualNetwork() {
        return id.parent();
    }

    public String name() {
        return id.name();
    }

    public String virtualNetworkName() {
        return id.parent().name();
    }

    public String resourceGroup() {
        return Objects.requireNonNull(id.resourceGroup());
    }

    public String subscriptionId() {
        return id.subscriptionId();
    }

    // Written out, though they say what the record's would: those link through an invokedynamic bootstrap at their
    // first use, a few milliseconds of every cold start, and this is the key of every map on the event path.
    @Override
    public boolean equals(Object o) {
        return o instanceof SubnetId other && id.equals(other.id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id.toString();
    }
}
