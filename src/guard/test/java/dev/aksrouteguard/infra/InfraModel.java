package dev.aksrouteguard.infra;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.config.Settings;
import dev.aksrouteguard.core.model.Mode;
import dev.aksrouteguard.infra.BicepText.Arr;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Obj;
import dev.aksrouteguard.infra.BicepText.Str;
import dev.aksrouteguard.infra.BicepText.Value;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What one form of the deployment ({@code infra/} Bicep, or the {@code infra/terraform} module) says about the things
 * the guard's code depends on, extracted without Bicep or Terraform. Reusable by any test: e.g. an RBAC test that runs
 * the end-to-end scenarios against the emulator with exactly {@link #roleActions(Mode)} granted.
 *
 * <p>Values that only Azure knows (an identity's client ID, a storage account name) are absent from the setting maps'
 * {@code Optional}s; values the deployment fixes, or defaults through a parameter/variable, are present.
 *
 * @param form which deployment this describes
 * @param operationNameFilter the {@code StringIn} values on {@code data.operationName} in the event subscription
 * @param includedEventTypes the event subscription's {@code includedEventTypes}
 * @param eventSubscriptionFunctionName the function the event subscription delivers to ({@code .../functions/<name>})
 * @param readActions the role's actions in report mode, in source order
 * @param writeActions the actions the role adds in enforce mode, in source order
 * @param listedSubscriptionActions the actions the role adds for a guard of a list of subscriptions
 * @param managementGroupActions the actions the role adds for a guard of a management group
 * @param roleActionsExpressions the {@code actions} expression of every role definition (and, in Terraform, of the local
 *     that picks the scope's actions), as written, by where it is
 * @param scope how the inputs choose what is guarded, and which of the code's three scope settings the app gets
 * @param alwaysSetSettings app settings the guard's code reads that are always set, with their default values
 * @param optionalSettings app settings the guard's code reads that are set only when their parameter is not empty
 * @param hostSettings app settings only the Functions host reads
 * @param clearedSettings app settings set to the empty string (none should be: DeploymentMatchesCodeTest)
 * @param optionalSettingsFiltered true when the optional settings go through a not-empty filter on their way in
 * @param allSettingGroupsApplied true when the app settings applied to the site are made of all the groups above
 * @param alwaysReadyNames the Flex Consumption {@code alwaysReady} entry names
 * @param runtime the Flex Consumption runtime, e.g. {@code java 17}
 * @param systemTopicType the created system topic's type
 * @param systemTopicLocation the created system topic's location
 * @param deadLetter how undeliverable events are kept, or {@code null} without dead-lettering
 * @param retryPolicy the event subscription's retry policy, or {@code null} when it states none
 * @param delivery how the event subscription batches events for the function, and in which schema
 * @param eventSubscriptionGated true when the event subscription is created only on request (off by default), so
 *     the first deployment does not point Event Grid at a function whose code is not there yet
 * @param alerts the Azure Monitor alert rules that say when the guard stops guarding, by name
 * @param eventSubscriptionCount how many event subscription resources (or modules) the deployment declares: one for its
 *     own subscription, and in Terraform one more for the other guarded subscriptions
 * @param storage where the identity-based {@code AzureWebJobsStorage} connection points, in global Azure and elsewhere
 * @param cloud what {@code AZURE_CLOUD} is set from
 */
public record InfraModel(
        Form form,
        Set<String> operationNameFilter,
        Set<String> includedEventTypes,
        String eventSubscriptionFunctionName,
        List<String> readActions,
        List<String> writeActions,
        List<String> listedSubscriptionActions,
        List<String> managementGroupActions,
        Map<String, String> roleActionsExpressions,
        ScopeChoice scope,
        Map<String, Optional<String>> alwaysSetSettings,
        Map<String, Optional<String>> optionalSettings,
        Set<String> hostSettings,
        Set<String> clearedSettings,
        boolean optionalSettingsFiltered,
        boolean allSettingGroupsApplied,
        List<String> alwaysReadyNames,
        String runtime,
        String systemTopicType,
        String systemTopicLocation,
        DeadLetter deadLetter,
        RetryPolicy retryPolicy,
        Delivery delivery,
        boolean eventSubscriptionGated,
        Map<String, AlertRule> alerts,
        int eventSubscriptionCount,
        StorageSettings storage,
        CloudSetting cloud) {

    /** The two forms of the deployment. */
    public enum Form {
        /** {@code infra/main.bicep} and {@code infra/modules/} (azd, or {@code az deployment sub create}). */
        BICEP,
        /** The module in {@code infra/terraform}. */
        TERRAFORM
    }

    /** Dead-lettering: the identity that writes, the destination type and the blob container. */
    public record DeadLetter(String identityType, String endpointType, String container) {}

    /** Event Grid's retry policy for the event subscription. */
    public record RetryPolicy(int maxDeliveryAttempts, int eventTimeToLiveInMinutes) {}

    /**
     * The Azure Function destination's batching and the delivery schema ({@code -1} or {@code null} where the form
     * states none, so that Event Grid's default applies).
     */
    public record Delivery(int maxEventsPerBatch, int preferredBatchSizeInKilobytes, String eventDeliverySchema) {}

    /** What one deployment guards: the code's three scope settings, one of which the inputs choose. */
    public enum Guarded {
        /** {@code AZURE_SUBSCRIPTION_ID}: the deployment's own subscription (the default). */
        SUBSCRIPTION,
        /** {@code AZURE_SUBSCRIPTION_IDS}: a list. */
        SUBSCRIPTIONS,
        /** {@code AZURE_MANAGEMENT_GROUP_ID}: every subscription below a management group. */
        MANAGEMENT_GROUP
    }

    /** The inputs that choose what is guarded, given (not empty) or not. */
    public enum ScopeInput {
        /** Bicep {@code guardedSubscriptionIds}, Terraform {@code subscription_ids}. */
        SUBSCRIPTION_LIST,
        /** Bicep {@code managementGroupId}, Terraform {@code management_group_id}. */
        MANAGEMENT_GROUP,
        /** Bicep {@code managementGroupSubscriptionIds} (Terraform lists the group's subscriptions itself). */
        MANAGEMENT_GROUP_SUBSCRIPTIONS
    }

    /**
     * One of the three scope settings: the mode ({@code scopeMode} / {@code local.scope_mode}) it is set in, and the
     * value it then gets, as written (with a Bicep parameter followed to what main.bicep passes).
     */
    public record ScopeSetting(String mode, String value) {}

    /** What a combination of inputs makes of the deployment. */
    public sealed interface Decision {
        /**
         * It deploys a guard of {@code mode}: the app settings of {@code settings} (name to value as written) are the
         * scope settings it sets, and {@code eventSources} (as written) the subscriptions given a topic and an event
         * subscription.
         */
        record Deploys(String mode, Map<String, String> settings, String eventSources) implements Decision {}

        /** The deployment stops: a {@code fail(...)} reached, or a variable validation that does not hold. */
        record Refused(String why) implements Decision {}
    }

    /**
     * How the inputs choose what is guarded.
     *
     * @param modeExpression the expression of the mode ({@code var scopeMode} / {@code local.scope_mode})
     * @param validations Terraform variable validations that weigh the scope inputs against each other
     * @param settings the scope settings group ({@code guardScopeSettings} / {@code local.guard_scope_settings}), by name
     * @param filtered true when the group reaches the app settings through a not-empty filter, so the two not chosen are
     *     not set at all
     * @param eventSourcesExpression the expression of the subscriptions whose events reach the guard
     */
    public record ScopeChoice(Form form, String modeExpression, List<String> validations, Map<String, ScopeSetting> settings,
            boolean filtered, String eventSourcesExpression) {
        public ScopeChoice {
            validations = List.copyOf(validations);
            settings = Map.copyOf(settings);
        }

        /** What the deployment does with these inputs given (the others empty). */
        public Decision decide(Set<ScopeInput> given) {
            java.util.function.Function<String, Boolean> inputs = atom -> inputCondition(form, atom, given);
            for (String validation : validations) {
                if (!Conditional.holds(validation, inputs)) {
                    return new Decision.Refused("validation " + validation);
                }
            }
            String mode = Conditional.choose(modeExpression, inputs);
            if (mode.startsWith("fail(")) {
                return new Decision.Refused(mode);
            }
            String literal = unquote(mode);
            Map<String, String> chosen = new TreeMap<>();
            settings.forEach((name, setting) -> {
                if (setting.mode().equals(literal)) {
                    chosen.put(name, setting.value());
                }
            });
            String sources = Conditional.choose(eventSourcesExpression, atom -> modeCondition(form, atom, literal));
            return new Decision.Deploys(literal, chosen, sources);
        }

        private static Boolean inputCondition(Form form, String atom, Set<ScopeInput> given) {
            String a = atom.replaceAll("\\s+", " ").trim();
            Map<String, Boolean> known = form == Form.BICEP
                    ? Map.of("empty(guardedSubscriptionIds)", !given.contains(ScopeInput.SUBSCRIPTION_LIST),
                            "empty(managementGroupId)", !given.contains(ScopeInput.MANAGEMENT_GROUP),
                            "empty(managementGroupSubscriptionIds)", !given.contains(ScopeInput.MANAGEMENT_GROUP_SUBSCRIPTIONS))
                    : Map.of("var.management_group_id != \"\"", given.contains(ScopeInput.MANAGEMENT_GROUP),
                            "var.management_group_id == \"\"", !given.contains(ScopeInput.MANAGEMENT_GROUP),
                            "length(var.subscription_ids) > 0", given.contains(ScopeInput.SUBSCRIPTION_LIST),
                            "length(var.subscription_ids) == 0", !given.contains(ScopeInput.SUBSCRIPTION_LIST));
            Boolean value = known.get(a);
            if (value == null) {
                throw new IllegalStateException(form + ": the scope inputs are weighed with a condition the test does not"
                        + " know, '" + a + "'; teach InfraModel.ScopeChoice (known: " + known.keySet() + ")");
            }
            return value;
        }

        private static Boolean modeCondition(Form form, String atom, String mode) {
            Matcher m = MODE_CONDITION.matcher(atom.trim());
            if (!m.matches()) {
                throw new IllegalStateException(form + ": expected a condition on the mode, got '" + atom + "'");
            }
            return m.group(2).equals(mode);
        }
    }

    /** {@code scopeMode == 'x'} (Bicep) or {@code local.scope_mode == "x"} (Terraform). */
    static final Pattern MODE_CONDITION = Pattern.compile("^(scopeMode|local\\.scope_mode) == ['\"]([A-Za-z_]+)['\"]$");

    /** A scope setting's value: {@code <mode condition> ? <value> : ''} ({@code ""} in Terraform). */
    private static final Pattern SCOPE_SETTING = Pattern.compile(
            "^(?:\\$\\{)?(scopeMode|local\\.scope_mode) == ['\"]([A-Za-z_]+)['\"] \\? (.+) : (?:''|\"\")}?$");

    private static String unquote(String literal) {
        String t = literal.trim();
        if (t.length() >= 2 && (t.startsWith("'") && t.endsWith("'") || t.startsWith("\"") && t.endsWith("\""))) {
            return t.substring(1, t.length() - 1);
        }
        throw new IllegalStateException("the mode is not a string literal: " + literal);
    }

    static Map<String, ScopeSetting> scopeSettings(Map<String, String> values, java.util.function.UnaryOperator<String> follow) {
        Map<String, ScopeSetting> out = new LinkedHashMap<>();
        values.forEach((name, text) -> {
            Matcher m = SCOPE_SETTING.matcher(text.replaceAll("\\s+", " ").trim());
            if (!m.matches()) {
                throw new IllegalStateException("scope setting " + name + " is not '<mode> == <literal> ? <value> : empty': " + text);
            }
            out.put(name, new ScopeSetting(m.group(2), follow.apply(m.group(3).trim())));
        });
        return out;
    }

    /**
     * An alert rule, in the terms both forms share (values that only Azure knows are {@code null}).
     *
     * @param kind {@code log} (a log search alert on the workspace) or {@code metric}
     * @param query the KQL of a log alert (trimmed), or the metric's {@code namespace/name} of a metric alert
     * @param measureColumn the column a log alert aggregates, or {@code null} when it counts rows
     * @param window the period each evaluation looks at, ISO 8601, with a variable's default when it is one
     * @param notifiesConfiguredActionGroups true when the rule's actions are the action groups the inputs configure
     * @param identity the managed identity type a log alert runs its query as ({@code identity.type}), or {@code null}
     *     when it declares none (it then runs with the permissions of whoever last edited it) and for a metric alert
     * @param rolesOnItsScope the built-in roles (by name; an unknown role by its ID) that the deployment always assigns
     *     to the rule's own identity on the one resource the rule queries, each with the {@code principalType} the
     *     assignment declares ("Reader as ServicePrincipal"; "as none" without one), sorted
     */
    public record AlertRule(String kind, String query, String timeAggregation, String measureColumn, String operator,
            String threshold, String frequency, String window, String severity, boolean autoMitigate,
            boolean notifiesConfiguredActionGroups, String identity, List<String> rolesOnItsScope) {
        public AlertRule {
            rolesOnItsScope = rolesOnItsScope.stream().sorted().toList();
        }
    }

    /** Built-in roles a log alert's identity could be given to read its workspace, by role definition ID (Learn). */
    static final Map<String, String> READ_ROLES = Map.of(
            "acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader",
            "73c42c96-874c-492b-b04d-ab87d138a893", "Log Analytics Reader");

    /**
     * The two sets of app settings that point the identity-based {@code AzureWebJobsStorage} connection at the app's
     * storage account, and what picks one.
     *
     * @param byAccountName the settings where the host can derive the account's endpoints from its name, each with
     *     what it is set to: {@code account} for the account's name, {@code <service> endpoint} for the account's own
     *     endpoint of that service ({@code blob}, {@code queue}, {@code table}), or the expression as written
     * @param byServiceUris the settings elsewhere, described the same way
     * @param derivedEndpointsCompared the services whose account endpoint the choice compares with
     *     {@code https://<account name>.<service>.core.windows.net/}, all of them required ({@code &&})
     * @param chosenInAppSettings true when the app settings take {@code byAccountName} when the choice holds and
     *     {@code byServiceUris} otherwise
     */
    public record StorageSettings(Map<String, String> byAccountName, Map<String, String> byServiceUris,
            Set<String> derivedEndpointsCompared, boolean chosenInAppSettings) {
        public StorageSettings {
            byAccountName = Map.copyOf(byAccountName);
            byServiceUris = Map.copyOf(byServiceUris);
            derivedEndpointsCompared = Set.copyOf(derivedEndpointsCompared);
        }
    }

    /**
     * What {@code AZURE_CLOUD} is set from.
     *
     * @param expression the setting's value as written (Bicep {@code environment().name}; Terraform a local)
     * @param cloudByStorageSuffix in Terraform, the cloud named for each storage endpoint suffix of the account the
     *     value is looked up with (empty in Bicep)
     * @param fromTheAccountsEndpoint in Terraform, true when the suffix looked up is the one in the app's storage
     *     account's blob endpoint
     */
    public record CloudSetting(String expression, Map<String, String> cloudByStorageSuffix, boolean fromTheAccountsEndpoint) {
        public CloudSetting {
            cloudByStorageSuffix = Map.copyOf(cloudByStorageSuffix);
        }
    }

    public InfraModel {
        Objects.requireNonNull(form, "form == null");
        Objects.requireNonNull(storage, "storage == null");
        Objects.requireNonNull(cloud, "cloud == null");
        operationNameFilter = Set.copyOf(operationNameFilter);
        includedEventTypes = Set.copyOf(includedEventTypes);
        readActions = List.copyOf(readActions);
        writeActions = List.copyOf(writeActions);
        listedSubscriptionActions = List.copyOf(listedSubscriptionActions);
        managementGroupActions = List.copyOf(managementGroupActions);
        roleActionsExpressions = Map.copyOf(roleActionsExpressions);
        Objects.requireNonNull(scope, "scope == null");
        alwaysSetSettings = Map.copyOf(alwaysSetSettings);
        optionalSettings = Map.copyOf(optionalSettings);
        hostSettings = Set.copyOf(hostSettings);
        clearedSettings = Set.copyOf(clearedSettings);
        alwaysReadyNames = List.copyOf(alwaysReadyNames);
        alerts = Map.copyOf(alerts);
    }

    private static final Map<Form, InfraModel> CACHE = new EnumMap<>(Form.class);

    /** The model of one form of this repository's deployment (parsed once per test JVM). */
    public static synchronized InfraModel load(Form form) {
        return CACHE.computeIfAbsent(form, f -> switch (f) {
            case BICEP -> fromBicep(repoRoot());
            case TERRAFORM -> fromTerraform(repoRoot());
        });
    }

    /** The role's actions in a remediation mode for a guard of one subscription (the default deployment). */
    public Set<String> roleActions(Mode mode) {
        return roleActions(mode, Guarded.SUBSCRIPTION);
    }

    /**
     * The role's actions in a remediation mode for what is guarded: the read actions, what reading the guarded
     * subscriptions takes (a list's, or a management group's), and the write actions when enforcing. The order is the
     * role definitions' ({@code concat(read, scope's, enforce ? write : [])}, which DeploymentMatchesCodeTest holds
     * them to).
     */
    public Set<String> roleActions(Mode mode, Guarded guarded) {
        Set<String> actions = new LinkedHashSet<>(readActions);
        switch (guarded) {
            case SUBSCRIPTION -> { }
            case SUBSCRIPTIONS -> actions.addAll(listedSubscriptionActions);
            case MANAGEMENT_GROUP -> actions.addAll(managementGroupActions);
        }
        if (mode == Mode.ENFORCE) {
            actions.addAll(writeActions);
        }
        return actions;
    }

    /**
     * Every app setting the guard's code reads that this deployment can set: always, when its input is given, or in
     * one of the clouds (the storage settings).
     */
    public Set<String> settableSettings() {
        Set<String> all = new LinkedHashSet<>(scope.settings().keySet());
        all.addAll(alwaysSetSettings.keySet());
        all.addAll(optionalSettings.keySet());
        storageSettingNames().stream().filter(Settings.NAMES::contains).forEach(all::add);
        return all;
    }

    /** Every app setting only the Functions host reads: the host group, and the storage settings the code does not read. */
    public Set<String> hostOnlySettings() {
        Set<String> all = new LinkedHashSet<>(hostSettings);
        storageSettingNames().stream().filter(name -> !Settings.NAMES.contains(name)).forEach(all::add);
        return all;
    }

    /** The storage settings of either choice. */
    public Set<String> storageSettingNames() {
        Set<String> all = new LinkedHashSet<>(storage.byAccountName().keySet());
        all.addAll(storage.byServiceUris().keySet());
        return all;
    }

    /** The app settings a deployment with default inputs sets, where their values are known before Azure. */
    public Map<String, String> defaultSettingValues() {
        Map<String, String> values = new TreeMap<>();
        Stream.concat(alwaysSetSettings.entrySet().stream(), optionalSettings.entrySet().stream())
                .filter(e -> e.getValue().isPresent() && !e.getValue().get().isEmpty())
                .forEach(e -> values.put(e.getKey(), e.getValue().get()));
        return values;
    }

    /** The repository root: the nearest directory upwards holding {@code pom.xml} and {@code infra/}. */
    public static Path repoRoot() {
        return dev.aksrouteguard.testing.Repo.root();
    }

    // =====================================================================================================
    // Bicep
    // =====================================================================================================

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

    /** A declaration and the file it is in. */
    private record Located(Path file, Declaration declaration) {}

    /** Every {@code .bicep} file under {@code infra/}, parsed. */
    private static final class BicepProject {
        final Map<Path, BicepText> files = new LinkedHashMap<>();

        BicepProject(Path infra) {
            try (Stream<Path> paths = Files.walk(infra)) {
                for (Path p : paths.filter(p -> p.toString().endsWith(".bicep")).sorted().toList()) {
                    files.put(p.toAbsolutePath().normalize(),
                            BicepText.parse(infra.getParent().relativize(p).toString(), Files.readString(p)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        List<Located> all(String kind, String name) {
            List<Located> found = new ArrayList<>();
            files.forEach((path, text) -> text.declarations().stream()
                    .filter(d -> d.kind().equals(kind) && name.equals(d.name()))
                    .forEach(d -> found.add(new Located(path, d))));
            return found;
        }

        Located onlyVar(String name) {
            List<Located> found = all("var", name);
            if (found.size() != 1) {
                throw new IllegalStateException("expected one Bicep var " + name + ", found " + found.size());
            }
            return found.get(0);
        }

        /** Every resource of a type that the deployment creates (not {@code existing}), in file order. */
        List<Located> allResources(String type) {
            List<Located> found = new ArrayList<>();
            files.forEach((path, text) -> text.resources(type).stream()
                    .filter(d -> !d.existing())
                    .forEach(d -> found.add(new Located(path, d))));
            return found;
        }

        /** The only resource of a type that the deployment creates (not {@code existing}). */
        Located onlyResource(String type) {
            List<Located> found = allResources(type);
            if (found.size() != 1) {
                throw new IllegalStateException("expected one Bicep resource " + type + ", found " + found.size());
            }
            return found.get(0);
        }

        /** Module declarations that deploy {@code file}. */
        List<Located> callers(Path file) {
            List<Located> found = new ArrayList<>();
            files.forEach((path, text) -> text.declarations().stream()
                    .filter(d -> d.kind().equals("module")
                            && path.getParent().resolve(d.type()).normalize().equals(file))
                    .forEach(d -> found.add(new Located(path, d))));
            return found;
        }

        /**
         * What an identifier in {@code file} stands for: a var in the file, a param (the value its one caller passes,
         * else its default), or an imported var (declared once in the project).
         */
        Optional<Map.Entry<Path, Value>> valueOf(Path file, String identifier) {
            BicepText text = files.get(file);
            Optional<Declaration> var = text.find("var", identifier);
            if (var.isPresent()) {
                return Optional.of(Map.entry(file, var.get().value()));
            }
            Optional<Declaration> param = text.find("param", identifier);
            if (param.isPresent()) {
                List<Located> callers = callers(file);
                if (callers.size() == 1 && callers.get(0).declaration().value() instanceof Obj body) {
                    Optional<Value> passed = body.at("params." + identifier);
                    if (passed.isPresent()) {
                        return Optional.of(Map.entry(callers.get(0).file(), passed.get()));
                    }
                }
                return Optional.ofNullable(param.get().value()).map(v -> Map.entry(file, v));
            }
            List<Located> imported = all("var", identifier);
            return imported.size() == 1
                    ? Optional.of(Map.entry(imported.get(0).file(), imported.get(0).declaration().value()))
                    : Optional.empty();
        }

        /** The string a value stands for, when it is known without Azure. */
        Optional<String> literal(Path file, Value value) {
            return literal(file, value, 0);
        }

        private Optional<String> literal(Path file, Value value, int depth) {
            if (depth > 10 || value == null) {
                return Optional.empty();
            }
            if (value instanceof Str s) {
                return Optional.of(s.text());
            }
            if (!(value instanceof Expr e)) {
                return Optional.empty();
            }
            String text = e.text();
            if (IDENTIFIER.matcher(text).matches()) {
                Optional<String> agreed = literalPassedByEveryCaller(file, text, depth);
                if (agreed.isPresent()) {
                    return agreed;
                }
                return valueOf(file, text).flatMap(v -> literal(v.getKey(), v.getValue(), depth + 1));
            }
            if (text.matches("-?\\d+")) {
                return Optional.of(text);
            }
            String interpolated = interpolate(file, text, depth);
            if (interpolated.length() >= 2 && interpolated.startsWith("'") && interpolated.endsWith("'")
                    && !interpolated.contains("${")) {
                return Optional.of(interpolated.substring(1, interpolated.length() - 1));
            }
            return Optional.empty();
        }

        /**
         * A parameter of a module that several callers deploy (e.g. the event subscription, for this subscription and for
         * each other one): the literal they all pass, when they pass the same one.
         */
        private Optional<String> literalPassedByEveryCaller(Path file, String identifier, int depth) {
            if (files.get(file).find("var", identifier).isPresent() || files.get(file).find("param", identifier).isEmpty()) {
                return Optional.empty();
            }
            List<Located> callers = callers(file);
            if (callers.size() < 2) {
                return Optional.empty();
            }
            Set<Optional<String>> passed = new LinkedHashSet<>();
            for (Located caller : callers) {
                Value body = caller.declaration().value() instanceof BicepText.Loop loop ? loop.body() : caller.declaration().value();
                passed.add(body instanceof Obj obj ? obj.at("params." + identifier).flatMap(v -> literal(caller.file(), v, depth + 1))
                        : Optional.empty());
            }
            return passed.size() == 1 ? passed.iterator().next() : Optional.empty();
        }

        /** The text with each {@code ${identifier}} that leads to a literal replaced by it. */
        String interpolate(Path file, String text, int depth) {
            Matcher m = INTERPOLATION.matcher(text);
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String replacement = valueOf(file, m.group(1))
                        .flatMap(v -> literal(v.getKey(), v.getValue(), depth + 1))
                        .orElse(m.group());
                m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
            }
            m.appendTail(sb);
            return sb.toString();
        }

        /** A list of string literals (an array, or an identifier leading to one). */
        List<String> strings(Path file, Value value, String what) {
            if (value instanceof Expr e && IDENTIFIER.matcher(e.text()).matches()) {
                Map.Entry<Path, Value> v = valueOf(file, e.text())
                        .orElseThrow(() -> new IllegalStateException(what + ": cannot resolve " + e.text()));
                return strings(v.getKey(), v.getValue(), what);
            }
            if (!(value instanceof Arr arr)) {
                throw new IllegalStateException(what + " is not an array of strings: " + value);
            }
            List<String> out = new ArrayList<>();
            for (Value item : arr.items()) {
                out.add(literal(file, item).orElseThrow(
                        () -> new IllegalStateException(what + " holds " + item + ", not a string literal")));
            }
            return out;
        }
    }

    private static Obj body(Located located) {
        if (!(located.declaration().value() instanceof Obj obj)) {
            throw new IllegalStateException(located.declaration().name() + " has no object body");
        }
        return obj;
    }

    private static Value need(Obj obj, String path, String what) {
        return obj.at(path).orElseThrow(() -> new IllegalStateException(what + ": no " + path));
    }

    private static String exprText(Value v) {
        if (v instanceof Expr e) {
            return e.text();
        }
        if (v instanceof Str s) {
            return "'" + s.text() + "'";
        }
        return String.valueOf(v);
    }

    static InfraModel fromBicep(Path root) {
        BicepProject p = new BicepProject(root.resolve("infra"));

        Located es = p.onlyResource("Microsoft.EventGrid/systemTopics/eventSubscriptions");
        Obj esBody = body(es);
        Set<String> operations = new LinkedHashSet<>();
        Value filters = need(esBody, "properties.filter.advancedFilters", "event subscription");
        if (filters instanceof Arr arr) {
            for (Value f : arr.items()) {
                if (f instanceof Obj o
                        && o.get("operatorType").flatMap(v -> p.literal(es.file(), v)).orElse("").equals("StringIn")
                        && o.get("key").flatMap(v -> p.literal(es.file(), v)).orElse("").equals("data.operationName")) {
                    operations.addAll(p.strings(es.file(), need(o, "values", "StringIn filter"), "StringIn values"));
                }
            }
        }
        Set<String> eventTypes = new LinkedHashSet<>(p.strings(es.file(),
                need(esBody, "properties.filter.includedEventTypes", "event subscription"), "includedEventTypes"));
        String endpointType = p.literal(es.file(), need(esBody, "properties.destination.endpointType", "destination"))
                .orElse("");
        String destination = p.interpolate(es.file(),
                exprText(need(esBody, "properties.destination.properties.resourceId", "destination")), 0);
        String functionName = endpointType.equals("AzureFunction") ? functionNameIn(destination) : null;

        Map<String, String> actionsExpressions = new TreeMap<>();
        for (Located role : p.allResources("Microsoft.Authorization/roleDefinitions")) {
            Value permissions = need(body(role), "properties.permissions", "role definition");
            actionsExpressions.put(root.resolve("infra").relativize(role.file()).toString(),
                    permissions instanceof Arr arr && arr.items().size() == 1
                            && arr.items().get(0) instanceof Obj o && o.get("actions").isPresent()
                            ? exprText(o.get("actions").get()) : "");
        }
        Located read = p.onlyVar("guardReadActions");
        Located write = p.onlyVar("guardWriteActions");
        Located listedActions = p.onlyVar("guardListedSubscriptionActions");
        Located groupActions = p.onlyVar("guardManagementGroupActions");

        Located guard = p.onlyVar("guardSettings");
        Located scopeGroup = p.onlyVar("guardScopeSettings");
        Located optional = p.onlyVar("guardOptionalSettings");
        Located host = p.onlyVar("hostSettings");
        Located applied = p.onlyVar("appSettings");
        String appliedText = exprText(applied.declaration().value()).replaceAll("\\s+", " ");
        Located siteConfig = p.files.get(applied.file()).resources("Microsoft.Web/sites/config").stream()
                .map(d -> new Located(applied.file(), d))
                .filter(l -> p.literal(l.file(), body(l).get("name").orElse(null)).orElse("").equals("appsettings"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no sites/config 'appsettings' next to var appSettings"));
        boolean groupsApplied = exprText(body(siteConfig).get("properties").orElse(new Expr(""))).equals("appSettings")
                && Stream.of("hostSettings", "guardScopeSettings", "guardSettings", "guardOptionalSettings").allMatch(appliedText::contains);
        boolean filtered = appliedText.contains("filter(items(guardOptionalSettings), s => !empty(s.value))");

        // What is guarded: main.bicep's scopeMode, the settings functionapp.bicep derives from it (its parameters
        // followed to what main.bicep passes), and the subscriptions given Event Grid.
        Map<String, String> scopeValues = new LinkedHashMap<>();
        if (!(scopeGroup.declaration().value() instanceof Obj scopeObj)) {
            throw new IllegalStateException("var guardScopeSettings is not an object literal");
        }
        scopeObj.entries().forEach((name, value) -> scopeValues.put(name, exprText(value)));
        Path scopeFile = scopeGroup.file();
        java.util.function.UnaryOperator<String> followParam = text -> {
            if (IDENTIFIER.matcher(text).matches() && p.files.get(scopeFile).find("param", text).isPresent()) {
                return p.valueOf(scopeFile, text).map(v -> exprText(v.getValue())).orElse(text);
            }
            return text;
        };
        Map<String, ScopeSetting> scopeSettings = scopeSettings(scopeValues, followParam);
        String passedMode = followParam.apply("scopeMode");
        if (!passedMode.equals("scopeMode")) {
            throw new IllegalStateException("functionapp.bicep's scopeMode must be main.bicep's var scopeMode, got " + passedMode);
        }
        ScopeChoice scope = new ScopeChoice(Form.BICEP, exprText(p.onlyVar("scopeMode").declaration().value()), List.of(),
                scopeSettings, appliedText.contains("filter(items(guardScopeSettings), s => !empty(s.value))"),
                exprText(p.onlyVar("eventSourceSubscriptionIds").declaration().value()));

        Located site = p.onlyResource("Microsoft.Web/sites");
        Obj siteBody = body(site);
        List<String> alwaysReady = new ArrayList<>();
        siteBody.at("properties.functionAppConfig.scaleAndConcurrency.alwaysReady").ifPresent(v -> {
            if (v instanceof Arr arr) {
                arr.items().forEach(item -> {
                    if (item instanceof Obj o && o.get("name").isPresent()) {
                        alwaysReady.add(p.literal(site.file(), o.get("name").get())
                                .orElse(p.interpolate(site.file(), exprText(o.get("name").get()), 0)));
                    }
                });
            }
        });
        String runtime = p.literal(site.file(), need(siteBody, "properties.functionAppConfig.runtime.name", "site"))
                .orElse("?") + " " + p.literal(site.file(),
                need(siteBody, "properties.functionAppConfig.runtime.version", "site")).orElse("?");

        Located topic = p.onlyResource("Microsoft.EventGrid/systemTopics");
        Obj topicBody = body(topic);

        DeadLetter deadLetter = esBody.at("properties.deadLetterWithResourceIdentity")
                .filter(Obj.class::isInstance).map(Obj.class::cast)
                .map(o -> new DeadLetter(
                        o.at("identity.type").flatMap(v -> p.literal(es.file(), v)).orElse(null),
                        o.at("deadLetterDestination.endpointType").flatMap(v -> p.literal(es.file(), v)).orElse(null),
                        o.at("deadLetterDestination.properties.blobContainerName")
                                .flatMap(v -> p.literal(es.file(), v)).orElse(null)))
                .orElse(null);
        RetryPolicy retry = esBody.at("properties.retryPolicy")
                .filter(Obj.class::isInstance).map(Obj.class::cast)
                .map(o -> new RetryPolicy(
                        intOf(o.get("maxDeliveryAttempts").flatMap(v -> p.literal(es.file(), v))),
                        intOf(o.get("eventTimeToLiveInMinutes").flatMap(v -> p.literal(es.file(), v)))))
                .orElse(null);
        Delivery delivery = new Delivery(
                intOf(esBody.at("properties.destination.properties.maxEventsPerBatch").flatMap(v -> p.literal(es.file(), v))),
                intOf(esBody.at("properties.destination.properties.preferredBatchSizeInKilobytes")
                        .flatMap(v -> p.literal(es.file(), v))),
                esBody.at("properties.eventDeliverySchema").flatMap(v -> p.literal(es.file(), v)).orElse(null));

        // Every module that deploys the event subscription (this subscription's, and the loop over the others) waits
        // for deployEventSubscription, a parameter that is false by default.
        Path esFile = es.file();
        List<Located> esCallers = p.callers(esFile);
        boolean gated = !esCallers.isEmpty() && esCallers.stream().allMatch(c -> {
            String condition = c.declaration().value() instanceof BicepText.Loop loop ? loop.condition() : c.declaration().condition();
            String first = Objects.requireNonNullElse(condition, "").split("&&")[0].trim();
            return IDENTIFIER.matcher(first).matches()
                    && p.files.get(c.file()).find("param", first)
                            .map(d -> d.value() != null && exprText(d.value()).equals("false"))
                            .orElse(false);
        });

        Set<String> cleared = new LinkedHashSet<>();
        Stream.of(bicepSettings(p, guard), bicepSettings(p, host)).forEach(group -> group.forEach((name, value) -> {
            if (value.orElse("?").isEmpty()) {
                cleared.add(name);
            }
        }));

        return new InfraModel(Form.BICEP, operations, eventTypes, functionName,
                p.strings(read.file(), read.declaration().value(), "guardReadActions"),
                p.strings(write.file(), write.declaration().value(), "guardWriteActions"),
                p.strings(listedActions.file(), listedActions.declaration().value(), "guardListedSubscriptionActions"),
                p.strings(groupActions.file(), groupActions.declaration().value(), "guardManagementGroupActions"),
                actionsExpressions, scope,
                bicepSettings(p, guard), bicepSettings(p, optional), bicepSettings(p, host).keySet(), cleared,
                filtered, groupsApplied, alwaysReady, runtime,
                p.literal(topic.file(), need(topicBody, "properties.topicType", "system topic")).orElse(null),
                p.literal(topic.file(), need(topicBody, "location", "system topic")).orElse(null),
                deadLetter, retry, delivery, gated, bicepAlerts(p),
                p.allResources("Microsoft.EventGrid/systemTopics/eventSubscriptions").size(),
                bicepStorage(p, appliedText),
                new CloudSetting(exprText(((Obj) guard.declaration().value()).get(Settings.AZURE_CLOUD)
                        .orElseThrow(() -> new IllegalStateException("guardSettings has no AZURE_CLOUD"))), Map.of(), false));
    }

    /**
     * functionapp.bicep's {@code storageByAccountName} / {@code storageByServiceUris}, and {@code hostDerivesStorageEndpoints}
     * that picks one in {@code appSettings}. The account is the {@code existing} storage account the file names.
     */
    private static StorageSettings bicepStorage(BicepProject p, String appliedText) {
        Located byName = p.onlyVar("storageByAccountName");
        Located byUris = p.onlyVar("storageByServiceUris");
        Located choice = p.onlyVar("hostDerivesStorageEndpoints");
        Declaration account = p.files.get(byName.file()).resources("Microsoft.Storage/storageAccounts").stream()
                .findFirst().orElseThrow(() -> new IllegalStateException("no storage account next to storageByAccountName"));
        String symbol = account.name();
        java.util.function.Function<Value, String> describe = v -> {
            String text = exprText(v).trim();
            if (text.equals(symbol + ".name")) {
                return "account";
            }
            Matcher m = Pattern.compile("^" + Pattern.quote(symbol) + "\\.properties\\.primaryEndpoints\\.(\\w+)$").matcher(text);
            return m.matches() ? m.group(1) + " endpoint" : text;
        };
        Set<String> compared = new LinkedHashSet<>();
        String choiceText = exprText(choice.declaration().value()).replaceAll("\\s+", " ").trim();
        List<String> terms = List.of(choiceText.split(" && "));
        Pattern term = Pattern.compile("^" + Pattern.quote(symbol) + "\\.properties\\.primaryEndpoints\\.(\\w+) == 'https://\\$\\{"
                + Pattern.quote(symbol) + "\\.name\\}\\.(\\w+)\\.core\\.windows\\.net/'$");
        for (String t : terms) {
            Matcher m = term.matcher(t.trim());
            if (!m.matches() || !m.group(1).equals(m.group(2))) {
                compared.clear();
                break;
            }
            compared.add(m.group(1));
        }
        return new StorageSettings(describeAll(byName, describe), describeAll(byUris, describe), compared,
                appliedText.contains("hostDerivesStorageEndpoints ? storageByAccountName : storageByServiceUris"));
    }

    private static Map<String, String> describeAll(Located var, java.util.function.Function<Value, String> describe) {
        if (!(var.declaration().value() instanceof Obj o)) {
            throw new IllegalStateException("var " + var.declaration().name() + " is not an object literal");
        }
        Map<String, String> out = new LinkedHashMap<>();
        o.entries().forEach((name, value) -> out.put(name, describe.apply(value)));
        return out;
    }

    private static final Pattern BICEP_ALERT_NAME = Pattern.compile("^'\\$\\{namePrefix}-([a-z-]+)'$");

    /** The alert rules of the Bicep, by the name after their prefix (e.g. {@code sweep-missing}). */
    private static Map<String, AlertRule> bicepAlerts(BicepProject p) {
        Map<String, AlertRule> alerts = new TreeMap<>();
        p.files.forEach((path, text) -> {
            for (Declaration d : text.declarations()) {
                if (!d.kind().equals("resource") || d.existing()) {
                    continue;
                }
                String type = d.type().split("@")[0];
                boolean log = type.equalsIgnoreCase("Microsoft.Insights/scheduledQueryRules");
                boolean metric = type.equalsIgnoreCase("Microsoft.Insights/metricAlerts");
                if (!log && !metric) {
                    continue;
                }
                Located r = new Located(path, d);
                Obj b = body(r);
                Matcher name = BICEP_ALERT_NAME.matcher(exprText(need(b, "name", d.name())).trim());
                if (!name.matches()) {
                    throw new IllegalStateException(d.name() + ": alert rule names are '${namePrefix}-<name>'");
                }
                Obj c = (Obj) ((Arr) need(b, "properties.criteria.allOf", d.name())).items().get(0);
                Value actions = log ? b.at("properties.actions.actionGroups").orElse(null)
                        : b.at("properties.actions").orElse(null);
                boolean notifies = actions != null && (log ? exprText(actions).equals("actionGroupIds")
                        : actions instanceof BicepText.Loop loop && loop.header().equals("id in actionGroupIds"));
                String identity = log ? b.at("identity.type").flatMap(v -> p.literal(path, v)).orElse(null) : null;
                List<String> roles = log ? bicepRolesOnScope(p, path, text, d, b) : List.of();
                alerts.put(name.group(1), new AlertRule(log ? "log" : "metric",
                        log ? p.literal(path, need(c, "query", d.name())).map(String::trim).orElse(null)
                                : p.literal(path, need(c, "metricNamespace", d.name())).orElse("?") + "/"
                                        + p.literal(path, need(c, "metricName", d.name())).orElse("?"),
                        p.literal(path, need(c, "timeAggregation", d.name())).orElse(null),
                        c.get("metricMeasureColumn").flatMap(v -> p.literal(path, v)).orElse(null),
                        p.literal(path, need(c, "operator", d.name())).orElse(null),
                        p.literal(path, need(c, "threshold", d.name())).orElse(null),
                        p.literal(path, need(b, "properties.evaluationFrequency", d.name())).orElse(null),
                        p.literal(path, need(b, "properties.windowSize", d.name())).orElse(null),
                        p.literal(path, need(b, "properties.severity", d.name())).orElse(null),
                        b.at("properties.autoMitigate").map(v -> exprText(v).equals("true")).orElse(false),
                        notifies, identity, roles));
            }
        });
        return alerts;
    }

    private static final Pattern BICEP_SCOPE_ID = Pattern.compile("^([A-Za-z_]\\w*)\\.id$");
    private static final Pattern BICEP_ROLE_ID = Pattern.compile(
            "^subscriptionResourceId\\('Microsoft\\.Authorization/roleDefinitions',\\s*([A-Za-z_]\\w*)\\)$");

    /**
     * The roles that unconditional role assignments in the rule's file give the rule's own identity
     * ({@code <rule>.identity.principalId}) on the one resource the rule queries ({@code scopes: [<symbol>.id]}, the
     * assignment's {@code scope: <symbol>}).
     */
    private static List<String> bicepRolesOnScope(BicepProject p, Path path, BicepText text, Declaration rule, Obj body) {
        Value scopes = body.at("properties.scopes").orElse(null);
        if (!(scopes instanceof Arr arr) || arr.items().size() != 1) {
            return List.of();
        }
        Matcher scope = BICEP_SCOPE_ID.matcher(exprText(arr.items().get(0)).trim());
        if (!scope.matches()) {
            return List.of();
        }
        List<String> roles = new ArrayList<>();
        for (Declaration a : text.resources("Microsoft.Authorization/roleAssignments")) {
            if (a.existing() || a.condition() != null || !(a.value() instanceof Obj ab)) {
                continue;
            }
            boolean toTheRule = ab.at("properties.principalId")
                    .map(v -> exprText(v).trim().equals(rule.name() + ".identity.principalId")).orElse(false);
            boolean onItsScope = ab.get("scope").map(v -> exprText(v).trim().equals(scope.group(1))).orElse(false);
            Matcher roleId = BICEP_ROLE_ID.matcher(ab.at("properties.roleDefinitionId").map(v -> exprText(v).trim()).orElse(""));
            if (toTheRule && onItsScope && roleId.matches()) {
                String id = text.find("var", roleId.group(1)).map(Declaration::value).filter(Str.class::isInstance)
                        .map(v -> ((Str) v).text()).orElse(roleId.group(1));
                roles.add(READ_ROLES.getOrDefault(id, id) + " as "
                        + ab.at("properties.principalType").flatMap(v -> p.literal(path, v)).orElse("none"));
            }
        }
        return roles;
    }

    private static Map<String, Optional<String>> bicepSettings(BicepProject p, Located var) {
        if (!(var.declaration().value() instanceof Obj obj)) {
            throw new IllegalStateException("var " + var.declaration().name() + " is not an object literal");
        }
        Map<String, Optional<String>> settings = new LinkedHashMap<>();
        obj.entries().forEach((name, value) -> settings.put(name, p.literal(var.file(), value)));
        return settings;
    }

    // =====================================================================================================
    // Terraform
    // =====================================================================================================

    static InfraModel fromTerraform(Path root) {
        TerraformJson tf = TerraformJson.read(root, root.resolve("infra/terraform"));

        JsonObject es = tf.onlyResource("azurerm_eventgrid_system_topic_event_subscription");
        Set<String> operations = new LinkedHashSet<>();
        for (JsonObject filter : TerraformJson.blocks(es, "advanced_filter")) {
            for (JsonObject in : TerraformJson.blocks(filter, "string_in")) {
                if (tf.literal(in.get("key")).orElse("").equals("data.operationName")) {
                    operations.addAll(tf.stringList(in.get("values"), "string_in values"));
                }
            }
        }
        Set<String> eventTypes = new LinkedHashSet<>(tf.stringList(es.get("included_event_types"), "included_event_types"));
        String functionName = TerraformJson.blocks(es, "azure_function_endpoint").stream()
                .findFirst()
                .map(b -> functionNameIn(interpolate(tf, b.get("function_id").getAsString())))
                .orElse(null);

        JsonObject role = tf.onlyResource("azurerm_role_definition");
        Map<String, String> actionsExpressions = new TreeMap<>();
        actionsExpressions.put("terraform azurerm_role_definition", TerraformJson.blocks(role, "permissions").stream().findFirst()
                .map(b -> b.get("actions").isJsonPrimitive() ? b.get("actions").getAsString() : b.get("actions").toString())
                .orElse(""));
        actionsExpressions.put("terraform local.role_scope_actions", tf.local("role_scope_actions")
                .map(JsonElement::getAsString).orElse(""));

        JsonObject site = azapiResource(tf, "Microsoft.Web/sites");
        JsonObject siteProperties = site.getAsJsonObject("body").getAsJsonObject("properties");
        String appSettings = tf.local("app_settings").map(JsonElement::getAsString).orElse("").replaceAll("\\s+", " ");
        String siteAppSettings = siteProperties.getAsJsonObject("siteConfig").get("appSettings").getAsString()
                .replaceAll("\\s+", " ");
        boolean groupsApplied = siteAppSettings.equals("${[for name, value in local.app_settings : { name = name, value = value }]}")
                && Stream.of("local.host_settings", "local.guard_scope_settings", "local.guard_settings", "local.guard_optional_settings")
                        .allMatch(appSettings::contains);
        boolean filtered = appSettings.contains(
                "{ for name, value in local.guard_optional_settings : name => value if value != \"\" }");

        // What is guarded: local.scope_mode, the variable validations that weigh the scope inputs against each other,
        // the settings derived from it, and the subscriptions given Event Grid.
        List<String> validations = new ArrayList<>();
        for (String variable : List.of("subscription_ids", "management_group_id")) {
            tf.block("variable", variable).ifPresent(v -> TerraformJson.blocks(v, "validation").forEach(rule -> {
                String condition = rule.get("condition").getAsString();
                if (condition.contains("var.subscription_ids") && condition.contains("var.management_group_id")) {
                    validations.add(condition);
                }
            }));
        }
        Map<String, String> scopeValues = new LinkedHashMap<>();
        tf.local("guard_scope_settings").filter(JsonElement::isJsonObject).orElseThrow(
                () -> new IllegalStateException("no map local.guard_scope_settings in " + tf.dir()))
                .getAsJsonObject().entrySet().forEach(e -> scopeValues.put(e.getKey(), e.getValue().getAsString()));
        ScopeChoice scope = new ScopeChoice(Form.TERRAFORM,
                tf.local("scope_mode").map(JsonElement::getAsString).orElseThrow(() -> new IllegalStateException("no local.scope_mode")),
                validations, scopeSettings(scopeValues, UnaryOperator.identity()),
                appSettings.contains("{ for name, value in local.guard_scope_settings : name => value if value != \"\" }"),
                tf.local("event_source_subscription_ids").map(JsonElement::getAsString)
                        .orElseThrow(() -> new IllegalStateException("no local.event_source_subscription_ids")));

        Map<String, Optional<String>> hostSettings = terraformSettings(tf, "host_settings");
        Map<String, Optional<String>> guardSettings = terraformSettings(tf, "guard_settings");
        Set<String> cleared = new LinkedHashSet<>();
        Stream.of(guardSettings, hostSettings).forEach(group -> group.forEach((name, value) -> {
            if (value.orElse("?").isEmpty()) {
                cleared.add(name);
            }
        }));

        JsonObject scale = siteProperties.getAsJsonObject("functionAppConfig").getAsJsonObject("scaleAndConcurrency");
        List<String> alwaysReady = new ArrayList<>();
        scale.getAsJsonArray("alwaysReady").forEach(item ->
                alwaysReady.add(interpolate(tf, item.getAsJsonObject().get("name").getAsString())));
        JsonObject runtimeBody = siteProperties.getAsJsonObject("functionAppConfig").getAsJsonObject("runtime");
        String runtime = tf.literal(runtimeBody.get("name")).orElse("?") + " " + tf.literal(runtimeBody.get("version")).orElse("?");

        JsonObject topic = tf.onlyResource("azurerm_eventgrid_system_topic");

        DeadLetter deadLetter = null;
        List<JsonObject> dlIdentity = TerraformJson.blocks(es, "dead_letter_identity");
        List<JsonObject> dlBlob = TerraformJson.blocks(es, "storage_blob_dead_letter_destination");
        if (!dlBlob.isEmpty()) {
            String container = containerName(tf, dlBlob.get(0).get("storage_blob_container_name"));
            deadLetter = new DeadLetter(
                    dlIdentity.isEmpty() ? null : tf.literal(dlIdentity.get(0).get("type")).orElse(null),
                    "StorageBlob", container);
        }
        RetryPolicy retry = TerraformJson.blocks(es, "retry_policy").stream().findFirst()
                .map(b -> new RetryPolicy(intOf(tf.literal(b.get("max_delivery_attempts"))),
                        intOf(tf.literal(b.get("event_time_to_live")))))
                .orElse(null);
        Optional<JsonObject> endpoint = TerraformJson.blocks(es, "azure_function_endpoint").stream().findFirst();
        Delivery delivery = new Delivery(
                intOf(endpoint.flatMap(b -> tf.literal(b.get("max_events_per_batch")))),
                intOf(endpoint.flatMap(b -> tf.literal(b.get("preferred_batch_size_in_kilobytes")))),
                tf.literal(es.get("event_delivery_schema")).orElse(null));

        // The provider's subscription's event subscription, and the other guarded subscriptions' (azapi), wait for
        // deploy_event_subscription, false by default.
        List<JsonObject> otherEventSubscriptions = tf.resources("azapi_resource").stream()
                .filter(r -> tf.literal(r.get("type")).orElse("").startsWith("Microsoft.EventGrid/systemTopics/eventSubscriptions@"))
                .toList();
        boolean gated = es.has("count")
                && es.get("count").getAsString().replaceAll("\\s+", " ")
                        .equals("${var.deploy_event_subscription && local.guards_own_subscription ? 1 : 0}")
                && otherEventSubscriptions.stream().allMatch(r -> r.has("for_each") && r.get("for_each").getAsString()
                        .replaceAll("\\s+", " ").startsWith("${var.deploy_event_subscription ? "))
                && tf.variableDefault("deploy_event_subscription").map(JsonElement::toString).orElse("").equals("false");

        return new InfraModel(Form.TERRAFORM, operations, eventTypes, functionName,
                tf.stringList(tf.local("guard_read_actions").orElse(null), "local.guard_read_actions"),
                tf.stringList(tf.local("guard_write_actions").orElse(null), "local.guard_write_actions"),
                tf.stringList(tf.local("guard_listed_subscription_actions").orElse(null), "local.guard_listed_subscription_actions"),
                tf.stringList(tf.local("guard_management_group_actions").orElse(null), "local.guard_management_group_actions"),
                actionsExpressions, scope,
                guardSettings, terraformSettings(tf, "guard_optional_settings"), hostSettings.keySet(), cleared,
                filtered, groupsApplied, alwaysReady, runtime,
                tf.literal(topic.get("topic_type")).orElse(null),
                tf.literal(topic.get("location")).orElse(null),
                deadLetter, retry, delivery, gated, terraformAlerts(tf), 1 + otherEventSubscriptions.size(),
                terraformStorage(tf, appSettings), terraformCloud(tf));
    }

    /** The account endpoint attributes of {@code azurerm_storage_account.guard}, by service. */
    private static final Pattern TF_ENDPOINT = Pattern.compile("^\\$\\{azurerm_storage_account\\.guard\\.primary_(\\w+)_endpoint}$");

    /**
     * main.tf's {@code local.storage_by_account_name} / {@code local.storage_by_service_uris}, and
     * {@code local.host_derives_storage_endpoints} that picks one in {@code local.app_settings}.
     */
    private static StorageSettings terraformStorage(TerraformJson tf, String appSettings) {
        Map<String, String> endpoints = new LinkedHashMap<>();
        JsonObject endpointsLocal = tf.local("storage_endpoints").filter(JsonElement::isJsonObject).map(JsonElement::getAsJsonObject)
                .orElseThrow(() -> new IllegalStateException("no map local.storage_endpoints"));
        endpointsLocal.entrySet().forEach(e -> {
            Matcher m = TF_ENDPOINT.matcher(e.getValue().getAsString());
            endpoints.put(e.getKey(), m.matches() ? m.group(1) : "?");
        });
        java.util.function.Function<JsonElement, String> describe = v -> {
            String text = v.getAsString().trim();
            if (text.equals("${azurerm_storage_account.guard.name}")) {
                return "account";
            }
            Matcher m = Pattern.compile("^\\$\\{local\\.storage_endpoints\\.(\\w+)}$").matcher(text);
            if (m.matches() && m.group(1).equals(endpoints.get(m.group(1)))) {
                return m.group(1) + " endpoint";
            }
            Matcher direct = TF_ENDPOINT.matcher(text);
            return direct.matches() ? direct.group(1) + " endpoint" : text;
        };
        Set<String> compared = new LinkedHashSet<>();
        String choice = tf.local("host_derives_storage_endpoints").map(JsonElement::getAsString).orElse("").replaceAll("\\s+", " ");
        if (choice.equals("${alltrue([for service, endpoint in local.storage_endpoints : endpoint == "
                + "\"https://${azurerm_storage_account.guard.name}.${service}.core.windows.net/\"])}")) {
            endpoints.forEach((key, service) -> {
                if (key.equals(service)) {
                    compared.add(service);
                }
            });
        }
        return new StorageSettings(describeTf(tf, "storage_by_account_name", describe), describeTf(tf, "storage_by_service_uris", describe),
                compared, appSettings.contains(
                        "local.host_derives_storage_endpoints ? local.storage_by_account_name : local.storage_by_service_uris"));
    }

    private static Map<String, String> describeTf(TerraformJson tf, String local, java.util.function.Function<JsonElement, String> describe) {
        JsonObject o = tf.local(local).filter(JsonElement::isJsonObject).map(JsonElement::getAsJsonObject)
                .orElseThrow(() -> new IllegalStateException("no map local." + local));
        Map<String, String> out = new LinkedHashMap<>();
        o.entrySet().forEach(e -> out.put(e.getKey(), describe.apply(e.getValue())));
        return out;
    }

    /** What main.tf sets {@code AZURE_CLOUD} from: a local looked up by the storage account's endpoint suffix. */
    private static CloudSetting terraformCloud(TerraformJson tf) {
        String expression = tf.local("guard_settings").filter(JsonElement::isJsonObject)
                .map(g -> g.getAsJsonObject().get(Settings.AZURE_CLOUD)).map(JsonElement::getAsString).orElse("");
        Map<String, String> bySuffix = new LinkedHashMap<>();
        tf.local("cloud_by_storage_suffix").filter(JsonElement::isJsonObject).ifPresent(m ->
                m.getAsJsonObject().entrySet().forEach(e -> bySuffix.put(e.getKey(), tf.literal(e.getValue()).orElse("?"))));
        boolean fromAccount = expression.equals("${local.azure_cloud}")
                && tf.local("azure_cloud").map(JsonElement::getAsString).orElse("")
                        .equals("${lookup(local.cloud_by_storage_suffix, local.storage_suffix, \"\")}")
                && tf.local("storage_suffix").map(JsonElement::getAsString).orElse("")
                        .equals("${trimsuffix(element(split(\".blob.\", azurerm_storage_account.guard.primary_blob_endpoint), 1), \"/\")}");
        return new CloudSetting(expression, bySuffix, fromAccount);
    }

    /** The only {@code azapi_resource} of an ARM resource type (any API version). */
    private static JsonObject azapiResource(TerraformJson tf, String armType) {
        List<JsonObject> found = tf.resources("azapi_resource").stream()
                .filter(r -> tf.literal(r.get("type")).orElse("").toLowerCase(java.util.Locale.ROOT)
                        .startsWith(armType.toLowerCase(java.util.Locale.ROOT) + "@"))
                .toList();
        if (found.size() != 1) {
            throw new IllegalStateException(tf.dir() + ": expected one azapi_resource of " + armType + ", found " + found.size());
        }
        return found.get(0);
    }

    private static final Pattern TERRAFORM_ALERT_NAME = Pattern.compile("^alert-\\$\\{var\\.name}-\\$\\{local\\.token}-([a-z-]+)$");

    /** The alert rules of the Terraform, by the name after their prefix (e.g. {@code sweep-missing}). */
    private static Map<String, AlertRule> terraformAlerts(TerraformJson tf) {
        Map<String, AlertRule> alerts = new TreeMap<>();
        for (Map.Entry<String, JsonObject> labelled : terraformResources(tf, "azurerm_monitor_scheduled_query_rules_alert_v2").entrySet()) {
            JsonObject r = labelled.getValue();
            JsonObject c = TerraformJson.blocks(r, "criteria").get(0);
            String identity = TerraformJson.blocks(r, "identity").stream().findFirst()
                    .flatMap(i -> tf.literal(i.get("type"))).orElse(null);
            alerts.put(alertName(r), new AlertRule("log", tf.literal(c.get("query")).map(String::trim).orElse(null),
                    tf.literal(c.get("time_aggregation_method")).orElse(null),
                    c.has("metric_measure_column") ? tf.literal(c.get("metric_measure_column")).orElse(null) : null,
                    tf.literal(c.get("operator")).orElse(null), tf.literal(c.get("threshold")).orElse(null),
                    tf.literal(r.get("evaluation_frequency")).orElse(null), tf.literal(r.get("window_duration")).orElse(null),
                    tf.literal(r.get("severity")).orElse(null),
                    r.has("auto_mitigation_enabled") && tf.literal(r.get("auto_mitigation_enabled")).orElse("").equals("true"),
                    TerraformJson.blocks(r, "action").stream().anyMatch(a ->
                            "${local.alert_action_groups}".equals(a.get("action_groups").getAsString())),
                    identity, terraformRolesOnScope(tf, labelled.getKey(), r)));
        }
        for (JsonObject r : tf.resources("azurerm_monitor_metric_alert")) {
            JsonObject c = TerraformJson.blocks(r, "criteria").get(0);
            JsonElement dynamic = r.has("dynamic") ? r.getAsJsonObject("dynamic").get("action") : null;
            boolean notifies = dynamic != null && dynamic.getAsJsonArray().get(0).getAsJsonObject().get("for_each")
                    .getAsString().equals("${local.alert_action_groups}");
            alerts.put(alertName(r), new AlertRule("metric",
                    tf.literal(c.get("metric_namespace")).orElse("?") + "/" + tf.literal(c.get("metric_name")).orElse("?"),
                    tf.literal(c.get("aggregation")).orElse(null), null,
                    tf.literal(c.get("operator")).orElse(null), tf.literal(c.get("threshold")).orElse(null),
                    tf.literal(r.get("frequency")).orElse(null), tf.literal(r.get("window_size")).orElse(null),
                    tf.literal(r.get("severity")).orElse(null),
                    !r.has("auto_mitigate") || tf.literal(r.get("auto_mitigate")).orElse("").equals("true"),
                    notifies, null, List.of()));
        }
        return alerts;
    }

    /** Every resource of a type, by its label. */
    private static Map<String, JsonObject> terraformResources(TerraformJson tf, String type) {
        Map<String, JsonObject> out = new TreeMap<>();
        JsonObject resources = tf.root().getAsJsonObject("resource");
        if (resources != null && resources.has(type)) {
            resources.getAsJsonObject(type).entrySet().forEach(e -> out.put(e.getKey(),
                    e.getValue().getAsJsonArray().get(0).getAsJsonObject()));
        }
        return out;
    }

    /**
     * The roles that role assignments (without {@code count} or {@code for_each}) give the rule's own identity
     * ({@code identity[0].principal_id}) on the one resource the rule queries.
     */
    private static List<String> terraformRolesOnScope(TerraformJson tf, String label, JsonObject rule) {
        JsonElement scopes = rule.get("scopes");
        if (scopes == null || !scopes.isJsonArray() || scopes.getAsJsonArray().size() != 1) {
            return List.of();
        }
        String scope = scopes.getAsJsonArray().get(0).getAsString();
        String principal = "${azurerm_monitor_scheduled_query_rules_alert_v2." + label + ".identity[0].principal_id}";
        List<String> roles = new ArrayList<>();
        for (JsonObject a : terraformResources(tf, "azurerm_role_assignment").values()) {
            if (a.has("count") || a.has("for_each") || !a.has("principal_id") || !a.has("scope")
                    || !a.get("principal_id").getAsString().equals(principal) || !a.get("scope").getAsString().equals(scope)) {
                continue;
            }
            Optional<String> name = a.has("role_definition_name") ? tf.literal(a.get("role_definition_name")) : Optional.empty();
            String id = a.has("role_definition_id") ? a.get("role_definition_id").getAsString() : "?";
            roles.add(name.orElseGet(() -> READ_ROLES.getOrDefault(id.substring(id.lastIndexOf('/') + 1), id)) + " as "
                    + (a.has("principal_type") ? tf.literal(a.get("principal_type")).orElse("?") : "none"));
        }
        return roles;
    }

    private static String alertName(JsonObject rule) {
        Matcher m = TERRAFORM_ALERT_NAME.matcher(rule.get("name").getAsString());
        if (!m.matches()) {
            throw new IllegalStateException("alert rule names are alert-${var.name}-${local.token}-<name>: " + rule.get("name"));
        }
        return m.group(1);
    }

    private static Map<String, Optional<String>> terraformSettings(TerraformJson tf, String local) {
        JsonElement e = tf.local(local)
                .orElseThrow(() -> new IllegalStateException("no local." + local + " in " + tf.dir()));
        if (!e.isJsonObject()) {
            throw new IllegalStateException("local." + local + " is not a map literal: " + e);
        }
        Map<String, Optional<String>> settings = new LinkedHashMap<>();
        e.getAsJsonObject().entrySet().forEach(entry -> settings.put(entry.getKey(), tf.literal(entry.getValue())));
        return settings;
    }

    /** Resolves {@code ${local.x}} / {@code ${var.x}} inside a template, leaving other references as written. */
    private static String interpolate(TerraformJson tf, String template) {
        Matcher m = Pattern.compile("\\$\\{(?:local|var)\\.[A-Za-z0-9_]+}").matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(
                    tf.literal(new com.google.gson.JsonPrimitive(m.group())).orElse(m.group())));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** A container name, following {@code ${azurerm_storage_container.<name>.name}} to that container. */
    private static String containerName(TerraformJson tf, JsonElement value) {
        Optional<String> literal = tf.literal(value);
        if (literal.isPresent()) {
            return literal.get();
        }
        Matcher m = Pattern.compile("^\\$\\{azurerm_storage_container\\.([A-Za-z0-9_]+)\\.name}$").matcher(value.getAsString());
        if (!m.matches()) {
            return null;
        }
        JsonObject containers = tf.root().getAsJsonObject("resource").getAsJsonObject("azurerm_storage_container");
        return containers == null || !containers.has(m.group(1)) ? null
                : tf.literal(containers.getAsJsonArray(m.group(1)).get(0).getAsJsonObject().get("name")).orElse(null);
    }

    // =====================================================================================================

    /** The function name at the end of a {@code <function app id>/functions/<name>} destination. */
    private static String functionNameIn(String destination) {
        Matcher m = Pattern.compile("/functions/([^/'\"]+)'?$").matcher(destination.trim());
        return m.find() ? m.group(1) : null;
    }

    private static int intOf(Optional<String> value) {
        try {
            return value.map(Integer::parseInt).orElse(-1);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A short description for assertion messages. */
    @Override
    public String toString() {
        return form + " deployment";
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Set<String> sorted(Set<String> set) {
        return set.stream().sorted().collect(Collectors.toCollection(LinkedHashSet::new));
    }
}
