/**
 * ARM adapters: subnets, the subscription inventory (managed clusters, route tables, virtual networks), error mapping
 * and call counting, over azure-core's HTTP pipeline (the Azure SDK's models read listed items). Every call names its
 * resource by its full ID, every interaction is bounded ({@link dev.aksrouteguard.azure.ArmLimits}), and a subnet is
 * written back as the JSON it was read as. Everything is non-null unless annotated
 * {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.azure;
