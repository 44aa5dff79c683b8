package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.RetryAfter;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

class BackoffTest {

    final Backoff backoff = new Backoff(4, Duration.ofSeconds(1), Duration.ofSeconds(8), d -> {});

    @Test
    void doublesFromTheBaseUpToTheCap() {
        assertEquals(Duration.ofSeconds(1), backoff.delay(1, null));
        assertEquals(Duration.ofSeconds(2), backoff.delay(2, null));
        assertEquals(Duration.ofSeconds(4), backoff.delay(3, null));
        assertEquals(Duration.ofSeconds(8), backoff.delay(9, null));
    }

    @Test
    void aLongerRetryAfterWinsButIsCapped() {
        assertEquals(Duration.ofSeconds(5), backoff.delay(1, Duration.ofSeconds(5)));
        assertEquals(Duration.ofSeconds(2), backoff.delay(2, Duration.ofSeconds(1)));
        assertEquals(Duration.ofSeconds(8), backoff.delay(1, Duration.ofMinutes(10)));
    }

    @Test
    void readsRetryAfterAsSecondsOrAnHttpDate() {
        assertEquals(Duration.ofSeconds(7), RetryAfter.parse(" 7 "));
        assertEquals(Duration.ZERO, RetryAfter.parse("0"));
        String soon = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = RetryAfter.parse(soon);
        assertTrue(d.compareTo(Duration.ofSeconds(31)) <= 0 && !d.isNegative(), d.toString());
        assertEquals(Duration.ZERO, RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT"), "a past date is no wait");
        assertNull(RetryAfter.parse("-3"));
        assertNull(RetryAfter.parse("soon"));
        assertNull(RetryAfter.parse(null));
    }
}
