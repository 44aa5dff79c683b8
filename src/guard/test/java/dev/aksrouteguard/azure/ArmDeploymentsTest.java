package dev.aksrouteguard.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.ArmException;
import dev.aksrouteguard.core.model.Deployment;
import dev.aksrouteguard.core.model.ResourceId;
import dev.aksrouteguard.core.port.DeploymentLookup;
import dev.aksrouteguard.emulator.Fault;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestSecrets;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Which deployment made a write: the group's deployments listed over HTTPS, matched by correlation ID. */
class ArmDeploymentsTest {

    final Emulated azure = Emulated.start();
    final ResourceId group = ResourceId.parse("/subscriptions/" + Emulated.SUB + "/resourceGroups/rg-app");

    @AfterEach
    void stop() {
        azure.close();
    }

    ArmClients clients() {
        return ArmClients.connect(azure.settings(), azure.arm.credential(Principal.GUARD),
                ArmClients.httpClient(azure.arm.clientSslContext()));
    }

    void seed(String name, JsonObject properties) {
        JsonObject body = new JsonObject();
        body.add("properties", properties);
        azure.arm.put(group + "/providers/Microsoft.Resources/deployments/" + name, body);
    }

    static JsonObject props(String correlationId) {
        JsonObject p = new JsonObject();
        p.addProperty("correlationId", correlationId);
        p.addProperty("timestamp", "2026-05-01T10:16:30Z");
        p.addProperty("duration", "PT1M");
        p.addProperty("provisioningState", "Succeeded");
        return p;
    }

    static Deployment only(List<DeploymentLookup.Candidate> found) {
        assertEquals(1, found.size(), found.toString());
        return found.get(0).deployment();
    }

    @Test
    void findsTheDeploymentOfAWriteByItsCorrelationIdOnALaterPageWithOneListing() {
        azure.arm.pageSize(2);
        for (int i = 0; i < 6; i++) {
            seed("release-" + i, props("00000000-0000-4000-8000-00000000000" + i));
        }
        azure.arm.clearRequests();

        List<DeploymentLookup.Candidate> found = clients().deployments().byCorrelationId(group, "00000000-0000-4000-8000-000000000005");

        assertEquals(1, found.size(), found.toString());
        Deployment d = found.get(0).deployment();
        assertEquals("release-5", d.name());
        assertEquals("rg-app", d.resourceGroup());
        assertEquals(Instant.parse("2026-05-01T10:15:30Z"), d.startedAt(), "a finished deployment started its duration before its timestamp");
        List<RecordedRequest> calls = azure.arm.requests();
        assertEquals(3, calls.size(), "one listing, its three pages: " + calls);
        assertTrue(calls.stream().allMatch(r -> r.path().equals(group + "/providers/Microsoft.Resources/deployments")
                && r.rbacAction().equals("Microsoft.Resources/deployments/read")), calls.toString());
    }

    @Test
    void aLookupReadsAtMostTenPagesThenFailsRatherThanPagingOn() {
        azure.arm.pageSize(1);
        for (int i = 0; i < 12; i++) {
            seed(String.format("release-%02d", i), props(String.format("00000000-0000-4000-8000-0000000000%02d", i)));
        }
        azure.arm.clearRequests();

        ArmException e = assertThrows(ArmException.class,
                () -> clients().deployments().byCorrelationId(group, "00000000-0000-4000-8000-000000000011"));

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
        assertTrue(e.getMessage().contains("more than " + ArmDeployments.LIMITS.maxPages() + " pages"), e.getMessage());
        assertEquals(ArmDeployments.LIMITS.maxPages(), azure.arm.requests().size(), "no page beyond the cap is read");
    }

    @Test
    void aWriteNoDeploymentMadeHasNone() {
        seed("release-1", props("00000000-0000-4000-8000-000000000001"));
        assertTrue(clients().deployments().byCorrelationId(group, "99999999-0000-4000-8000-000000000001").isEmpty());
    }

    @Test
    void theDeploymentPlayedByTheIacFixtureIsFoundByItsOwnWritesCorrelationId() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        IacRedeploy.Deployed played = IacRedeploy.viaDeployment(azure.arm, c.virtualNetworkId(), "vnet-release-42",
                "https://stdeploy.blob.core.windows.net/t/main.json?sv=2024-11-04&" + "si" + "g=" + TestSecrets.SAS_SIGNATURE,
                Principal.servicePrincipal("sp-bicep"));
        String eventCorrelation = azure.arm.drainEvents().get(1).getAsJsonObject("data").get("correlationId").getAsString();

        Deployment d = only(clients().deployments().byCorrelationId(group, eventCorrelation));

