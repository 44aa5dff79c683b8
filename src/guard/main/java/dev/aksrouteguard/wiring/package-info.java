/**
 * The object graph, built once per worker (or CLI run) from validated settings: credential, HTTP client, ARM
 * clients, the cluster directory, the reconciler, the alert sink and the guard. The only package that knows every
 * adapter. Everything is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.wiring;
