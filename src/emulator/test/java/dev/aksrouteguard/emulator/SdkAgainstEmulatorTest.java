package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.policy.AddHeadersFromContextPolicy;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.fluent.SubnetsClient;
import com.azure.resourcemanager.network.fluent.models.RouteTableInner;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import com.azure.resourcemanager.network.fluent.models.VirtualNetworkInner;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The real Azure SDK (azure-resourcemanager-network, JDK HTTP client, ARM pipeline with its retry and
 * polling) against the emulator.
 */
class SdkAgainstEmulatorTest {
    private ArmEmulator arm;
    private NetworkManager network;
    private SubnetsClient subnets;
    private SeededCluster cluster;

    @BeforeEach
    void start() {
        arm = ArmEmulator.start().asyncOperations(0, 1);
        network = Sdk.network(arm);
        subnets = network.serviceClient().getSubnets();
        cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
    }

    @AfterEach
    void stop() {
        arm.close();
    }

    private SubnetInner nodeSubnet() {
        return subnets.get("rg-app", "vnet-aks-app", "snet-aks-nodes");
    }

    private List<RecordedRequest> requests(String method) {
        return arm.requests().stream().filter(r -> r.method().equals(method)).toList();
    }

    @Test
    void listsVirtualNetworksAcrossPagesFollowingNextLink() {
        for (int i = 0; i < 4; i++) {
            Fixtures.kubenetCluster("rg-" + i, "aks-" + i).seed(arm);
        }
        arm.pageSize(2);
        arm.clearRequests();

        List<String> names = network.serviceClient().getVirtualNetworks().list().stream()
                .map(VirtualNetworkInner::name).toList();

        assertEquals(5, names.size());
        assertEquals(5, Set.copyOf(names).size());
        assertEquals(3, arm.readCount(), "three pages");
    }

    @Test
    void getsASubnetWithItsRouteTableReference() {
        SubnetInner subnet = nodeSubnet();

        assertEquals(cluster.nodeSubnetId(), subnet.id());
        assertEquals(cluster.routeTableId(), subnet.routeTable().id());
        assertEquals(cluster.networkSecurityGroupId(), subnet.networkSecurityGroup().id());
        assertEquals(3, subnet.ipConfigurations().size());
        assertTrue(subnet.etag().startsWith("W/\""));
    }

    @Test
    void aSubnetPutRunsAsALongRunningOperationToCompletion() {
        arm.asyncOperations(1, 1);
        SubnetInner subnet = nodeSubnet();
        arm.clearRequests();

        SubnetInner updated = subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes",
                subnet.withRouteTable(null)).getFinalResult();

