/**
 * What the guard's Storage queues share (the alert queue in {@code teams}, the retry queue in {@code queue}): sending
 * with a bounded timeout, creating a missing queue, describing a failure without a secret. Everything is non-null
 * unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.storage;
