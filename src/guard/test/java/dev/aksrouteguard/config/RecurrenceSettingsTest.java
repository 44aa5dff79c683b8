package dev.aksrouteguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Recurrence;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code RECURRENCE_THRESHOLD} strips within {@code RECURRENCE_WINDOW_DAYS}: when a subnet's alert escalates. */
class RecurrenceSettingsTest {

    static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        env.put(Settings.AZURE_SUBSCRIPTION_ID, "9b2f6c1e-4d3a-4e8b-a7c5-1f0e2d3c4b5a");
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    @Test
    void threeStripsInSevenDaysByDefault() {
        assertEquals(new Recurrence.Policy(3, Duration.ofDays(7)), Settings.from(env()).recurrence());
        assertEquals(Recurrence.Policy.DEFAULT, Settings.from(env()).recurrence());
    }

    @Test
    void bothAreReadAndKeptWithoutAlerts() {
        Settings s = Settings.from(env(Settings.RECURRENCE_THRESHOLD, "5", Settings.RECURRENCE_WINDOW_DAYS, "30"));
        assertEquals(new Recurrence.Policy(5, Duration.ofDays(30)), s.recurrence());
        assertEquals(s.recurrence(), s.withoutAlerts().recurrence());
        assertEquals("in the last 30 days", s.recurrence().windowWords());
    }

    @Test
    void aValueThatIsNotAWholePositiveNumberFailsNamingTheSetting() {
        for (String[] bad : new String[][] {{Settings.RECURRENCE_THRESHOLD, "0"}, {Settings.RECURRENCE_THRESHOLD, "two"},
                {Settings.RECURRENCE_WINDOW_DAYS, "1.5"}, {Settings.RECURRENCE_WINDOW_DAYS, "400"}}) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Settings.from(env(bad)));
            assertTrue(e.getMessage().startsWith("setting " + bad[0] + " is invalid"), e.getMessage());
        }
    }
}
