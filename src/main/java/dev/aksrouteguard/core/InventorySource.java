package dev.aksrouteguard.core;

/**
 * Port: read the whole subscription with list calls (managed clusters, route tables, virtual networks with their
 * inline subnets), following every page. Implemented over ARM by {@code ArmInventory}.
 */
public interface InventorySource {

    /** @throws ArmException when a list call fails */
    Inventory read();
}
