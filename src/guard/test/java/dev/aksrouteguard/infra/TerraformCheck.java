package dev.aksrouteguard.infra;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import dev.aksrouteguard.infra.ArmBodyCheck.Finding;
import dev.aksrouteguard.infra.ArmBodyCheck.Mode;
import dev.aksrouteguard.infra.ArmBodyCheck.Node;
import dev.aksrouteguard.infra.ArmBodyCheck.Report;
import dev.aksrouteguard.infra.ArmBodyCheck.Skip;
import dev.aksrouteguard.infra.TerraformSchema.Arg;
import dev.aksrouteguard.infra.TerraformSchema.Block;
import dev.aksrouteguard.infra.TerraformSchema.Doc;
import dev.aksrouteguard.infra.TerraformSchema.Kind;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Checks a Terraform directory (its {@code *.tf} files, parsed by {@link TerraformJson}) against provider
 * documentation ({@link TerraformSchema}) of one or more versions: every argument and nested block of every resource
 * and data source must be documented by each version (so one that was removed, or not added yet, fails), required
 * arguments must be set, and a literal must be in the argument's closed set of values where the page states one. The
 * ARM body of an {@code azapi_resource} / {@code azapi_update_resource} is checked against the Bicep types of its
 * {@code type} ({@link ArmBodyCheck}), where those are vendored. A call of a local module must pass only variables the
 * module declares, and every variable without a default.
 *
 * <p>Not checked, and listed as skipped: values only known at apply time (references, function calls, interpolations
 * of anything but a literal {@code local}/{@code var} default), {@code provider} and {@code terraform} blocks (their
 * pages are not vendored), and bodies built by expressions ({@code jsonencode(...)}, {@code merge(...)}).
 *
 * <pre>{@code
 * Report r = TerraformCheck.checkDirectory(repoRoot, dir);   // every vendored version
 * assertTrue(r.ok(), r.describe());
 * }</pre>
 */
final class TerraformCheck {

    /**
     * The azurerm versions checked: the floor the module admits, the last 4.x, the newest 5.x. The constraint in
     * {@code infra/terraform/versions.tf} must stay within them (ApiVersionsAndPinsTest).
     */
    static final List<String> AZURERM_VERSIONS = List.of("v4.58.0", "v4.81.0", "v5.2.0");

    /** The azapi versions checked: the first 2.x release (the floor the module admits) and the newest 2.x vendored. */
    static final List<String> AZAPI_VERSIONS = List.of("v2.0.1", "v2.12.0");

    /** Arguments every resource and data source takes (Terraform's meta-arguments). */
    static final Set<String> META = Set.of("count", "for_each", "depends_on", "provider", "lifecycle");

    /** What {@code lifecycle} takes. */
    static final Set<String> LIFECYCLE = Set.of("create_before_destroy", "prevent_destroy", "ignore_changes",
            "replace_triggered_by", "precondition", "postcondition");

    /** What a module call takes besides the module's variables. */
    static final Set<String> MODULE_META = Set.of("source", "version", "providers", "count", "for_each", "depends_on");

    private final TerraformJson tf;
    private final Path repoRoot;
    private final Lines lines;
    private final List<TerraformSchema> schemas;
    private final List<Finding> findings = new ArrayList<>();
    private final List<Skip> skipped = new ArrayList<>();
    private final List<Report> bodies = new ArrayList<>();

    private TerraformCheck(Path repoRoot, TerraformJson tf, List<TerraformSchema> schemas) {
        this.repoRoot = repoRoot;
        this.tf = tf;
        this.schemas = List.copyOf(schemas);
        this.lines = new Lines(repoRoot, tf.dir());
    }

    /** Every vendored azurerm and azapi version of {@link #AZURERM_VERSIONS} and {@link #AZAPI_VERSIONS}. */
    static List<TerraformSchema> allVersions() {
        List<TerraformSchema> all = new ArrayList<>();
        AZURERM_VERSIONS.forEach(v -> all.add(TerraformSchema.azurerm(v)));
        AZAPI_VERSIONS.forEach(v -> all.add(TerraformSchema.azapi(v)));
        return all;
    }

    /** Checks the {@code *.tf} files of {@code dir} against {@link #allVersions()}. */
    static Report checkDirectory(Path repoRoot, Path dir) {
        return check(repoRoot, TerraformJson.read(repoRoot, dir), allVersions());
    }

