package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.ClusterDirectory;
import dev.aksrouteguard.core.Inventory;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.Subnets;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ARM adapters, over the real Azure SDK and HTTPS, against the local emulator. */
class ArmAdaptersTest {

    Emulated azure = Emulated.start();

    @AfterEach
    void stop() {
        azure.close();
    }

    ArmClients clients() {
        return ArmClients.connect(azure.settings(), azure.arm.credential(Principal.GUARD),
                ArmClients.httpClient(azure.arm.clientSslContext()));
    }

    static JsonObject withoutServerFields(JsonObject subnet) {
        JsonObject copy = subnet.deepCopy();
        copy.remove("etag");
        JsonObject p = copy.getAsJsonObject("properties");
        p.remove("routeTable");
        p.remove("provisioningState");
        return copy;
    }

    @Test
    void readsTheSubnetAsTheDecisionNeedsIt() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        SubnetState s = clients().subnets().get(SubnetId.parse(c.nodeSubnetId())).state();
        assertEquals(ResourceId.parse(c.routeTableId()), s.routeTable());
        assertEquals(1, s.addressPrefixes().size());
        assertNotNull(s.etag());
        assertEquals(azure.resource(c.nodeSubnetId()).get("etag").getAsString(), s.etag());
        assertEquals(c.nodeNames().size(), s.ipConfigurations().size(), "one IP configuration per node: " + s.ipConfigurations());
        assertTrue(s.ipConfigurations().get(0).contains("/resourceGroups/" + c.nodeResourceGroup()
                + "/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-"), s.ipConfigurations().get(0));
        SubnetState listed = clients().inventories().of(Emulated.SUB).network().subnets().stream()
                .filter(n -> n.id().equals(s.id())).findFirst().orElseThrow();
        assertEquals(s.ipConfigurations(), listed.ipConfigurations(), "the VNet listing carries them too");
    }

    @Test
    void putsTheRouteTableBackAndKeepsEveryOtherPropertyWithOnePutCarryingTheEtag() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").serviceEndpointPolicy().drifted().seed(azure.arm);
        JsonObject before = azure.resource(c.nodeSubnetId());
        JsonObject vnetBefore = azure.resource(c.virtualNetworkId());
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        azure.arm.clearRequests();

        SubnetState after = subnets.associate(read, ResourceId.parse(c.routeTableId()));

        assertEquals(ResourceId.parse(c.routeTableId()), after.routeTable());
        assertEquals(c.routeTableId().toLowerCase(), azure.routeTableOf(c.nodeSubnetId()).toLowerCase());
        JsonObject now = azure.resource(c.nodeSubnetId());
        assertEquals(withoutServerFields(before), withoutServerFields(now), "every other property is back unchanged");
        JsonObject props = now.getAsJsonObject("properties");
        for (String kept : List.of("networkSecurityGroup", "natGateway", "serviceEndpoints", "serviceEndpointPolicies")) {
            assertTrue(props.has(kept), kept + " kept: " + props);
        }
        List<RecordedRequest> writes = azure.writes();
        assertEquals(1, writes.size(), writes.toString());
        assertTrue(writes.get(0).path().endsWith("/subnets/" + SubnetId.parse(c.nodeSubnetId()).name()));
        assertEquals(read.state().etag(), writes.get(0).ifMatch(), "If-Match is the etag read");
        assertEquals(vnetBefore.getAsJsonObject("properties").get("addressSpace"),
                azure.resource(c.virtualNetworkId()).getAsJsonObject("properties").get("addressSpace"));
    }

    @Test
    void followsTheLongRunningOperationToItsEnd() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        SubnetState after = subnets.associate(read, ResourceId.parse(c.routeTableId()));
        assertEquals("Succeeded", after.provisioningState());
        assertTrue(azure.arm.requests().stream().anyMatch(r -> r.method().equals("GET") && r.path().contains("/operations/")),
                "the operation was polled");
    }

    @Test
    void aThrottledPollOfAWriteArmAcceptedIsPolledAgainAndTheRepairCounted() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        // more 429s than the pipeline's own retries of one poll: ARM counts polls as reads
        azure.arm.inject(Fault.throttled("GET", "/operations/", 0).times(ArmLimits.MAX_RETRIES + 2));

        dev.aksrouteguard.core.model.Outcome o = azure.wiring().guard()
                .reconcile(SubnetId.parse(c.nodeSubnetId()), new dev.aksrouteguard.core.model.Trigger.Manual("test"));

        assertEquals(dev.aksrouteguard.core.model.Action.REASSOCIATED, o.action(), o.message());
        assertEquals(1, azure.puts("/subnets/").size(), "one write, followed to its end");
        assertEquals(ResourceId.parse(c.routeTableId()), ResourceId.parse(azure.routeTableOf(c.nodeSubnetId())));
    }

    @Test
    void aWriteWhosePollsFailUntilTheDeadlineIsReportedAsUnknownNotAsAFailedWrite() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("GET", "/operations/").respond(503, "ServiceUnavailable", "Busy.").retryAfter(0).always());
        Subnets subnets = Connect.to(azure, Connect.limits(null, java.time.Duration.ofSeconds(3), null, null, null)).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));

        assertEquals(ArmException.Kind.DEADLINE_EXCEEDED, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("the write may still complete"), e.getMessage());
        assertTrue(e.getMessage().contains("the last one failed"), e.getMessage());
        assertTrue(azure.arm.requests().stream().filter(r -> r.path().contains("/operations/")).count() > ArmLimits.MAX_RETRIES + 1,
                "polled again after the pipeline's retries gave up");
        assertEquals(1, azure.puts("/subnets/").size());
    }

    /**
     * A write followed by its {@code Location} URL: once the operation has ended, that URL answers "the exact same
     * response that would have been returned had the operation been executed synchronously" (ARM RPC, "202 Accepted and
     * Location Headers", step 5). A 429 {@code RetryableErrorDueToAnotherOperation} there is the write's own answer
     * (another operation held the subnet), which the reconciler treats as contention; polled again until the deadline,
     * it became "still running, the write may still complete" two minutes later, and the subnet {@code failed}.
     */
    @Test
    void aLocationUrlAnsweringThatAnotherOperationLockedTheSubnetIsTheWritesAnswerNotAPollToRepeat() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Subnets subnets = Connect.to(azure, Connect.limits(null, java.time.Duration.ofSeconds(5), null, null, null)).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        String location = azure.arm.endpoint().resolve("/subscriptions/" + Emulated.SUB
                + "/providers/Microsoft.Network/locations/westeurope/operationResults/op1?api-version=2025-05-01").toString();
        azure.arm.inject(Fault.on("PUT", "/subnets/").respondRaw(202, "").header("Location", location).header("Retry-After", "1"));
        azure.arm.inject(Fault.retryableErrorDueToAnotherOperation("GET", "/operationResults/op1").retryAfter(0).always());

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));

        assertEquals(ArmException.Kind.TRANSIENT, e.kind(), e.getMessage());
        assertEquals("RetryableErrorDueToAnotherOperation", e.code(), e.getMessage());
    }

    @Test
    void aStaleEtagIsAPreconditionFailure() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        azure.arm.put(c.virtualNetworkId(), azure.resource(c.virtualNetworkId()));
        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));
        assertEquals(ArmException.Kind.PRECONDITION_FAILED, e.kind());
        assertEquals(412, e.status());
        assertEquals(null, azure.routeTableOf(c.nodeSubnetId()));
    }

    @Test
    void aMissingJoinPermissionIsForbiddenAndNamesTheAction() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Emulated.ROLE_WITHOUT_ROUTE_TABLE_JOIN);
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));
        assertEquals(ArmException.Kind.FORBIDDEN, e.kind());
        assertEquals("LinkedAuthorizationFailed", e.code());
        assertEquals("Microsoft.Network/routeTables/join/action", e.missingAction());
        assertEquals(null, azure.routeTableOf(c.nodeSubnetId()));
    }

    @Test
    void aWriteThatAnotherWriteSupersededIsContentionNotAFailure() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("PUT", ".*/subnets/.*").supersededAsync().times(1));
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));

        assertEquals(ArmException.Kind.TRANSIENT, e.kind(), "nothing was written: the next read decides");
        assertEquals("CanceledAndSupersededDueToAnotherOperation", e.code());
        assertTrue(e.getMessage().contains("ended Canceled"), e.getMessage());
        assertTrue(e.getMessage().contains("was canceled and superseded by operation PutVirtualNetworkOperation"), e.getMessage());
        assertEquals(null, azure.routeTableOf(c.nodeSubnetId()), "a cancelled operation is not applied");
        assertEquals(read.state().etag(), subnets.get(SubnetId.parse(c.nodeSubnetId())).state().etag(),
                "the subnet is as it was before the write");
    }

    @Test
    void theGuardRidesOutASupersededWriteAndRepairsOnTheNextRead() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("PUT", ".*/subnets/.*").supersededAsync().times(1));

        dev.aksrouteguard.core.model.Outcome o = azure.wiring().guard()
                .reconcile(SubnetId.parse(c.nodeSubnetId()), new dev.aksrouteguard.core.model.Trigger.Manual("test"));

        assertEquals(dev.aksrouteguard.core.model.Action.REASSOCIATED, o.action(), o.message());
        assertEquals(ResourceId.parse(c.routeTableId()), ResourceId.parse(azure.routeTableOf(c.nodeSubnetId())));
        assertEquals(2, azure.puts("/subnets/").size(), "the cancelled write, then one on a fresh read");
    }

    @Test
    void aVnetLockedByAnotherOperationAnsweredWith429IsContentionAndDeferredNotAFailure() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.retryableErrorDueToAnotherOperation("PUT", ".*/subnets/.*").retryAfter(0).always());

        dev.aksrouteguard.core.model.Outcome o = azure.wiring().guard()
                .reconcile(SubnetId.parse(c.nodeSubnetId()), new dev.aksrouteguard.core.model.Trigger.Manual("test"));

        assertEquals(dev.aksrouteguard.core.model.Action.DEFERRED, o.action(), o.message());
        assertTrue(o.message().contains("another operation kept virtual network"), o.message());
        assertTrue(o.retryable(), "handed on to be tried again");
        assertEquals(null, azure.routeTableOf(c.nodeSubnetId()));
    }

    @Test
    void aFailedOperationIsReportedWithItsCode() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.inject(Fault.on("PUT", ".*/subnets/.*").failAsync("SubnetWriteBlocked", "a policy blocked the write").times(1));
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));
        assertEquals(ArmException.Kind.TERMINAL, e.kind());
        assertEquals("SubnetWriteBlocked", e.code());
        assertTrue(e.getMessage().contains("a policy blocked the write"), e.getMessage());
        assertEquals(null, azure.routeTableOf(c.nodeSubnetId()), "a failed operation is not applied");
    }

    @Test
    void aRouteTableThatIsGoneIsAnInvalidReference() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        azure.arm.delete(c.routeTableId());
        Subnets subnets = clients().subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(c.nodeSubnetId()));
        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(c.routeTableId())));
        assertEquals(ArmException.Kind.INVALID_REFERENCE, e.kind());
    }

    @Test
    void aGoneSubnetIsNotFound() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        SubnetId gone = SubnetId.parse(c.virtualNetworkId() + "/subnets/nope");
        ArmException e = assertThrows(ArmException.class, () -> clients().subnets().get(gone));
        assertEquals(ArmException.Kind.NOT_FOUND, e.kind());
    }

    @Test
    void throttlingIsRiddenOutHonouringAShortRetryAfter() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        azure.arm.inject(Fault.throttled("GET", ".*/subnets/.*", 0).times(2));
        SubnetState s = clients().subnets().get(SubnetId.parse(c.nodeSubnetId())).state();
        assertNotNull(s.routeTable());
        assertEquals(3, azure.arm.requests().stream().filter(r -> r.path().contains("/subnets/")).count());
    }

    @Test
    void theInventoryFollowsEveryPageAndCountsItsCalls() {
        azure.arm.pageSize(2);
        for (int i = 0; i < 5; i++) {
            Fixtures.kubenetCluster("rg-" + i, "aks-" + i).seed(azure.arm);
        }
        Fixtures.azureCniCluster("rg-cni", "aks-cni").seed(azure.arm);
        ArmClients clients = clients();
        Inventory inv = ClusterDirectory.of(Emulated.SUB, clients.inventories().of(Emulated.SUB), java.time.Clock.systemUTC(), ClusterDirectory.DEFAULT_TTL).refresh();
        assertEquals(6, inv.clusters().size());
        assertEquals(5, inv.routeTables().size());
        assertEquals(5, inv.kubenetNodeSubnets().size());
        inv.kubenetNodeSubnets().forEach(s -> assertNotNull(inv.subnet(s), s.toString()));
        assertEquals(3 + 3 + 3, clients.traffic().snapshot().reads(), "3 pages of clusters, 3 of route tables, 3 of VNets");
        assertEquals(0, clients.traffic().snapshot().writes());
        assertNotEquals(0, azure.arm.readCount());
    }
}
