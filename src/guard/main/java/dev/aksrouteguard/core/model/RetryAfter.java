package dev.aksrouteguard.core.model;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** The one reading of an HTTP {@code Retry-After} header, for every HTTP peer (ARM, Teams). */
public final class RetryAfter {

    private RetryAfter() {}

    /**
     * An HTTP {@code Retry-After} header: delay-seconds or an HTTP date (a date in the past is no wait). Null when
     * absent, negative or unreadable. One reading for every HTTP peer (ARM, Teams).
     */
    public static @Nullable Duration parse(@Nullable String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        try {
            long seconds = Long.parseLong(h);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            try {
                OffsetDateTime at = OffsetDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration d = Duration.between(OffsetDateTime.now(at.getOffset()), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
