package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.port.InventorySource;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.testing.Emulated;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 13 §5: a listing that cannot be trusted fails, so that {@code audit --fail-on-drift} cannot pass on it. A page
 * {@code {"value": null}} used to read as zero rows.
 */
class MalformedListingsTest {

    static final String OTHER = "5d0c8e3f-7a21-4b9e-8c6d-2e4f1a3b9c07";
    static final String VNET = "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v";

    Emulated azure = Emulated.start();

    @BeforeEach
    void seed() {
        Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
    }

    @AfterEach
    void stop() {
        azure.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"value\": null}                                  | has no value array",
            "{}                                                 | has no value array",
            "{\"value\": {}}                                    | has no value array",
            "{\"value\": \"none\"}                              | has no value array",
            "null                                               | is not a JSON object",
            "[]                                                 | is not a JSON object",
            "<html>gateway</html>                               | is not valid JSON",
            "{\"value\": [null]}                                | an item that is not an object",
            "{\"value\": [], \"nextLink\": 5}                   | a nextLink that is not a string",
            "{\"value\": [{\"name\": \"vnet\"}]}                | an item has no ID",
            "{\"value\": [{\"id\": \"vnet-1\"}]}                | not an ARM ID",
            "{\"value\": [{\"id\": \"/subscriptions/" + OTHER + "/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v\"}]} | in another subscription",
            "{\"value\": [{\"id\": \"" + VNET + "\", \"properties\": {\"subnets\": [{\"name\": \"nodes\"}]}}]} | lists a subnet with no ID",
            "{\"value\": [{\"id\": \"" + VNET + "\", \"properties\": {\"subnets\": [{\"id\": \"nodes\"}]}}]} | which is not one of its subnets",
            "{\"value\": [{\"id\": \"" + VNET + "\", \"properties\": {\"subnets\": [{\"id\": \"" + VNET + "-2/subnets/nodes\"}]}}]} | which is not one of its subnets"})
    void aMalformedPageFailsTheListing(String page, String reason) {
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.Network/virtualNetworks$").respondRaw(200, page));

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).network());

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().startsWith("list virtual networks of subscription " + Emulated.SUB), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    static final String CLUSTER = "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/c";
    static final String TABLE = "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg/providers/Microsoft.Network/routeTables/t";

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
            "/providers/Microsoft.ContainerService/managedClusters$ | {\"value\": [{\"id\": \"" + CLUSTER + "\", \"properties\": {\"agentPoolProfiles\": [{\"name\": \"np\", \"vnetSubnetID\": \"snet-nodes\"}]}}]} | node pool np of cluster " + CLUSTER + " names snet-nodes, which is not a subnet ID",
            "/providers/Microsoft.ContainerService/managedClusters$ | {\"value\": [{\"id\": \"" + CLUSTER + "\", \"properties\": {\"agentPoolProfiles\": [{\"vnetSubnetID\": \"" + VNET + "/subnets/s\"}]}}]} | has a node pool without a name",
            "/providers/Microsoft.Network/routeTables$ | {\"value\": [{\"id\": \"" + TABLE + "\", \"properties\": {\"subnets\": [{\"name\": \"s\"}]}}]} | is associated with a subnet without an ID",
            "/providers/Microsoft.Network/routeTables$ | {\"value\": [{\"id\": \"" + TABLE + "\", \"properties\": {\"subnets\": [{\"id\": \"" + VNET + "\"}]}}]} | which is not a subnet ID"})
    void aReferenceThatIsNotASubnetFailsTheListing(String path, String page, String reason) {
        azure.arm.inject(Fault.on("GET", path).respondRaw(200, page).always());

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).readAll());

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aNodePoolInAVirtualNetworkAksMadeIsNoNodeSubnetAndNoFailure() {
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.ContainerService/managedClusters$").respondRaw(200,
                "{\"value\": [{\"id\": \"" + CLUSTER + "\", \"properties\": {\"networkProfile\": {\"networkPlugin\": \"kubenet\"}, "
                        + "\"agentPoolProfiles\": [{\"name\": \"np\"}, {\"name\": \"np2\", \"vnetSubnetID\": \"\"}]}}]}"));

        var clusters = Connect.to(azure).inventories().of(Emulated.SUB).clusters();

        assertEquals(1, clusters.size());
        assertTrue(clusters.get(0).nodeSubnets().isEmpty(), clusters.toString());
    }

    @Test
    void everyListingRefusesAPageWithoutValues() {
        for (String[] listing : new String[][] {
                {"/providers/Microsoft.ContainerService/managedClusters$", "list managed clusters"},
                {"/providers/Microsoft.Network/routeTables$", "list route tables"},
                {"/providers/Microsoft.Network/virtualNetworks$", "list virtual networks"}}) {
            azure.arm.clearFaults();
            // always(): a list call still running from the previous round (the three run side by side) cannot use it up
            azure.arm.inject(Fault.on("GET", listing[0]).respondRaw(200, "{\"value\": null}").always());
            InventorySource inventory = Connect.to(azure).inventories().of(Emulated.SUB);

            ArmException e = assertThrows(ArmException.class, inventory::readAll);

            assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind(), listing[1]);
            assertTrue(e.getMessage().startsWith(listing[1]), e.getMessage());
        }
    }

    @Test
    void aSecondPageIsJudgedLikeTheFirst() {
        azure.arm.pageSize(1);
        Fixtures.kubenetCluster("rg-two", "aks-two").seed(azure.arm);
        // the first page is served as it is (a fault without an answer), the second is broken
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.ContainerService/managedClusters$").times(1));
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.ContainerService/managedClusters$").respondRaw(200, "{}"));

        ArmException e = assertThrows(ArmException.class, () -> Connect.to(azure).inventories().of(Emulated.SUB).clusters());

        assertTrue(e.getMessage().contains("page 2 has no value array"), e.getMessage());
    }

    @Test
    void anEmptyButWellFormedListingIsJustEmpty() {
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.Network/routeTables$").respondRaw(200, "{\"value\": []}"));

        assertEquals(0, Connect.to(azure).inventories().of(Emulated.SUB).network().routeTables().size());
    }
}
