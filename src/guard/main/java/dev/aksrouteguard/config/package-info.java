/**
 * Settings (app settings = environment variables), validated once into one record that fails fast naming the
 * setting; secrets wrapped so they never print. The object graph is built from them in {@code wiring}. Everything
 * is non-null unless annotated {@link dev.aksrouteguard.core.model.Nullable}.
 */
package dev.aksrouteguard.config;
