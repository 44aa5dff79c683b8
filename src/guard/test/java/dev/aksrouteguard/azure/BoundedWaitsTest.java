package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.port.Subnets;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 8 §6: every ARM interaction ends. Each case is injected by the emulator the way a broken or overloaded ARM
 * behaves; the deadlines are shortened so that the tests are quick, and the assertions are on what went over the wire
 * and how the call failed, not on time.
 */
class BoundedWaitsTest {

    Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.arm.tokenDelay(Duration.ZERO);
        azure.close();
    }

    List<RecordedRequest> requestsTo(String pathEnd) {
        return azure.arm.requests().stream().filter(r -> r.path().toLowerCase().endsWith(pathEnd.toLowerCase())).toList();
    }

    @Test
    void anOperationThatNeverEndsIsFollowedUntilItsDeadlineThenFailsSayingTheSweepWillLookAgain() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("PUT", "/subnets/").neverEnds());
        Subnets subnets = Connect.to(azure, Connect.limits(null, Duration.ofSeconds(3), null, null, null)).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));

        assertEquals(ArmException.Kind.DEADLINE_EXCEEDED, e.kind());
        assertTrue(e.getMessage().startsWith("PUT subnet snet-aks-nodes: still running after 3s"), e.getMessage());
        assertTrue(e.getMessage().endsWith("the sweep will check again"), e.getMessage());
        List<RecordedRequest> polls = azure.arm.requests().stream().filter(r -> r.path().contains("/operations/")).toList();
        assertTrue(polls.size() >= 1 && polls.size() <= 3, "polled at Retry-After (1 s) until the deadline: " + polls.size());
        assertTrue(polls.stream().allMatch(p -> p.ifMatch() == null), "If-Match rides on the PUT only");
        assertEquals(read.state().etag(), azure.writes().get(0).ifMatch());
    }

    @Test
    void aRetryAfterBeyondTheCapIsNotWaitedForButHandedBackWithTheCall() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        azure.arm.inject(Fault.throttled("GET", "/subnets/", 120).always());
        azure.arm.clearRequests();

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).subnets().get(SubnetId.parse(c.nodeSubnetId())));

        assertEquals(ArmException.Kind.TRANSIENT, e.kind());
        assertEquals(429, e.status());
        assertEquals(Duration.ofSeconds(120), e.retryAfter(), "the caller learns when to come back");
        assertEquals(1, azure.arm.requests().size(), "one try, no wait");
    }

    @Test
    void aRetryAfterWithinTheCapIsWaitedForAndTheCallSucceeds() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        azure.arm.inject(Fault.throttled("GET", "/subnets/", 1).times(1));

        assertEquals(ResourceId.parse(c.routeTableId()),
                Connect.to(azure).subnets().get(SubnetId.parse(c.nodeSubnetId())).state().routeTable());
        assertEquals(List.of(429, 200), azure.arm.requests().stream().filter(r -> r.path().contains("/subnets/"))
                .map(RecordedRequest::status).toList());
    }

    @Test
    void retriesStopWhenTheCallsRetryBudgetIsSpent() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        azure.arm.inject(Fault.on("GET", "/subnets/").respond(503, "ServiceUnavailable", "Busy.").retryAfter(2).always());
        ArmLimits limits = new ArmLimits(ArmLimits.TOKEN_DEADLINE, ArmLimits.MAX_SINGLE_WAIT, 10, Duration.ofMillis(2500),
                ArmLimits.OPERATION_DEADLINE, ArmLimits.LIST_DEADLINE, ArmLimits.MAX_PAGES);

        ArmException e = assertThrows(ArmException.class,
                () -> Connect.to(azure, limits).subnets().get(SubnetId.parse(c.nodeSubnetId())));

        assertEquals(ArmException.Kind.TRANSIENT, e.kind());
        assertEquals(503, e.status());
        long tries = azure.arm.requests().stream().filter(r -> r.path().contains("/subnets/")).count();
        assertTrue(tries >= 1 && tries <= 2, "10 retries allowed, but the 2.5 s budget holds at most one 2 s wait: " + tries);
    }

    @Test
    void aNextLinkPointingAtItsOwnPageEndsTheListingAsUntrustworthy() {
        Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.ContainerService/managedClusters$").nextLinkToItself().always());
        azure.arm.clearRequests();

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).clusters());

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("nextLink repeats a page already read"), e.getMessage());
        assertEquals(1, requestsTo("/managedClusters").size(), "the repeated page is not requested again");
    }

    @Test
    void pagingStopsPastThePageCap() {
        azure.arm.pageSize(1);
        for (int i = 0; i < 4; i++) {
            Fixtures.kubenetCluster("rg-" + i, "aks-" + i).seed(azure.arm);
        }
        azure.arm.clearRequests();

        ArmException e = assertThrows(ArmException.class,
                () -> Connect.to(azure, Connect.limits(null, null, null, 3, null)).inventories().of(Emulated.SUB).clusters());

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("more than 3 pages"), e.getMessage());
        assertEquals(3, requestsTo("/managedClusters").size());
        assertEquals(4, Connect.to(azure, Connect.limits(null, null, null, 4, null)).inventories().of(Emulated.SUB).clusters().size(),
                "four pages fit a cap of four");
    }

    @Test
    void aListingStopsAtItsDeadline() {
        azure.arm.pageSize(1);
        for (int i = 0; i < 5; i++) {
            Fixtures.kubenetCluster("rg-" + i, "aks-" + i).seed(azure.arm);
        }
        azure.arm.inject(Fault.on("GET", "/managedClusters$").delay(Duration.ofMillis(400)).always());
        azure.arm.clearRequests();

        ArmException e = assertThrows(ArmException.class,
                () -> Connect.to(azure, Connect.limits(null, null, Duration.ofMillis(500), null, null)).inventories().of(Emulated.SUB).clusters());

        assertEquals(ArmException.Kind.DEADLINE_EXCEEDED, e.kind());
        assertTrue(e.getMessage().contains("still paging after 500ms"), e.getMessage());
        assertTrue(requestsTo("/managedClusters").size() < 5, "not every page was read");
    }

    @Test
    void aTokenEndpointThatHangsFailsTheCallAfterTheTokenDeadlineWithoutCallingArm() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        azure.arm.tokenDelay(Duration.ofHours(1));
        azure.arm.clearRequests();
        ArmClients clients = Connect.to(azure, Connect.limits(Duration.ofMillis(500), null, null, null, null));

        ArmException read = assertThrows(ArmException.class, () -> clients.subnets().get(SubnetId.parse(c.nodeSubnetId())));
        ArmException list = assertThrows(ArmException.class, () -> clients.inventories().of(Emulated.SUB).readAll());

        for (ArmException e : List.of(read, list)) {
            assertEquals(ArmException.Kind.TRANSIENT, e.kind());
            assertTrue(e.getMessage().contains("no access token within 500ms"), e.getMessage());
        }
        assertEquals(List.of(), azure.arm.requests(), "no ARM call without a token");
        azure.arm.tokenDelay(Duration.ZERO);
        assertNotNull(clients.subnets().get(SubnetId.parse(c.nodeSubnetId())).state().etag(),
                "once the endpoint answers, the same clients work");
    }

    @Test
    void anArmThatDoesNotAnswerAtAllIsTransientAfterTheRetryBudget() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        ArmClients clients = Connect.to(azure, Connect.limits(null, null, null, null, Duration.ofSeconds(1)));
        azure.arm.close();

        ArmException e = assertThrows(ArmException.class, () -> clients.subnets().get(SubnetId.parse(c.nodeSubnetId())));

        assertEquals(ArmException.Kind.TRANSIENT, e.kind());
        assertTrue(e.getMessage().startsWith("GET subnet snet-aks-nodes failed without a response"), e.getMessage());
    }
}
