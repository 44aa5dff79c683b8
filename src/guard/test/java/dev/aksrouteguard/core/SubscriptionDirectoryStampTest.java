package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.port.InventorySource;
import dev.aksrouteguard.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A part is stamped with when its read started: a listing of many pages may miss what was written while it ran. */
class SubscriptionDirectoryStampTest {

    final TestClock clock = TestClock.at(Instant.parse("2026-12-05T10:00:00Z"));
    int reads;

    /** A listing that takes 7 s (12 pages, or a Retry-After), its first page read when it starts. */
    final InventorySource slow = new InventorySource() {
        @Override
        public List<Cluster> clusters() {
            reads++;
            clock.advance(Duration.ofSeconds(7));
            return List.of();
        }

        @Override
        public Optional<Cluster> cluster(ResourceId id) {
            return Optional.empty();
        }

        @Override
        public Network network() {
            return new Network(List.of(), List.of());
        }
    };

    @Test
    void aListingThatStartedBeforeAWriteIsReadAgainForItEvenIfItEndedAfter() {
        SubscriptionDirectory d = new SubscriptionDirectory("a", slow, clock, ClusterDirectory.DEFAULT_TTL);
        Instant started = clock.instant();
        d.clusters();
        assertEquals(started, d.lastClusters().readAt(), "stamped when the read started");

        Instant write = started.plusSeconds(1); // a cluster created, its subnet stripped, while the pages were read
        clock.advance(Duration.ofSeconds(20));
        assertTrue(d.rereadClusters(write.plus(ClusterDirectory.RECHECK_SKEW), ClusterDirectory.RECHECK_FLOOR, null));
        assertEquals(2, reads);

        Instant before = d.lastClusters().readAt().minusSeconds(30); // a write long before this listing
        clock.advance(Duration.ofSeconds(20));
        assertFalse(d.rereadClusters(before.plus(ClusterDirectory.RECHECK_SKEW), ClusterDirectory.RECHECK_FLOOR, null));
        assertEquals(2, reads, "a listing that started after the write answers for it");
    }
}
