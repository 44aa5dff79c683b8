/**
 * The retry queue over Azure Storage: work the Event Grid function could not finish within its budget is handed to a
 * Storage queue, and the queue-triggered function tries it again. Everything is non-null unless annotated
 * {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.queue;
