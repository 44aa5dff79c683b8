package dev.aksrouteguard.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.azure.functions.annotation.EventGridTrigger;
import com.microsoft.azure.functions.annotation.FunctionName;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.config.StorageConnection;
import dev.aksrouteguard.config.SubscriptionScope;
import dev.aksrouteguard.core.Operations;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.function.EventGridFunction;
import dev.aksrouteguard.function.SweepFunction;
import dev.aksrouteguard.infra.InfraModel.Form;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each form of the deployment ({@code infra/} Bicep and the {@code infra/terraform} module) against the code it
 * deploys. The code is the source of truth: {@link Operations#HANDLED}, {@link Settings#NAMES}, the functions'
 * annotations. Nothing here repeats their values by hand.
 *
 * <h2>The rule for app settings</h2>
 * A setting is <em>settable by the IaC</em> when the deployment sets it always ({@code guardSettings} /
 * {@code local.guard_settings}) or when its input is not empty ({@code guardOptionalSettings} /
 * {@code local.guard_optional_settings}, which both forms pass through a not-empty filter, so an optional input left
 * empty sets nothing). The same rule applies to both forms. Then:
 * <ul>
 *   <li>the settings settable by the IaC are exactly {@link Settings#NAMES} minus {@link #NOT_SET_IN_AZURE} (no
 *       missing, no stale);
 *   <li>{@link #NOT_SET_IN_AZURE} names only settings the code reads, each with the reason Azure does without it;
 *   <li>no setting is set to the empty string (an empty {@code AzureWebJobsStorage} breaks the Functions host), and
 *       should one ever be, it must be one of those, read by the code as absent;
 *   <li>settings the IaC sets for the Functions host alone are not read by the code.
 * </ul>
 */
class DeploymentMatchesCodeTest {

    /**
     * Settings the code reads that the IaC deliberately never sets, and why. Local runs and tests use them.
     */
    static final Map<String, String> NOT_SET_IN_AZURE = Map.of(
            Settings.STORAGE,
            "a connection string: the storage account has shared-key access disabled; Azurite uses it locally");

    /**
     * What the Functions host alone reads; anything else the IaC sets must be a setting the code reads. The blob
     * service URI is the host's (timer leases, keys), outside global Azure.
     */
    static final Set<String> HOST_SETTINGS = Set.of(
            "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
            "AzureWebJobsStorage__blobServiceUri");

    /** Settings that Flex Consumption rejects or replaces with functionAppConfig. */
    static final Set<String> NOT_ON_FLEX_CONSUMPTION = Set.of(
            "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION", "WEBSITE_RUN_FROM_PACKAGE",
            "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "WEBSITE_CONTENTSHARE", "SCM_DO_BUILD_DURING_DEPLOYMENT");

    /**
     * Example values for settings only Azure or the deployer's inputs know (an identity's client ID, the subscriptions
     * of a list...), to run the code's validation.
     */
    static final Map<String, String> AZURE_FILLS_IN = Map.of(
            Settings.AZURE_SUBSCRIPTION_IDS, "00000000-0000-0000-0000-00000000000c,00000000-0000-0000-0000-00000000000d",
            Settings.AZURE_MANAGEMENT_GROUP_ID, "landing-zones",
            Settings.AZURE_SUBSCRIPTION_ID, "00000000-0000-0000-0000-00000000000a",
            Settings.AZURE_CLOUD, "AzureCloud",
            Settings.AZURE_CLIENT_ID, "00000000-0000-0000-0000-00000000000b",
            Settings.STORAGE_ACCOUNT_NAME, "stargexample01",
            Settings.STORAGE_CLIENT_ID, "00000000-0000-0000-0000-00000000000b");

    /** What the storage settings describe (InfraModel.StorageSettings), as an account in Azure US Government has them. */
    static final Map<String, String> US_GOVERNMENT_ACCOUNT = Map.of(
            "account", "stargexample01",
            "blob endpoint", "https://stargexample01.blob.core.usgovcloudapi.net/",
            "queue endpoint", "https://stargexample01.queue.core.usgovcloudapi.net/",
            "table endpoint", "https://stargexample01.table.core.usgovcloudapi.net/");

    private static final Pattern SETTING_REFERENCE = Pattern.compile("%([A-Za-z0-9_]+)%");

    @ParameterizedTest
    @EnumSource(Form.class)
    void theOperationNameFilterIsExactlyWhatTheCodeMapsToSubnets(Form form) {
        assertEquals(new TreeSet<>(Operations.HANDLED), new TreeSet<>(InfraModel.load(form).operationNameFilter()),
                form + ": the event subscription's StringIn filter on data.operationName");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void onlySuccessfulResourceWritesAreDelivered(Form form) {
        assertEquals(Set.of("Microsoft.Resources.ResourceWriteSuccess"), InfraModel.load(form).includedEventTypes(),
                form + ": includedEventTypes");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void eventsGoToTheEventGridTriggeredFunction(Form form) {
        assertEquals(eventGridFunctionName(), InfraModel.load(form).eventSubscriptionFunctionName(),
                form + ": the event subscription's Azure Function destination");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theEventFunctionHasAnAlwaysReadyInstance(Form form) {
        assertTrue(InfraModel.load(form).alwaysReadyNames().contains("function:" + eventGridFunctionName()),
                form + ": alwaysReady names " + InfraModel.load(form).alwaysReadyNames());
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void undeliverableEventsAreDeadLetteredThroughTheTopicsIdentity(Form form) {
        InfraModel.DeadLetter deadLetter = InfraModel.load(form).deadLetter();
        assertNotNull(deadLetter, form + ": no dead-letter destination");
        assertEquals("SystemAssigned", deadLetter.identityType(), form + ": dead letters written with the topic's identity");
        assertEquals("StorageBlob", deadLetter.endpointType(), form.name());
        assertNotNull(deadLetter.container(), form + ": dead-letter container");
        assertFalse(deadLetter.container().isBlank(), form + ": dead-letter container");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void deliveryRetriesWithinEventGridsLimits(Form form) {
        InfraModel.RetryPolicy retry = InfraModel.load(form).retryPolicy();
        assertNotNull(retry, form + ": no retry policy");
        assertTrue(retry.maxDeliveryAttempts() >= 1 && retry.maxDeliveryAttempts() <= 30, form + ": " + retry);
        assertTrue(retry.eventTimeToLiveInMinutes() >= 1 && retry.eventTimeToLiveInMinutes() <= 1440, form + ": " + retry);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void eventsComeOneAtATimeInTheSchemaTheFunctionReads(Form form) {
        // OnResourceWrite binds one event as a String (EventGridFunction); Deliveries reads Event Grid's own schema
        InfraModel.Delivery delivery = InfraModel.load(form).delivery();
        assertEquals(1, delivery.maxEventsPerBatch(), form + ": " + delivery);
        assertTrue(delivery.preferredBatchSizeInKilobytes() >= 1 && delivery.preferredBatchSizeInKilobytes() <= 1024,
                form + ": " + delivery);
        assertEquals("EventGridSchema", delivery.eventDeliverySchema(), form + ": " + delivery);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theSystemTopicIsTheSubscriptionsArmTopicAtGlobal(Form form) {
        InfraModel m = InfraModel.load(form);
        assertEquals("Microsoft.Resources.Subscriptions", m.systemTopicType(), form + ": system topic type");
        assertNotNull(m.systemTopicLocation(), form + ": the system topic's location must be a literal");
        assertEquals("global", m.systemTopicLocation().toLowerCase(java.util.Locale.ROOT), form + ": system topic location");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theEventSubscriptionWaitsUntilItIsAskedFor(Form form) {
        assertTrue(InfraModel.load(form).eventSubscriptionGated(),
                form + ": the event subscription must be gated by deployEventSubscription / deploy_event_subscription,"
                        + " false by default (Event Grid rejects a function destination before the code is deployed)");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theRuntimeIsTheJavaTheCodeIsCompiledFor(Form form) {
        String release = AzdAndPackagingTest.pomProperty("maven.compiler.release");
        assertEquals("java " + release, InfraModel.load(form).runtime(), form + ": Flex Consumption runtime");
    }

    // ---- app settings ----

    @ParameterizedTest
    @EnumSource(Form.class)
    void theAppSettingsTheIacSetsAreTheSettingsTheCodeReads(Form form) {
        InfraModel m = InfraModel.load(form);
        Set<String> expected = new TreeSet<>(Settings.NAMES);
        expected.removeAll(NOT_SET_IN_AZURE.keySet());
        Set<String> settable = new TreeSet<>(m.settableSettings());

        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(settable);
        Set<String> stale = new TreeSet<>(settable);
        stale.removeAll(expected);
        assertTrue(missing.isEmpty() && stale.isEmpty(), form + ": settings the code reads but the IaC cannot set: "
                + missing + "; settings the IaC sets that the code does not read (or must not be set in Azure): " + stale);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void settingsLeftToLocalRunsAreStillReadByTheCode(Form form) {
        assertTrue(Settings.NAMES.containsAll(NOT_SET_IN_AZURE.keySet()),
                "NOT_SET_IN_AZURE names a setting the code no longer reads: " + NOT_SET_IN_AZURE.keySet());
        Set<String> cleared = InfraModel.load(form).clearedSettings();
        assertTrue(NOT_SET_IN_AZURE.keySet().containsAll(cleared),
                form + ": settings set to \"\" must be ones Azure does without: " + cleared);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void optionalSettingsAreLeftOutWhenTheirInputIsEmpty(Form form) {
        InfraModel m = InfraModel.load(form);
        assertTrue(m.optionalSettingsFiltered(), form + ": optional settings must pass a not-empty filter");
        assertTrue(m.allSettingGroupsApplied(), form + ": the site's app settings must be made of every settings group");
        // A non-empty default would make an optional setting always set.
        m.optionalSettings().forEach((name, value) -> value.ifPresent(v -> assertEquals("", v,
                form + ": optional setting " + name + " must default to empty (not set), was '" + v + "'")));
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void settingsThatTriggerBindingsReadAreAlwaysSet(Form form) {
        Set<String> bound = settingsReferencedByTriggers();
        assertFalse(bound.isEmpty(), "expected the timer schedule to be bound to an app setting (%SWEEP_SCHEDULE%)");
        Set<String> notAlways = new TreeSet<>(bound);
        notAlways.removeAll(InfraModel.load(form).alwaysSetSettings().keySet());
        assertTrue(notAlways.isEmpty(), form + ": trigger bindings read " + notAlways
                + " through %...%; the host cannot index the function if they are missing, so they must always be set");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void hostOnlySettingsAreNotTheCodesAndFlexConsumptionAcceptsThem(Form form) {
        InfraModel m = InfraModel.load(form);
        assertTrue(HOST_SETTINGS.containsAll(m.hostOnlySettings()), form + ": unexpected host settings " + m.hostOnlySettings());
        Set<String> all = new LinkedHashSet<>(m.hostOnlySettings());
        all.addAll(m.settableSettings());
        all.addAll(m.clearedSettings());
        all.retainAll(NOT_ON_FLEX_CONSUMPTION);
        assertTrue(all.isEmpty(), form + ": settings Flex Consumption does not take: " + all);
        Set<String> overlap = new TreeSet<>(m.hostOnlySettings());
        overlap.retainAll(Settings.NAMES);
        assertTrue(overlap.isEmpty(), form + ": host-only settings the code reads: " + overlap);
    }

    /** The app settings of a deployment with default inputs, with example values where Azure fills them in. */
    private static Map<String, String> defaultEnvironment(InfraModel m, Form form) {
        Map<String, String> env = new HashMap<>(m.defaultSettingValues());
        InfraModel.Decision.Deploys byDefault = assertInstanceOf(InfraModel.Decision.Deploys.class, m.scope().decide(Set.of()),
                form + ": default inputs");
        byDefault.settings().keySet().forEach(name -> env.put(name, AZURE_FILLS_IN.get(name)));
        m.clearedSettings().forEach(name -> env.put(name, ""));
        m.alwaysSetSettings().forEach((name, value) -> {
            if (value.isEmpty()) {
                String example = AZURE_FILLS_IN.get(name);
                assertNotNull(example, form + ": " + name + " is set from Azure; add an example value to AZURE_FILLS_IN");
                env.put(name, example);
            }
        });
        return env;
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theDefaultSettingsPassTheCodesValidationInReportMode(Form form) {
        InfraModel m = InfraModel.load(form);
        Map<String, String> env = defaultEnvironment(m, form);
        // Global Azure: the storage account named by its name, as the IaC always did.
        m.storage().byAccountName().forEach((name, what) -> env.put(name, AZURE_FILLS_IN.get(Settings.STORAGE_ACCOUNT_NAME)));

        Settings settings = Settings.from(env);

        assertEquals(Mode.REPORT, settings.mode(), form + ": a new deployment starts in report mode");
        assertEquals(Settings.DEFAULT_SWEEP_SCHEDULE, settings.sweepSchedule(), form + ": SWEEP_SCHEDULE default");
        assertEquals(Settings.DEFAULT_SWEEP_TIME_BUDGET, settings.sweepTimeBudget(), form + ": SWEEP_TIME_BUDGET default");
        assertEquals(Settings.DEFAULT_ALERT_REPEAT, settings.alertRepeat(), form + ": ALERT_REPEAT_HOURS default");
        StorageConnection.Identity storage = assertInstanceOf(StorageConnection.Identity.class, settings.storage(),
                form + ": storage must be identity-based (a cleared AzureWebJobsStorage must read as absent)");
        assertEquals(URI.create("https://" + AZURE_FILLS_IN.get(Settings.STORAGE_ACCOUNT_NAME) + ".table."
                + settings.cloud().storageSuffix() + "/"), storage.tableEndpoint(), form.name());
        assertEquals(env.get(Settings.AZURE_CLIENT_ID), storage.clientId(),
                form + ": storage uses the guard's user-assigned identity");
        assertEquals(env.get(Settings.AZURE_CLIENT_ID), settings.clientId(), form.name());
        assertEquals(new SubscriptionScope.Single(AZURE_FILLS_IN.get(Settings.AZURE_SUBSCRIPTION_ID)), settings.scope(),
                form + ": by default the deployment guards its own subscription, as it always did");
    }

    // ---- what is guarded: exactly one of the three scope settings, chosen by the inputs ----

    /** The code's three scope settings, by the kind of scope each makes. */
    static Map<InfraModel.Guarded, String> scopeSettingsOfTheCode() {
        return Map.of(
                InfraModel.Guarded.SUBSCRIPTION, new SubscriptionScope.Single("x").setting(),
                InfraModel.Guarded.SUBSCRIPTIONS, new SubscriptionScope.Listed(List.of("x")).setting(),
                InfraModel.Guarded.MANAGEMENT_GROUP, new SubscriptionScope.ManagementGroup("x").setting());
    }

    /** Every combination of the scope inputs a form has (Terraform lists a management group's subscriptions itself). */
    static List<Set<InfraModel.ScopeInput>> inputCombinations(Form form) {
        List<InfraModel.ScopeInput> inputs = new java.util.ArrayList<>(List.of(InfraModel.ScopeInput.values()));
        if (form == Form.TERRAFORM) {
            inputs.remove(InfraModel.ScopeInput.MANAGEMENT_GROUP_SUBSCRIPTIONS);
        }
        List<Set<InfraModel.ScopeInput>> all = new java.util.ArrayList<>();
        for (int bits = 0; bits < 1 << inputs.size(); bits++) {
            Set<InfraModel.ScopeInput> given = java.util.EnumSet.noneOf(InfraModel.ScopeInput.class);
            for (int i = 0; i < inputs.size(); i++) {
                if ((bits & 1 << i) != 0) {
                    given.add(inputs.get(i));
                }
            }
            all.add(given);
        }
        return all;
    }

    /** What the code guards with these inputs given, or null where the deployment must refuse them. */
    static InfraModel.Guarded expected(Set<InfraModel.ScopeInput> given) {
        boolean list = given.contains(InfraModel.ScopeInput.SUBSCRIPTION_LIST);
        boolean group = given.contains(InfraModel.ScopeInput.MANAGEMENT_GROUP);
        boolean groupSubscriptions = given.contains(InfraModel.ScopeInput.MANAGEMENT_GROUP_SUBSCRIPTIONS);
        if (list && group || groupSubscriptions && !group) {
            return null;
        }
        return group ? InfraModel.Guarded.MANAGEMENT_GROUP : list ? InfraModel.Guarded.SUBSCRIPTIONS : InfraModel.Guarded.SUBSCRIPTION;
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theScopeSettingsAreTheThreeTheCodeReadsAndOnlyTheChosenOneIsSet(Form form) {
        InfraModel m = InfraModel.load(form);
        assertEquals(new TreeSet<>(scopeSettingsOfTheCode().values()), new TreeSet<>(m.scope().settings().keySet()),
                form + ": the scope settings group");
        Set<String> modes = new TreeSet<>();
        m.scope().settings().values().forEach(s -> assertTrue(modes.add(s.mode()), form + ": two settings share mode " + s.mode()));
        assertTrue(m.scope().filtered(), form + ": the scope settings must pass a not-empty filter, so the two not chosen are not set");
        assertTrue(m.allSettingGroupsApplied(), form + ": the scope settings must reach the site's app settings");
        Set<String> overlap = new TreeSet<>(m.scope().settings().keySet());
        overlap.retainAll(m.alwaysSetSettings().keySet());
        overlap.addAll(m.optionalSettings().keySet().stream().filter(m.scope().settings()::containsKey).toList());
        assertEquals(Set.of(), overlap, form + ": a scope setting also set by another group");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theInputsChooseExactlyOneScopeSettingAndRefuseAListAndAManagementGroupTogether(Form form) {
        InfraModel m = InfraModel.load(form);
        for (Set<InfraModel.ScopeInput> given : inputCombinations(form)) {
            InfraModel.Guarded want = expected(given);
            InfraModel.Decision decision = m.scope().decide(given);
            if (want == null) {
                assertInstanceOf(InfraModel.Decision.Refused.class, decision, form + " " + given + ": must be refused, was " + decision);
                continue;
            }
            InfraModel.Decision.Deploys deploys = assertInstanceOf(InfraModel.Decision.Deploys.class, decision, form + " " + given);
            assertEquals(Set.of(scopeSettingsOfTheCode().get(want)), deploys.settings().keySet(),
                    form + " " + given + ": the scope settings set");
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void eachChoiceSetsAValueTheCodeAccepts(Form form) {
        InfraModel m = InfraModel.load(form);
        Map<InfraModel.Guarded, String> values = Map.of(
                // the deployment's own subscription, as before
                InfraModel.Guarded.SUBSCRIPTION, form == Form.BICEP ? "subscription().subscriptionId"
                        : "data.azurerm_subscription.current.subscription_id",
                // the list as given, comma-separated: what the code splits
                InfraModel.Guarded.SUBSCRIPTIONS, form == Form.BICEP ? "join(listedSubscriptionIds, ',')"
                        : "join(\",\", distinct([for id in var.subscription_ids : lower(id)]))",
                InfraModel.Guarded.MANAGEMENT_GROUP, form == Form.BICEP ? "managementGroupId" : "var.management_group_id");
        for (Set<InfraModel.ScopeInput> given : inputCombinations(form)) {
            InfraModel.Guarded want = expected(given);
            if (want == null) {
                continue;
            }
            InfraModel.Decision.Deploys deploys = (InfraModel.Decision.Deploys) m.scope().decide(given);
            String setting = scopeSettingsOfTheCode().get(want);
            assertEquals(values.get(want), deploys.settings().get(setting), form + " " + given + ": the value of " + setting);

            Map<String, String> env = new HashMap<>(Map.of(setting, AZURE_FILLS_IN.get(setting)));
            env.put(Settings.SWEEP_SCHEDULE, Settings.DEFAULT_SWEEP_SCHEDULE);
            SubscriptionScope scope = Settings.from(env).scope();
            assertEquals(setting, scope.setting(), form + " " + given);
        }
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void eventsComeFromTheSubscriptionsTheModeGuards(Form form) {
        InfraModel m = InfraModel.load(form);
        Map<InfraModel.Guarded, String> sources = form == Form.BICEP
                ? Map.of(InfraModel.Guarded.SUBSCRIPTION, "[ownSubscriptionId]",
                        InfraModel.Guarded.SUBSCRIPTIONS, "listedSubscriptionIds",
                        InfraModel.Guarded.MANAGEMENT_GROUP, "groupSubscriptionIds")
                : Map.of(InfraModel.Guarded.SUBSCRIPTION, "[local.own_subscription_id]",
                        InfraModel.Guarded.SUBSCRIPTIONS, "distinct([for id in var.subscription_ids : lower(id)])",
                        // the group's subscriptions at plan time, at any depth
                        InfraModel.Guarded.MANAGEMENT_GROUP, "[for id in one(data.azurerm_management_group.guarded[*].all_subscription_ids) : lower(id)]");
        for (Set<InfraModel.ScopeInput> given : inputCombinations(form)) {
            InfraModel.Guarded want = expected(given);
            if (want != null) {
                assertEquals(sources.get(want), ((InfraModel.Decision.Deploys) m.scope().decide(given)).eventSources(),
                        form + " " + given + ": the subscriptions given a system topic and an event subscription");
            }
        }
        // One event subscription declaration for the deployment's own subscription and one for the others (Bicep: the
        // same module, deployed twice); both checked above and by the schema check.
        assertEquals(form == Form.BICEP ? 1 : 2, m.eventSubscriptionCount(), form + ": event subscription declarations");
    }

    // ---- the role ----

    @ParameterizedTest
    @EnumSource(Form.class)
    void reportModeGetsAReadOnlyRole(Form form) {
        Set<String> report = InfraModel.load(form).roleActions(Mode.REPORT);
        assertFalse(report.isEmpty(), form.name());
        report.forEach(a -> assertTrue(a.endsWith("/read"), form + ": report mode must not grant " + a));
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void enforceModeAddsTheRepairAndItsLinkedChecks(Form form) {
        InfraModel m = InfraModel.load(form);
        Set<String> enforce = m.roleActions(Mode.ENFORCE);
        assertTrue(enforce.containsAll(m.roleActions(Mode.REPORT)), form + ": enforce must include report's reads");
        assertTrue(enforce.contains("Microsoft.Network/virtualNetworks/subnets/write"), form + ": the repair PUT");
        assertTrue(enforce.contains("Microsoft.Network/routeTables/join/action"), form + ": associating the table");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theRoleListsEachActionOnceAndNoWildcards(Form form) {
        InfraModel m = InfraModel.load(form);
        for (List<String> list : List.of(m.readActions(), m.writeActions())) {
            assertEquals(list.size(), new LinkedHashSet<>(list).size(), form + ": duplicate actions in " + list);
            list.forEach(a -> assertFalse(a.contains("*"), form + ": wildcard action " + a));
            list.forEach(a -> assertTrue(a.matches("Microsoft\\.[A-Za-z]+(/[A-Za-z]+)+"), form + ": malformed action " + a));
        }
        Set<String> both = new TreeSet<>(m.readActions());
        both.retainAll(m.writeActions());
        assertTrue(both.isEmpty(), form + ": in both the read and the write list: " + both);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theRoleDefinitionTakesItsActionsFromTheListsByModeAndByWhatIsGuarded(Form form) {
        Map<String, String> expressions = new TreeMap<>();
        InfraModel.load(form).roleActionsExpressions().forEach((where, e) -> expressions.put(where, e.replaceAll("\\s+", " ")));
        Map<String, String> expected = form == Form.BICEP
                ? Map.of("modules/role.bicep", "concat(guardReadActions, listed ? guardListedSubscriptionActions : [], "
                                + "remediationMode == 'enforce' ? guardWriteActions : [])",
                        "managementgroup.bicep", "concat(guardReadActions, guardManagementGroupActions, "
                                + "remediationMode == 'enforce' ? guardWriteActions : [])")
                : Map.of("terraform azurerm_role_definition", "${concat(local.guard_read_actions, local.role_scope_actions, "
                                + "var.remediation_mode == \"enforce\" ? local.guard_write_actions : [])}",
                        "terraform local.role_scope_actions", "${local.scope_mode == \"management_group\" ? "
                                + "local.guard_management_group_actions : local.scope_mode == \"subscriptions\" ? "
                                + "local.guard_listed_subscription_actions : []}");
        assertEquals(new TreeMap<>(expected), expressions, form + ": the role definitions' actions");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void aListOrAManagementGroupAddsOnlyTheReadItsDiscoveryMakes(Form form) {
        InfraModel m = InfraModel.load(form);
        assertEquals(List.of("Microsoft.Resources/subscriptions/read"), m.listedSubscriptionActions(), form + ": a list");
        assertEquals(List.of("Microsoft.Management/managementGroups/descendants/read"), m.managementGroupActions(),
                form + ": a management group");
        for (List<String> list : List.of(m.listedSubscriptionActions(), m.managementGroupActions())) {
            Set<String> shared = new TreeSet<>(list);
            shared.retainAll(m.roleActions(Mode.ENFORCE));
            assertEquals(Set.of(), shared, form + ": already in the role of one subscription: " + shared);
        }
    }

    // ---- the guard says when it stops guarding ----

    @ParameterizedTest
    @EnumSource(Form.class)
    void threeAlertRulesWatchTheGuardAndNotifyTheConfiguredActionGroups(Form form) {
        Map<String, InfraModel.AlertRule> alerts = InfraModel.load(form).alerts();
        assertEquals(Set.of("sweep-missing", "failed", "failed-executions"), alerts.keySet(), form + ": alert rules");
        assertEquals("log", alerts.get("sweep-missing").kind());
        assertEquals("log", alerts.get("failed").kind());
        assertEquals("metric", alerts.get("failed-executions").kind());
        alerts.forEach((name, rule) -> {
            assertTrue(rule.notifiesConfiguredActionGroups(), form + " " + name + ": must notify the configured action groups");
            assertTrue(rule.autoMitigate(), form + " " + name + ": must resolve itself once the guard recovers");
        });
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void everyLogAlertQueriesAsItsOwnIdentityWithReaderOnTheWorkspace(Form form) {
        // Without an identity a log search alert rule runs with the permissions of the last user to edit it, as of
        // that edit: the deploying principal, recorded nowhere. A system-assigned identity starts with no permissions;
        // it needs a reader role on every workspace the query reads (Learn, "Create or edit a log search alert rule",
        // Identity). Nothing on the action groups: the identity only runs the query.
        Map<String, InfraModel.AlertRule> alerts = InfraModel.load(form).alerts();
        alerts.forEach((name, rule) -> {
            if (rule.kind().equals("log")) {
                assertEquals("SystemAssigned", rule.identity(), form + " " + name + ": the identity the query runs as");
                // principalType ServicePrincipal: the identity is created in the same deployment, and without it ARM
                // may not find the new principal yet (PrincipalNotFound: https://learn.microsoft.com/azure/
                // role-based-access-control/role-assignments-template#new-service-principal).
                assertEquals(List.of("Reader as ServicePrincipal"), rule.rolesOnItsScope(),
                        form + " " + name + ": the roles its identity always gets on the workspace it queries");
            }
        });
        assertEquals(2, alerts.values().stream().filter(r -> r.kind().equals("log")).count(), form + ": log alert rules");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theSweepAlertWaitsThreeSchedulePeriods(Form form) {
        Duration window = Duration.parse(InfraModel.load(form).alerts().get("sweep-missing").window());
        assertEquals(schedulePeriod(Settings.DEFAULT_SWEEP_SCHEDULE).multipliedBy(3), window,
                form + ": the default window must be three periods of the default SWEEP_SCHEDULE "
                        + Settings.DEFAULT_SWEEP_SCHEDULE);
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void failedExecutionsAreApplicationInsightsFailedRequests(Form form) {
        // Flex Consumption's own metrics count executions without a failure dimension; every invocation is a request
        // in Application Insights, marked failed when the function throws.
        InfraModel.AlertRule rule = InfraModel.load(form).alerts().get("failed-executions");
        assertEquals("microsoft.insights/components/requests/failed", rule.query());
        assertEquals("Count", rule.timeAggregation());
        assertEquals("GreaterThan", rule.operator());
        assertEquals("0", rule.threshold());
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void noAppSettingIsSetToTheEmptyStringAndAzureWebJobsStorageIsNeverSet(Form form) {
        // An empty AzureWebJobsStorage breaks the Functions host (Azure/azure-functions-host#11796); with identity-based
        // storage only the AzureWebJobsStorage__* settings may exist.
        InfraModel m = InfraModel.load(form);
        assertEquals(Set.of(), m.clearedSettings(), form + ": settings set to \"\"");
        assertFalse(m.settableSettings().contains(Settings.STORAGE), form.name());
        assertFalse(m.hostSettings().contains(Settings.STORAGE), form.name());
    }

    // ---- every cloud: where the host storage is, and which cloud the guard is in ----

    @ParameterizedTest
    @EnumSource(Form.class)
    void hostStorageIsNamedByTheAccountOnlyWhereTheHostDerivesTheAccountsOwnEndpoints(Form form) {
        // The Functions host makes https://<account>.blob|table.core.windows.net from __accountName
        // (azure-functions-host StorageServiceUriOptions), the queue and table extensions likewise for queue and table,
        // taking __accountName before __queueServiceUri (azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.Clients
        // StorageClientProvider.TryGetServiceUri); Learn: __accountName "doesn't work when the storage account is in a
        // sovereign cloud or has a custom DNS", where __blobServiceUri, __queueServiceUri and __tableServiceUri do.
        InfraModel.StorageSettings storage = InfraModel.load(form).storage();
        assertEquals(Map.of(Settings.STORAGE_ACCOUNT_NAME, "account"), storage.byAccountName(),
                form + ": where the endpoints derived from the name are the account's own, the name alone, as always");
        assertEquals(Map.of("AzureWebJobsStorage__blobServiceUri", "blob endpoint",
                        Settings.STORAGE_QUEUE_SERVICE_URI, "queue endpoint",
                        Settings.STORAGE_TABLE_SERVICE_URI, "table endpoint"), storage.byServiceUris(),
                form + ": elsewhere the account's own endpoints, and no __accountName (the queue extension would prefer it)");
        assertEquals(Set.of("blob", "queue", "table"), storage.derivedEndpointsCompared(),
                form + ": the choice must compare every service's endpoint with https://<account>.<service>.core.windows.net/");
        assertTrue(storage.chosenInAppSettings(), form + ": the app settings must take one of the two, by that choice");
        Map<String, java.util.Optional<String>> always = InfraModel.load(form).alwaysSetSettings();
        assertEquals(java.util.Optional.of("managedidentity"), always.get(Settings.STORAGE_CREDENTIAL), form.name());
        assertTrue(always.containsKey(Settings.STORAGE_CLIENT_ID), form + ": the user-assigned identity, in every cloud");
        assertTrue(always.keySet().stream().noneMatch(InfraModel.load(form).storageSettingNames()::contains),
                form + ": the account name and service URIs come only from the choice");
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void outsideGlobalAzureTheCodeReadsTheAccountsOwnEndpoints(Form form) {
        InfraModel m = InfraModel.load(form);
        Map<String, String> env = defaultEnvironment(m, form);
        env.put(Settings.AZURE_CLOUD, "AzureUSGovernment");
        m.storage().byServiceUris().forEach((name, what) -> env.put(name, US_GOVERNMENT_ACCOUNT.get(what)));

        Settings settings = Settings.from(env);

        StorageConnection.Identity storage = assertInstanceOf(StorageConnection.Identity.class, settings.storage(), form.name());
        assertEquals(URI.create(US_GOVERNMENT_ACCOUNT.get("table endpoint")), storage.tableEndpoint(), form.name());
        assertEquals(URI.create(US_GOVERNMENT_ACCOUNT.get("queue endpoint")), storage.queueEndpoint(), form.name());
        assertEquals(env.get(Settings.AZURE_CLIENT_ID), storage.clientId(), form.name());
        assertEquals(dev.aksrouteguard.config.AzureCloud.AZURE_US_GOVERNMENT, settings.cloud(), form.name());
    }

    @ParameterizedTest
    @EnumSource(Form.class)
    void theCloudSettingIsTheCloudTheDeploymentRunsIn(Form form) {
        InfraModel.CloudSetting cloud = InfraModel.load(form).cloud();
        if (form == Form.BICEP) {
            // ARM's environment() names the cloud the deployment runs in: AzureCloud, AzureChinaCloud,
            // AzureUSGovernment (https://learn.microsoft.com/azure/azure-resource-manager/bicep/bicep-functions-deployment#environment).
            assertEquals("environment().name", cloud.expression(), form.name());
        } else {
            // azurerm does not expose its environment: the account's endpoint suffix names the cloud, as the code maps it.
            Map<String, String> code = new TreeMap<>();
            for (dev.aksrouteguard.config.AzureCloud c : dev.aksrouteguard.config.AzureCloud.values()) {
                code.put(c.storageSuffix(), c.settingValue());
            }
            assertEquals(code, new TreeMap<>(cloud.cloudByStorageSuffix()), form + ": local.cloud_by_storage_suffix");
            assertTrue(cloud.fromTheAccountsEndpoint(),
                    form + ": AZURE_CLOUD must be looked up by the suffix of the app's storage account's blob endpoint, was "
                            + cloud.expression());
        }
    }

    /** The period of an NCRONTAB schedule of the form {@code 0 *}{@code /N * * * *} (every N minutes). */
    static Duration schedulePeriod(String ncrontab) {
        Matcher m = Pattern.compile("^0 \\*/(\\d+) \\* \\* \\* \\*$").matcher(ncrontab);
        assertTrue(m.matches(), "the default sweep schedule is no longer every N minutes: " + ncrontab
                + "; teach schedulePeriod its form and check the alert window");
        return Duration.ofMinutes(Integer.parseInt(m.group(1)));
    }

    // ---- from the code ----

    /** The name of the function whose trigger is {@code @EventGridTrigger}, read from its annotations. */
    static String eventGridFunctionName() {
        List<Method> methods = new java.util.ArrayList<>();
        for (Class<?> type : List.of(EventGridFunction.class, SweepFunction.class)) {
            for (Method method : type.getDeclaredMethods()) {
                for (Parameter parameter : method.getParameters()) {
                    if (parameter.isAnnotationPresent(EventGridTrigger.class)) {
                        methods.add(method);
                    }
                }
            }
        }
        assertEquals(1, methods.size(), "expected one @EventGridTrigger function, found " + methods);
        FunctionName name = methods.get(0).getAnnotation(FunctionName.class);
        assertNotNull(name, methods.get(0) + " has no @FunctionName");
        assertEquals(EventGridFunction.NAME, name.value(), "EventGridFunction.NAME and its @FunctionName differ");
        return name.value();
    }

    /** App settings that trigger bindings read through {@code %NAME%} (e.g. the timer's schedule). */
    static Set<String> settingsReferencedByTriggers() {
        Set<String> names = new TreeSet<>();
        for (Class<?> type : List.of(EventGridFunction.class, SweepFunction.class)) {
            for (Method method : type.getDeclaredMethods()) {
                if (!method.isAnnotationPresent(FunctionName.class)) {
                    continue;
                }
                for (Parameter parameter : method.getParameters()) {
                    for (Annotation annotation : parameter.getAnnotations()) {
                        for (Method attribute : annotation.annotationType().getDeclaredMethods()) {
                            if (attribute.getParameterCount() == 0 && attribute.getReturnType() == String.class) {
                                try {
                                    Matcher m = SETTING_REFERENCE.matcher((String) attribute.invoke(annotation));
                                    while (m.find()) {
                                        names.add(m.group(1));
                                    }
                                } catch (ReflectiveOperationException e) {
                                    throw new IllegalStateException(e);
                                }
                            }
                        }
                    }
                }
            }
        }
        return names;
    }
}
