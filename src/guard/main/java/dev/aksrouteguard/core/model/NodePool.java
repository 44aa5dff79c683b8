package dev.aksrouteguard.core.model;

import java.util.Objects;

/** An agent pool of a managed cluster that runs in a customer subnet ({@code vnetSubnetID}). */
public record NodePool(String name, SubnetId subnet) {

    public NodePool {
        Objects.requireNonNull(name, "name == null");
        Objects.requireNonNull(subnet, "subnet == null");
    }
}
