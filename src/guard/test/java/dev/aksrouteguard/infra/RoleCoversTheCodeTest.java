package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.core.model.Action;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.core.model.Outcome;
import dev.aksrouteguard.emulator.Fixtures;
import dev.aksrouteguard.emulator.IacRedeploy;
import dev.aksrouteguard.emulator.Principal;
import dev.aksrouteguard.emulator.RecordedRequest;
import dev.aksrouteguard.emulator.SeededCluster;
import dev.aksrouteguard.events.EventJson;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.function.SweepFunction;
import dev.aksrouteguard.testing.Emulated;
import dev.aksrouteguard.testing.TestContext;
import dev.aksrouteguard.wiring.Wiring;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The custom role is exactly what the code uses: the end-to-end scenarios run against the emulator with RBAC
 * enforced to the role's actions and nothing else (so a missing action fails a scenario), and every action in the
 * role is exercised by them (so an unused one fails here). Used = the RBAC action of every request the guard made,
 * plus the linked {@code join/action}s ARM checks for what each written subnet references.
 */
class RoleCoversTheCodeTest {

    static final String TIMER = "{\"IsPastDue\":false}";

    @ParameterizedTest
    @EnumSource(InfraModel.Form.class)
    void theEnforceRoleIsExactlyWhatTheRepairsUse(InfraModel.Form form) {
        Set<String> role = InfraModel.load(form).roleActions(Mode.ENFORCE);
        try (Emulated azure = Emulated.withLongRunningWrites()) {
            azure.arm.enforceRbacFor(Principal.GUARD).allowActions(role);
            Set<String> used = runScenarios(azure, Mode.ENFORCE);
            assertEquals(new TreeSet<>(role), new TreeSet<>(used), form + ": role actions vs actions the code used");
        }
    }

    @ParameterizedTest
    @EnumSource(InfraModel.Form.class)
    void theReportRoleIsExactlyWhatReportModeUsesAndCannotWrite(InfraModel.Form form) {
        Set<String> role = InfraModel.load(form).roleActions(Mode.REPORT);
        assertTrue(role.stream().allMatch(a -> a.endsWith("/read")), "report mode only reads: " + role);
        try (Emulated azure = Emulated.start()) {
            azure.arm.enforceRbacFor(Principal.GUARD).allowActions(role);
            Set<String> used = runScenarios(azure, Mode.REPORT);
            assertEquals(new TreeSet<>(role), new TreeSet<>(used), form + ": role actions vs actions report mode used");
        }
    }

    /**
     * The scenarios: an IaC re-deploy repaired from its event, a cluster write, a sweep, an audit, and a Bicep
     * deployment re-deploying a VNet (its deployment named after the outcome: {@code Microsoft.Resources/deployments/read}).
     */
    static Set<String> runScenarios(Emulated azure, Mode mode) {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").serviceEndpointPolicy().seed(azure.arm);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").drifted().seed(azure.arm);
        Fixtures.azureCniCluster("rg-c", "aks-c").seed(azure.arm);
        SeededCluster d = Fixtures.kubenetCluster("rg-d", "aks-d").seed(azure.arm);
        Wiring wiring = azure.wiring("REMEDIATION_MODE", mode.word());
        Action repaired = mode == Mode.ENFORCE ? Action.REASSOCIATED : Action.DRIFT_REPORTED;

        IacRedeploy.dropRouteTables(azure.arm, a.virtualNetworkId(), Principal.servicePrincipal("sp-terraform"));
        List<JsonObject> events = azure.arm.drainEvents();
        EventGridFunction function = EventGridFunction.over(wiring);
        events.forEach(e -> function.run(e.toString(), new TestContext(EventGridFunction.NAME)));
        function.run(EventJson.write(a.clusterId(), "Microsoft.ContainerService/managedClusters/write").eventGrid().toString(),
                new TestContext(EventGridFunction.NAME));
        SweepFunction.over(wiring).run(TIMER, new TestContext(SweepFunction.NAME));
        wiring.guard().audit();

        List<Outcome> outcomes = azure.alerts.outcomes;
        assertTrue(outcomes.stream().noneMatch(o -> o.action() == Action.FAILED), () -> "a scenario failed: " + outcomes);
        assertEquals(repaired, outcomes.get(0).action(), outcomes.toString());
        assertTrue(azure.alerts.sweeps.get(0).outcomes().stream().anyMatch(o -> o.action() == repaired), "the sweep saw b");
        assertTrue(azure.arm.requests().stream().noneMatch(r -> r.status() == 403), "no request was refused");
        if (mode == Mode.REPORT) {
            assertEquals(0, azure.arm.requests().stream().filter(r -> Principal.GUARD.equals(r.principal()) && r.isWrite()).count());
        } else {
            assertNotEquals(null, azure.routeTableOf(b.nodeSubnetId()));
        }

        IacRedeploy.Deployed release = IacRedeploy.viaDeployment(azure.arm, d.virtualNetworkId(), "vnet-release-1", null,
                Principal.servicePrincipal("sp-bicep-release"));
        azure.alerts.outcomes.clear();
        azure.arm.drainEvents().forEach(e -> function.run(e.toString(), new TestContext(EventGridFunction.NAME)));
        Outcome named = azure.alerts.outcomes.stream().filter(o -> o.action() == repaired).findFirst().orElseThrow();
        assertEquals(release.deploymentId().toLowerCase(), String.valueOf(named.deployment() == null ? null : named.deployment().id())
                .toLowerCase(), "the outcome names the deployment, read with the role's own actions");
        assertTrue(azure.arm.requests().stream().noneMatch(r -> r.status() == 403), "no request was refused");
        return used(azure);
    }

    /** Every RBAC action of the guard's requests, plus the linked checks of each subnet it wrote. */
    static Set<String> used(Emulated azure) {
        Set<String> used = new TreeSet<>();
        for (RecordedRequest r : azure.arm.requests()) {
            if (!Principal.GUARD.equals(r.principal())) {
                continue; // the IaC pipeline's own requests
            }
            used.add(r.rbacAction());
            if (r.method().equals("PUT") && r.path().toLowerCase().contains("/subnets/")) {
                used.addAll(linkedChecks(azure.resource(r.path()).getAsJsonObject("properties")));
            }
        }
        return used;
    }

    static Set<String> linkedChecks(JsonObject subnet) {
        Set<String> linked = new TreeSet<>();
        if (present(subnet.get("routeTable"))) {
            linked.add("Microsoft.Network/routeTables/join/action");
        }
        if (present(subnet.get("networkSecurityGroup"))) {
            linked.add("Microsoft.Network/networkSecurityGroups/join/action");
        }
        if (present(subnet.get("natGateway"))) {
            linked.add("Microsoft.Network/natGateways/join/action");
        }
        if (present(subnet.get("serviceEndpointPolicies"))) {
            linked.add("Microsoft.Network/serviceEndpointPolicies/join/action");
        }
        return linked;
    }

    private static boolean present(JsonElement e) {
        return e != null && !e.isJsonNull() && !(e instanceof JsonArray a && a.isEmpty());
    }
}
