/**
 * ARM adapters over the Azure SDK for Java: subnets, the subscription inventory (managed clusters, route tables,
 * virtual networks), error mapping and call counting. Everything is non-null unless annotated
 * {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.azure;
