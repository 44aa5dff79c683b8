package dev.aksrouteguard.core.port;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;

/** Port: read a subnet, and put a route table back on it. Implemented over ARM by {@code ArmSubnets}. */
public interface Subnets {

    /** A subnet as read from ARM; the adapter keeps the full body so that a write sends every property back. */
    interface Observed {
        SubnetState state();
    }

    /** A fresh GET of the subnet. @throws ArmException when it cannot be read */
    Observed get(SubnetId id);

    /**
     * Read–modify–write: sends back the subnet exactly as {@code read}, with only {@code routeTable} set, with
     * {@code If-Match} of the etag it was read with; follows the long-running operation to its end.
     *
     * @return the subnet as it is after the write
     * @throws ArmException when the write fails ({@link ArmException.Kind#PRECONDITION_FAILED} when it changed)
     */
    SubnetState associate(Observed read, ResourceId routeTable);
}
