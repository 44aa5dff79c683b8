package dev.aksrouteguard.infra;

import dev.aksrouteguard.infra.ArmBodyCheck.Finding;
import dev.aksrouteguard.infra.ArmBodyCheck.Mode;
import dev.aksrouteguard.infra.ArmBodyCheck.Node;
import dev.aksrouteguard.infra.ArmBodyCheck.Report;
import dev.aksrouteguard.infra.ArmBodyCheck.Skip;
import dev.aksrouteguard.infra.BicepText.Arr;
import dev.aksrouteguard.infra.BicepText.Declaration;
import dev.aksrouteguard.infra.BicepText.Expr;
import dev.aksrouteguard.infra.BicepText.Loop;
import dev.aksrouteguard.infra.BicepText.Obj;
import dev.aksrouteguard.infra.BicepText.Str;
import dev.aksrouteguard.infra.BicepText.Value;
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
 * Checks every resource body of Bicep source against the Bicep types of its resource type and API version
 * ({@link BicepSchema}, {@link ArmBodyCheck}), the way the Bicep compiler would, without Bicep.
 *
 * <p>Scopes too: each resource must be deployable (or, {@code existing}, readable) at the scope it lands on (the file's
 * {@code targetScope}, the scope function its {@code scope:} names, or an extension of the resource it names), as the
 * types file's {@code writableScopes}/{@code readableScopes} say; and each local module's {@code targetScope} must be
 * the scope the caller deploys it to ({@link #checkDirectory}).
 *
 * <p>Language constructs are handled, not flagged: decorators; {@code if (...)} conditions; {@code [for ...]} loops
 * (on a resource, or on a property: the body is checked as one item); {@code existing} resources (checked, but
 * nothing is required of them); and the keywords {@code scope}, {@code parent} and {@code dependsOn}. An identifier
 * naming a {@code var} of the same file is followed to its value; a ternary between two string literals is checked
 * for both. Other expressions (parameters, function calls, references, interpolated strings) are known only at
 * deployment and are reported as skipped.
 *
 * <pre>{@code
 * Report r = BicepCheck.checkSource("snippet.bicep", generatedText);
 * assertTrue(r.ok(), r.describe());
 * }</pre>
 */
final class BicepCheck {

    /** Resource keys that are Bicep's, not the resource type's. */
    static final Set<String> LANGUAGE_KEYS = Set.of("scope", "parent", "dependsOn");

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern INTEGER = Pattern.compile("-?\\d+");
    private static final Pattern STRING_TERNARY = Pattern.compile(
            "^[^?]+\\?\\s*'((?:[^'\\\\$]|\\\\.)*)'\\s*:\\s*'((?:[^'\\\\$]|\\\\.)*)'$", Pattern.DOTALL);

    private final BicepText text;
    private final List<Report> reports = new ArrayList<>();

    private BicepCheck(BicepText text) {
        this.text = text;
    }

    /** Checks the resources of one Bicep source text. */
    static Report checkSource(String fileName, String source) {
        return check(BicepText.parse(fileName, source));
    }

    /** Checks the resources of a parsed file. */
    static Report check(BicepText text) {
        BicepCheck check = new BicepCheck(Objects.requireNonNull(text, "text == null"));
        for (Declaration d : text.declarations()) {
            if (d.kind().equals("resource")) {
                check.resource(d);
                check.scope(d);
            }
        }
        return Report.merge(check.reports);
    }

    /** A file's {@code targetScope} as a bicep-types scope flag ({@code resourceGroup} when it declares none). */
    static int targetScope(BicepText text) {
        String target = text.declarations().stream().filter(d -> d.kind().equals("targetScope")).findFirst()
                .map(d -> d.value() instanceof Str s ? s.text() : String.valueOf(d.value())).orElse("resourceGroup");
        return switch (target) {
            case "tenant" -> BicepSchema.TENANT;
            case "managementGroup" -> BicepSchema.MANAGEMENT_GROUP;
            case "subscription" -> BicepSchema.SUBSCRIPTION;
            case "resourceGroup" -> BicepSchema.RESOURCE_GROUP;
            default -> throw new IllegalArgumentException(text.fileName() + ": unknown targetScope " + target);
        };
    }

    private static final Pattern SCOPE_FUNCTION = Pattern.compile("^(tenant|managementGroup|subscription|resourceGroup)\\(.*\\)$");

    /**
     * The scope a {@code scope:} value names in {@code text}: a scope function, a {@code Microsoft.Resources/resourceGroups}
     * resource of the file (a resource group), or any other resource (an extension of it); empty when it cannot tell.
     */
    static Optional<Integer> scopeOf(BicepText text, String scope) {
        Matcher f = SCOPE_FUNCTION.matcher(scope.trim());
        if (f.matches()) {
            return Optional.of(switch (f.group(1)) {
                case "tenant" -> BicepSchema.TENANT;
                case "managementGroup" -> BicepSchema.MANAGEMENT_GROUP;
                case "subscription" -> BicepSchema.SUBSCRIPTION;
                default -> BicepSchema.RESOURCE_GROUP;
            });
        }
        String symbol = scope.trim().replaceAll("\\[[^\\]]*]$", "").replaceAll("!$", "");
        if (!IDENTIFIER.matcher(symbol).matches()) {
            return Optional.empty();
        }
        return text.find("resource", symbol).map(r -> r.type().toLowerCase(java.util.Locale.ROOT)
                .startsWith("microsoft.resources/resourcegroups@") ? BicepSchema.RESOURCE_GROUP : BicepSchema.EXTENSION);
    }

    private void scope(Declaration d) {
        Value value = d.value() instanceof Loop loop ? loop.body() : d.value();
        if (!(value instanceof Obj body) || !BicepSchema.isVendored(d.type())) {
            return;
        }
        Optional<String> scopeText = body.get("scope").map(v -> v instanceof Expr e ? e.text() : String.valueOf(v));
        Optional<Integer> at = scopeText.isPresent() ? scopeOf(text, scopeText.get()) : Optional.of(targetScope(text));
        if (at.isEmpty()) {
            reports.add(new Report(List.of(), List.of(new Skip(text.fileName(), d.line(), d.name() + ".scope",
                    "scope known only at deployment: " + scopeText.orElse("")))));
            return;
        }
        BicepSchema.load(BicepSchema.fileKey(d.type())).scopes(d.type(), !d.existing()).ifPresent(allowed -> {
            if ((allowed & at.get()) == 0) {
                reports.add(new Report(List.of(new Finding(text.fileName(), d.line(), d.name(), d.type() + " cannot be "
                        + (d.existing() ? "read" : "deployed") + " at " + BicepSchema.scopeNames(at.get()).get(0) + " scope"
                        + " (" + scopeText.map(s -> "scope: " + s).orElse("the file's targetScope") + "); its types allow "
                        + BicepSchema.scopeNames(allowed))), List.of()));
            }
        });
    }

    /**
     * Checks every {@code .bicep} file under {@code dir}: each file's resources, and each local module call's
     * {@code params} against the parameters the module declares (unknown names, and parameters without a default that
     * are not passed).
     */
    static Report checkDirectory(Path repoRoot, Path dir) {
        Map<Path, BicepText> files = new LinkedHashMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.filter(p -> p.toString().endsWith(".bicep")).sorted().toList()) {
                files.put(p.toAbsolutePath().normalize(), BicepText.parse(repoRoot.relativize(p).toString(), Files.readString(p)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Report> reports = new ArrayList<>();
        files.values().forEach(t -> reports.add(check(t)));
        files.forEach((path, t) -> reports.add(modules(path, t, files)));
        return Report.merge(reports);
    }

    private void resource(Declaration d) {
        Value value = d.value();
        if (value instanceof Loop loop) {
            value = loop.body();
        }
        if (!(value instanceof Obj body)) {
            reports.add(new Report(List.of(new Finding(text.fileName(), d.line(), d.name(),
                    "the body of resource " + d.name() + " is not an object literal")), List.of()));
            return;
        }
        Node node = node(body, 0);
        reports.add(ArmBodyCheck.check(text.fileName(), d.type(), (ArmBodyCheck.Obj) node,
                d.existing() ? Mode.PARTIAL : Mode.COMPLETE, LANGUAGE_KEYS));
    }

    /** A Bicep value as a body node; identifiers naming a var of this file are followed (a few hops at most). */
    private Node node(Value value, int depth) {
        int line = text.lineOf(value);
        if (value instanceof Obj o) {
            Map<String, Node> entries = new LinkedHashMap<>();
            o.entries().forEach((k, v) -> entries.put(k, node(v, depth)));
            return new ArmBodyCheck.Obj(entries, line);
        }
        if (value instanceof Arr a) {
            return new ArmBodyCheck.Arr(a.items().stream().map(v -> node(v, depth)).toList(), line);
        }
        if (value instanceof Str s) {
            return new ArmBodyCheck.Str(s.text(), line);
        }
        if (value instanceof Loop l) {
            return new ArmBodyCheck.Each(node(l.body(), depth), line);
        }
        String expr = ((Expr) value).text();
        if (expr.equals("true") || expr.equals("false")) {
            return new ArmBodyCheck.Bool(Boolean.parseBoolean(expr), line);
        }
        if (expr.equals("null")) {
            return new ArmBodyCheck.Null(line);
        }
        if (INTEGER.matcher(expr).matches()) {
            try {
                return new ArmBodyCheck.Num(Long.parseLong(expr), line);
            } catch (NumberFormatException e) {
                return new ArmBodyCheck.Unknown(expr, line);
            }
        }
        if (depth < 5 && IDENTIFIER.matcher(expr).matches()) {
            Optional<Declaration> var = text.find("var", expr);
            if (var.isPresent() && var.get().value() != null) {
                Node resolved = node(var.get().value(), depth + 1);
                return resolved instanceof ArmBodyCheck.Unknown ? new ArmBodyCheck.Unknown(expr, line) : relined(resolved, line);
            }
        }
        Matcher ternary = STRING_TERNARY.matcher(expr);
        if (ternary.matches()) {
            return new ArmBodyCheck.Unknown(expr, List.of(unescape(ternary.group(1)), unescape(ternary.group(2))), line);
        }
        return new ArmBodyCheck.Unknown(expr, line);
    }

    /** A value followed from a var keeps its own lines inside, but is reported where it is used. */
    private static Node relined(Node node, int line) {
        if (node instanceof ArmBodyCheck.Str s) {
            return new ArmBodyCheck.Str(s.value(), line);
        }
        if (node instanceof ArmBodyCheck.Num n) {
            return new ArmBodyCheck.Num(n.value(), line);
        }
        if (node instanceof ArmBodyCheck.Bool b) {
            return new ArmBodyCheck.Bool(b.value(), line);
        }
        return node;
    }

    private static String unescape(String raw) {
        return raw.replace("\\'", "'").replace("\\\\", "\\");
    }

    // ---- modules ----

    private static Report modules(Path file, BicepText text, Map<Path, BicepText> files) {
        List<Finding> findings = new ArrayList<>();
        List<Skip> skipped = new ArrayList<>();
        for (Declaration d : text.declarations()) {
            if (!d.kind().equals("module")) {
                continue;
            }
            Path target = file.getParent().resolve(d.type()).normalize();
            BicepText module = files.get(target);
            if (module == null) {
                skipped.add(new Skip(text.fileName(), d.line(), d.name(), "module " + d.type() + " is not a file here"));
                continue;
            }
            Value body = d.value() instanceof Loop l ? l.body() : d.value();
            if (!(body instanceof Obj obj)) {
                findings.add(new Finding(text.fileName(), d.line(), d.name(), "the body of module " + d.name()
                        + " is not an object literal"));
                continue;
            }
            Optional<String> scopeText = obj.get("scope").map(v -> v instanceof Expr e ? e.text() : String.valueOf(v));
            Optional<Integer> at = scopeText.isPresent() ? scopeOf(text, scopeText.get()) : Optional.of(targetScope(text));
            int moduleTarget = targetScope(module);
            if (at.isEmpty()) {
                skipped.add(new Skip(text.fileName(), d.line(), d.name() + ".scope", "scope known only at deployment: "
                        + scopeText.orElse("")));
            } else if (at.get() != moduleTarget) {
                findings.add(new Finding(text.fileName(), d.line(), d.name() + ".scope", "module " + d.type() + " targets "
                        + BicepSchema.scopeNames(moduleTarget).get(0) + " scope but is deployed at "
                        + BicepSchema.scopeNames(at.get()).get(0) + " scope ("
                        + scopeText.map(s -> "scope: " + s).orElse("no scope: the caller's targetScope") + ")"));
            }
            Map<String, Declaration> declared = new LinkedHashMap<>();
            module.declarations().stream().filter(p -> p.kind().equals("param")).forEach(p -> declared.put(p.name(), p));
            Map<String, Value> passed = obj.get("params").filter(Obj.class::isInstance).map(v -> ((Obj) v).entries())
                    .orElse(Map.of());
            passed.forEach((name, v) -> {
                if (!declared.containsKey(name)) {
                    findings.add(new Finding(text.fileName(), text.lineOf(v), d.name() + ".params." + name,
                            "module " + d.type() + " has no parameter '" + name + "'; it has " + new TreeSet<>(declared.keySet())));
                }
            });
            declared.forEach((name, p) -> {
                if (p.value() == null && !p.type().endsWith("?") && !passed.containsKey(name)) {
                    findings.add(new Finding(text.fileName(), d.line(), d.name() + ".params." + name,
                            "module " + d.type() + " requires parameter '" + name + "' (it has no default)"));
                }
            });
        }
        return new Report(findings, skipped);
    }
}
