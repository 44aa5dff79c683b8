package dev.aksrouteguard.wiring;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on first use, once, by the first thread that asks; the others wait for it. What a worker may never
 * need (the Teams sink, the Storage clients) is built this way, so that a new instance does not load and build it
 * before its first event (docs/performance.md, "Cold start"). A build that throws is tried again by the next caller.
 */
final class Lazy<T> implements Supplier<T> {

    private final Supplier<? extends T> build;
    private volatile T value;

    private Lazy(Supplier<? extends T> build) {
        this.build = Objects.requireNonNull(build, "build == null");
    }

    static <T> Lazy<T> of(Supplier<? extends T> build) {
        return new Lazy<>(build);
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = Objects.requireNonNull(build.get(), "a lazy value was built as null");
                    value = v;
                }
            }
        }
        return v;
    }

    /** True once the value has been built. */
    boolean built() {
        return value != null;
    }
}
