package dev.aksrouteguard.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Terraform provider version accepts for a resource or data source, read from the provider's own documentation
 * page of that version, vendored unchanged under {@code src/guard/test/resources/schemas/} (SOURCES.md there):
 * <ul>
 *   <li>azurerm ({@code terraform-azurerm/<version>/<name>.html.markdown}, {@code data-<name>...} for data sources):
 *       the "Argument(s) Reference" section, {@code * `name` - (Required|Optional) ...} for every argument, and a
 *       section per nested block ({@code A `block` block supports the following:}); closed sets of values from
 *       "Possible values are (or include) `a`, `b` and `c`." (the pages list every value the provider validates;
 *       a sentence with "such as", "for example" or "between" is not taken as a closed set);
 *   <li>azapi ({@code terraform-azapi/<version>/<name>.md}): the generated "Schema" section, Required / Optional /
 *       Read-Only lists and "Nested Schema for `block`".
 * </ul>
 *
 * <pre>{@code
 * TerraformSchema v5 = TerraformSchema.azurerm("v5.2.0");
 * Doc account = v5.resource("azurerm_storage_account").orElseThrow();
 * boolean known = account.root().args().containsKey("https_traffic_only_enabled");
 * }</pre>
 */
final class TerraformSchema {

    /** An argument: whether it is required, whether it can only be read, and its closed set of values, if any. */
    record Arg(String name, boolean required, boolean readOnly, Set<String> allowedValues, Kind kind) {
        Arg {
            allowedValues = Set.copyOf(allowedValues);
        }
    }

    /** What an argument is, when the documentation says. */
    enum Kind {
        /** A nested block ({@code name { ... }}). */
        BLOCK,
        /** An object attribute with documented keys ({@code name = { ... }}, azapi's "Attributes"/"Object"). */
        OBJECT,
        /** Anything else, or not said. */
        VALUE
    }

    /** The arguments of a resource, or of one nested block. */
    record Block(Map<String, Arg> args) {
        Block {
            args = Collections.unmodifiableMap(new LinkedHashMap<>(args));
        }
    }

    /**
     * One documentation page.
     *
     * @param root the top-level arguments
     * @param blocks the arguments of each nested block, by block name (sections for blocks of the same name are merged)
     * @param timeouts the documented {@code timeouts} keys
     */
    record Doc(String type, String source, Block root, Map<String, Block> blocks, Set<String> timeouts) {}

    private static final Map<String, TerraformSchema> CACHE = new ConcurrentHashMap<>();

    private final String provider;
    private final String version;
    private final Map<String, Optional<Doc>> docs = new ConcurrentHashMap<>();

    private TerraformSchema(String provider, String version) {
        this.provider = provider;
        this.version = version;
    }

    /** The azurerm provider's pages of a version, e.g. {@code v5.2.0}. */
    static TerraformSchema azurerm(String version) {
        return CACHE.computeIfAbsent("azurerm/" + version, k -> new TerraformSchema("azurerm", version));
    }

    /** The azapi provider's pages of a version, e.g. {@code v2.12.0}. */
    static TerraformSchema azapi(String version) {
        return CACHE.computeIfAbsent("azapi/" + version, k -> new TerraformSchema("azapi", version));
    }

    String provider() {
        return provider;
    }

    String version() {
        return version;
    }

    /** Whether a resource or data source type belongs to this schema's provider. */
    boolean covers(String type) {
        return type.startsWith(provider + "_");
    }

    /** The page of a resource type, e.g. {@code azurerm_storage_account}, when vendored. */
    Optional<Doc> resource(String type) {
        return doc(type, false);
    }

    /** The page of a data source, e.g. {@code azurerm_subscription}, when vendored. */
    Optional<Doc> dataSource(String type) {
        return doc(type, true);
    }

    /** Where a page is looked for on the test class path. */
    String pathOf(String type, boolean data) {
        String name = type.substring(provider.length() + 1);
        return provider.equals("azurerm")
                ? "/schemas/terraform-azurerm/" + version + "/" + (data ? "data-" : "") + name + ".html.markdown"
                : "/schemas/terraform-azapi/" + version + "/" + (data ? "data-" : "") + name + ".md";
    }

