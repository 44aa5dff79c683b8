/**
 * The core's values: ARM IDs (case-insensitive records), clusters, route tables, subnet states, triggers and
 * outcomes. Immutable; depends on nothing but the JDK. Everything is non-null unless annotated {@link Nullable}.
 */
package dev.aksrouteguard.core.model;
