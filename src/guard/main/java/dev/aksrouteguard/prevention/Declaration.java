package dev.aksrouteguard.prevention;

import dev.aksrouteguard.core.model.Nullable;

/**
 * How the IaC declares the subnet. ARM cannot say: a VNet's subnets look the same whether a template lists them inline
 * or as resources of their own. The write that stripped the table can: a {@code virtualNetworks/write} rewrote the
 * whole VNet (inline subnets), a {@code virtualNetworks/subnets/write} rewrote the subnet alone (a resource of its own).
 * Without such a write (a sweep, an audit, an empty history) both fixes are offered with the rule for choosing.
 */
public enum Declaration {
    /** The VNet lists its subnets: Terraform {@code subnet {}} blocks, a Bicep {@code subnets: [...]} array. */
    INLINE,
    /** The subnet is a resource of its own: {@code azurerm_subnet}, a Bicep {@code virtualNetworks/subnets} resource. */
    SEPARATE,
    /** No write says which. */
    UNKNOWN;

    static final String VNET_WRITE = "Microsoft.Network/virtualNetworks/write";
    static final String SUBNET_WRITE = "Microsoft.Network/virtualNetworks/subnets/write";

    /** From the operation of the write that stripped the table. */
    public static Declaration fromOperation(@Nullable String operation) {
        if (operation == null) {
            return UNKNOWN;
        }
        if (operation.equalsIgnoreCase(VNET_WRITE)) {
            return INLINE;
        }
        return operation.equalsIgnoreCase(SUBNET_WRITE) ? SEPARATE : UNKNOWN;
    }

    /** The evidence, in one sentence. */
    String evidence(String vnet, String subnet) {
        return switch (this) {
            case INLINE -> "A write of the whole virtual network " + vnet + " (" + VNET_WRITE + ") stripped the table: its subnets are"
                    + " declared inline, so the entry of " + subnet + " must carry the table.";
            case SEPARATE -> "A write of the subnet alone (" + SUBNET_WRITE + ") stripped the table: " + subnet + " is declared as a"
                    + " resource of its own, so that resource must carry the table.";
            case UNKNOWN -> "No write event says how your IaC declares " + subnet + " (ARM cannot tell inline subnets from separate"
                    + " ones): both forms follow, with the rule for choosing.";
        };
    }
}
