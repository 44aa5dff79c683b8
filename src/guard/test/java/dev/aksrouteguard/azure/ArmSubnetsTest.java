package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.azure.core.http.rest.SimpleResponse;
import com.azure.core.util.Context;
import com.azure.resourcemanager.network.fluent.SubnetsClient;
import com.azure.resourcemanager.network.fluent.models.SubnetInner;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.model.SubnetId;
import dev.aksrouteguard.core.port.Subnets;
import org.junit.jupiter.api.Test;

/** What the adapter refuses before any write goes out. */
class ArmSubnetsTest {

    static final SubnetId ID = SubnetId.of("00000000-0000-0000-0000-000000000001", "rg", "vnet", "nodes");

    @Test
    void aSubnetReadWithoutAnEtagIsNeverWritten() {
        SubnetsClient client = mock(SubnetsClient.class);
        SubnetInner noEtag = new SubnetInner().withName("nodes").withAddressPrefix("10.0.0.0/22");
        when(client.getWithResponse(anyString(), anyString(), anyString(), any(), any(Context.class)))
                .thenReturn(new SimpleResponse<>(null, 200, null, noEtag));
        ArmSubnets subnets = new ArmSubnets(client);
        Subnets.Observed read = subnets.get(ID);
        assertNull(read.state().etag());

        ArmException e = assertThrows(ArmException.class, () -> subnets.associate(read,
                ResourceId.parse("/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Network/routeTables/rt")));

        assertEquals(ArmException.Kind.TERMINAL, e.kind());
        verify(client, never()).beginCreateOrUpdate(anyString(), anyString(), anyString(), any(), any(Context.class));
    }

    @Test
    void theWriteCopiesTheReadSoTheObservationIsNeverMutated() {
        SubnetInner inner = new SubnetInner().withName("nodes").withAddressPrefix("10.0.0.0/22");
        SubnetInner copy = ArmSubnets.copy(inner);
        copy.withAddressPrefix("10.9.9.0/24");
        assertEquals("10.0.0.0/22", inner.addressPrefix());
    }
}
