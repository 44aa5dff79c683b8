package dev.aksrouteguard.azure;

import java.time.Duration;

/** Durations in messages people read: {@code 15s}, {@code 2m}, {@code 1m30s}, {@code 250ms}. */
final class Durations {

    private Durations() {}

    static String text(Duration d) {
        if (d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        long seconds = d.getSeconds();
        if (seconds < 60) {
            return seconds + "s";
        }
        long minutes = seconds / 60;
        long rest = seconds % 60;
        return rest == 0 ? minutes + "m" : minutes + "m" + rest + "s";
    }
}
