/**
 * A local, stateful emulator of Azure Resource Manager (ARM) for the parts of Microsoft.Network and
 * Microsoft.ContainerService that aks-route-guard uses, served over real HTTPS to the real Azure SDK,
 * plus an App Service style managed-identity token endpoint.
 *
 * <p>Everything is non-null unless marked {@link dev.aksrouteguard.emulator.Nullable @Nullable}.
 * The public surface is {@link dev.aksrouteguard.emulator.ArmEmulator} and the few value types it uses;
 * everything else is package-private.
 */
package dev.aksrouteguard.emulator;
