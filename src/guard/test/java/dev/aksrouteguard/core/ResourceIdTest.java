package dev.aksrouteguard.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceIdTest {

    static final String SUBNET = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-app"
            + "/providers/Microsoft.Network/virtualNetworks/vnet-app/subnets/nodes";

    @Test
    void comparesCaseInsensitivelyAsArmDoes() {
        ResourceId a = ResourceId.parse(SUBNET);
        ResourceId b = ResourceId.parse(SUBNET.toLowerCase().replace("resourcegroups", "resourcegroups"));
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(SubnetId.parse(SUBNET), SubnetId.parse(SUBNET.toUpperCase()));
    }

    @Test
    void knowsItsPartsAndParent() {
        ResourceId id = ResourceId.parse(SUBNET);
        assertEquals("00000000-0000-0000-0000-000000000001", id.subscriptionId());
        assertEquals("rg-app", id.resourceGroup());
        assertEquals("Microsoft.Network/virtualNetworks/subnets", id.type());
        assertEquals("nodes", id.name());
        assertEquals("vnet-app", id.parent().name());
        assertTrue(id.parent().isType("microsoft.network/VIRTUALNETWORKS"));
        SubnetId s = SubnetId.parse(SUBNET);
        assertEquals("vnet-app", s.virtualNetworkName());
        assertEquals(id.parent(), s.virtualNetwork());
    }

    @Test
    void dropsATrailingSlash() {
        assertEquals(SUBNET, ResourceId.parse(SUBNET + "/").value());
    }

    @Test
    void acceptsSubscriptionAndResourceGroupScopes() {
        assertEquals("", ResourceId.parse("/subscriptions/x").type());
        assertEquals("rg", ResourceId.parse("/subscriptions/x/resourceGroups/rg").resourceGroup());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "subscriptions/x", "/subscriptions", "/subscriptions/x/resourceGroups",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
            "/subscriptions/x//resourceGroups/rg", "/tenants/x", "https://management.azure.com/subscriptions/x",
            "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets"})
    void rejectsWhatIsNotAnArmId(String text) {
        assertFalse(ResourceId.isValid(text));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ResourceId.parse(text));
        assertTrue(e.getMessage().contains("not an ARM resource ID"), e.getMessage());
    }

    @Test
    void aSubnetIdMustBeASubnet() {
        String vnet = SUBNET.substring(0, SUBNET.indexOf("/subnets"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SubnetId.parse(vnet));
        assertTrue(e.getMessage().contains("not a subnet ID"));
    }
}
