/**
 * The ports: what the core needs from the outside world, named by capability ({@link
 * dev.aksrouteguard.core.port.Subnets}, {@link dev.aksrouteguard.core.port.InventorySource}, {@link
 * dev.aksrouteguard.core.port.AlertSink}, {@link dev.aksrouteguard.core.port.ArmTraffic}). Adapters in {@code azure}
 * and {@code teams} implement them; tests use in-memory fakes. Everything is non-null unless annotated
 * {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.core.port;
