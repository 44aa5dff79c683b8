package dev.aksrouteguard.infra;

import dev.aksrouteguard.infra.BicepSchema.AnyType;
import dev.aksrouteguard.infra.BicepSchema.ArrayType;
import dev.aksrouteguard.infra.BicepSchema.BooleanType;
import dev.aksrouteguard.infra.BicepSchema.DiscriminatedObjectType;
import dev.aksrouteguard.infra.BicepSchema.IntegerType;
import dev.aksrouteguard.infra.BicepSchema.ObjectType;
import dev.aksrouteguard.infra.BicepSchema.Property;
import dev.aksrouteguard.infra.BicepSchema.StringLiteralType;
import dev.aksrouteguard.infra.BicepSchema.StringType;
import dev.aksrouteguard.infra.BicepSchema.Type;
import dev.aksrouteguard.infra.BicepSchema.TypeRef;
import dev.aksrouteguard.infra.BicepSchema.UnionType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Checks an ARM resource body, as an IaC file writes it, against the Bicep type of its resource type and API version
 * ({@link BicepSchema}): the checks the Bicep compiler makes, so that a template that passes here does not fail to
 * compile (or fail at deployment) for a property name, a missing required property or a value outside a closed set.
 *
 * <p>The body is given as a small neutral tree ({@link Node}), so the same check serves Bicep ({@link BicepCheck}) and
 * the ARM JSON bodies of Terraform's {@code azapi_*} resources ({@link TerraformCheck}). What it reports:
 * <ul>
 *   <li>a property the type does not have (Bicep's BCP037), with the names it does have;
 *   <li>a read-only property written (ignored by ARM, so almost always a mistake);
 *   <li>a required property missing (BCP035), unless the mode says the body is partial;
 *   <li>a literal outside a closed set of string literals (BCP088/BCP036), or of the wrong kind (a string where a
 *       number is expected, ...), or outside an integer's bounds.
 * </ul>
 * What it cannot check it lists as {@link Skip}s instead: an expression whose value is only known at deployment
 * (a parameter, a function call, a reference, an interpolated string), and everything below it.
 */
final class ArmBodyCheck {

    /** A value in a body. Every node knows the line it starts on (0 when not known). */
    sealed interface Node permits Obj, Arr, Str, Num, Bool, Null, Unknown, Each {
        int line();
    }

    /** An object; entries in source order. */
    record Obj(Map<String, Node> entries, int line) implements Node {
        Obj {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }
    }

    record Arr(List<Node> items, int line) implements Node {
        Arr {
            items = List.copyOf(items);
        }
    }

    /** A string literal (no interpolation). */
    record Str(String value, int line) implements Node {}

    /** An integer literal. */
    record Num(long value, int line) implements Node {}

    record Bool(boolean value, int line) implements Node {}

    record Null(int line) implements Node {}

    /**
     * An expression whose value is only known at deployment.
     *
     * @param text the expression as written
     * @param candidates string literals it can only be one of (e.g. both branches of {@code c ? 'a' : 'b'}), or
     *     empty when unknown
     */
    record Unknown(String text, List<String> candidates, int line) implements Node {
        Unknown {
            candidates = List.copyOf(candidates);
        }

        Unknown(String text, int line) {
            this(text, List.of(), line);
        }
    }

    /** An array written as a loop: every item is shaped like {@code item}. */
    record Each(Node item, int line) implements Node {}

    /** A problem the Bicep compiler or ARM would report. */
    record Finding(String file, int line, String path, String problem) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + path + ": " + problem;
        }
    }

    /** Something the check could not look into, and why. */
    record Skip(String file, int line, String path, String why) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + path + ": " + why;
        }
    }

    /** What a check found and what it had to leave out. */
    record Report(List<Finding> findings, List<Skip> skipped) {
        Report {
            findings = List.copyOf(findings);
            skipped = List.copyOf(skipped);
        }

        static Report merge(List<Report> reports) {
            List<Finding> f = new ArrayList<>();
            List<Skip> s = new ArrayList<>();
            reports.forEach(r -> {
                f.addAll(r.findings());
                s.addAll(r.skipped());
            });
            return new Report(f, s);
        }

        boolean ok() {
            return findings.isEmpty();
        }

        /** The findings, one per line, for an assertion message. */
        String describe() {
            StringBuilder sb = new StringBuilder();
            findings.forEach(f -> sb.append("\n  ").append(f));
            return sb.toString();
        }
    }

    /** How complete the body is meant to be. */
    enum Mode {
        /** A whole resource: required properties must be there. */
        COMPLETE,
        /**
         * A partial body merged into what exists (Terraform's {@code azapi_update_resource}), or a reference to an
         * existing resource: nothing is required.
         */
        PARTIAL
    }

    private final String file;
    private final Mode mode;
    private final Set<String> ignoredTopLevel;
    private final List<Finding> findings = new ArrayList<>();
    private final List<Skip> skipped = new ArrayList<>();

    private ArmBodyCheck(String file, Mode mode, Set<String> ignoredTopLevel) {
        this.file = file;
        this.mode = mode;
        this.ignoredTopLevel = ignoredTopLevel;
    }

    /**
     * Checks {@code body} against the body type of {@code resourceTypeAtVersion}.
     *
     * @param file the file name to report
     * @param ignoredTopLevel top-level keys that belong to the language, not to the resource (Bicep's {@code scope},
     *     {@code parent}, {@code dependsOn})
     */
    static Report check(String file, String resourceTypeAtVersion, Obj body, Mode mode, Set<String> ignoredTopLevel) {
        Objects.requireNonNull(body, "body == null");
        ArmBodyCheck check = new ArmBodyCheck(file, mode, Set.copyOf(ignoredTopLevel));
        if (!BicepSchema.isVendored(resourceTypeAtVersion)) {
            check.findings.add(new Finding(file, body.line(), resourceTypeAtVersion, "no Bicep types are vendored for "
                    + BicepSchema.fileKey(resourceTypeAtVersion) + ": add the file from Azure/bicep-types-az to "
                    + "src/guard/test/resources/schemas/bicep-types/ (SOURCES.md)"));
            return check.report();
        }
        TypeRef type = BicepSchema.bodyOf(resourceTypeAtVersion).orElse(null);
        if (type == null) {
            check.findings.add(new Finding(file, body.line(), resourceTypeAtVersion, "the resource type does not exist at "
                    + "this API version (" + BicepSchema.fileKey(resourceTypeAtVersion) + " has "
                    + new TreeSet<>(BicepSchema.load(BicepSchema.fileKey(resourceTypeAtVersion)).resourceTypes()) + ")"));
            return check.report();
        }
        check.value(type, body, "", true);
        return check.report();
    }

    private Report report() {
        return new Report(findings, skipped);
    }

    // ---- the walk ----

    private void value(TypeRef ref, Node node, String path, boolean topLevel) {
        Type type = ref.resolve();
        if (node instanceof Null || type instanceof AnyType || type instanceof BicepSchema.Other) {
            return;
        }
        if (node instanceof Unknown u && u.candidates().isEmpty()) {
            skipped.add(new Skip(file, u.line(), path, "expression, known only at deployment: " + abbreviate(u.text())));
            return;
        }
        if (type instanceof ObjectType o) {
            object(o.name(), o.properties(), o.additionalProperties(), node, path, topLevel);
        } else if (type instanceof DiscriminatedObjectType d) {
            discriminated(d, node, path, topLevel);
        } else if (type instanceof ArrayType a) {
            array(a, node, path);
        } else if (type instanceof UnionType u) {
            union(u, node, path, topLevel);
        } else if (type instanceof StringLiteralType s) {
            literal(Set.of(s.value()), node, path);
        } else if (type instanceof StringType s) {
            string(s, node, path);
        } else if (type instanceof IntegerType i) {
            integer(i, node, path);
        } else if (type instanceof BooleanType && !(node instanceof Bool)) {
            mismatch("bool", node, path);
        }
    }

    private void object(String typeName, Map<String, Property> properties, TypeRef additional, Node node, String path,
            boolean topLevel) {
        if (!(node instanceof Obj obj)) {
            mismatch("object", node, path);
            return;
        }
        for (Map.Entry<String, Node> e : obj.entries().entrySet()) {
            String key = e.getKey();
            String child = path.isEmpty() ? key : path + "." + key;
            if (topLevel && ignoredTopLevel.contains(key)) {
                continue;
            }
            Property p = properties.get(key);
            if (p == null) {
                Property caseInsensitive = properties.entrySet().stream().filter(x -> x.getKey().equalsIgnoreCase(key))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                if (caseInsensitive != null) {
                    String spelled = properties.keySet().stream().filter(k -> k.equalsIgnoreCase(key)).findFirst().orElseThrow();
                    findings.add(new Finding(file, e.getValue().line(), child, "the property is spelled '" + spelled
                            + "' (" + describe(typeName) + ")"));
                    continue;
                }
                if (additional != null) {
                    value(additional, e.getValue(), child, false);
                    continue;
                }
                findings.add(new Finding(file, e.getValue().line(), child, "the property '" + key + "' does not exist in "
                        + describe(typeName) + "; it has " + writable(properties)));
                continue;
            }
            if (p.readOnly()) {
                findings.add(new Finding(file, e.getValue().line(), child, "the property '" + key
                        + "' is read-only: ARM ignores it"));
                continue;
            }
            value(p.type(), e.getValue(), child, false);
        }
        if (mode == Mode.COMPLETE) {
            properties.forEach((name, p) -> {
                if (p.required() && !p.readOnly() && !obj.entries().containsKey(name)) {
                    findings.add(new Finding(file, obj.line(), path.isEmpty() ? name : path + "." + name,
                            "the required property '" + name + "' is missing (" + describe(typeName) + ")"));
                }
            });
        }
    }

    private void discriminated(DiscriminatedObjectType d, Node node, String path, boolean topLevel) {
        if (!(node instanceof Obj obj)) {
            mismatch("object", node, path);
            return;
        }
        String where = path.isEmpty() ? d.discriminator() : path + "." + d.discriminator();
        Node tag = obj.entries().get(d.discriminator());
        if (tag == null) {
            if (mode == Mode.COMPLETE) {
                findings.add(new Finding(file, obj.line(), where, "the required property '" + d.discriminator()
                        + "' is missing; it selects the shape of " + describe(d.name()) + ": one of "
                        + new TreeSet<>(d.elements().keySet())));
            } else {
                skipped.add(new Skip(file, obj.line(), path, "no '" + d.discriminator() + "' to select the shape by"));
            }
            return;
        }
        if (!(tag instanceof Str s)) {
            skipped.add(new Skip(file, tag.line(), where, "the shape of " + describe(d.name())
                    + " depends on an expression; its properties are not checked"));
            return;
        }
        TypeRef element = d.elements().get(s.value());
        if (element == null) {
            findings.add(new Finding(file, s.line(), where, "'" + s.value() + "' is not one of "
                    + new TreeSet<>(d.elements().keySet())));
            return;
        }
        Type elementType = element.resolve();
        if (!(elementType instanceof ObjectType o)) {
            return;
        }
        Map<String, Property> merged = new LinkedHashMap<>(d.baseProperties());
        merged.putAll(o.properties());
        object(d.name() + " (" + d.discriminator() + " '" + s.value() + "')", merged, o.additionalProperties(), obj, path,
                topLevel);
    }

    private void array(ArrayType a, Node node, String path) {
        if (node instanceof Arr arr) {
            for (int i = 0; i < arr.items().size(); i++) {
                value(a.itemType(), arr.items().get(i), path + "[" + i + "]", false);
            }
        } else if (node instanceof Each each) {
            value(a.itemType(), each.item(), path + "[*]", false);
        } else {
            mismatch("array", node, path);
        }
    }

    private void union(UnionType u, Node node, String path, boolean topLevel) {
        Set<String> literals = new LinkedHashSet<>();
        boolean open = false;
        boolean stringsOnly = true;
        for (TypeRef e : u.elements()) {
            Type t = e.resolve();
            if (t instanceof StringLiteralType s) {
                literals.add(s.value());
            } else if (t instanceof StringType || t instanceof AnyType) {
                open = true;
            } else {
                stringsOnly = false;
            }
        }
        if (stringsOnly) {
            if (open) {
                if (!(node instanceof Str || node instanceof Unknown)) {
                    mismatch("string", node, path);
                }
            } else {
                literal(literals, node, path);
            }
            return;
        }
        // A union of shapes: the value is fine if it fits one of them.
        List<List<Finding>> attempts = new ArrayList<>();
        for (TypeRef e : u.elements()) {
            ArmBodyCheck attempt = new ArmBodyCheck(file, mode, ignoredTopLevel);
            attempt.value(e, node, path, topLevel);
            if (attempt.findings.isEmpty()) {
                skipped.addAll(attempt.skipped);
                return;
            }
            attempts.add(attempt.findings);
        }
        attempts.stream().min((x, y) -> Integer.compare(x.size(), y.size())).ifPresent(findings::addAll);
    }

    private void literal(Set<String> allowed, Node node, String path) {
        if (node instanceof Str s) {
            if (!allowed.contains(s.value())) {
                findings.add(new Finding(file, s.line(), path, badLiteral(s.value(), allowed)));
            }
        } else if (node instanceof Unknown u) {
            for (String candidate : u.candidates()) {
                if (!allowed.contains(candidate)) {
                    findings.add(new Finding(file, u.line(), path, badLiteral(candidate, allowed) + " (a value of "
                            + abbreviate(u.text()) + ")"));
                }
            }
        } else {
            mismatch("string", node, path);
        }
    }

    private void string(StringType s, Node node, String path) {
        if (node instanceof Str str) {
            int length = str.value().length();
            if ((s.minLength() != null && length < s.minLength()) || (s.maxLength() != null && length > s.maxLength())) {
                findings.add(new Finding(file, str.line(), path, "'" + str.value() + "' has " + length
                        + " characters; allowed: " + bounds(s.minLength(), s.maxLength())));
            }
        } else if (!(node instanceof Unknown)) {
            mismatch("string", node, path);
        }
    }

    private void integer(IntegerType i, Node node, String path) {
        if (node instanceof Num n) {
            if ((i.minValue() != null && n.value() < i.minValue()) || (i.maxValue() != null && n.value() > i.maxValue())) {
                findings.add(new Finding(file, n.line(), path, n.value() + " is out of range " + bounds(i.minValue(), i.maxValue())));
            }
        } else if (!(node instanceof Unknown)) {
            mismatch("int", node, path);
        }
    }

    private void mismatch(String expected, Node node, String path) {
        if (node instanceof Unknown u) {
            skipped.add(new Skip(file, u.line(), path, "expression, known only at deployment: " + abbreviate(u.text())));
            return;
        }
        findings.add(new Finding(file, node.line(), path, "expected a value of type " + expected + " but the value is "
                + kind(node)));
    }

    // ---- wording ----

    private static String badLiteral(String value, Set<String> allowed) {
        String near = allowed.stream().filter(a -> a.equalsIgnoreCase(value)).findFirst()
                .map(a -> " (did you mean '" + a + "'?)").orElse("");
        return "'" + value + "' is not an allowed value" + near + "; allowed: " + allowed;
    }

    private static String kind(Node node) {
        if (node instanceof Obj) {
            return "an object";
        }
        if (node instanceof Arr) {
            return "an array";
        }
        if (node instanceof Each) {
            return "an array (a loop)";
        }
        if (node instanceof Str s) {
            return "the string '" + s.value() + "'";
        }
        if (node instanceof Num n) {
            return "the number " + n.value();
        }
        if (node instanceof Bool b) {
            return "the bool " + b.value();
        }
        return node instanceof Null ? "null" : "an expression";
    }

    private static String describe(String typeName) {
        return typeName == null ? "this object" : "type " + typeName;
    }

    private static String writable(Map<String, Property> properties) {
        Set<String> names = new TreeSet<>();
        properties.forEach((name, p) -> {
            if (!p.readOnly()) {
                names.add(name);
            }
        });
        return names.toString();
    }

    private static String bounds(Number min, Number max) {
        return (min == null ? "" : min + "..") + (max == null ? "" : (min == null ? ".." : "") + max);
    }

    static String abbreviate(String text) {
        String oneLine = text.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
    }
}
