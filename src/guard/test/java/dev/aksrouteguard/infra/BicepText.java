package dev.aksrouteguard.infra;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a Bicep file as text, without Bicep: its top-level declarations ({@code param}, {@code var},
 * {@code resource}, {@code module}, {@code output}, ...) and the object and array literals in their values.
 *
 * <p>What it understands: {@code //} and {@code /* *}{@code /} comments (not inside strings), single-quoted strings
 * with {@code \'} escapes and {@code ${...}} interpolation (itself holding strings), {@code '''} multi-line strings,
 * objects and arrays written across lines or on one line with commas, decorators, {@code if (...)} conditions
 * on resources and modules, and {@code [for ... : body]} loops (as a {@link Loop} holding the body). It remembers
 * the line each value starts on ({@link #lineOf}), so checks can say where a problem is.
 *
 * <p>Its limits, on purpose: every value that is not an object, an array, a loop or a plain string literal is kept as
 * an {@link Expr} with its text as written (function calls, ternaries, references, interpolated strings); a value must start on the line of its {@code =} or {@code :}, as Bicep requires, and an
 * expression ends at the first newline, comma or closing bracket outside brackets and strings (so a ternary split
 * across lines is not supported). That is enough for the deployment in {@code infra/}, written with these limits in
 * mind; a construct it cannot read fails loudly rather than being misread.
 */
final class BicepText {

    /** A value in a declaration. */
    sealed interface Value permits Obj, Arr, Str, Expr, Loop {}

    /** An object literal; entries in source order. Keys are identifiers, or string keys without their quotes. */
    record Obj(Map<String, Value> entries) implements Value {
        Obj {
            entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        }

        Optional<Value> get(String key) {
            return Optional.ofNullable(entries.get(key));
        }

        /** The value at a dotted path of keys, e.g. {@code properties.destination.endpointType}. */
        Optional<Value> at(String dottedPath) {
            Value current = this;
            for (String key : dottedPath.split("\\.")) {
                if (!(current instanceof Obj obj) || !obj.entries.containsKey(key)) {
                    return Optional.empty();
                }
                current = obj.entries.get(key);
            }
            return Optional.of(current);
        }
    }

    /** An array literal. */
    record Arr(List<Value> items) implements Value {
        Arr {
            items = List.copyOf(items);
        }
    }

    /** A string literal without interpolation, unescaped. */
    record Str(String text) implements Value {}

    /** Any other value, as written (comments removed, surrounding blanks trimmed). */
    record Expr(String text) implements Value {}

    /**
     * A {@code [for ... in ...: body]} loop: an array whose items are all shaped like {@code body} (a resource or module
     * declared with a loop is a loop too).
     *
     * @param header what stands between {@code for} and the colon, e.g. {@code (name, i) in names}
     * @param condition the {@code if (...)} filter of a filtered loop, without the parentheses, or {@code null}
     * @param body the value each iteration yields
     */
    record Loop(String header, String condition, Value body) implements Value {}

    /**
     * A top-level statement.
     *
     * @param kind {@code param}, {@code var}, {@code resource}, {@code module}, {@code output}, {@code targetScope},
     *     {@code import}, {@code type}, {@code func}, {@code metadata} ...
     * @param name the symbol ({@code null} for {@code targetScope}, {@code import})
     * @param type the resource type with API version, the module path, or the param/output type
     * @param existing true for {@code resource ... existing}
     * @param condition the {@code if (...)} condition, without the parentheses, or {@code null}
     * @param value the value after {@code =} (a param's default), or {@code null}
     * @param line the 1-based line it starts on
     */
    record Declaration(String kind, String name, String type, boolean existing, String condition, Value value,
            int line) {}

    private final String fileName;
    private final String text;
    private final List<Declaration> declarations;
    /** The 1-based line each parsed value starts on; values are records, so this is keyed by identity. */
    private final Map<Value, Integer> lines = new IdentityHashMap<>();
    private final int[] lineStarts;
    private int pos;

    private BicepText(String fileName, String source) {
        this.fileName = fileName;
        this.text = stripComments(source);
        this.declarations = new ArrayList<>();
        this.lineStarts = lineStarts(text);
        parseFile();
    }

    /**
     * Parses Bicep source.
     *
     * @throws IllegalArgumentException naming the file and line where the text is not understood
     */
    static BicepText parse(String fileName, String source) {
        return new BicepText(Objects.requireNonNull(fileName, "fileName == null"),
                Objects.requireNonNull(source, "source == null"));
    }

    List<Declaration> declarations() {
        return Collections.unmodifiableList(declarations);
    }

    /** The file name given to {@link #parse}. */
    String fileName() {
        return fileName;
    }

    /**
     * The 1-based line a value of this file starts on (an object entry's value starts on its key's line, as Bicep
     * requires), or 0 for a value that did not come from this file.
     */
    int lineOf(Value value) {
        return lines.getOrDefault(value, 0);
    }

    Optional<Declaration> find(String kind, String name) {
        return declarations.stream().filter(d -> d.kind().equals(kind) && name.equals(d.name())).findFirst();
    }

    /** Resource declarations whose type (before {@code @}) equals {@code resourceType}, case-insensitively. */
    List<Declaration> resources(String resourceType) {
        return declarations.stream()
                .filter(d -> d.kind().equals("resource") && d.type().split("@")[0].equalsIgnoreCase(resourceType))
                .toList();
    }

    // ---- comments ----

    /** Blanks out comments, keeping every other character (and every newline) where it was. */
    static String stripComments(String source) {
        StringBuilder out = new StringBuilder(source);
        int i = 0;
        while (i < source.length()) {
            char c = source.charAt(i);
            if (source.startsWith("'''", i)) {
                int end = source.indexOf("'''", i + 3);
                i = end < 0 ? source.length() : end + 3;
            } else if (c == '\'') {
                i = skipString(source, i);
            } else if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                end = end < 0 ? source.length() : end;
                blank(out, i, end);
                i = end;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? source.length() : end + 2;
                blank(out, i, end);
                i = end;
            } else {
                i++;
            }
        }
        return out.toString();
    }

    private static void blank(StringBuilder out, int from, int to) {
        for (int k = from; k < to; k++) {
            if (out.charAt(k) != '\n') {
                out.setCharAt(k, ' ');
            }
        }
    }

    /** From the opening quote of a single-quoted string to just after its closing quote. */
    private static int skipString(String s, int start) {
        int i = start + 1;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '\'') {
                return i + 1;
            } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                i = skipInterpolation(s, i + 2);
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("unterminated string starting at offset " + start);
    }

    /** From just inside {@code ${} to just after its closing brace. */
    private static int skipInterpolation(String s, int start) {
        int depth = 0;
        int i = start;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '\'') {
                i = skipString(s, i);
                continue;
            }
            if (c == '{') {
                depth++;
            } else if (c == '}') {
                if (depth == 0) {
                    return i + 1;
                }
                depth--;
            }
            i++;
        }
        throw new IllegalArgumentException("unterminated interpolation starting at offset " + start);
    }

    // ---- declarations ----

    private void parseFile() {
        while (true) {
            skipBlank(true);
            if (pos >= text.length()) {
                return;
            }
            int line = lineAt(pos);
            if (text.charAt(pos) == '@') {
                pos++;
                word();
                skipBlank(false);
                if (peek('(')) {
                    pos = balanced(pos);
                }
                continue;
            }
            String keyword = word();
            switch (keyword) {
                case "targetScope" -> {
                    expect('=');
                    declarations.add(new Declaration(keyword, null, null, false, null, parseValue(), line));
                }
                case "param", "output" -> declarations.add(typedDeclaration(keyword, line));
                case "var" -> {
                    String name = word();
                    expect('=');
                    declarations.add(new Declaration(keyword, name, null, false, null, parseValue(), line));
                }
                case "resource", "module" -> declarations.add(deployable(keyword, line));
                case "import", "type", "func", "metadata", "extension", "using" -> {
                    int start = pos;
                    pos = endOfExpression(pos);
                    declarations.add(new Declaration(keyword, null, null, false, null,
                            new Expr(text.substring(start, pos).trim()), line));
                }
                default -> throw error("unexpected '" + keyword + "' at the top level");
            }
        }
    }

    /** {@code param name type [= default]} or {@code output name type = value}. */
    private Declaration typedDeclaration(String keyword, int line) {
        String name = word();
        skipBlank(false);
        int typeStart = pos;
        int i = pos;
        while (i < text.length() && text.charAt(i) != '\n' && text.charAt(i) != '=') {
            char c = text.charAt(i);
            if (c == '\'') {
                i = skipString(text, i);
            } else if (c == '{' || c == '(' || c == '[') {
                i = balanced(i);
            } else {
                i++;
            }
        }
        String type = text.substring(typeStart, i).trim();
        pos = i;
        Value value = null;
        if (peek('=')) {
            pos++;
            value = parseValue();
        }
        return new Declaration(keyword, name, type, false, null, value, line);
    }

    /** {@code resource sym 'Type@ver' [existing] = [if (c)] value} and {@code module sym 'path' = ...}. */
    private Declaration deployable(String keyword, int line) {
        String name = word();
        skipBlank(false);
        if (!peek('\'')) {
            throw error("expected the " + keyword + " type or path in quotes");
        }
        int end = skipString(text, pos);
        String type = text.substring(pos + 1, end - 1);
        pos = end;
        skipBlank(false);
        boolean existing = false;
        if (text.startsWith("existing", pos)) {
            word();
            existing = true;
        }
        expect('=');
        skipBlank(false);
        String condition = null;
        if (text.startsWith("if", pos) && !Character.isLetterOrDigit(charAt(pos + 2))) {
            pos += 2;
            skipBlank(false);
            if (!peek('(')) {
                throw error("expected ( after if");
            }
            int close = balanced(pos);
            condition = text.substring(pos + 1, close - 1).trim();
            pos = close;
        }
        return new Declaration(keyword, name, type, existing, condition, parseValue(), line);
    }

    // ---- values ----

    private Value parseValue() {
        skipBlank(false);
        int start = pos;
        Value value = parseValueHere();
        lines.put(value, lineAt(start));
        return value;
    }

    private Value parseValueHere() {
        if (pos >= text.length()) {
            throw error("expected a value");
        }
        char c = text.charAt(pos);
        if (c == '{') {
            return parseObject();
        }
        if (c == '[') {
            int after = pos + 1;
            while (after < text.length() && Character.isWhitespace(text.charAt(after))) {
                after++;
            }
            if (text.startsWith("for", after) && Character.isWhitespace(charAt(after + 3))) {
                return parseLoop(after + 3);
            }
            return parseArray();
        }
        if (text.startsWith("'''", pos)) {
            int end = text.indexOf("'''", pos + 3);
            if (end < 0) {
                throw error("unterminated multi-line string");
            }
            String body = text.substring(pos + 3, end);
            pos = end + 3;
            return new Str(body);
        }
        int start = pos;
        if (c == '\'') {
            int end = skipString(text, pos);
            if (atValueEnd(end)) {
                String raw = text.substring(pos + 1, end - 1);
                pos = end;
                return raw.contains("${") ? new Expr(text.substring(start, end)) : new Str(unescape(raw));
            }
        }
        pos = endOfExpression(pos);
        String expr = text.substring(start, pos).trim();
        if (expr.isEmpty()) {
            throw error("expected a value");
        }
        return new Expr(expr);
    }

    private Obj parseObject() {
        pos++; // {
        Map<String, Value> entries = new LinkedHashMap<>();
        while (true) {
            skipSeparators();
            if (pos >= text.length()) {
                throw error("unterminated object");
            }
            if (peek('}')) {
                pos++;
                return new Obj(entries);
            }
            String key;
            if (peek('\'')) {
                int end = skipString(text, pos);
                key = unescape(text.substring(pos + 1, end - 1));
                pos = end;
            } else {
                key = word();
            }
            expect(':');
            if (entries.put(key, parseValue()) != null) {
                throw error("duplicate key '" + key + "'");
            }
        }
    }

    /** {@code [for header: [if (condition)] body]}, from just after {@code for}. */
    private Loop parseLoop(int afterFor) {
        int end = balanced(pos);
        int colon = -1;
        int i = afterFor;
        while (i < end - 1) {
            char c = text.charAt(i);
            if (c == '\'') {
                i = skipString(text, i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                i = balanced(i);
                continue;
            }
            if (c == ':') {
                colon = i;
                break;
            }
            i++;
        }
        if (colon < 0) {
            throw error("a for loop without ':'");
        }
        String header = text.substring(afterFor, colon).trim();
        pos = colon + 1;
        skipBlank(true);
        String condition = null;
        if (text.startsWith("if", pos) && !Character.isLetterOrDigit(charAt(pos + 2))) {
            pos += 2;
            skipBlank(false);
            if (!peek('(')) {
                throw error("expected ( after if");
            }
            int close = balanced(pos);
            condition = text.substring(pos + 1, close - 1).trim();
            pos = close;
        }
        Value body = parseValue();
        skipSeparators();
        if (pos != end - 1) {
            throw error("unexpected text after the body of a for loop");
        }
        pos = end;
        return new Loop(header, condition, body);
    }

    private Arr parseArray() {
        pos++; // [
        List<Value> items = new ArrayList<>();
        while (true) {
            skipSeparators();
            if (pos >= text.length()) {
                throw error("unterminated array");
            }
            if (peek(']')) {
                pos++;
                return new Arr(items);
            }
            items.add(parseValue());
        }
    }

    /** True when nothing but blanks stand between {@code i} and the end of the value. */
    private boolean atValueEnd(int i) {
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t' || text.charAt(i) == '\r')) {
            i++;
        }
        if (i >= text.length()) {
            return true;
        }
        char c = text.charAt(i);
        return c == '\n' || c == ',' || c == '}' || c == ']' || c == ')';
    }

    /** The end of an expression: a newline, comma or unmatched closing bracket outside brackets and strings. */
    private int endOfExpression(int from) {
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'') {
                i = text.startsWith("'''", i) ? text.indexOf("'''", i + 3) + 3 : skipString(text, i);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                i = balanced(i);
                continue;
            }
            if (c == '\n' || c == ',' || c == ')' || c == ']' || c == '}') {
                return i;
            }
            i++;
        }
        return i;
    }

    /** From an opening bracket to just after its match, skipping strings. */
    private int balanced(int open) {
        char opening = text.charAt(open);
        char closing = switch (opening) {
            case '(' -> ')';
            case '[' -> ']';
            case '{' -> '}';
            default -> throw error("not a bracket: " + opening);
        };
        int depth = 0;
        int i = open;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'') {
                i = text.startsWith("'''", i) ? text.indexOf("'''", i + 3) + 3 : skipString(text, i);
                continue;
            }
            if (c == opening) {
                depth++;
            } else if (c == closing) {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        throw error("unbalanced " + opening);
    }

    // ---- small helpers ----

    private static String unescape(String raw) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\\' && i + 1 < raw.length()) {
                char n = raw.charAt(++i);
                sb.append(switch (n) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    default -> n;
                });
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private String word() {
        skipBlank(false);
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a name");
        }
        return text.substring(start, pos);
    }

    private void expect(char c) {
        skipBlank(false);
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private boolean peek(char c) {
        return pos < text.length() && text.charAt(pos) == c;
    }

    private char charAt(int i) {
        return i < text.length() ? text.charAt(i) : '\0';
    }

    private void skipBlank(boolean newlines) {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == ' ' || c == '\t' || c == '\r' || (newlines && c == '\n')) {
                pos++;
            } else {
                return;
            }
        }
    }

    private void skipSeparators() {
        while (pos < text.length() && (Character.isWhitespace(text.charAt(pos)) || text.charAt(pos) == ',')) {
            pos++;
        }
    }

    private int lineAt(int offset) {
        int index = java.util.Arrays.binarySearch(lineStarts, offset);
        return index >= 0 ? index + 1 : -index - 1;
    }

    private static int[] lineStarts(String text) {
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                starts.add(i + 1);
            }
        }
        return starts.stream().mapToInt(Integer::intValue).toArray();
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(fileName + ":" + lineAt(pos) + ": " + what);
    }
}
