package dev.aksrouteguard.infra;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Terraform directory as the JSON that {@code @cdktf/hcl2json} makes of it (through {@code .ci/hcl2json.mjs} and
 * Node), with just enough evaluation for the consistency tests: {@code ${local.x}} and {@code ${var.x}} (its
 * default) are resolved; every other expression stays a {@code ${...}} string.
 *
 * <p>hcl2json's shape: blocks are lists ({@code resource.<type>.<name>[0]}, nested blocks too), attributes are
 * values, and expressions are strings wrapped in {@code ${...}}.
 */
final class TerraformJson {

    private static final Pattern WHOLE_REFERENCE = Pattern.compile("^\\$\\{(local|var)\\.([A-Za-z0-9_]+)}$");
    private static final Pattern EMBEDDED_REFERENCE = Pattern.compile("\\$\\{(local|var)\\.([A-Za-z0-9_]+)}");

    private final Path dir;
    private final JsonObject root;
    private final JsonObject locals;

    private TerraformJson(Path dir, JsonObject root) {
        this.dir = dir;
        this.root = root;
        this.locals = new JsonObject();
        JsonElement blocks = root.get("locals");
        if (blocks != null) {
            for (JsonElement block : blocks.getAsJsonArray()) {
                block.getAsJsonObject().entrySet().forEach(e -> {
                    if (locals.has(e.getKey())) {
                        throw new IllegalStateException(dir + ": local." + e.getKey() + " is defined twice");
                    }
                    locals.add(e.getKey(), e.getValue());
                });
            }
        }
    }

    /**
     * Parses the {@code *.tf} files of {@code dir} (not its subdirectories).
     *
     * @throws IllegalStateException when Node or the hcl2json package is missing (saying how to install it), or the
     *     Terraform does not parse
     */
    static TerraformJson read(Path repoRoot, Path dir) {
        Path script = repoRoot.resolve(".ci/hcl2json.mjs");
        Path module = repoRoot.resolve(".ci/node_modules/@cdktf/hcl2json");
        if (!Files.isDirectory(module)) {
            throw new IllegalStateException("@cdktf/hcl2json is not installed in .ci/node_modules; run "
                    + "`npm install --prefix .ci` once (.ci/run does it in CI)");
        }
        ProcessBuilder pb = new ProcessBuilder("node", script.toString(), dir.toString()).directory(repoRoot.toFile());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run `node` (Node.js 20 or later is needed to parse the Terraform; "
                    + ".ci/run installs it): " + e.getMessage(), e);
        }
        try {
            process.getOutputStream().close();
            // Read both streams fully; hcl2json's output is small.
            byte[] out = process.getInputStream().readAllBytes();
            byte[] err = process.getErrorStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("node .ci/hcl2json.mjs " + dir + " did not finish in 60 s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("node .ci/hcl2json.mjs " + dir + " failed (exit " + process.exitValue()
                        + "): " + new String(err, StandardCharsets.UTF_8).trim());
            }
            return new TerraformJson(dir, JsonParser.parseString(new String(out, StandardCharsets.UTF_8)).getAsJsonObject());
        } catch (IOException e) {
            throw new IllegalStateException("reading hcl2json's output for " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while parsing " + dir, e);
        }
    }

    Path dir() {
        return dir;
    }

    JsonObject root() {
        return root;
    }

    Optional<JsonElement> local(String name) {
        return Optional.ofNullable(locals.get(name));
    }

    /** A variable's default, when it declares one. */
    Optional<JsonElement> variableDefault(String name) {
        return block("variable", name).map(v -> v.get("default"));
    }

    /** The one block {@code <kind>.<label>} (e.g. {@code variable.location}), as hcl2json lists it. */
    Optional<JsonObject> block(String kind, String label) {
        JsonObject blocks = root.getAsJsonObject(kind);
        if (blocks == null || !blocks.has(label)) {
            return Optional.empty();
        }
        return Optional.of(single(blocks.getAsJsonArray(label), kind + "." + label));
    }

