package dev.aksrouteguard.teams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/**
 * An alert the background queue loses is a {@code failed alerts: } line, the prefix the failed-outcome health alert
 * reads (docs/deploy.md, "The queries and the log lines they read"): a dropped alert must not be a line no alert sees.
 */
class BackgroundQueueTest {

    @Test
    void anAlertWhoseTaskThrowsIsAFailedAlertsLine() {
        try (LogCapture logs = new LogCapture()) {
            BackgroundQueue queue = new BackgroundQueue("test-alerts", logs.logger(), Redaction.of(null));
            queue.submit("conflict snet-a", () -> {
                throw new IllegalStateException("boom");
            });
            assertTrue(queue.flush(Duration.ofSeconds(10)));
            List<String> warnings = logs.lines(Level.WARNING);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("failed alerts: conflict snet-a not sent: "), warnings.get(0));
            queue.close(Duration.ofSeconds(1));
        }
    }

    @Test
    void anAlertDroppedBecauseTheQueueIsFullIsAFailedAlertsLine() throws Exception {
        try (LogCapture logs = new LogCapture()) {
            BackgroundQueue queue = new BackgroundQueue("test-alerts", logs.logger(), Redaction.of(null));
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            queue.submit("first", () -> {
                running.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            running.await();
            for (int i = 0; i <= BackgroundQueue.CAPACITY; i++) {
                queue.submit("reassociated snet-" + i, () -> {});
            }
            release.countDown();
            assertTrue(queue.flush(Duration.ofSeconds(10)));
            List<String> warnings = logs.lines(Level.WARNING);
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).startsWith("failed alerts: more than " + BackgroundQueue.CAPACITY
                    + " alerts waiting; dropped reassociated snet-" + BackgroundQueue.CAPACITY), warnings.get(0));
            queue.close(Duration.ofSeconds(1));
        }
    }
}