        assertEquals("Succeeded", updated.provisioningState().toString());
        assertNull(updated.routeTable());
        List<String> calls = arm.requests().stream().map(r -> r.method() + " " + r.rbacAction()).toList();
        assertEquals(List.of("PUT Microsoft.Network/virtualNetworks/subnets/write",
                "GET Microsoft.Network/locations/operations/read", "GET Microsoft.Network/locations/operations/read",
                "GET Microsoft.Network/virtualNetworks/subnets/read"), calls, "InProgress, Succeeded, final GET");
    }

    @Test
    void synchronousWritesNeedNoPolling() {
        arm.synchronousWrites(true);
        SubnetInner subnet = nodeSubnet();
        arm.clearRequests();

        subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet).getFinalResult();

        assertEquals(List.of("PUT"), arm.requests().stream().map(RecordedRequest::method).toList());
    }

    @Test
    void aVnetPutThatOmitsTheRouteTableDropsTheAssociation() {
        arm.synchronousWrites(true);
        VirtualNetworkInner vnet = network.serviceClient().getVirtualNetworks().getByResourceGroup("rg-app", "vnet-aks-app");
        vnet.subnets().forEach(subnet -> subnet.withRouteTable(null));

        network.serviceClient().getVirtualNetworks().beginCreateOrUpdate("rg-app", "vnet-aks-app", vnet).getFinalResult();

        assertNull(nodeSubnet().routeTable());
        RouteTableInner routeTable = network.serviceClient().getRouteTables().getByResourceGroup(
                cluster.nodeResourceGroup(), cluster.routeTableId().substring(cluster.routeTableId().lastIndexOf('/') + 1));
        assertTrue(routeTable.subnets() == null || routeTable.subnets().isEmpty());
        assertEquals(3, routeTable.routes().size(), "the table and its routes survive");
    }

    @Test
    void ifMatchSentThroughTheContextFailsWith412WhenStale() {
        arm.synchronousWrites(true);
        SubnetInner subnet = nodeSubnet();
        subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet).getFinalResult(); // changes etag

        ManagementException failure = assertThrows(ManagementException.class, () -> subnets.beginCreateOrUpdate(
                "rg-app", "vnet-aks-app", "snet-aks-nodes", subnet, ifMatch(subnet.etag())).getFinalResult());

        assertEquals(412, failure.getResponse().getStatusCode());
        assertEquals("PreconditionFailed", failure.getValue().getCode());
        assertEquals(subnet.etag(), requests("PUT").get(1).ifMatch());
    }

    @Test
    void ifMatchThroughTheContextIsAlsoSentOnPollsWhichArmIgnores() {
        SubnetInner subnet = nodeSubnet();
        arm.clearRequests();

        subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet, ifMatch(subnet.etag()))
                .getFinalResult();

        assertTrue(arm.requests().stream().allMatch(r -> subnet.etag().equals(r.ifMatch())), arm.requests().toString());
        assertTrue(arm.requests().stream().allMatch(r -> r.status() == 200));
    }

    private static Context ifMatch(String etag) {
        return new Context(AddHeadersFromContextPolicy.AZURE_REQUEST_HTTP_HEADERS_KEY,
                new HttpHeaders().set(HttpHeaderName.IF_MATCH, etag));
    }

    @Test
    void theSdkRetriesThrottlingAndHonoursRetryAfter() {
        arm.inject(Fault.on("GET", "/subnets/snet-aks-nodes$").respond(429, "RetryableError", "Retry.").retryAfter(0)
                .times(2));
        arm.clearRequests();

        assertEquals(cluster.nodeSubnetId(), nodeSubnet().id());

        assertEquals(List.of(429, 429, 200), arm.requests().stream().map(RecordedRequest::status).toList());
    }

    @Test
    void theSdkDoesNotRetryAConflict() {
        arm.inject(Fault.anotherOperationInProgress("PUT", "/subnets/"));
        SubnetInner subnet = nodeSubnet();

        ManagementException failure = assertThrows(ManagementException.class,
                () -> subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet).getFinalResult());

        assertEquals("AnotherOperationInProgress", failure.getValue().getCode());
        assertEquals(1, requests("PUT").size());
    }

    @Test
    void aFailedOperationThrowsFromTheSyncCallButNotFromGetFinalResult() {
        arm.inject(Fault.on("PUT", "/subnets/").failAsync("NetcfgInvalidSubnet", "Subnet is not valid.").times(2));
        SubnetInner subnet = nodeSubnet();

        SyncPoller<PollResult<SubnetInner>, SubnetInner> poller =
                subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet);
        PollResponse<PollResult<SubnetInner>> last = poller.waitForCompletion();

        assertEquals(LongRunningOperationStatus.FAILED, last.getStatus());
        assertEquals("Long running operation is Failed or Cancelled.", last.getValue().getError().getMessage());
        assertTrue(last.getValue().getError().getResponseBody().contains("NetcfgInvalidSubnet"));
        assertNull(poller.getFinalResult(), "SDK finding: a Failed operation yields null, not an exception");

        ManagementException failure = assertThrows(ManagementException.class,
                () -> subnets.createOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet));
        assertEquals("NetcfgInvalidSubnet", failure.getValue().getCode());
        assertEquals("Failed", nodeSubnet().provisioningState().toString());
        assertEquals(cluster.routeTableId(), nodeSubnet().routeTable().id());
    }

    @Test
    void aMissingSubnetIsAManagementExceptionWithNetworkRpsCode() {
        ManagementException failure = assertThrows(ManagementException.class,
                () -> subnets.get("rg-app", "vnet-aks-app", "nope"));
        assertEquals(404, failure.getResponse().getStatusCode());
        assertEquals("NotFound", failure.getValue().getCode());
    }

    @Test
    void rbacDeniesJoiningTheRouteTableWithLinkedAuthorizationFailed() {
        arm.allowActions(Set.of("Microsoft.Network/virtualNetworks/subnets/read",
                "Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/locations/operations/read",
                "Microsoft.Network/networkSecurityGroups/join/action", "Microsoft.Network/natGateways/join/action"));
        SubnetInner subnet = nodeSubnet();

        ManagementException failure = assertThrows(ManagementException.class,
                () -> subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", subnet).getFinalResult());

        assertEquals(403, failure.getResponse().getStatusCode());
        assertEquals("LinkedAuthorizationFailed", failure.getValue().getCode());
        assertTrue(failure.getValue().getMessage().contains("'Microsoft.Network/routeTables/join/action' on the linked "
                + "scope(s) '" + cluster.routeTableId() + "'"), failure.getValue().getMessage());
    }

    @Test
    void aWriteThroughTheSdkEmitsAnEventWithTheGuardsClaims() {
        arm.synchronousWrites(true);
        subnets.beginCreateOrUpdate("rg-app", "vnet-aks-app", "snet-aks-nodes", nodeSubnet()).getFinalResult();

        List<JsonObject> events = arm.drainEvents();
        assertEquals(1, events.size());
        JsonObject data = events.get(0).getAsJsonObject("data");
        assertEquals(Principal.GUARD.appId(), data.getAsJsonObject("claims").get("appid").getAsString());
        assertEquals(requests("PUT").get(0).correlationId(), data.get("correlationId").getAsString());
        assertEquals(cluster.nodeSubnetId(), data.get("resourceUri").getAsString());
        assertTrue(data.getAsJsonObject("httpRequest").get("clientRequestId").getAsString().length() > 0,
                "the SDK sends x-ms-client-request-id");
    }
}
