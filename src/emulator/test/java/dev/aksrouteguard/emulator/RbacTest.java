package dev.aksrouteguard.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Request-to-action mapping, wildcards, scopes, and ARM's 403 wording. */
class RbacTest {
    private static final String RG = "/subscriptions/s1/resourceGroups/rg";

    @ParameterizedTest(name = "{0} {1} is {2}")
    @CsvSource({
            "GET, /subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/s,"
                    + " Microsoft.Network/virtualNetworks/subnets/read",
            "PUT, /subscriptions/s1/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/s?api-version=1,"
                    + " Microsoft.Network/virtualNetworks/subnets/write",
            "DELETE, /subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt,"
                    + " Microsoft.Network/routeTables/delete",
            "GET, /subscriptions/s1/providers/Microsoft.Network/virtualNetworks, Microsoft.Network/virtualNetworks/read",
            "GET, /subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/routeTables,"
                    + " Microsoft.Network/routeTables/read",
            "GET, /subscriptions/s1/providers/Microsoft.Network/locations/westeurope/operations/0b1c,"
                    + " Microsoft.Network/locations/operations/read",
            "GET, /subscriptions/s1/providers/Microsoft.ContainerService/managedClusters,"
                    + " Microsoft.ContainerService/managedClusters/read",
            "GET, /subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/agentPools,"
                    + " Microsoft.ContainerService/managedClusters/agentPools/read",
            "POST, /subscriptions/s1/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c/"
                    + "listClusterUserCredential, Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
            "GET, /subscriptions/s1/resourceGroups/rg, Microsoft.Resources/subscriptions/resourceGroups/read",
            "HEAD, /subscriptions/s1/resourcegroups/rg, Microsoft.Resources/subscriptions/resourceGroups/read",
            "GET, /subscriptions/s1, Microsoft.Resources/subscriptions/read",
    })
    void mapsRequestsToTheActionsArmChecks(String method, String path, String action) {
        assertEquals(action, ArmEmulator.rbacAction(method, path));
    }

    @Test
    void rejectsPathsThatAreNotArm() {
        assertThrows(IllegalArgumentException.class, () -> ArmEmulator.rbacAction("GET", "/msi/token"));
    }

    @Test
    void wildcardsMatchAcrossSegmentsAndCase() {
        Rbac rbac = new Rbac();
        rbac.allow("/", Set.of("Microsoft.Network/*/read", "microsoft.network/routeTables/join/action"));

        assertEquals(true, rbac.permits(Principal.GUARD, "Microsoft.Network/virtualNetworks/subnets/read", RG));
        assertEquals(true, rbac.permits(Principal.GUARD, "Microsoft.Network/routeTables/join/action", RG));
        assertEquals(false, rbac.permits(Principal.GUARD, "Microsoft.Network/virtualNetworks/subnets/write", RG));
        assertEquals(true, rbac.permits(Principal.servicePrincipal("sp-iac"),
                "Microsoft.Network/virtualNetworks/subnets/write", RG), "only the guard is restricted by default");
    }

    @Test
    void grantsApplyAtTheirScopeAndBelow() {
        Rbac rbac = new Rbac();
        rbac.allow(RG, Set.of("*"));

        assertEquals(true, rbac.permits(Principal.GUARD, "Microsoft.Network/routeTables/join/action",
                RG + "/providers/Microsoft.Network/routeTables/rt"));
        assertEquals(false, rbac.permits(Principal.GUARD, "Microsoft.Network/routeTables/join/action",
                "/subscriptions/s1/resourceGroups/rg-other/providers/Microsoft.Network/routeTables/rt"));
        assertEquals(false, rbac.permits(Principal.GUARD, "Microsoft.Network/routeTables/read",
                "/subscriptions/s1/resourceGroups/rg2"), "a prefix is not a parent scope");
    }

