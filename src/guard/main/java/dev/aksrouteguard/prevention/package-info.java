/**
 * From repair to prevention: the exact change to a team's infrastructure as code that stops it stripping a kubenet node
 * subnet's route table again — Terraform (azurerm 4.x and 5.x), Bicep / ARM, and the Azure CLI command that fixes it
 * now — with the real subnet, VNet and route table in every line. Pure text generation over the core's records
 * ({@link dev.aksrouteguard.prevention.Prevention}); the command line ({@code prevent}, {@code audit}) and the Teams
 * card use the same text. Depends on nothing but {@code core.model} and the JDK. Everything is non-null unless
 * annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.prevention;
