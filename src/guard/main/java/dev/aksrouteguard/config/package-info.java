/**
 * Settings (app settings = environment variables), validated once into one record, and the object graph built
 * once per worker from them. Everything is non-null unless annotated {@link dev.aksrouteguard.core.Nullable}.
 */
package dev.aksrouteguard.config;
