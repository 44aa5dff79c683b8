package dev.aksrouteguard.infra;

import java.util.Objects;
import java.util.function.Function;

/**
 * Evaluates a chain of conditional expressions, as the IaC writes them to choose between a few values by its inputs
 * ({@code a && !b ? 'x' : c ? 'y' : 'z'} in Bicep, {@code ${a != "" ? "x" : "y"}} in Terraform), for one assignment of
 * its conditions: the branch chosen, as written. As in both languages, only the chosen branch is looked at, so a
 * {@code fail('...')} in a branch not taken is not reached.
 *
 * <p>Grammar: {@code ?:} (right-associative), {@code ||}, {@code &&}, {@code !} and parentheses; every other piece of
 * text is an atom, handed to the caller's resolver when it stands as a condition, or returned as the result. Strings
 * ({@code '...'}, {@code "..."}) and brackets are skipped over, so a colon inside a message or a {@code [for x in y : z]}
 * does not end an atom. The resolver throws for an atom it does not know, so an expression the test was not taught
 * fails loudly instead of being misread.
 */
final class Conditional {

    private final String text;
    private final Function<String, Boolean> conditions;
    private int pos;

    private Conditional(String text, Function<String, Boolean> conditions) {
        this.text = text;
        this.conditions = conditions;
    }

    /**
     * The branch that {@code expression} yields when each condition atom has the value {@code conditions} gives it: the
     * text of the chosen result, trimmed (a Terraform {@code ${...}} wrapper is removed first).
     */
    static String choose(String expression, Function<String, Boolean> conditions) {
        Objects.requireNonNull(expression, "expression == null");
        String e = expression.trim();
        if (e.startsWith("${") && e.endsWith("}")) {
            e = e.substring(2, e.length() - 1).trim();
        }
        Conditional c = new Conditional(e.replaceAll("\\s+", " "), Objects.requireNonNull(conditions, "conditions == null"));
        String chosen = c.ternary(true);
        c.skipBlanks();
        if (c.pos != c.text.length()) {
            throw new IllegalArgumentException("cannot read '" + c.text.substring(c.pos) + "' in: " + expression);
        }
        return chosen.trim();
    }

    /** Whether a condition holds (the whole expression is a condition, e.g. a Terraform validation). */
    static boolean holds(String expression, Function<String, Boolean> conditions) {
        String e = expression.trim();
        if (e.startsWith("${") && e.endsWith("}")) {
            e = e.substring(2, e.length() - 1).trim();
        }
        Conditional c = new Conditional(e.replaceAll("\\s+", " "), conditions);
        boolean value = c.or(true);
        c.skipBlanks();
        if (c.pos != c.text.length()) {
            throw new IllegalArgumentException("cannot read '" + c.text.substring(c.pos) + "' in: " + expression);
        }
        return value;
    }

    // Each method evaluates when `live`, and only skips over the text otherwise (a branch not taken).

    private String ternary(boolean live) {
        int start = pos;
        int afterCondition;
        boolean condition;
        // A result that is a plain atom has no '?' after it: look ahead.
        int save = pos;
        String atom = atom();
        skipBlanks();
        if (!peek("?") && !peek("&&") && !peek("||")) {
            return atom;
        }
        pos = save;
        condition = or(live);
        afterCondition = pos;
        skipBlanks();
        if (!peek("?")) {
            throw new IllegalArgumentException("expected '?' after " + text.substring(start, afterCondition) + " in: " + text);
        }
        pos++;
        String whenTrue = ternary(live && condition);
        skipBlanks();
        if (!peek(":")) {
            throw new IllegalArgumentException("expected ':' in: " + text);
        }
        pos++;
        String whenFalse = ternary(live && !condition);
        return condition ? whenTrue : whenFalse;
    }

    private boolean or(boolean live) {
        boolean value = and(live);
        while (true) {
            skipBlanks();
            if (!peek("||")) {
                return value;
            }
            pos += 2;
            boolean right = and(live && !value);
            value = value || right;
        }
    }

    private boolean and(boolean live) {
        boolean value = unary(live);
        while (true) {
            skipBlanks();
            if (!peek("&&")) {
                return value;
            }
            pos += 2;
            boolean right = unary(live && value);
            value = value && right;
        }
    }

    private boolean unary(boolean live) {
        skipBlanks();
        if (peek("!") && !peek("!=")) {
            pos++;
            return !unary(live);
        }
        if (peek("(")) {
            int save = pos;
            pos++;
            boolean value = or(live);
            skipBlanks();
            if (peek(")")) {
                pos++;
                return value;
            }
            pos = save; // a parenthesis that belongs to the atom, e.g. empty(x) written as (x) ... is not expected
        }
        String atom = atom();
        if (atom.isEmpty()) {
            throw new IllegalArgumentException("expected a condition at '" + text.substring(pos) + "' in: " + text);
        }
        return live ? Objects.requireNonNull(conditions.apply(atom), () -> "no value for condition " + atom) : false;
    }

    /** Text up to the next top-level {@code ? : && || )}, skipping strings and brackets. */
    private String atom() {
        skipBlanks();
        int start = pos;
        int depth = 0;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\'' || c == '"') {
                skipString(c);
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || c == '}') {
                if (depth == 0) {
                    break;
                }
                depth--;
            } else if (depth == 0 && (c == '?' || c == ':' || peek("&&") || peek("||"))) {
                break;
            }
            pos++;
        }
        return text.substring(start, pos).trim();
    }

    private void skipString(char quote) {
        pos++;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\\') {
                pos += 2;
                continue;
            }
            pos++;
            if (c == quote) {
                return;
            }
        }
        throw new IllegalArgumentException("unterminated string in: " + text);
    }

    private boolean peek(String s) {
        return text.startsWith(s, pos);
    }

    private void skipBlanks() {
        while (pos < text.length() && text.charAt(pos) == ' ') {
            pos++;
        }
    }
}
