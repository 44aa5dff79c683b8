package dev.aksrouteguard.core.model;

import java.util.Locale;

/** {@code REMEDIATION_MODE}: write the repair, or only report what it would be. */
public enum Mode {
    ENFORCE("enforce"),
    REPORT("report");

    private final String word;

    Mode(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Parses {@code enforce} or {@code report} (case-insensitive), or throws naming the accepted values. */
    public static Mode parse(String text) {
        for (Mode m : values()) {
            if (m.word.equals(text.trim().toLowerCase(Locale.ROOT))) {
                return m;
            }
        }
        throw new IllegalArgumentException("expected enforce or report, got '" + text + "'");
    }

    @Override
    public String toString() {
        return word;
    }
}
