package dev.aksrouteguard.infra;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Runs the KQL of the guard's log alerts over log rows in the test, so that a change to the lines the guard writes (or
 * to the queries) that would silently stop an alert from firing fails the build instead.
 *
 * <p>It understands exactly the KQL the alerts use, with KQL's semantics, and rejects anything else: one table;
 * {@code where} with {@code and}, {@code or}, {@code not(...)}, parentheses and the operators {@code ==}, {@code !=},
 * {@code in} (case-sensitive), {@code startswith}, {@code !startswith}, {@code contains}, {@code !contains}
 * (case-insensitive, as in KQL), {@code >=}, {@code >}, {@code <=}, {@code <} on numbers; {@code project} of known
 * columns; and {@code summarize <name> = count()} without {@code by}, which returns one row even for no input, as
 * Kusto's summarize does. A column the rows do not have fails the parse: the rows carry exactly what the guard's log
 * lines become in Application Insights.
 */
final class AlertQuery {

    /**
     * One trace as the workspace's AppTraces table holds it: the function name as OperationName, the Java log level
     * mapped to SeverityLevel, the line as Message.
     */
    record Row(Map<String, Object> columns) {
        Row {
            columns = Map.copyOf(columns);
        }
    }

    private sealed interface Op permits Where, Project, Summarize {}

    private record Where(Predicate<Row> predicate) implements Op {}

    private record Project(List<String> columns) implements Op {}

    private record Summarize(String name) implements Op {}

    private final String table;
    private final List<Op> ops;
    private final Set<String> columns;

    private AlertQuery(String table, List<Op> ops, Set<String> columns) {
        this.table = table;
        this.ops = ops;
        this.columns = columns;
    }

    /**
     * Parses a query over rows that have {@code columns}.
     *
     * @throws IllegalArgumentException for KQL this reader does not know, or a column the rows do not have
     */
    static AlertQuery parse(String kql, String expectedTable, Set<String> columns) {
        Objects.requireNonNull(kql, "kql == null");
        Parser p = new Parser(tokens(kql), columns);
        String table = p.word();
        if (!table.equals(expectedTable)) {
            throw new IllegalArgumentException("the query reads table " + table + "; the guard's lines are in " + expectedTable);
        }
        List<Op> ops = new ArrayList<>();
        while (p.more()) {
            p.expect("|");
            String op = p.word();
            switch (op) {
                case "where" -> ops.add(new Where(p.expression()));
                case "project" -> {
                    List<String> cols = new ArrayList<>();
                    do {
                        cols.add(p.column());
                    } while (p.accept(","));
                    ops.add(new Project(cols));
                }
                case "summarize" -> {
                    String name = p.word();
                    p.expect("=");
                    p.expect("count");
                    p.expect("(");
                    p.expect(")");
                    if (p.more() && p.peek().equals("by")) {
                        throw new IllegalArgumentException("summarize ... by is not supported here");
                    }
                    ops.add(new Summarize(name));
                }
                default -> throw new IllegalArgumentException("unsupported operator: " + op);
            }
        }
        return new AlertQuery(table, ops, columns);
    }

