package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Actor;
import dev.aksrouteguard.core.model.ArmWrite;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.RetryRequest;
import dev.aksrouteguard.core.model.Trigger;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.SeededCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Giving up an event after the last try, over the SDK against the emulator, on the setup of {@link ClusterDirectoryTest}
 * (subscriptions A and B, every request to B held): a VNet write whose known subnet stays busy while B is never read
 * gives up that subnet as a failed outcome, alerted, and still says that B's clusters were never read.
 */
class EventGiveUpTest {

    final ClusterDirectoryTest setup = new ClusterDirectoryTest();

    @AfterEach
    void stop() {
        setup.stop();
    }

    @Test
    void anEventGivenUpWhileASubscriptionIsUnreadGivesUpItsBusySubnetAndKeepsTheUnreadReason() {
        SeededCluster mine = Fixtures.kubenetCluster("rg-net", "aks-net").drifted().seed(setup.azure.arm);
        Fixtures.kubenetCluster("rg-b", "aks-b").subscription(ClusterDirectoryTest.B).seed(setup.azure.arm);
        setup.azure.arm.inject(Fault.anotherOperationInProgress("PUT", ".*/subnets/.*").always());
        Guard guard = setup.guard();
        setup.hold.close(); // B is never read
        ArmWrite vnetWrite = new ArmWrite("e-vnet", "Microsoft.Network/virtualNetworks/write",
                ResourceId.parse(mine.virtualNetworkId()), Instant.parse("2026-12-04T10:00:00Z"), "corr-1",
                new Actor("alice@contoso.com", "app-1", "203.0.113.7"));
        RetryRequest last = new RetryRequest(vnetWrite.subject(), new Trigger.Event(vnetWrite), Guard.MAX_RETRIES);

        Guard.RetryResult r = guard.onRetry(last, setup.clock.instant().plus(Duration.ofSeconds(20)));

        assertEquals(Guard.Disposition.GAVE_UP, r.disposition());
        Outcome subnet = ClusterDirectoryTest.outcomeFor(new dev.aksrouteguard.core.model.DeliveryResult(List.of(), r.outcomes(),
                List.of(), 0), mine.nodeSubnetId());
        assertEquals(Action.FAILED, subnet.action(), subnet.logLine());
        assertTrue(subnet.message().startsWith("gave up after " + Guard.MAX_RETRIES + " tries"), subnet.message());
        assertTrue(setup.azure.alerts.outcomes.stream().anyMatch(o -> o.action() == Action.FAILED
                && o.subnet().toString().equalsIgnoreCase(mine.nodeSubnetId())), "alerted: " + setup.azure.alerts.outcomes);
        assertNotNull(r.failure(), "the event-level reason is kept beside the subnet given up");
        assertTrue(r.failure().startsWith("failed " + mine.virtualNetworkId()) && r.failure().contains(ClusterDirectoryTest.B)
                && r.failure().contains("never read"), r.failure());
        assertEquals(List.of(last), setup.azure.retries.givenUp);
    }
}
