package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
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
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The custom role is exactly what the code uses: the end-to-end scenarios run against the emulator with RBAC
 * enforced to the role's actions and nothing else (so a missing action fails a scenario), and every action in the
 * role is exercised by them (so an unused one fails here). Used = the RBAC action of every request the guard made,
 * plus the linked {@code join/action}s ARM checks for what each written subnet references. A guard of one
 * subscription, of a list (the role granted in each listed subscription, as the IaC assigns it) and of a management
 * group (granted once at the group, which the emulator applies to the subscriptions placed below it) each get the role
 * the IaC gives that mode.
 */
class RoleCoversTheCodeTest {

    static final String TIMER = "{\"IsPastDue\":false}";
    /** A second guarded subscription, for a list or a management group. */
    static final String OTHER = "5d1e7f30-2b4c-4a9d-8e6f-0c1b2a3d4e5f";
    static final String GROUP = "landing-zones";

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

    static Stream<Arguments> formsModesAndManySubscriptions() {
        return Stream.of(InfraModel.Form.values()).flatMap(form -> Stream.of(Mode.values()).flatMap(mode ->
                Stream.of(InfraModel.Guarded.SUBSCRIPTIONS, InfraModel.Guarded.MANAGEMENT_GROUP)
                        .map(guarded -> Arguments.of(form, mode, guarded))));
    }

    @ParameterizedTest
    @MethodSource("formsModesAndManySubscriptions")
    void theRoleOfAGuardOfManySubscriptionsIsExactlyWhatItUsesWhereTheIacAssignsIt(InfraModel.Form form, Mode mode,
            InfraModel.Guarded guarded) {
        Set<String> role = InfraModel.load(form).roleActions(mode, guarded);
        try (Emulated azure = mode == Mode.ENFORCE ? Emulated.withLongRunningWrites() : Emulated.start()) {
            azure.arm.managementGroup(GROUP, "Landing zones", azure.arm.tenantRootGroup());
            azure.arm.subscription(Emulated.SUB, "Team A", GROUP);
            azure.arm.subscription(OTHER, "Team B", GROUP);
            azure.arm.enforceRbacFor(Principal.GUARD);
            String[] settings;
            if (guarded == InfraModel.Guarded.SUBSCRIPTIONS) {
                // assigned in each listed subscription (roleassignment.bicep, azurerm_role_assignment.guarded_subscription)
                azure.arm.allowActions("/subscriptions/" + Emulated.SUB, role);
                azure.arm.allowActions("/subscriptions/" + OTHER, role);
                settings = new String[] {Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_SUBSCRIPTION_IDS,
                        Emulated.SUB + "," + OTHER};
            } else {
                // assigned once, at the group (infra/managementgroup.bicep, azurerm_role_assignment.guard)
                azure.arm.allowActions("/providers/Microsoft.Management/managementGroups/" + GROUP, role);
                settings = new String[] {Settings.AZURE_SUBSCRIPTION_ID, "", Settings.AZURE_MANAGEMENT_GROUP_ID, GROUP};
            }

            Set<String> used = runScenarios(azure, mode, OTHER, settings);

            assertEquals(new TreeSet<>(role), new TreeSet<>(used), form + " " + guarded + ": role actions vs actions the code used");
            assertTrue(azure.arm.requests().stream().anyMatch(r -> Principal.GUARD.equals(r.principal())
                    && r.path().toLowerCase(java.util.Locale.ROOT).startsWith("/subscriptions/" + OTHER + "/")),
                    "the second subscription was read");
        }
    }

    /**
     * The scenarios: an IaC re-deploy repaired from its event, a cluster write, a sweep, an audit, and a Bicep
     * deployment re-deploying a VNet (its deployment named after the outcome: {@code Microsoft.Resources/deployments/read}).
     */
    static Set<String> runScenarios(Emulated azure, Mode mode) {
        return runScenarios(azure, mode, Emulated.SUB);
    }

    /**
     * The scenarios, with the drifted cluster {@code b} (found by the sweep) in {@code bSubscription} and the guard
     * configured by {@code settings} (name, value, ...) besides the remediation mode.
     */
    static Set<String> runScenarios(Emulated azure, Mode mode, String bSubscription, String... settings) {
        SeededCluster a = Fixtures.kubenetCluster("rg-a", "aks-a").serviceEndpointPolicy().seed(azure.arm);
        SeededCluster b = Fixtures.kubenetCluster("rg-b", "aks-b").subscription(bSubscription).drifted().seed(azure.arm);
        Fixtures.azureCniCluster("rg-c", "aks-c").seed(azure.arm);
        SeededCluster d = Fixtures.kubenetCluster("rg-d", "aks-d").seed(azure.arm);
        String[] env = java.util.Arrays.copyOf(settings, settings.length + 2);
        env[settings.length] = Settings.REMEDIATION_MODE;
        env[settings.length + 1] = mode.word();
        Wiring wiring = azure.wiring(env);
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