    /** The rows the query returns. */
    List<Row> run(List<Row> input) {
        List<Row> rows = new ArrayList<>(input);
        for (Op op : ops) {
            if (op instanceof Where w) {
                rows.removeIf(w.predicate().negate());
            } else if (op instanceof Project pr) {
                List<Row> projected = new ArrayList<>();
                for (Row r : rows) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    pr.columns().forEach(c -> m.put(c, r.columns().get(c)));
                    projected.add(new Row(m));
                }
                rows = projected;
            } else if (op instanceof Summarize s) {
                rows = List.of(new Row(Map.of(s.name(), (long) rows.size())));
            }
        }
        return rows;
    }

    String table() {
        return table;
    }

    // ---- parsing ----

    private static List<String> tokens(String kql) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < kql.length()) {
            char c = kql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = kql.indexOf('"', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated string in " + kql);
                }
                out.add(kql.substring(i, end + 1));
                i = end + 1;
            } else if ("|(),".indexOf(c) >= 0) {
                out.add(String.valueOf(c));
                i++;
            } else if ("=!<>".indexOf(c) >= 0) {
                int start = i;
                while (i < kql.length() && (("=!<>".indexOf(kql.charAt(i)) >= 0) || Character.isLetter(kql.charAt(i)))) {
                    i++;
                }
                out.add(kql.substring(start, i));
            } else {
                int start = i;
                while (i < kql.length() && (Character.isLetterOrDigit(kql.charAt(i)) || kql.charAt(i) == '_')) {
                    i++;
                }
                if (start == i) {
                    throw new IllegalArgumentException("unexpected '" + c + "' in " + kql);
                }
                out.add(kql.substring(start, i));
            }
        }
        return out;
    }

    private static final class Parser {
        private final List<String> tokens;
        private final Set<String> columns;
        private int pos;

        Parser(List<String> tokens, Set<String> columns) {
            this.tokens = tokens;
            this.columns = columns;
        }

        boolean more() {
            return pos < tokens.size();
        }

        String peek() {
            return more() ? tokens.get(pos) : "";
        }

        String word() {
            if (!more()) {
                throw new IllegalArgumentException("unexpected end of query");
            }
            return tokens.get(pos++);
        }

        boolean accept(String token) {
            if (peek().equals(token)) {
                pos++;
                return true;
            }
            return false;
        }

        void expect(String token) {
            if (!accept(token)) {
                throw new IllegalArgumentException("expected '" + token + "' but found '" + peek() + "'");
            }
        }

        String column() {
            String c = word();
            if (!columns.contains(c)) {
                throw new IllegalArgumentException("the query reads column " + c + ", which the guard's log rows do not "
                        + "have (they have " + columns + ")");
            }
            return c;
        }

        Predicate<Row> expression() {
            Predicate<Row> left = conjunction();
            while (accept("or")) {
                Predicate<Row> l = left;
                Predicate<Row> r = conjunction();
                left = row -> l.test(row) || r.test(row);
            }
            return left;
        }

        private Predicate<Row> conjunction() {
            Predicate<Row> left = unary();
            while (accept("and")) {
                Predicate<Row> l = left;
                Predicate<Row> r = unary();
                left = row -> l.test(row) && r.test(row);
            }
            return left;
        }

        private Predicate<Row> unary() {
            if (accept("not")) {
                expect("(");
                Predicate<Row> inner = expression();
                expect(")");
                return inner.negate();
            }
            if (accept("(")) {
                Predicate<Row> inner = expression();
                expect(")");
                return inner;
            }
            return comparison();
        }

        private Predicate<Row> comparison() {
            String column = column();
            String op = word();
            if (op.equals("in")) {
                expect("(");
                List<String> values = new ArrayList<>();
                do {
                    values.add(string());
                } while (accept(","));
                expect(")");
                return row -> values.contains(String.valueOf(row.columns().get(column)));
            }
            if (op.equals(">=") || op.equals(">") || op.equals("<=") || op.equals("<")) {
                long n = Long.parseLong(word());
                return row -> {
                    long v = ((Number) row.columns().get(column)).longValue();
                    return switch (op) {
                        case ">=" -> v >= n;
                        case ">" -> v > n;
                        case "<=" -> v <= n;
                        default -> v < n;
                    };
                };
            }
            String value = string();
            String lower = value.toLowerCase(Locale.ROOT);
            return switch (op) {
                case "==" -> row -> value.equals(String.valueOf(row.columns().get(column)));
                case "!=" -> row -> !value.equals(String.valueOf(row.columns().get(column)));
                case "startswith" -> row -> text(row, column).startsWith(lower);
                case "!startswith" -> row -> !text(row, column).startsWith(lower);
                case "contains" -> row -> text(row, column).contains(lower);
                case "!contains" -> row -> !text(row, column).contains(lower);
                default -> throw new IllegalArgumentException("unsupported operator: " + op);
            };
        }

        private static String text(Row row, String column) {
            return String.valueOf(row.columns().get(column)).toLowerCase(Locale.ROOT);
        }

        private String string() {
            String t = word();
            if (t.length() < 2 || !t.startsWith("\"") || !t.endsWith("\"")) {
                throw new IllegalArgumentException("expected a string literal but found " + t);
            }
            return t.substring(1, t.length() - 1);
        }
    }
}
