package dev.aksrouteguard.config;

import java.util.Objects;

/**
 * A value that must never reach a log or an output (a webhook URL with its signature, a connection string with its
 * key). {@link #toString()} hides it; only {@link #reveal()} gives it, at the one place that sends it.
 */
public final class Secret {

    private final String value;

    private Secret(String value) {
        this.value = Objects.requireNonNull(value, "value == null");
    }

    public static Secret of(String value) {
        return new Secret(value);
    }

    public String reveal() {
        return value;
    }

    @Override
    public String toString() {
        return "***";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