    @Test
    void deniesAReadWithAuthorizationFailed() {
        try (ArmEmulator arm = ArmEmulator.start()) {
            SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
            arm.allowActions(Set.of("Microsoft.Network/virtualNetworks/read"));
            ArmHttp.Response response = new ArmHttp(arm, Principal.GUARD).get(cluster.nodeSubnetId() + "?" + ArmHttp.API);

            assertEquals(403, response.status());
            assertEquals("AuthorizationFailed", response.errorCode());
            assertEquals("The client '" + Principal.GUARD.appId() + "' with object id '" + Principal.GUARD.objectId()
                    + "' does not have authorization to perform action 'Microsoft.Network/virtualNetworks/subnets/read' over"
                    + " scope '" + cluster.nodeSubnetId() + "' or the scope is invalid. If access was recently granted, please"
                    + " refresh your credentials.", response.errorMessage());
        }
    }

    @Test
    void deniesASubnetWriteThatLinksATableItMayNotJoin() {
        try (ArmEmulator arm = ArmEmulator.start().synchronousWrites(true)) {
            SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
            arm.allowActions(Set.of("Microsoft.Network/virtualNetworks/subnets/*", "Microsoft.Network/*/join/action"));
            arm.allowActions(cluster.routeTableId(), Set.of("Microsoft.Network/routeTables/read"));
            ArmHttp http = new ArmHttp(arm, Principal.GUARD);
            JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
            assertEquals(200, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet).status());
            arm.disableRbac().allowActions(Set.of("Microsoft.Network/virtualNetworks/subnets/read",
                    "Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/networkSecurityGroups/join/action",
                    "Microsoft.Network/natGateways/join/action"));

            ArmHttp.Response denied = http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet);

            assertEquals(403, denied.status());
            assertEquals("LinkedAuthorizationFailed", denied.errorCode());
            assertEquals("The client '" + Principal.GUARD.appId() + "' with object id '" + Principal.GUARD.objectId()
                    + "' has permission to perform action 'Microsoft.Network/virtualNetworks/subnets/write' on scope '"
                    + cluster.nodeSubnetId() + "'; however, it does not have permission to perform action "
                    + "'Microsoft.Network/routeTables/join/action' on the linked scope(s) '"
                    + cluster.routeTableId() + "' or the linked scope(s) are invalid.", denied.errorMessage());
            assertEquals(200, new ArmHttp(arm, Principal.servicePrincipal("sp-terraform"))
                    .put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet).status(), "IaC callers are unrestricted");
        }
    }

    @Test
    void aSubnetWriteWithServiceEndpointsNeedsNoJoinViaServiceEndpoint() {
        // subnets/joinViaServiceEndpoint/action lets a storage account or SQL server join a subnet; the subnet's own
        // PUT is checked only for the resources its body references.
        try (ArmEmulator arm = ArmEmulator.start().synchronousWrites(true)) {
            SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").serviceEndpointPolicy().seed(arm);
            arm.allowActions(Set.of("Microsoft.Network/virtualNetworks/subnets/read",
                    "Microsoft.Network/virtualNetworks/subnets/write", "Microsoft.Network/routeTables/join/action",
                    "Microsoft.Network/networkSecurityGroups/join/action", "Microsoft.Network/natGateways/join/action",
                    "Microsoft.Network/serviceEndpointPolicies/join/action"));
            ArmHttp http = new ArmHttp(arm, Principal.GUARD);
            JsonObject subnet = http.get(cluster.nodeSubnetId() + "?" + ArmHttp.API).body();
            assertTrue(subnet.getAsJsonObject("properties").getAsJsonArray("serviceEndpoints").size() > 0,
                    "the fixture's node subnet carries service endpoints");

            assertEquals(200, http.put(cluster.nodeSubnetId() + "?" + ArmHttp.API, subnet).status());
        }
    }

    @Test
    void canRestrictOtherPrincipals() {
        try (ArmEmulator arm = ArmEmulator.start()) {
            SeededCluster cluster = Fixtures.kubenetCluster("rg-app", "aks-app").seed(arm);
            Principal terraform = Principal.servicePrincipal("sp-terraform");
            arm.allowActions(Set.of("Microsoft.Network/virtualNetworks/read")).enforceRbacFor(terraform);

            assertEquals(403, new ArmHttp(arm, terraform).get(cluster.nodeSubnetId() + "?" + ArmHttp.API).status());
            assertEquals(200, new ArmHttp(arm, Principal.GUARD).get(cluster.nodeSubnetId() + "?" + ArmHttp.API).status());
        }
    }
}
