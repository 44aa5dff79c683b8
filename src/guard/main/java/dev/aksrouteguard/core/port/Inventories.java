package dev.aksrouteguard.core.port;

/** Port: the {@link InventorySource} of each subscription; each lists only its own subscription. */
@FunctionalInterface
public interface Inventories {

    InventorySource of(String subscriptionId);
}
