package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Cluster;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.model.SubnetState;
import dev.aksrouteguard.core.port.DeploymentLookup;
import dev.aksrouteguard.core.port.Subnets;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 §1: an ID in subscription B never reaches a URL of subscription A (the guarded one), whatever names the
 * two share, in every adapter: subnets, clusters, listings, the deployments lookup, a subscription's name. Both
 * subscriptions hold the same resource group, VNet, subnet and cluster names; the request log shows where every call
 * went.
 */
class SubscriptionBoundaryTest {

    static final String A = Emulated.SUB;
    static final String B = "5d0c8e3f-7a21-4b9e-8c6d-2e4f1a3b9c07";

    Emulated azure = Emulated.start();
    SeededCluster inA;
    SeededCluster inB;

    @BeforeEach
    void seedTwins() {
        inA = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        inB = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().subscription(B).seed(azure.arm);
        assertEquals(inA.nodeSubnetId().replace(A, B), inB.nodeSubnetId(), "the twins differ only by subscription");
        azure.arm.clearRequests();
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    List<String> paths() {
        return azure.arm.requests().stream().map(RecordedRequest::path).toList();
    }

    static void allIn(String subscription, List<String> paths) {
        assertFalse(paths.isEmpty());
        for (String path : paths) {
            assertTrue(path.toLowerCase(Locale.ROOT).startsWith("/subscriptions/" + subscription + "/"),
                    "every call in " + subscription + ": " + paths);
        }
    }

    @Test
    void aSubnetInAnotherSubscriptionIsReadAndWrittenThereAndItsTwinIsNeverTouched() {
        JsonObject twinBefore = azure.resource(inA.nodeSubnetId());
        Subnets subnets = Connect.to(azure).subnets();

        Subnets.Observed read = subnets.get(SubnetId.parse(inB.nodeSubnetId()));
        SubnetState after = subnets.associate(read, ResourceId.parse(inB.routeTableId()));

        assertEquals(ResourceId.parse(inB.routeTableId()), after.routeTable());
        assertEquals(inB.routeTableId().toLowerCase(Locale.ROOT), azure.routeTableOf(inB.nodeSubnetId()).toLowerCase(Locale.ROOT));
        allIn(B, paths());
        assertEquals(1, azure.writes().size());
        assertEquals(twinBefore, azure.resource(inA.nodeSubnetId()), "the guarded subscription's twin is untouched");
    }

    @Test
    void theLongRunningWriteInAnotherSubscriptionIsFollowedThere() {
        azure.close();
        azure = Emulated.withLongRunningWrites();
        seedTwins();
        Subnets subnets = Connect.to(azure).subnets();

        subnets.associate(subnets.get(SubnetId.parse(inB.nodeSubnetId())), ResourceId.parse(inB.routeTableId()));

        allIn(B, paths());
        assertTrue(paths().stream().anyMatch(p -> p.contains("/operations/")), "the operation was polled: " + paths());
        assertEquals(null, azure.routeTableOf(inA.nodeSubnetId()));
    }

    @Test
    void aClusterInAnotherSubscriptionIsReadThere() {
        Optional<Cluster> cluster = Connect.to(azure).inventories().of(Emulated.SUB).cluster(ResourceId.parse(inB.clusterId()));

        assertEquals(ResourceId.parse(inB.clusterId()), cluster.orElseThrow().id());
        allIn(B, paths());
    }

    @Test
    void theListingsListTheSubscriptionTheyAreGiven() {
        ArmInventory inventory = (ArmInventory) Connect.to(azure).inventories();

        List<Cluster> guarded = inventory.of(A).readAll().clusters();
        allIn(A, paths());
        azure.arm.clearRequests();
        List<Cluster> other = inventory.listClusters(B);
        inventory.listRouteTables(B);
        inventory.listSubnets(B);
        allIn(B, paths());

        assertEquals(A, guarded.get(0).id().subscriptionId());
        assertEquals(B, other.get(0).id().subscriptionId());
        assertNotEquals(guarded.get(0).id(), other.get(0).id());
    }

    void deployment(String subscription, String correlationId) {
        JsonObject properties = new JsonObject();
        properties.addProperty("correlationId", correlationId);
        properties.addProperty("timestamp", "2026-05-01T10:16:30Z");
        properties.addProperty("duration", "PT1M");
        properties.addProperty("provisioningState", "Succeeded");
        JsonObject body = new JsonObject();
        body.add("properties", properties);
        azure.arm.put("/subscriptions/" + subscription + "/resourceGroups/rg-app/providers/Microsoft.Resources/deployments/release",
                body);
    }

    @Test
    void theDeploymentsOfAGroupInAnotherSubscriptionAreListedThere() {
        String correlation = "00000000-0000-4000-8000-0000000000b1";
        deployment(A, correlation); // the same group, deployment name and correlation ID in the guarded subscription
        deployment(B, correlation);
        azure.arm.clearRequests();

        List<DeploymentLookup.Candidate> found = Connect.to(azure).deployments()
                .byCorrelationId(ResourceId.parse("/subscriptions/" + B + "/resourceGroups/rg-app"), correlation);

        assertEquals(1, found.size(), found.toString());
        assertEquals(B, found.get(0).deployment().id().subscriptionId(), "B's deployment, not its twin in A");
        allIn(B, paths());
    }

    @Test
    void theNameOfAnotherSubscriptionIsAskedOfThatSubscription() {
        azure.arm.subscription(A, "Team A", azure.arm.tenantRootGroup());
        azure.arm.subscription(B, "Team B", azure.arm.tenantRootGroup());
        ArmClients listed = ArmClients.connect(azure.settings(Settings.AZURE_SUBSCRIPTION_ID, "",
                Settings.AZURE_SUBSCRIPTION_IDS, A + "," + B), azure.arm.credential(
                Principal.GUARD), ArmClients.httpClient(azure.arm.clientSslContext()));
        azure.arm.clearRequests();

        assertEquals("Team B", listed.subscriptions().name(B));

        assertEquals(List.of("/subscriptions/" + B), paths(), "one GET, of B itself");
        azure.arm.clearRequests();
        assertEquals("Team A", listed.subscriptions().name(A));
        assertEquals(List.of("/subscriptions/" + A), paths());
        azure.arm.clearRequests();
        assertEquals("Team B", listed.subscriptions().name(B.toUpperCase(Locale.ROOT)), "remembered, whatever the case");
        assertTrue(paths().isEmpty(), paths().toString());
    }

    @Test
    void aNextLinkIntoAnotherSubscriptionIsNotFollowed() {
        String foreign = azure.arm.endpoint() + "subscriptions/" + B + "/providers/Microsoft.Network/virtualNetworks"
                + "?api-version=2025-05-01&$skiptoken=x";
        azure.arm.inject(Fault.on("GET", "/subscriptions/" + A + "/providers/Microsoft.Network/virtualNetworks$")
                .respondRaw(200, "{\"value\":[],\"nextLink\":\"" + foreign + "\"}"));

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).network());

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("leaves /subscriptions/" + A), e.getMessage());
        assertTrue(paths().stream().noneMatch(p -> p.contains(B)), "nothing went to " + B + ": " + paths());
    }

    /** A dot segment, plain or percent-encoded, would leave A after the prefix check: a server resolves it (RFC 3986 §5.2.4). */
    @Test
    void aNextLinkThatClimbsOutOfTheSubscriptionWithDotSegmentsIsNotFollowed() {
        for (String climb : List.of("..", "%2e%2E")) {
            String foreign = azure.arm.endpoint() + "subscriptions/" + A + "/" + climb + "/" + B
                    + "/providers/Microsoft.Network/virtualNetworks?api-version=2025-05-01&$skiptoken=x";
            azure.arm.clearFaults();
            azure.arm.inject(Fault.on("GET", "/subscriptions/" + A + "/providers/Microsoft.Network/virtualNetworks$")
                    .respondRaw(200, "{\"value\":[],\"nextLink\":\"" + foreign + "\"}"));

            ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).network(), climb);

            assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains("leaves /subscriptions/" + A), e.getMessage());
            assertTrue(paths().stream().noneMatch(p -> p.contains(B)), "nothing went to " + B + ": " + paths());
        }
    }

    @Test
    void aNextLinkToAnotherHostIsNotFollowedSoTheTokenStaysWithArm() {
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.ContainerService/managedClusters$").respondRaw(200,
                "{\"value\":[],\"nextLink\":\"https://collector.example/subscriptions/" + A
                        + "/providers/Microsoft.ContainerService/managedClusters?page=2\"}"));

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).clusters());

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("points outside"), e.getMessage());
    }

    @Test
    void anOperationUrlOnAnotherHostIsNotPolled() {
        Subnets subnets = Connect.to(azure).subnets();
        Subnets.Observed read = subnets.get(SubnetId.parse(inA.nodeSubnetId()));
        azure.arm.inject(Fault.on("PUT", "/subnets/").respondRaw(201, "{}").header("Azure-AsyncOperation",
                "https://collector.example/subscriptions/" + A + "/providers/Microsoft.Network/locations/westeurope/operations/1"));

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read, ResourceId.parse(inA.routeTableId())));

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("points outside"), e.getMessage());
    }
}