        assertEquals(ResourceId.parse(played.deploymentId()), d.id());
        assertEquals("https://stdeploy.blob.core.windows.net/t/main.json", d.templateLink(), "the SAS query is never kept");
        assertFalse(d.describe().contains(TestSecrets.SAS_SIGNATURE));
        assertTrue(d.templateHash() != null && d.templateHash().matches("\\d+"));
    }

    @Test
    void aTemplateSpecIsNamedByItsIdAndAnInlineTemplateByItsHash() {
        JsonObject spec = props("00000000-0000-4000-8000-000000000001");
        JsonObject link = new JsonObject();
        link.addProperty("id", "/subscriptions/" + Emulated.SUB + "/resourceGroups/rg-specs/providers/Microsoft.Resources/templateSpecs/network/versions/1.2");
        spec.add("templateLink", link);
        seed("from-spec", spec);
        JsonObject inline = props("00000000-0000-4000-8000-000000000002");
        inline.addProperty("templateHash", "14183218925049361010");
        seed("inline", inline);

        Deployment fromSpec = only(clients().deployments().byCorrelationId(group, "00000000-0000-4000-8000-000000000001"));
        Deployment fromInline = only(clients().deployments().byCorrelationId(group, "00000000-0000-4000-8000-000000000002"));

        assertTrue(fromSpec.templateLink().endsWith("/templateSpecs/network/versions/1.2"), fromSpec.templateLink());
        assertNull(fromInline.templateLink());
        assertTrue(fromInline.describe().contains("template hash 14183218925049361010"), fromInline.describe());
    }

    @Test
    void aListingThatNamesAnotherGroupsDeploymentIsNotTrusted() {
        azure.arm.inject(Fault.on("GET", "/providers/Microsoft.Resources/deployments$").respondRaw(200,
                "{\"value\":[{\"id\":\"/subscriptions/" + Emulated.SUB + "/resourceGroups/rg-other/providers/Microsoft.Resources/"
                        + "deployments/x\",\"properties\":{\"correlationId\":\"c\"}}]}"));

        ArmException e = assertThrows(ArmException.class, () -> clients().deployments().byCorrelationId(group, "c"));

        assertEquals(ArmException.Kind.INVALID_RESPONSE, e.kind());
    }

    @Test
    void withoutTheReadActionTheLookupFailsSayingWhichActionIsMissing() {
        azure.arm.enforceRbacFor(Principal.GUARD).allowActions(Set.of("Microsoft.Network/*/read"));

        ArmException e = assertThrows(ArmException.class, () -> clients().deployments().byCorrelationId(group, "c"));

        assertEquals(ArmException.Kind.FORBIDDEN, e.kind());
        assertEquals("Microsoft.Resources/deployments/read", e.missingAction());
    }

    static com.google.gson.JsonArray refs(String... ids) {
        com.google.gson.JsonArray a = new com.google.gson.JsonArray();
        for (String id : ids) {
            JsonObject r = new JsonObject();
            r.addProperty("id", id);
            a.add(r);
        }
        return a;
    }

    @Test
    void aParentAndItsModuleSharingACorrelationIdAreBothAnsweredInListOrderWithWhatEachDeployed() {
        String vnet = group + "/providers/Microsoft.Network/virtualNetworks/vnet-app";
        String nsg = group + "/providers/Microsoft.Network/networkSecurityGroups/nsg-app";
        JsonObject parent = props("00000000-0000-4000-8000-000000000001");
        parent.add("outputResources", refs(nsg, vnet));
        JsonObject module = props("00000000-0000-4000-8000-000000000001");
        module.add("outputResources", refs(vnet, "not a resource ID"));
        seed("main", parent);
        seed("main-vnet-module", module);
        seed("other", props("00000000-0000-4000-8000-000000000002"));

        List<DeploymentLookup.Candidate> found = clients().deployments().byCorrelationId(group, "00000000-0000-4000-8000-000000000001");

        assertEquals(List.of("main", "main-vnet-module"), found.stream().map(c -> c.deployment().name()).sorted().toList());
        DeploymentLookup.Candidate m = found.stream().filter(c -> c.deployment().name().equals("main-vnet-module")).findFirst().orElseThrow();
        assertEquals(Set.of(ResourceId.parse(vnet)), m.outputResources(), "the IDs it deployed; what is not an ID is dropped");
        DeploymentLookup.Candidate p = found.stream().filter(c -> c.deployment().name().equals("main")).findFirst().orElseThrow();
        assertEquals(Set.of(ResourceId.parse(nsg), ResourceId.parse(vnet)), p.outputResources());
    }
}
