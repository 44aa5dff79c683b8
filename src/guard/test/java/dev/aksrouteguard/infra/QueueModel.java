package dev.aksrouteguard.infra;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.aksrouteguard.infra.BicepText.Arr;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Loop;
import dev.aksrouteguard.infra.BicepText.Obj;
import dev.aksrouteguard.infra.BicepText.Str;
import dev.aksrouteguard.infra.BicepText.Value;
import dev.aksrouteguard.infra.InfraModel.Form;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one form of the deployment says about the guard's Storage queues: which queues it creates, in which storage
 * account, and which queue data roles it grants, at which scope. Read without Bicep or Terraform, like
 * {@link InfraModel} (kept apart from it so that the queues can change without touching the settings and the role).
 *
 * @param form which deployment this describes
 * @param queues the queues the deployment creates, in source order
 * @param queuesInTheAppsAccount true when the queues are created in the storage account the deployment creates, the
 *     one the app's {@code AzureWebJobsStorage__accountName} names
 * @param grants every role assignment of a built-in queue data role ({@link #QUEUE_ROLES})
 * @param siteWaitsForQueueGrants true when the function app (or its app settings) is deployed after the queue
 *     grants, so the host does not start with queue triggers it may not read
 */
record QueueModel(Form form, List<String> queues, boolean queuesInTheAppsAccount, List<Grant> grants,
        boolean siteWaitsForQueueGrants) {

    /** The built-in queue data roles, by role definition ID (Learn, "Azure built-in roles for Storage"). */
    static final Map<String, String> QUEUE_ROLES = Map.of(
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "Storage Queue Data Contributor",
            "19e7f393-937e-4f77-808e-94535e297925", "Storage Queue Data Reader",
            "8a0f0c08-91a1-4084-bc3d-661d67233fed", "Storage Queue Data Message Processor",
            "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", "Storage Queue Data Message Sender");

    /**
     * One role assignment of a queue data role.
     *
     * @param role the built-in role's name
     * @param queue the queue it is scoped to, or {@code null} when it is scoped to something wider (the account)
     * @param toTheGuard true when the principal is the guard's user-assigned identity
     */
    record Grant(String role, String queue, boolean toTheGuard) {}

    QueueModel {
        Objects.requireNonNull(form, "form == null");
        queues = List.copyOf(queues);
        grants = List.copyOf(grants);
    }

    private static final Map<Form, QueueModel> CACHE = new EnumMap<>(Form.class);

    /** The queues of one form of this repository's deployment (parsed once per test JVM). */
    static synchronized QueueModel load(Form form) {
        return CACHE.computeIfAbsent(form, f -> switch (f) {
            case BICEP -> fromBicep(InfraModel.repoRoot());
            case TERRAFORM -> fromTerraform(InfraModel.repoRoot(), InfraModel.repoRoot().resolve("infra/terraform"));
        });
    }

    private static final String QUEUE_TYPE = "Microsoft.Storage/storageAccounts/queueServices/queues";
    private static final Pattern LOOP_HEADER = Pattern.compile("^\\(?\\s*([A-Za-z_]\\w*)\\s*(?:,\\s*([A-Za-z_]\\w*)\\s*)?\\)?\\s+in\\s+([A-Za-z_]\\w*)$");
    private static final Pattern INDEXED = Pattern.compile("^([A-Za-z_]\\w*)\\[([A-Za-z_]\\w*)]$");
    private static final Pattern ROLE_ID = Pattern.compile(
            "^subscriptionResourceId\\('Microsoft\\.Authorization/roleDefinitions',\\s*([A-Za-z_]\\w*)\\)$");

    // =====================================================================================================
    // Bicep
    // =====================================================================================================

    /** Every {@code .bicep} file under {@code infra/}, parsed, by path. */
    private static Map<Path, BicepText> bicepFiles(Path root) {
        Map<Path, BicepText> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(root.resolve("infra"))) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".bicep")).sorted().toList()) {
                files.put(p.toAbsolutePath().normalize(), BicepText.parse(root.relativize(p).toString(), Files.readString(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    /** The Bicep under {@code root/infra}. */
    static QueueModel fromBicep(Path root) {
        Map<Path, BicepText> files = bicepFiles(root);
        List<String> queues = new ArrayList<>();
        boolean inAppsAccount = true;
        List<Grant> grants = new ArrayList<>();
        boolean siteWaits = true;
        Optional<Created> appsAccount = bicepAppsAccount(files);
        for (Map.Entry<Path, BicepText> file : files.entrySet()) {
            BicepText text = file.getValue();
            for (Declaration d : text.resources(QUEUE_TYPE)) {
                if (!d.existing()) {
                    queues.addAll(bicepQueueNames(files, text, d));
                    Optional<Declaration> account = storageAccountOf(text, d);
                    inAppsAccount &= account.isPresent() && !account.get().existing()
                            && appsAccount.equals(Optional.of(new Created(file.getKey(), account.get().name())));
                }
            }
            for (Declaration d : text.resources("Microsoft.Authorization/roleAssignments")) {
                if (bicepGrants(files, text, d, grants)) {
                    siteWaits &= bicepAppSettingsDependOn(text, d.name());
                }
            }
        }
        return new QueueModel(Form.BICEP, queues, inAppsAccount && !queues.isEmpty(), grants,
                siteWaits && !grants.isEmpty());
    }

    /** A resource the deployment creates: its file and symbol. */
    private record Created(Path file, String symbol) {}

    private static final Pattern OUTPUT_REFERENCE = Pattern.compile("^([A-Za-z_]\\w*)\\.outputs\\.([A-Za-z_]\\w*)$");

    /**
     * The storage account the app's {@code AzureWebJobsStorage__accountName} names, followed back to where it is
     * created: in the file with {@code storageByAccountName}, {@code <account>.name} of an {@code existing} account named by a
     * parameter; the one module call of that file passes {@code <module>.outputs.<output>}; that module's output is
     * {@code <created>.name} of an account it creates.
     */
    private static Optional<Created> bicepAppsAccount(Map<Path, BicepText> files) {
        for (Map.Entry<Path, BicepText> file : files.entrySet()) {
            BicepText text = file.getValue();
            Optional<String> symbol = appsStorageAccount(text);
            if (symbol.isEmpty()) {
                continue;
            }
            Optional<Declaration> existing = text.find("resource", symbol.get());
            if (existing.isEmpty() || !existing.get().existing()
                    || !(existing.get().value() instanceof Obj o) || !(o.get("name").orElse(null) instanceof Expr param)
                    || text.find("param", param.text()).isEmpty()) {
                return Optional.empty();
            }
            List<Map.Entry<Path, Declaration>> callers = new ArrayList<>();
            files.forEach((path, t) -> t.declarations().stream()
                    .filter(d -> d.kind().equals("module") && path.getParent().resolve(d.type()).normalize().equals(file.getKey()))
                    .forEach(d -> callers.add(Map.entry(path, d))));
            if (callers.size() != 1 || !(callers.get(0).getValue().value() instanceof Obj call)) {
                return Optional.empty();
            }
            Matcher passed = OUTPUT_REFERENCE.matcher(call.at("params." + param.text())
                    .filter(Expr.class::isInstance).map(v -> ((Expr) v).text()).orElse(""));
            if (!passed.matches()) {
                return Optional.empty();
            }
            BicepText caller = files.get(callers.get(0).getKey());
            Optional<Path> module = caller.find("module", passed.group(1))
                    .map(m -> callers.get(0).getKey().getParent().resolve(m.type()).normalize());
            Optional<Declaration> output = module.map(files::get).flatMap(m -> m.find("output", passed.group(2)));
            Matcher created = Pattern.compile("^([A-Za-z_]\\w*)\\.name$").matcher(output
                    .map(Declaration::value).filter(Expr.class::isInstance).map(v -> ((Expr) v).text()).orElse(""));
            return created.matches() ? Optional.of(new Created(module.get(), created.group(1))) : Optional.empty();
        }
        return Optional.empty();
    }

    /** The names a queue resource declares: a literal name, or a loop over an array of literals. */
    private static List<String> bicepQueueNames(Map<Path, BicepText> files, BicepText text, Declaration d) {
        if (d.value() instanceof Obj body && body.get("name").orElse(null) instanceof Str name) {
            return List.of(name.text());
        }
        if (d.value() instanceof Loop loop && loop.condition() == null && loop.body() instanceof Obj body) {
            Matcher header = LOOP_HEADER.matcher(loop.header());
            if (header.matches() && body.get("name").orElse(null) instanceof Expr name
                    && name.text().equals(header.group(1))) {
                return bicepStrings(files, text, header.group(3));
            }
        }
        throw new IllegalStateException(text.fileName() + ":" + d.line() + " " + d.name()
                + ": a queue is named by a literal, or by a loop over an array of literals");
    }

    /** An array of string literals declared as a var of this file or imported from another. */
    private static List<String> bicepStrings(Map<Path, BicepText> files, BicepText text, String var) {
        Declaration declaration = text.find("var", var).orElseGet(() -> {
            List<Declaration> found = files.values().stream().flatMap(t -> t.find("var", var).stream()).toList();
            if (found.size() != 1) {
                throw new IllegalStateException("expected one Bicep var " + var + ", found " + found.size());
            }
            return found.get(0);
        });
        if (!(declaration.value() instanceof Arr arr)) {
            throw new IllegalStateException("var " + var + " is not an array literal");
        }
        List<String> out = new ArrayList<>();
        for (Value v : arr.items()) {
            if (!(v instanceof Str s)) {
                throw new IllegalStateException("var " + var + " holds " + v + ", not a string literal");
            }
            out.add(s.text());
        }
        return out;
    }

    /** The storage account a queue resource of this file belongs to, following {@code parent}. */
    private static Optional<Declaration> storageAccountOf(BicepText text, Declaration queue) {
        Declaration current = queue;
        for (int hops = 0; hops < 3; hops++) {
            Value body = current.value() instanceof Loop l ? l.body() : current.value();
            if (!(body instanceof Obj o) || !(o.get("parent").orElse(null) instanceof Expr parent)) {
                return Optional.empty();
            }
            Optional<Declaration> next = text.find("resource", parent.text());
            if (next.isEmpty()) {
                return Optional.empty();
            }
            current = next.get();
            if (current.type().split("@")[0].equalsIgnoreCase("Microsoft.Storage/storageAccounts")) {
                return Optional.of(current);
            }
        }
        return Optional.empty();
    }

    /**
     * Adds the grants of a role assignment when its role is a queue data role, and says whether it did: one per queue
     * when it is a loop scoped to {@code queues[i]}, an {@code existing} queue resource looped over the same array, in
     * the storage account whose name is the app's {@code AzureWebJobsStorage__accountName}; else one wide grant.
     */
    private static boolean bicepGrants(Map<Path, BicepText> files, BicepText text, Declaration d, List<Grant> out) {
        Value value = d.value() instanceof Loop l ? l.body() : d.value();
        if (!(value instanceof Obj body)
                || !(body.at("properties.roleDefinitionId").orElse(null) instanceof Expr roleId)) {
            return false;
        }
        Matcher id = ROLE_ID.matcher(roleId.text());
        String role = id.matches()
                ? text.find("var", id.group(1)).map(Declaration::value).filter(Str.class::isInstance)
                        .map(v -> QUEUE_ROLES.get(((Str) v).text())).orElse(null)
                : null;
        if (role == null) {
            return false;
        }
        boolean toTheGuard = body.at("properties.principalId")
                .map(v -> v instanceof Expr e && e.text().equals("identityPrincipalId")).orElse(false);
        List<String> scoped = new ArrayList<>();
        if (d.value() instanceof Loop loop && body.get("scope").orElse(null) instanceof Expr scope) {
            Matcher header = LOOP_HEADER.matcher(loop.header());
            Matcher indexed = INDEXED.matcher(scope.text());
            Optional<Declaration> target = indexed.matches() ? text.find("resource", indexed.group(1)) : Optional.empty();
            Matcher queueHeader = LOOP_HEADER.matcher(target.map(t -> t.value() instanceof Loop ql ? ql.header() : "")
                    .orElse(""));
            Optional<String> account = target.flatMap(t -> storageAccountOf(text, t)).map(Declaration::name);
            if (target.isPresent() && header.matches() && header.group(2) != null
                    && indexed.group(2).equals(header.group(2))
                    && target.get().type().split("@")[0].equalsIgnoreCase(QUEUE_TYPE)
                    && queueHeader.matches() && queueHeader.group(3).equals(header.group(3))
                    && account.isPresent() && account.equals(appsStorageAccount(text))) {
                scoped.addAll(bicepQueueNames(files, text, target.get()));
            }
        }
        if (scoped.isEmpty()) {
            out.add(new Grant(role, null, toTheGuard));
        } else {
            scoped.forEach(q -> out.add(new Grant(role, q, toTheGuard)));
        }
        return true;
    }

    /**
     * The resource whose name is {@code AzureWebJobsStorage__accountName} in this file's {@code storageByAccountName}
     * (in other clouds {@code storageByServiceUris} names the same account's endpoints: DeploymentMatchesCodeTest).
     */
    private static Optional<String> appsStorageAccount(BicepText text) {
        return text.find("var", "storageByAccountName").map(Declaration::value).filter(Obj.class::isInstance)
                .flatMap(o -> ((Obj) o).get("AzureWebJobsStorage__accountName"))
                .filter(Expr.class::isInstance)
                .map(e -> Pattern.compile("^([A-Za-z_]\\w*)\\.name$").matcher(((Expr) e).text()))
                .filter(Matcher::matches)
                .map(m -> m.group(1));
    }

    /** True when the {@code appsettings} config of this file lists {@code assignment} in its {@code dependsOn}. */
    private static boolean bicepAppSettingsDependOn(BicepText text, String assignment) {
        return text.resources("Microsoft.Web/sites/config").stream()
                .map(Declaration::value)
                .filter(Obj.class::isInstance).map(Obj.class::cast)
                .filter(o -> o.get("name").orElse(null) instanceof Str s && s.text().equals("appsettings"))
                .anyMatch(o -> o.get("dependsOn").orElse(null) instanceof Arr deps
                        && deps.items().stream().anyMatch(v -> v instanceof Expr e && e.text().equals(assignment)));
    }

    // =====================================================================================================
    // Terraform
    // =====================================================================================================

    private static final Pattern EACH_QUEUE_SCOPE = Pattern.compile(
            "^\\$\\{azurerm_storage_account\\.([A-Za-z0-9_]+)\\.id}/queueServices/default/queues/\\$\\{each\\.value\\.name}$");

    /** The module in {@code dir}, parsed with the repository's {@code .ci/hcl2json.mjs}. */
    static QueueModel fromTerraform(Path repoRoot, Path dir) {
        TerraformJson tf = TerraformJson.read(repoRoot, dir);
        Map<String, List<String>> queuesByResource = new LinkedHashMap<>();
        List<String> queues = new ArrayList<>();
        String appsAccount = appsStorageAccount(tf);
        boolean inAppsAccount = true;
        for (Map.Entry<String, JsonObject> queue : named(tf, "azurerm_storage_queue").entrySet()) {
            JsonObject body = queue.getValue();
            List<String> names;
            if (body.has("for_each")) {
                Matcher m = Pattern.compile("^\\$\\{toset\\((local\\.[A-Za-z0-9_]+)\\)}$").matcher(body.get("for_each").getAsString());
                if (!m.matches() || !body.get("name").getAsString().equals("${each.value}")) {
                    throw new IllegalStateException("azurerm_storage_queue." + queue.getKey()
                            + ": for_each = toset(local.<list>) with name = each.value");
                }
                names = tf.stringList(new com.google.gson.JsonPrimitive("${" + m.group(1) + "}"), m.group(1));
            } else {
                names = List.of(tf.literal(body.get("name")).orElseThrow(() -> new IllegalStateException(
                        "azurerm_storage_queue." + queue.getKey() + ": the name must be known before Azure")));
            }
            queuesByResource.put(queue.getKey(), names);
            queues.addAll(names);
            inAppsAccount &= appsAccount != null && body.has("storage_account_id")
                    && body.get("storage_account_id").getAsString().equals("${azurerm_storage_account." + appsAccount + ".id}");
        }
        if (queues.isEmpty()) {
            inAppsAccount = false;
        }

        List<Grant> grants = new ArrayList<>();
        List<String> queueGrantResources = new ArrayList<>();
        for (Map.Entry<String, JsonObject> assignment : named(tf, "azurerm_role_assignment").entrySet()) {
            JsonObject body = assignment.getValue();
            String role = body.has("role_definition_name") ? tf.literal(body.get("role_definition_name")).orElse(null) : null;
            if (role == null || !QUEUE_ROLES.containsValue(role)) {
                continue;
            }
            queueGrantResources.add(assignment.getKey());
            boolean toTheGuard = body.has("principal_id")
                    && body.get("principal_id").getAsString().equals("${azurerm_user_assigned_identity.guard.principal_id}");
            Matcher forEach = Pattern.compile("^\\$\\{azurerm_storage_queue\\.([A-Za-z0-9_]+)}$")
                    .matcher(body.has("for_each") ? body.get("for_each").getAsString() : "");
            Matcher scope = EACH_QUEUE_SCOPE.matcher(body.get("scope").getAsString());
            if (forEach.matches() && scope.matches() && scope.group(1).equals(appsAccount)
                    && queuesByResource.containsKey(forEach.group(1))) {
                queuesByResource.get(forEach.group(1)).forEach(q -> grants.add(new Grant(role, q, toTheGuard)));
            } else {
                grants.add(new Grant(role, null, toTheGuard));
            }
        }
        JsonObject site = named(tf, "azapi_resource").get("function_app");
        JsonElement dependsOn = site == null ? null : site.get("depends_on");
        boolean siteWaits = dependsOn != null && dependsOn.isJsonArray() && !queueGrantResources.isEmpty()
                && queueGrantResources.stream().allMatch(name -> dependsOn.getAsJsonArray().contains(
                        new com.google.gson.JsonPrimitive("${azurerm_role_assignment." + name + "}")));
        return new QueueModel(Form.TERRAFORM, queues, inAppsAccount, grants, siteWaits);
    }

    /**
     * The {@code azurerm_storage_account} whose name the app's {@code AzureWebJobsStorage__accountName} is
     * ({@code local.storage_by_account_name}; in other clouds {@code local.storage_by_service_uris} names its endpoints).
     */
    private static String appsStorageAccount(TerraformJson tf) {
        return tf.local("storage_by_account_name").filter(JsonElement::isJsonObject)
                .map(s -> s.getAsJsonObject().get("AzureWebJobsStorage__accountName"))
                .map(JsonElement::getAsString)
                .map(s -> Pattern.compile("^\\$\\{azurerm_storage_account\\.([A-Za-z0-9_]+)\\.name}$").matcher(s))
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .orElse(null);
    }

    /** Every resource of a type, by name. */
    private static Map<String, JsonObject> named(TerraformJson tf, String type) {
        Map<String, JsonObject> out = new LinkedHashMap<>();
        JsonObject resources = tf.root().getAsJsonObject("resource");
        if (resources != null && resources.has(type)) {
            resources.getAsJsonObject(type).entrySet().forEach(e -> out.put(e.getKey(),
                    e.getValue().getAsJsonArray().get(0).getAsJsonObject()));
        }
        return out;
    }
}