    /**
     * Checks Terraform text (e.g. a snippet generated for users to paste) against {@link #allVersions()}: it is
     * written as {@code fileName} into a fresh temporary directory, which is removed afterwards. Findings name
     * {@code fileName}.
     */
    static Report checkSource(Path repoRoot, String fileName, String hcl) {
        Objects.requireNonNull(hcl, "hcl == null");
        Path dir = null;
        try {
            dir = Files.createTempDirectory("tf-check");
            Files.writeString(dir.resolve(fileName), hcl);
            Report r = checkDirectory(repoRoot, dir);
            String prefix = dir.toAbsolutePath().normalize() + "/";
            return new Report(r.findings().stream().map(f -> new Finding(f.file().replace(prefix, ""), f.line(),
                    f.path(), f.problem())).toList(),
                    r.skipped().stream().map(s -> new Skip(s.file().replace(prefix, ""), s.line(), s.path(), s.why())).toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a leftover temporary directory is harmless
                }
            }
        }
    }

    static Report check(Path repoRoot, TerraformJson tf, List<TerraformSchema> schemas) {
        TerraformCheck check = new TerraformCheck(repoRoot, Objects.requireNonNull(tf, "tf == null"), schemas);
        check.run();
        List<Report> all = new ArrayList<>(check.bodies);
        all.add(new Report(check.findings, check.skipped));
        return Report.merge(all);
    }

    private void run() {
        each("resource", (type, name, body) -> {
            resource(type, name, body, false);
            if (type.equals("azapi_resource") || type.equals("azapi_update_resource")) {
                azapiBody(type, name, body);
            }
        });
        each("data", (type, name, body) -> resource(type, name, body, true));
        JsonObject modules = tf.root().getAsJsonObject("module");
        if (modules != null) {
            modules.entrySet().forEach(e -> e.getValue().getAsJsonArray()
                    .forEach(b -> module(e.getKey(), b.getAsJsonObject())));
        }
        for (String kind : List.of("provider", "terraform")) {
            if (tf.root().has(kind)) {
                skipped.add(new Skip(lines.file(), 0, kind, "the provider pages for " + kind + " blocks are not vendored"));
            }
        }
    }

    private interface BlockVisitor {
        void visit(String type, String name, JsonObject body);
    }

    private void each(String kind, BlockVisitor visitor) {
        JsonObject all = tf.root().getAsJsonObject(kind);
        if (all == null) {
            return;
        }
        all.entrySet().forEach(type -> type.getValue().getAsJsonObject().entrySet().forEach(named -> named.getValue()
                .getAsJsonArray().forEach(b -> visitor.visit(type.getKey(), named.getKey(), b.getAsJsonObject()))));
    }

    // ---- arguments against the provider pages ----

    private void resource(String type, String name, JsonObject body, boolean data) {
        String where = (data ? "data." : "") + type + "." + name;
        int line = lines.block(data ? "data" : "resource", type, name);
        boolean covered = false;
        for (TerraformSchema schema : schemas) {
            if (!schema.covers(type)) {
                continue;
            }
            covered = true;
            Optional<Doc> doc = data ? schema.dataSource(type) : schema.resource(type);
            if (doc.isEmpty()) {
                findings.add(new Finding(lines.file(), line, where, "no page of " + schema + " is vendored for "
                        + (data ? "data source " : "resource ") + type + " (expected " + schema.pathOf(type, data)
                        + "; SOURCES.md says where to get it), or " + schema + " does not have it"));
                continue;
            }
            block(schema, doc.get(), doc.get().root(), body, where, line, true);
        }
        if (!covered) {
            skipped.add(new Skip(lines.file(), line, where, "no provider pages are vendored for " + type));
        }
    }

    private void block(TerraformSchema schema, Doc doc, Block block, JsonObject body, String path, int line, boolean top) {
        String in = schema + " " + doc.type() + (top ? "" : " (block " + path.substring(path.lastIndexOf('.') + 1)
                .replaceAll("\\[\\d+]$", "") + ")");
        for (Map.Entry<String, JsonElement> e : body.entrySet()) {
            String key = e.getKey();
            JsonElement value = e.getValue();
            String child = path + "." + key;
            int at = lines.key(line, key);
            if (top && META.contains(key)) {
                if (key.equals("lifecycle")) {
                    blocksOf(value).forEach(l -> l.keySet().stream().filter(k -> !LIFECYCLE.contains(k)).forEach(k ->
                            findings.add(new Finding(lines.file(), at, child + "." + k, "'" + k
                                    + "' is not a lifecycle argument; Terraform takes " + new TreeSet<>(LIFECYCLE)))));
                    blocksOf(value).forEach(l -> ignoreChanges(block, l.get("ignore_changes"), child + ".ignore_changes",
                            lines.key(at, "ignore_changes"), in));
                }
                continue;
            }
            if (top && key.equals("timeouts")) {
                blocksOf(value).forEach(t -> t.keySet().stream().filter(k -> !doc.timeouts().contains(k)).forEach(k ->
                        findings.add(new Finding(lines.file(), at, child + "." + k, "'" + k + "' is not a timeout of "
                                + in + "; it has " + doc.timeouts()))));
                continue;
            }
            if (key.equals("dynamic") && value.isJsonObject()) {
                for (Map.Entry<String, JsonElement> dyn : value.getAsJsonObject().entrySet()) {
                    String dynPath = path + "." + dyn.getKey();
                    int dynAt = lines.key(line, dyn.getKey());
                    Block nb = block.args().containsKey(dyn.getKey()) ? doc.blocks().get(dyn.getKey()) : null;
                    if (nb == null) {
                        findings.add(new Finding(lines.file(), dynAt, dynPath, "'" + dyn.getKey()
                                + "' is not a block of " + in));
                        continue;
                    }
                    for (JsonObject d : blocksOf(dyn.getValue())) {
                        List<JsonObject> content = d.has("content") ? blocksOf(d.get("content")) : List.of();
                        for (JsonObject c : content) {
                            block(schema, doc, nb, c, dynPath + "[*]", dynAt, false);
                        }
                    }
                }
                continue;
            }
            Arg arg = block.args().get(key);
            if (arg == null) {
                findings.add(new Finding(lines.file(), at, child, "'" + key + "' is not an argument of " + in
                        + "; it has " + new TreeSet<>(block.args().keySet())));
                continue;
            }
            if (arg.readOnly()) {
                findings.add(new Finding(lines.file(), at, child, "'" + key + "' is read-only in " + in));
                continue;
            }
            List<JsonObject> nested = blocksOf(value);
            boolean isBlock = value.isJsonArray() && !value.getAsJsonArray().isEmpty() && nested.size() == value.getAsJsonArray().size();
            if (isBlock || (arg.kind() == Kind.BLOCK && value.isJsonArray())) {
                Block nb = doc.blocks().get(key);
                if (nb == null) {
                    findings.add(new Finding(lines.file(), at, child, "the page of " + in + " documents no block '" + key + "'"));
                    continue;
                }
                for (int i = 0; i < nested.size(); i++) {
                    block(schema, doc, nb, nested.get(i), child + "[" + i + "]", at, false);
                }
                continue;
            }
            if (value.isJsonObject() && arg.kind() == Kind.OBJECT && doc.blocks().containsKey(key)) {
                block(schema, doc, doc.blocks().get(key), value.getAsJsonObject(), child, at, false);
                continue;
            }
            if (!arg.allowedValues().isEmpty()) {
                literalIn(arg, value, child, at, in);
            }
        }
        block.args().values().stream().filter(a -> a.required() && !body.has(a.name()) && !inDynamic(body, a.name()))
                .forEach(a -> findings.add(new Finding(lines.file(), line, path + "." + a.name(), "the required argument '"
                        + a.name() + "' of " + in + " is missing")));
    }

    private void literalIn(Arg arg, JsonElement value, String path, int line, String in) {
        if (value.isJsonArray()) {
            value.getAsJsonArray().forEach(v -> literalIn(arg, v, path, line, in));
            return;
        }
        if (!value.isJsonPrimitive()) {
            return;
        }
        Optional<String> literal = tf.literal(value);
        if (literal.isEmpty()) {
            skipped.add(new Skip(lines.file(), line, path, "expression, known only at apply time: "
                    + ArmBodyCheck.abbreviate(value.getAsString())));
            return;
        }
        if (!arg.allowedValues().contains(literal.get())) {
            String near = arg.allowedValues().stream().filter(a -> a.equalsIgnoreCase(literal.get())).findFirst()
                    .map(a -> " (did you mean '" + a + "'?)").orElse("");
            findings.add(new Finding(lines.file(), line, path, "'" + literal.get() + "' is not an allowed value of '"
                    + arg.name() + "' in " + in + near + "; allowed: " + arg.allowedValues()));
        }
    }

    private static boolean inDynamic(JsonObject body, String name) {
        return body.has("dynamic") && body.get("dynamic").isJsonObject() && body.getAsJsonObject("dynamic").has(name);
    }

    /**
     * Each element of {@code ignore_changes} names an argument of the resource: an unknown name is an error in
     * Terraform, and a read-only attribute is left out with a "Redundant ignore_changes element" warning (nothing in
     * the configuration to ignore), so neither keeps anything. hcl2json gives the list as {@code ["${name}", ...]};
     * {@code all} and a path's first step ({@code tags["x"]}, {@code block[0].arg}) are what is checked.
     */
    private void ignoreChanges(Block root, JsonElement value, String path, int line, String in) {
        if (value == null || !value.isJsonArray()) {
            return; // ignore_changes = all
        }
        for (JsonElement e : value.getAsJsonArray()) {
            if (!e.isJsonPrimitive()) {
                continue;
            }
            String name = e.getAsString().replace("${", "").replace("}", "").split("[.\\[]", 2)[0].trim();
            Arg arg = root.args().get(name);
            if (arg == null) {
                findings.add(new Finding(lines.file(), line, path, "'" + name + "' in ignore_changes is not an argument of " + in
                        + "; it has " + new TreeSet<>(root.args().keySet())));
            } else if (arg.readOnly()) {
                findings.add(new Finding(lines.file(), line, path, "'" + name + "' in ignore_changes is read-only in " + in
                        + ": Terraform warns that it is redundant and ignores it"));
            }
        }
    }

    private static List<JsonObject> blocksOf(JsonElement value) {
        List<JsonObject> out = new ArrayList<>();
        if (value != null && value.isJsonArray()) {
            value.getAsJsonArray().forEach(v -> {
                if (v.isJsonObject()) {
                    out.add(v.getAsJsonObject());
                }
            });
        }
        return out;
    }

    // ---- azapi bodies against the Bicep types ----

    private void azapiBody(String type, String name, JsonObject resource) {
        String where = "resource." + type + "." + name;
        int line = lines.block("resource", type, name);
        Optional<String> armType = Optional.ofNullable(resource.get("type")).flatMap(tf::literal);
        if (armType.isEmpty()) {
            skipped.add(new Skip(lines.file(), line, where + ".type", "the ARM type is an expression; the body is not checked"));
            return;
        }
        if (!BicepSchema.isVendored(armType.get())) {
            skipped.add(new Skip(lines.file(), line, where + ".body", "no Bicep types are vendored for "
                    + BicepSchema.fileKey(armType.get()) + "; the body is not checked"));
            return;
        }
        JsonElement body = resource.get("body");
        Map<String, Node> entries = new LinkedHashMap<>();
        if (body != null && body.isJsonObject()) {
            int bodyLine = lines.key(line, "body");
            body.getAsJsonObject().entrySet().forEach(e -> entries.put(e.getKey(),
                    node(e.getValue(), lines.key(bodyLine, e.getKey()))));
        } else if (body != null) {
            skipped.add(new Skip(lines.file(), line, where + ".body", "the body is an expression; it is not checked: "
                    + ArmBodyCheck.abbreviate(body.toString())));
            return;
        }
        // What azapi takes as arguments, ARM takes in the body.
        for (String arg : List.of("name", "location")) {
            if (resource.has(arg)) {
                entries.put(arg, node(resource.get(arg), line));
            }
        }
        if (resource.has("tags")) {
            entries.put("tags", node(resource.get("tags"), line));
        }
        if (resource.has("identity")) {
            entries.put("identity", new ArmBodyCheck.Unknown("identity block", line));
        }
        Mode mode = type.equals("azapi_update_resource") ? Mode.PARTIAL : Mode.COMPLETE;
        bodies.add(ArmBodyCheck.check(lines.file(), armType.get(), new ArmBodyCheck.Obj(entries, line), mode, Set.of()));
        if (type.equals("azapi_resource")) {
            scope(where, line, armType.get(), resource);
        }
    }

    private static final Pattern SUBSCRIPTION_ID = Pattern.compile("^/subscriptions/[^/]+$");
    private static final Pattern MANAGEMENT_GROUP_ID = Pattern.compile("^/providers/Microsoft\\.Management/managementGroups/[^/]+$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern RESOURCE_ID_OF = Pattern.compile("^\\$\\{(azurerm_resource_group|azapi_resource)\\.([A-Za-z0-9_]+)(?:\\[[^]]*])?\\.id}$");

    /**
     * A top-level ARM type must be deployable at the scope its {@code parent_id} names (the types file's
     * {@code writableScopes}): a subscription ({@code /subscriptions/<id>}), a management group, or a resource group
     * ({@code azurerm_resource_group}, or an {@code azapi_resource} of {@code Microsoft.Resources/resourceGroups}, also
     * through {@code for_each} over one). A child type's scope is its parent's; other parents are skipped, said so.
     */
    private void scope(String where, int line, String armType, JsonObject resource) {
        String type = armType.substring(0, armType.indexOf('@'));
        if (type.split("/").length > 2 || !resource.has("parent_id") || !BicepSchema.isVendored(armType)) {
            return;
        }
        String parent = resource.get("parent_id").getAsString();
        Optional<Integer> at = Optional.empty();
        String resolved = parent.replace("${each.key}", "x");
        if (SUBSCRIPTION_ID.matcher(resolved).matches()) {
            at = Optional.of(BicepSchema.SUBSCRIPTION);
        } else if (MANAGEMENT_GROUP_ID.matcher(resolved).matches()) {
            at = Optional.of(BicepSchema.MANAGEMENT_GROUP);
        } else if (parent.equals("/")) {
            at = Optional.of(BicepSchema.TENANT);
        } else {
            String reference = parent;
            if (parent.equals("${each.value.id}") && resource.has("for_each")) {
                reference = resource.get("for_each").getAsString().replaceAll("}$", ".id}");
            }
            Matcher m = RESOURCE_ID_OF.matcher(reference);
            if (m.matches()) {
                boolean group = m.group(1).equals("azurerm_resource_group") || azapiTypeOf(m.group(2))
                        .map(t -> t.toLowerCase(java.util.Locale.ROOT).startsWith("microsoft.resources/resourcegroups@"))
                        .orElse(false);
                at = group ? Optional.of(BicepSchema.RESOURCE_GROUP) : Optional.empty();
            }
        }
        if (at.isEmpty()) {
            skipped.add(new Skip(lines.file(), line, where + ".parent_id", "scope known only at apply time: "
                    + ArmBodyCheck.abbreviate(parent)));
            return;
        }
        int scope = at.get();
        BicepSchema.load(BicepSchema.fileKey(armType)).scopes(armType, true).ifPresent(allowed -> {
            if ((allowed & scope) == 0) {
                findings.add(new Finding(lines.file(), lines.key(line, "parent_id"), where + ".parent_id", armType
                        + " cannot be deployed at " + BicepSchema.scopeNames(scope).get(0) + " scope (parent_id " + parent
                        + "); its types allow " + BicepSchema.scopeNames(allowed)));
            }
        });
    }

    /** The ARM type of {@code azapi_resource.<name>}, when it is a literal. */
    private Optional<String> azapiTypeOf(String name) {
        JsonObject resources = tf.root().getAsJsonObject("resource");
        if (resources == null || !resources.has("azapi_resource") || !resources.getAsJsonObject("azapi_resource").has(name)) {
            return Optional.empty();
        }
        JsonObject r = resources.getAsJsonObject("azapi_resource").getAsJsonArray(name).get(0).getAsJsonObject();
        return Optional.ofNullable(r.get("type")).flatMap(tf::literal);
    }

    private static final Pattern STRING_TERNARY = Pattern.compile(
            "^\\$\\{[^?]+\\?\\s*\"([^\"$]*)\"\\s*:\\s*\"([^\"$]*)\"\\s*}$", Pattern.DOTALL);

    /** An HCL value (as hcl2json gives it) as a body node, following literal locals and variable defaults. */
    private Node node(JsonElement value, int line) {
        if (value == null || value.isJsonNull()) {
            return new ArmBodyCheck.Null(line);
        }
        if (value.isJsonObject()) {
            Map<String, Node> entries = new LinkedHashMap<>();
            value.getAsJsonObject().entrySet().forEach(e -> entries.put(e.getKey(),
                    node(e.getValue(), lines.key(line, e.getKey()))));
            return new ArmBodyCheck.Obj(entries, line);
        }
        if (value.isJsonArray()) {
            List<Node> items = new ArrayList<>();
            value.getAsJsonArray().forEach(v -> items.add(node(v, line)));
            return new ArmBodyCheck.Arr(items, line);
        }
        JsonPrimitive p = value.getAsJsonPrimitive();
        if (p.isBoolean()) {
            return new ArmBodyCheck.Bool(p.getAsBoolean(), line);
        }
        if (p.isNumber()) {
            double d = p.getAsDouble();
            return d == Math.rint(d) ? new ArmBodyCheck.Num((long) d, line) : new ArmBodyCheck.Unknown(p.getAsString(), line);
        }
        String s = p.getAsString();
        if (!s.contains("${")) {
            return new ArmBodyCheck.Str(s, line);
        }
        JsonElement resolved = tf.resolve(value);
        if (resolved != value && resolved != null && !(resolved.isJsonPrimitive() && resolved.getAsString().equals(s))) {
            return node(resolved, line);
        }
        Optional<String> literal = tf.literal(value);
        if (literal.isPresent()) {
            return new ArmBodyCheck.Str(literal.get(), line);
        }
        Matcher ternary = STRING_TERNARY.matcher(s);
        if (ternary.matches()) {
            return new ArmBodyCheck.Unknown(s, List.of(ternary.group(1), ternary.group(2)), line);
        }
        return new ArmBodyCheck.Unknown(s, line);
    }

    // ---- module calls ----

    private void module(String name, JsonObject call) {
        String where = "module." + name;
        int line = lines.block("module", name, null);
        String source = call.has("source") ? call.get("source").getAsString() : "";
        if (!source.startsWith("./") && !source.startsWith("../")) {
            skipped.add(new Skip(lines.file(), line, where, "module source " + source + " is not a local path"));
            return;
        }
        TerraformJson module = TerraformJson.read(repoRoot, tf.dir().resolve(source).normalize());
        JsonObject variables = module.root().getAsJsonObject("variable");
        Set<String> declared = variables == null ? Set.of() : variables.keySet();
        call.keySet().stream().filter(k -> !MODULE_META.contains(k) && !declared.contains(k)).forEach(k ->
                findings.add(new Finding(lines.file(), lines.key(line, k), where + "." + k, "module " + source
                        + " has no variable '" + k + "'; it has " + new TreeSet<>(declared))));
        declared.stream().filter(v -> !call.has(v) && module.block("variable", v).map(b -> !b.has("default")).orElse(false))
                .forEach(v -> findings.add(new Finding(lines.file(), line, where + "." + v, "module " + source
                        + " requires variable '" + v + "' (it has no default)")));
    }

    // ---- where things are in the .tf files ----

    /** Finds block and argument lines in the {@code *.tf} text (hcl2json keeps none). */
    private static final class Lines {
        private final Map<String, List<String>> files = new LinkedHashMap<>();
        private final Path repoRoot;
        private String lastFile;

        Lines(Path repoRoot, Path dir) {
            this.repoRoot = repoRoot;
            try (Stream<Path> list = Files.list(dir)) {
                for (Path p : list.filter(p -> p.toString().endsWith(".tf")).sorted().toList()) {
                    files.put(rel(p), Files.readAllLines(p));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            lastFile = files.isEmpty() ? dir.toString() : files.keySet().iterator().next();
        }

        private String rel(Path p) {
            Path abs = p.toAbsolutePath().normalize();
            Path root = repoRoot.toAbsolutePath().normalize();
            return abs.startsWith(root) ? root.relativize(abs).toString() : abs.toString();
        }

        String file() {
            return lastFile;
        }

        /** The line of {@code kind "label1" "label2" {}}; also remembers its file for {@link #file()}. */
        int block(String kind, String label1, String label2) {
            Pattern header = Pattern.compile("^\\s*" + kind + "\\s+\"" + Pattern.quote(label1) + "\""
                    + (label2 == null ? "" : "\\s+\"" + Pattern.quote(label2) + "\"") + "\\s*\\{.*");
            for (Map.Entry<String, List<String>> f : files.entrySet()) {
                for (int i = 0; i < f.getValue().size(); i++) {
                    if (header.matcher(f.getValue().get(i)).matches()) {
                        lastFile = f.getKey();
                        return i + 1;
                    }
                }
            }
            return 0;
        }

        /** The first line at or after {@code from} that sets {@code key} (an argument, a block or a dynamic block). */
        int key(int from, String key) {
            List<String> text = files.get(lastFile);
            if (text == null || from <= 0) {
                return from;
            }
            Pattern p = Pattern.compile("^\\s*(?:\"?" + Pattern.quote(key) + "\"?\\s*(?:=|\\{)|dynamic\\s+\""
                    + Pattern.quote(key) + "\").*");
            for (int i = from - 1; i < text.size(); i++) {
                if (p.matcher(text.get(i)).matches()) {
                    return i + 1;
                }
            }
            return from;
        }
    }
}
