package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SweepStartOrderTest {

    private static final List<String> SUBS = List.of("a", "b", "c", "d", "e");
    private static final Instant MINUTE_0 = Instant.parse("2026-12-05T00:00:00Z");

    @Test
    void theSubscriptionsTheLastSweepDidNotReachStartFirst() {
        List<String> order = Sweeper.startOrder(SUBS, Set.of("e", "d"), MINUTE_0);

        assertEquals(List.of("d", "e"), order.subList(0, 2), "left out last time, in list order");
        assertEquals(Set.copyOf(SUBS), Set.copyOf(order));
        assertEquals(SUBS.size(), order.size(), "each once");
    }

    @Test
    void withoutMemoryTheStartMovesOnByOneEachMinuteSoEverySubscriptionLeadsInTurn() {
        Set<String> leaders = new HashSet<>();
        for (int minute = 0; minute < SUBS.size(); minute++) {
            List<String> order = Sweeper.startOrder(SUBS, Set.of(), MINUTE_0.plusSeconds(60L * minute + 59));
            assertEquals(SUBS.size(), order.size());
            assertEquals(Set.copyOf(SUBS), Set.copyOf(order));
            leaders.add(order.get(0));
        }
        assertEquals(Set.copyOf(SUBS), leaders, "a fresh instance each sweep still starts every subscription first in turn");
        assertEquals(List.of("c", "d", "e", "a", "b"), Sweeper.startOrder(SUBS, Set.of(), MINUTE_0.plusSeconds(120)));
    }

    @Test
    void theOrderIsTheListsWhenThereIsOneSubscription() {
        assertEquals(List.of("a"), Sweeper.startOrder(List.of("a"), Set.of(), MINUTE_0.plusSeconds(600)));
        assertEquals(List.of(), Sweeper.startOrder(List.of(), Set.of("a"), MINUTE_0));
    }
}
