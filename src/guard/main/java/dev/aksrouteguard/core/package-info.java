/**
 * The engine of the domain core: plain Java, no Azure SDK, no Functions, no Teams.
 *
 * <p>Every trigger (an Event Grid event, a timer tick, a CLI call) becomes a set of
 * {@link dev.aksrouteguard.core.model.SubnetId}s; {@link dev.aksrouteguard.core.Reconciler#reconcile} re-reads the
 * subnet, decides with a pure rule ({@code Rules}) and writes only when something differs. The records it works on
 * are in {@code core.model}, the interfaces the adapters implement in {@code core.port}.
 *
 * <p>Everything in this package is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.core;
