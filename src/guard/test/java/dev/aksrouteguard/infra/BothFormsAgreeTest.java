package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.infra.InfraModel.Form;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The Bicep and the Terraform deploy the same guard: same events, settings, defaults and permissions. */
class BothFormsAgreeTest {

    private static final InfraModel BICEP = InfraModel.load(Form.BICEP);
    private static final InfraModel TERRAFORM = InfraModel.load(Form.TERRAFORM);

    @ParameterizedTest
    @EnumSource(Mode.class)
    void sameRoleActions(Mode mode) {
        for (InfraModel.Guarded guarded : InfraModel.Guarded.values()) {
            assertEquals(new TreeSet<>(BICEP.roleActions(mode, guarded)), new TreeSet<>(TERRAFORM.roleActions(mode, guarded)),
                    "role actions in " + mode + " mode, guarding " + guarded);
        }
    }

    @Test
    void theSameInputsGuardTheSame() {
        // Terraform has no input for a management group's subscriptions (it lists them itself): compare the rest.
        for (Set<InfraModel.ScopeInput> given : DeploymentMatchesCodeTest.inputCombinations(Form.TERRAFORM)) {
            InfraModel.Decision bicep = BICEP.scope().decide(given);
            InfraModel.Decision terraform = TERRAFORM.scope().decide(given);
            assertEquals(bicep.getClass(), terraform.getClass(), given + ": " + bicep + " vs " + terraform);
            if (bicep instanceof InfraModel.Decision.Deploys b && terraform instanceof InfraModel.Decision.Deploys t) {
                assertEquals(b.settings().keySet(), t.settings().keySet(), given + ": the scope setting set");
            }
        }
    }

    @Test
    void sameReadAndWriteListsInTheSameOrder() {
        // The order is the documented order (reads, the repair, its polling, then linked checks); keeping both
        // forms in it makes them easy to compare by eye.
        assertEquals(BICEP.readActions(), TERRAFORM.readActions(), "read actions");
        assertEquals(BICEP.writeActions(), TERRAFORM.writeActions(), "write actions");
        assertEquals(BICEP.listedSubscriptionActions(), TERRAFORM.listedSubscriptionActions(), "a list's actions");
        assertEquals(BICEP.managementGroupActions(), TERRAFORM.managementGroupActions(), "a management group's actions");
    }

    @Test
    void sameSettingsAlwaysSetOptionalAndForTheHost() {
        assertEquals(new TreeSet<>(BICEP.alwaysSetSettings().keySet()), new TreeSet<>(TERRAFORM.alwaysSetSettings().keySet()),
                "settings always set");
        assertEquals(new TreeSet<>(BICEP.optionalSettings().keySet()), new TreeSet<>(TERRAFORM.optionalSettings().keySet()),
                "optional settings");
        assertEquals(new TreeSet<>(BICEP.hostSettings()), new TreeSet<>(TERRAFORM.hostSettings()), "host settings");
        assertEquals(new TreeSet<>(BICEP.scope().settings().keySet()), new TreeSet<>(TERRAFORM.scope().settings().keySet()),
                "scope settings");
    }

    @Test
    void sameHostStorageSettingsInEveryCloud() {
        assertEquals(BICEP.storage(), TERRAFORM.storage(),
                "the storage settings, by account name (global Azure) or by service URI (elsewhere), and what picks one");
    }

    @Test
    void sameValuesWhereBothAreKnownBeforeAzure() {
        Map<String, String> differ = new TreeMap<>();
        BICEP.alwaysSetSettings().forEach((name, bicep) -> {
            Optional<String> terraform = TERRAFORM.alwaysSetSettings().getOrDefault(name, Optional.empty());
            if (bicep.isPresent() && terraform.isPresent() && !bicep.equals(terraform)) {
                differ.put(name, "bicep=" + bicep.get() + " terraform=" + terraform.get());
            }
        });
        BICEP.optionalSettings().forEach((name, bicep) -> {
            Optional<String> terraform = TERRAFORM.optionalSettings().getOrDefault(name, Optional.empty());
            if (bicep.isPresent() && terraform.isPresent() && !bicep.equals(terraform)) {
                differ.put(name, "bicep=" + bicep.get() + " terraform=" + terraform.get());
            }
        });
        assertEquals(Map.of(), differ, "default setting values that differ between the forms");
    }

    @Test
    void sameEventsFunctionAndDelivery() {
        assertEquals(BICEP.operationNameFilter(), TERRAFORM.operationNameFilter(), "operation filter");
        assertEquals(BICEP.includedEventTypes(), TERRAFORM.includedEventTypes(), "included event types");
        assertEquals(BICEP.eventSubscriptionFunctionName(), TERRAFORM.eventSubscriptionFunctionName(), "function");
        assertEquals(BICEP.retryPolicy(), TERRAFORM.retryPolicy(), "retry policy");
        assertEquals(BICEP.delivery(), TERRAFORM.delivery(), "batching and delivery schema");
        assertEquals(BICEP.deadLetter(), TERRAFORM.deadLetter(), "dead-lettering");
        assertEquals(BICEP.systemTopicType(), TERRAFORM.systemTopicType(), "system topic type");
        assertEquals(BICEP.alwaysReadyNames(), TERRAFORM.alwaysReadyNames(), "always-ready");
        assertEquals(BICEP.runtime(), TERRAFORM.runtime(), "runtime");
    }

    @Test
    void sameAlertRules() {
        assertEquals(BICEP.alerts(), TERRAFORM.alerts(), "alert rules: names, queries, criteria, windows, severities, identities and their roles");
    }
}