    private Optional<Doc> doc(String type, boolean data) {
        Objects.requireNonNull(type, "type == null");
        if (!covers(type)) {
            throw new IllegalArgumentException(type + " is not an " + provider + " type");
        }
        return docs.computeIfAbsent((data ? "data." : "") + type, k -> {
            String path = pathOf(type, data);
            try (InputStream in = TerraformSchema.class.getResourceAsStream(path)) {
                if (in == null) {
                    return Optional.empty();
                }
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                return Optional.of(provider.equals("azurerm") ? parseAzurerm(type, path, text) : parseAzapi(type, path, text));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    // =====================================================================================================
    // azurerm pages
    // =====================================================================================================

    /**
     * An argument's bullet. Resource pages mark each one (Required) or (Optional); some data source pages mark none
     * (e.g. {@code management_group}'s "{@code * `name` - Specifies the name or UUID...}"), which reads as optional.
     */
    private static final Pattern BULLET = Pattern.compile("^\\s*\\*\\s+`([A-Za-z0-9_]+)`\\s*-\\s*(?:\\((Required|Optional)[^)]*\\))?(.*)$");
    private static final Pattern BLOCK_HEADER = Pattern.compile(
            "^(?:An?|The|Each)\\s+`([A-Za-z0-9_]+)`\\s+(?:block\\s+)?"
                    + "(?:supports|consists of|as the following|has the following|as defined below)\\b.*$");
    private static final Pattern TIMEOUT = Pattern.compile("^\\s*\\*\\s+`(create|read|update|delete)`\\s*-.*$");

    static Doc parseAzurerm(String type, String source, String text) {
        List<String> lines = List.of(text.split("\n", -1));
        Map<String, Map<String, Arg>> blocks = new LinkedHashMap<>();
        Map<String, Arg> root = new LinkedHashMap<>();
        Set<String> timeouts = new LinkedHashSet<>();
        String section = null; // "args", "timeouts", or null
        Map<String, Arg> current = null;
        List<String> sharedBy = new ArrayList<>(); // "Each nested block consists of": args shared by the listed blocks
        boolean shared = false;
        Arg previous = null;
        boolean orPending = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.trim();
            if (line.startsWith("## ")) {
                String heading = trimmed.toLowerCase(Locale.ROOT);
                section = heading.startsWith("## argument") ? "args" : heading.startsWith("## timeouts") ? "timeouts" : null;
                current = "args".equals(section) ? root : null;
                shared = false;
                sharedBy.clear();
                continue;
            }
            if ("timeouts".equals(section)) {
                Matcher t = TIMEOUT.matcher(line);
                if (t.matches()) {
                    timeouts.add(t.group(1));
                }
                continue;
            }
            if (!"args".equals(section)) {
                continue;
            }
            if (trimmed.equals("---")) {
                // Pages separate the required from the optional top-level arguments with '---' too; a block's
                // section always starts with its own header.
                current = root;
                shared = false;
                sharedBy.clear();
                continue;
            }
            Matcher header = BLOCK_HEADER.matcher(trimmed);
            if (header.matches()) {
                current = blocks.computeIfAbsent(header.group(1), k -> new LinkedHashMap<>());
                shared = false;
                sharedBy.clear();
                continue;
            }
            if (trimmed.startsWith("Each nested block consists of")) {
                shared = true;
                sharedBy.addAll(current == null ? List.of() : current.keySet());
                continue;
            }
            if (trimmed.equals("OR")) {
                orPending = true;
                if (previous != null) {
                    unrequire(previous, shared ? sharedBy : List.of(), blocks, current);
                }
                continue;
            }
            Matcher bullet = BULLET.matcher(line);
            if (bullet.matches() && current != null) {
                String description = paragraph(lines, i, bullet.group(3));
                Arg arg = new Arg(bullet.group(1), "Required".equals(bullet.group(2)) && !orPending, false,
                        closedSet(description), description.matches("(?s).*\\bAn? `" + Pattern.quote(bullet.group(1))
                        + "` block\\b.*") ? Kind.BLOCK : Kind.VALUE);
                orPending = false;
                previous = arg;
                if (shared) {
                    for (String block : sharedBy) {
                        blocks.computeIfAbsent(block, k -> new LinkedHashMap<>()).put(arg.name(), arg);
                    }
                } else {
                    current.put(arg.name(), arg);
                }
            }
        }
        Map<String, Block> out = new LinkedHashMap<>();
        blocks.forEach((name, args) -> out.put(name, new Block(args)));
        return new Doc(type, source, new Block(root), out, timeouts);
    }

    private static void unrequire(Arg arg, List<String> sharedBy, Map<String, Map<String, Arg>> blocks, Map<String, Arg> current) {
        Arg optional = new Arg(arg.name(), false, arg.readOnly(), arg.allowedValues(), arg.kind());
        if (!sharedBy.isEmpty()) {
            sharedBy.forEach(b -> blocks.get(b).put(arg.name(), optional));
        } else if (current != null && current.containsKey(arg.name())) {
            current.put(arg.name(), optional);
        }
    }

    /** A bullet's text with its continuation lines (up to a blank line or the next bullet). */
    private static String paragraph(List<String> lines, int start, String first) {
        StringBuilder sb = new StringBuilder(first);
        for (int i = start + 1; i < lines.size(); i++) {
            String next = lines.get(i);
            if (next.isBlank() || BULLET.matcher(next).matches() || next.startsWith("#")) {
                break;
            }
            sb.append(' ').append(next.trim());
        }
        return sb.toString();
    }

    private static final Pattern CLOSED_SET_START = Pattern.compile(
            "(Possible values are|Possible values include:?|Possible value is|Valid values are|Valid options are|"
                    + "Allowed values are|Allowed value is|"
                    + "Value must be one of\\s*:?)\\s*", Pattern.CASE_INSENSITIVE);

    /**
     * The closed set of values a description states, or empty: the backticked (or, in azapi's
     * {@code ["a" "b"]} lists, quoted) values of its "Possible values are ..." sentence.
     */
    static Set<String> closedSet(String description) {
        Matcher m = CLOSED_SET_START.matcher(description);
        if (!m.find()) {
            return Set.of();
        }
        String rest = description.substring(m.end());
        Set<String> values = new LinkedHashSet<>();
        if (rest.startsWith("[")) {
            Matcher quoted = Pattern.compile("\"([^\"]*)\"").matcher(rest.substring(0, Math.max(rest.indexOf(']'), 0)));
            while (quoted.find()) {
                values.add(quoted.group(1));
            }
            return values;
        }
        // Up to the end of the sentence: a '.' outside backticks followed by a blank or the end.
        boolean inTicks = false;
        int end = rest.length();
        for (int i = 0; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '`') {
                inTicks = !inTicks;
            } else if (!inTicks && c == '.' && (i + 1 == rest.length() || Character.isWhitespace(rest.charAt(i + 1)))) {
                end = i;
                break;
            }
        }
        String sentence = rest.substring(0, end);
        if (sentence.matches("(?s).*\\b(such as|for example|e\\.g|between)\\b.*")) {
            return Set.of();
        }
        Matcher ticked = Pattern.compile("`([^`]*)`").matcher(sentence);
        while (ticked.find()) {
            values.add(ticked.group(1));
        }
        return values;
    }

    // =====================================================================================================
    // azapi pages (tfplugindocs format)
    // =====================================================================================================

    private static final Pattern AZAPI_ITEM = Pattern.compile("^- `([A-Za-z0-9_]+)` \\(([^)]*)\\)(.*)$");
    private static final Pattern AZAPI_NESTED = Pattern.compile("^### Nested Schema for `([A-Za-z0-9_.]+)`\\s*$");

    static Doc parseAzapi(String type, String source, String text) {
        List<String> lines = List.of(text.split("\n", -1));
        Map<String, Map<String, Arg>> blocks = new LinkedHashMap<>();
        Map<String, Arg> root = new LinkedHashMap<>();
        Map<String, Arg> current = null;
        String list = null; // required, optional, read-only
        boolean inSchema = false;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String trimmed = line.trim();
            if (line.startsWith("## ")) {
                inSchema = trimmed.equals("## Schema");
                current = inSchema ? root : null;
                continue;
            }
            if (!inSchema) {
                continue;
            }
            Matcher nested = AZAPI_NESTED.matcher(trimmed);
            if (nested.matches()) {
                String name = nested.group(1);
                current = blocks.computeIfAbsent(name.substring(name.lastIndexOf('.') + 1), k -> new LinkedHashMap<>());
                list = null;
                continue;
            }
            String heading = trimmed.replaceFirst("^###\\s+", "").replaceFirst(":$", "").toLowerCase(Locale.ROOT);
            if (heading.equals("required") || heading.equals("optional") || heading.equals("read-only")) {
                list = heading;
                continue;
            }
            Matcher item = AZAPI_ITEM.matcher(line);
            if (item.matches() && current != null && list != null) {
                String kindText = item.group(2);
                Kind kind = kindText.contains("Block") ? Kind.BLOCK
                        : kindText.startsWith("Attributes") || kindText.startsWith("Object") ? Kind.OBJECT : Kind.VALUE;
                String description = item.group(3) + " " + azapiNotes(lines, i);
                current.put(item.group(1), new Arg(item.group(1), list.equals("required"), list.equals("read-only"),
                        closedSet(description), kind));
            }
        }
        Map<String, Block> out = new LinkedHashMap<>();
        blocks.forEach((name, args) -> out.put(name, new Block(args)));
        return new Doc(type, source, new Block(root), out, out.containsKey("timeouts")
                ? out.get("timeouts").args().keySet() : Set.of());
    }

    /** The indented note lines under an azapi item (e.g. {@code -> Value must be one of: [...]}). */
    private static String azapiNotes(List<String> lines, int start) {
        StringBuilder sb = new StringBuilder();
        for (int i = start + 1; i < lines.size(); i++) {
            String next = lines.get(i);
            if (next.startsWith("- `") || next.startsWith("#") || next.startsWith("<a ")) {
                break;
            }
            sb.append(' ').append(next.trim());
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return provider + " " + version;
    }
}
