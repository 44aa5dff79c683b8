package dev.aksrouteguard.bench;

import java.util.Arrays;
import java.util.Locale;

/** Mean and percentiles of a sample (nearest-rank), in the sample's unit. */
record Stats(int n, double mean, long p50, long p95, long min, long max) {

    static Stats of(long[] sample) {
        if (sample.length == 0) {
            throw new IllegalArgumentException("empty sample");
        }
        long[] sorted = sample.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(sorted).average().orElse(0);
        return new Stats(sorted.length, mean, rank(sorted, 0.50), rank(sorted, 0.95), sorted[0], sorted[sorted.length - 1]);
    }

    private static long rank(long[] sorted, double p) {
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    /** Nanoseconds shown as milliseconds with two decimals. */
    static String ms(double nanos) {
        return String.format(Locale.ROOT, "%.2f", nanos / 1e6);
    }

    static String ms(long nanos) {
        return ms((double) nanos);
    }
}
