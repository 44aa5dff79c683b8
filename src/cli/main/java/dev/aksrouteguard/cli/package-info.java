/**
 * The command-line front end: {@code handle-event}, {@code reconcile}, {@code sweep}, {@code audit}, {@code demo} and
 * {@code emulator}. Everything is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.cli;
