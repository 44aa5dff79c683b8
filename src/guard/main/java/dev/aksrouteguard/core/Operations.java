package dev.aksrouteguard.core;

import dev.aksrouteguard.core.model.Nullable;
import java.util.Locale;
import java.util.Set;

/**
 * The ARM operations whose write events can strip or need a route-table association: the one source of truth for
 * the event mapping and for the {@code data.operationName} filter of the event subscription in {@code infra/}.
 */
public final class Operations {

    /** A subnet was written: that subnet. */
    public static final String SUBNET_WRITE = "Microsoft.Network/virtualNetworks/subnets/write";

    /** A VNet was written (an IaC re-deploy with inline subnets): its kubenet node subnets. */
    public static final String VNET_WRITE = "Microsoft.Network/virtualNetworks/write";

    /** A cluster was written (created, updated, migrated): its node subnets. */
    public static final String CLUSTER_WRITE = "Microsoft.ContainerService/managedClusters/write";

    /** A node pool was written (e.g. a new pool in a new subnet): the cluster's node subnets. */
    public static final String AGENT_POOL_WRITE = "Microsoft.ContainerService/managedClusters/agentPools/write";

    /** Every operation the guard acts on. */
    public static final Set<String> HANDLED = Set.of(SUBNET_WRITE, VNET_WRITE, CLUSTER_WRITE, AGENT_POOL_WRITE);

    private Operations() {}

    /** The canonical spelling of a handled operation (ARM's casing varies), or null when it is not handled. */
    public static @Nullable String canonical(@Nullable String operationName) {
        if (operationName == null) {
            return null;
        }
        String lower = operationName.trim().toLowerCase(Locale.ROOT);
        return HANDLED.stream().filter(op -> op.toLowerCase(Locale.ROOT).equals(lower)).findFirst().orElse(null);
    }
}
