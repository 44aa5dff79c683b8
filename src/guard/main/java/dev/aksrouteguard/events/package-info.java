/**
 * Event Grid and CloudEvents deliveries of ARM write events, parsed into hints for the core. Everything is
 * non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.events;
