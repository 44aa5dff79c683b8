package dev.aksrouteguard.function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The defects of issue "Safety first", end to end through the Event Grid function, the Azure SDK over HTTPS and the
 * emulator: each scenario used to write a subnet it must not write.
 */
class SafetyScenariosTest {

    static final String OTHER_SUB = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";

    final Emulated azure = Emulated.start();
    final TestContext context = new TestContext(EventGridFunction.NAME);

    @AfterEach
    void stop() {
        azure.close();
    }

    private List<RecordedRequest> subnetRequests() {
        return azure.arm.requests().stream().filter(r -> r.path().toLowerCase(Locale.ROOT).contains("/subnets/")).toList();
    }

    @Test
    void aClusterWriteNeverTouchesTheGuardedSubscriptionsTwinOfANodeSubnetInAnotherSubscription() {
        // The cluster is in the guarded subscription; its node subnet is in another one. The guarded subscription has a
        // drifted subnet with the same resource group, VNet and subnet names: the one the guard used to write.
        SeededCluster here = Fixtures.kubenetCluster("rg-app", "aks-app").drifted().seed(azure.arm);
        SeededCluster there = Fixtures.kubenetCluster("rg-app", "aks-app").subscription(OTHER_SUB).seed(azure.arm);
        assertEquals(here.nodeSubnetId().replace(Emulated.SUB, OTHER_SUB), there.nodeSubnetId(), "the twin has the same names");
        JsonObject cluster = azure.resource(here.clusterId());
        for (JsonElement pool : cluster.getAsJsonObject("properties").getAsJsonArray("agentPoolProfiles")) {
            pool.getAsJsonObject().addProperty("vnetSubnetID", there.nodeSubnetId());
        }
        azure.arm.put(here.clusterId(), cluster);
        Wiring w = azure.wiring();
        azure.arm.clearRequests();

        EventGridFunction.over(w).run(EventJson.clusterWrite(here.clusterId()).eventGrid().toString(), context);

        assertEquals(List.of(), subnetRequests(), "no subnet of either subscription was read or written");
        assertNull(azure.routeTableOf(here.nodeSubnetId()), "the guarded subscription's twin is untouched");
        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.FAILED, o.action());
        assertTrue(o.message().contains(OTHER_SUB), o.message());
        assertTrue(o.nextStep().contains(OTHER_SUB), o.nextStep());
        assertTrue(azure.arm.requests().stream().noneMatch(r -> r.path().toLowerCase(Locale.ROOT).contains(OTHER_SUB)),
                "nothing of the other subscription is called");
    }

    @Test
    void aClusterMigratedToOverlayAfterTheDirectoryWasReadIsNotGivenItsOldTableBack() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").seed(azure.arm);
        Wiring w = azure.wiring();
        EventGridFunction f = EventGridFunction.over(w);
        f.run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context); // warm: the cluster is kubenet
        assertEquals(Action.IN_SYNC, azure.alerts.outcomes.get(0).action());

        // az aks update --network-plugin azure --network-plugin-mode overlay; the old table still exists
        JsonObject cluster = azure.resource(c.clusterId());
        JsonObject network = cluster.getAsJsonObject("properties").getAsJsonObject("networkProfile");
        network.addProperty("networkPlugin", "azure");
        network.addProperty("networkPluginMode", "overlay");
        azure.arm.put(c.clusterId(), cluster);
        IacRedeploy.dropRouteTables(azure.arm, c.virtualNetworkId(), Principal.servicePrincipal("sp-terraform-platform"));
        azure.arm.clearRequests();
        azure.alerts.outcomes.clear();

        f.run(EventJson.subnetWrite(c.nodeSubnetId()).eventGrid().toString(), context);

        assertEquals(0, azure.writes().size(), "no write: a kubenet table on an overlay cluster's nodes misroutes pods");
        assertNull(azure.routeTableOf(c.nodeSubnetId()));
        Outcome o = azure.alerts.outcomes.get(0);
        assertEquals(Action.IGNORED, o.action(), o.message());
        assertTrue(o.message().contains("azure (overlay)"), o.message());
        List<String> clusterGets = new ArrayList<>();
        azure.arm.requests().stream().filter(r -> r.method().equals("GET") && r.path().toLowerCase(Locale.ROOT)
                .endsWith(c.clusterId().toLowerCase(Locale.ROOT))).forEach(r -> clusterGets.add(r.path()));
        assertEquals(1, clusterGets.size(), "the one fresh read of the cluster that confirmed it");
    }

    @Test
    void fortyDriftedSubnetsOfOneVnetAreAllRepairedWithoutAStaleEtag() {
        SeededCluster c = Fixtures.kubenetCluster("rg-app", "aks-app").nodePools(40).subnetPerPool().drifted().seed(azure.arm);
        assertEquals(40, c.nodeSubnetIds().size());
        Wiring w = azure.wiring();
        azure.arm.clearRequests();

        var report = w.guard().sweep(java.time.Duration.ofMinutes(4));

        assertEquals(40, report.counts().getOrDefault(Action.REASSOCIATED, 0), report.summaryLine());
        c.nodeSubnetIds().forEach(s -> assertEquals(c.routeTableId().toLowerCase(Locale.ROOT),
                azure.routeTableOf(s).toLowerCase(Locale.ROOT), s));
        assertEquals(0, azure.arm.requests().stream().filter(r -> r.status() == 412).count(),
                "every subnet was read inside its VNet's lock, right before its write: no etag went stale");
        assertEquals(40, azure.puts("/subnets/").size(), "one write per subnet");
    }
}
