package dev.aksrouteguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against an ARM that misbehaves: every wait ends, with exit 1 and one clear line, and nothing is
 * written. (The adapters' own bounds are tested in {@code BoundedWaitsTest}; these are the commands pipelines run.)
 */
class CliFaultsTest {

    final Emulated azure = Emulated.start();
    final ByteArrayOutputStream out = new ByteArrayOutputStream();
    final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        azure.close();
    }

    int run(String... args) {
        return Main.run(args, azure.env(), new ByteArrayInputStream(new byte[0]),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                azure.options());
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void anAuditWhoseClusterListingPointsAtItselfEndsWithExitOne() {
        Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$").nextLinkToItself().always());
        assertEquals(1, run("audit", "--fail-on-drift"), err());
        assertTrue(err().toLowerCase().contains("nextlink"), err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void aSweepWhoseClusterListingPointsAtItselfEndsWithExitOneAndWritesNothing() {
        Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*/providers/Microsoft.ContainerService/managedClusters$").nextLinkToItself().always());
        assertEquals(1, run("sweep", "--json"), err());
        assertFalse(err().contains("\tat "), "no stack trace: " + err());
        assertEquals(0, azure.writes().size());
    }

    @Test
    void anEventUnderThrottlingThatAsksForTwoMinutesEndsWithExitOneWithoutWaitingThem() throws Exception {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", ".*").respond(429, "TooManyRequests", "throttled").retryAfter(120).always());
        Path f = dir.resolve("event.json");
        Files.writeString(f, EventJson.delivery(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid()));
        assertEquals(1, run("handle-event", f.toString(), "--json"), err());
        assertTrue(err().contains("429") || err().toLowerCase().contains("throttl"), err());
        assertEquals(0, azure.writes().size());
    }
}