    /** Every resource of a type: name to body. */
    List<JsonObject> resources(String type) {
        JsonObject resources = root.getAsJsonObject("resource");
        List<JsonObject> found = new ArrayList<>();
        if (resources != null && resources.has(type)) {
            resources.getAsJsonObject(type).entrySet()
                    .forEach(e -> found.add(single(e.getValue().getAsJsonArray(), type + "." + e.getKey())));
        }
        return found;
    }

    /** The only resource of a type. */
    JsonObject onlyResource(String type) {
        List<JsonObject> all = resources(type);
        if (all.size() != 1) {
            throw new IllegalStateException(dir + ": expected exactly one " + type + ", found " + all.size());
        }
        return all.get(0);
    }

    /** The nested blocks named {@code name} in {@code body} (hcl2json lists them). */
    static List<JsonObject> blocks(JsonObject body, String name) {
        List<JsonObject> found = new ArrayList<>();
        JsonElement e = body.get(name);
        if (e != null && e.isJsonArray()) {
            e.getAsJsonArray().forEach(b -> {
                if (b.isJsonObject()) {
                    found.add(b.getAsJsonObject());
                }
            });
        }
        return found;
    }

    /** Follows a whole-value {@code ${local.x}} or {@code ${var.x}} to its value (a variable's default). */
    JsonElement resolve(JsonElement value) {
        for (int hops = 0; hops < 10 && value != null && value.isJsonPrimitive() && value.getAsJsonPrimitive().isString(); hops++) {
            Matcher m = WHOLE_REFERENCE.matcher(value.getAsString());
            if (!m.matches()) {
                return value;
            }
            Optional<JsonElement> next = m.group(1).equals("local") ? local(m.group(2)) : variableDefault(m.group(2));
            if (next.isEmpty()) {
                return value;
            }
            value = next.get();
        }
        return value;
    }

    /**
     * The string a value stands for, when it can be known without Azure: literals, and {@code ${local.x}} /
     * {@code ${var.x}} (whole or embedded) that lead to literals.
     */
    Optional<String> literal(JsonElement value) {
        return literal(value, 0);
    }

    private Optional<String> literal(JsonElement value, int depth) {
        JsonElement resolved = resolve(value);
        if (depth > 10 || resolved == null || !resolved.isJsonPrimitive()) {
            return Optional.empty();
        }
        JsonPrimitive p = resolved.getAsJsonPrimitive();
        String s = p.getAsString();
        if (!p.isString()) {
            return Optional.of(s);
        }
        if (WHOLE_REFERENCE.matcher(s).matches()) {
            return Optional.empty(); // a reference resolve() could not follow (a variable without a default, ...)
        }
        Matcher m = EMBEDDED_REFERENCE.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            Optional<String> inner = literal(new JsonPrimitive(m.group()), depth + 1);
            if (inner.isEmpty() || inner.get().contains("${")) {
                return Optional.empty();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(inner.get()));
        }
        m.appendTail(sb);
        String out = sb.toString();
        return out.contains("${") ? Optional.empty() : Optional.of(out);
    }

    /** A list of strings, following references; every element must be a literal. */
    List<String> stringList(JsonElement value, String what) {
        JsonElement resolved = resolve(value);
        if (resolved == null || !resolved.isJsonArray()) {
            throw new IllegalStateException(dir + ": " + what + " is not a list of strings: " + value);
        }
        List<String> out = new ArrayList<>();
        JsonArray array = resolved.getAsJsonArray();
        for (JsonElement e : array) {
            out.add(literal(e).orElseThrow(() -> new IllegalStateException(dir + ": " + what + " holds " + e
                    + ", not a string literal")));
        }
        return out;
    }

    private JsonObject single(JsonArray list, String what) {
        if (list.size() != 1 || !list.get(0).isJsonObject()) {
            throw new IllegalStateException(dir + ": expected one block " + what + ", found " + list.size());
        }
        return list.get(0).getAsJsonObject();
    }
}
