/**
 * What the guard's Storage queues share (the alert queue in {@code teams}, the retry queue in {@code queue}): sending
 * with a bounded timeout, creating a missing queue, describing a failure without a secret; and what its two tables
 * share (the alert memory in {@code teams}, the repair history in {@code history}): creating the table once, reading a
 * time back, describing a failure. Everything is non-null unless annotated
 * {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.storage;
