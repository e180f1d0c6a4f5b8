package org.soardeferred.simulator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The small part of ADQL the simulator's {@code /tap/sync} understands:
 * <pre>
 * SELECT [TOP n] (* | col[, col]* | COUNT(*)) FROM [soar.]table [WHERE expr] [ORDER BY col [ASC|DESC][, …]]
 * expr: conditions joined by AND / OR, with parentheses
 * condition: col (= | &lt;&gt; | != | &lt; | &lt;= | &gt; | &gt;=) literal | col [NOT] LIKE 'pattern'
 *          | col [NOT] IN (literal, …) | col IS [NOT] NULL | literal op literal (e.g. 1=1)
 * </pre>
 * Keywords and names are case-insensitive (names come out lower case); string literals are single-quoted with
 * {@code ''} for a quote. Anything else is an {@link AdqlException}. Whether the table and columns exist is
 * for the caller to check ({@link Condition#check}).
 */
final class AdqlSubset {

    /** A query outside the subset, or naming what does not exist: the message says what is wrong. */
    static final class AdqlException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        AdqlException(String message) {
            super(message);
        }
    }

    /** What a condition needs to know about the table's columns. */
    interface Schema {
        boolean has(String column);

        boolean numeric(String column);
    }

    /** A parsed query. {@code columns} is empty for {@code *}; {@code top} is -1 without TOP. */
    record Query(int top, boolean count, List<String> columns, String table, Condition where, List<Order> orderBy) {
    }

    /** One ORDER BY item. */
    record Order(String column, boolean descending) {
    }

    /** A WHERE expression, tested against a row given as column name → value (String, Long or null). */
    sealed interface Condition permits And, Or, Compare, Like, In, IsNull, Constant {
        boolean test(Function<String, Object> row);

        /** Throws when the condition names a column the table lacks or compares it with the wrong kind of literal. */
        void check(Schema schema);
    }

    record And(List<Condition> parts) implements Condition {
        public boolean test(Function<String, Object> row) {
            return parts.stream().allMatch(c -> c.test(row));
        }

        public void check(Schema schema) {
            parts.forEach(c -> c.check(schema));
        }
    }

    record Or(List<Condition> parts) implements Condition {
        public boolean test(Function<String, Object> row) {
            return parts.stream().anyMatch(c -> c.test(row));
        }

        public void check(Schema schema) {
            parts.forEach(c -> c.check(schema));
        }
    }

    /** {@code col op literal}; the literal is a String or a BigDecimal. A null value matches nothing, as in SQL. */
    record Compare(String column, String op, Object literal) implements Condition {
        public boolean test(Function<String, Object> row) {
            Object value = row.apply(column);
            if (value == null) {
                return false;
            }
            int c = compare(value, literal);
            return switch (op) {
                case "=" -> c == 0;
                case "<>", "!=" -> c != 0;
                case "<" -> c < 0;
                case "<=" -> c <= 0;
                case ">" -> c > 0;
                default -> c >= 0;
            };
        }

        public void check(Schema schema) {
            checkLiteral(schema, column, literal);
        }
    }

    /** {@code col [NOT] LIKE 'pattern'}: % any run, _ one character, case-sensitive. */
    record Like(String column, Pattern pattern, boolean negated) implements Condition {
        public boolean test(Function<String, Object> row) {
            Object value = row.apply(column);
            return value != null && pattern.matcher(value.toString()).matches() != negated;
        }

        public void check(Schema schema) {
            checkColumn(schema, column);
            if (schema.numeric(column)) {
                throw new AdqlException("LIKE needs a character column, " + column + " is numeric");
            }
        }
    }

    /** {@code col [NOT] IN (literal, …)}. */
    record In(String column, List<Object> literals, boolean negated) implements Condition {
        public boolean test(Function<String, Object> row) {
            Object value = row.apply(column);
            return value != null && literals.stream().anyMatch(l -> compare(value, l) == 0) != negated;
        }

        public void check(Schema schema) {
            literals.forEach(l -> checkLiteral(schema, column, l));
        }
    }

    /** {@code col IS [NOT] NULL}. */
    record IsNull(String column, boolean negated) implements Condition {
        public boolean test(Function<String, Object> row) {
            return (row.apply(column) == null) != negated;
        }

        public void check(Schema schema) {
            checkColumn(schema, column);
        }
    }

    /** A comparison of two literals ({@code 1=1}, which clients write for "every row"). */
    record Constant(boolean value) implements Condition {
        public boolean test(Function<String, Object> row) {
            return value;
        }

        public void check(Schema schema) {
            // no columns
        }
    }

    private static final Set<String> COMPARISONS = Set.of("=", "<>", "!=", "<", "<=", ">", ">=");

    private static final Set<String> RESERVED = Set.of("SELECT", "TOP", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE",
            "IN", "IS", "NULL", "ORDER", "BY", "ASC", "DESC", "COUNT", "DISTINCT", "GROUP", "HAVING", "JOIN", "AS",
            "UNION", "ON");

    private final List<String> tokens;
    private int at;

    private AdqlSubset(List<String> tokens) {
        this.tokens = tokens;
    }

    /**
     * Parses a query.
     *
     * @throws AdqlException when the text is outside the subset
     */
    static Query parse(String adql) {
        if (adql == null || adql.isBlank()) {
            throw new AdqlException("Empty query");
        }
        return new AdqlSubset(tokenize(adql)).query();
    }

    static int compare(Object value, Object literal) {
        if (value instanceof Number n && literal instanceof BigDecimal d) {
            return new BigDecimal(n.toString()).compareTo(d);
        }
        return value.toString().compareTo(literal.toString());
    }

    private static void checkColumn(Schema schema, String column) {
        if (!schema.has(column)) {
            throw new AdqlException("Unknown column '" + column + "'");
        }
    }

    private static void checkLiteral(Schema schema, String column, Object literal) {
        checkColumn(schema, column);
        if (schema.numeric(column) != (literal instanceof BigDecimal)) {
            throw new AdqlException("Cannot compare " + column + " with " + literal + ": "
                    + (schema.numeric(column) ? "it is numeric" : "it holds characters"));
        }
    }

    // ------------------------------------------------------------------ grammar

    private Query query() {
        expect("SELECT");
        int top = -1;
        if (accept("TOP")) {
            top = integer();
        }
        boolean count = false;
        List<String> columns = new ArrayList<>();
        if (accept("*")) {
            // all columns
        } else if (accept("COUNT")) {
            expect("(");
            expect("*");
            expect(")");
            count = true;
        } else {
            do {
                columns.add(name());
            } while (accept(","));
        }
        expect("FROM");
        String table = name();
        if (accept(".")) {
            if (!table.equals("soar")) {
                throw new AdqlException("Unknown schema '" + table + "'");
            }
            table = name();
        }
        Condition where = accept("WHERE") ? or() : null;
        List<Order> orderBy = new ArrayList<>();
        if (accept("ORDER")) {
            expect("BY");
            do {
                String column = name();
                boolean descending = accept("DESC");
                if (!descending) {
                    accept("ASC");
                }
                orderBy.add(new Order(column, descending));
            } while (accept(","));
        }
        accept(";");
        if (at < tokens.size()) {
            throw new AdqlException("Unexpected '" + tokens.get(at) + "' in the query");
        }
        return new Query(top, count, List.copyOf(columns), table, where, List.copyOf(orderBy));
    }

    private Condition or() {
        List<Condition> parts = new ArrayList<>(List.of(and()));
        while (accept("OR")) {
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new Or(List.copyOf(parts));
    }

    private Condition and() {
        List<Condition> parts = new ArrayList<>(List.of(primary()));
        while (accept("AND")) {
            parts.add(primary());
        }
        return parts.size() == 1 ? parts.get(0) : new And(List.copyOf(parts));
    }

    private Condition primary() {
        if (accept("(")) {
            Condition inner = or();
            expect(")");
            return inner;
        }
        if (isLiteral(peek())) {
            return constant();
        }
        String column = name();
        if (accept("IS")) {
            boolean negated = accept("NOT");
            expect("NULL");
            return new IsNull(column, negated);
        }
        boolean negated = accept("NOT");
        if (accept("LIKE")) {
            return new Like(column, likePattern(string()), negated);
        }
        if (accept("IN")) {
            expect("(");
            List<Object> literals = new ArrayList<>();
            do {
                literals.add(literal());
            } while (accept(","));
            expect(")");
            return new In(column, List.copyOf(literals), negated);
        }
        if (negated) {
            throw new AdqlException("Expected LIKE or IN after NOT, found " + describe(peek()));
        }
        return new Compare(column, comparison(column), literal());
    }

    private Condition constant() {
        Object left = literal();
        String op = comparison(left.toString());
        Object right = literal();
        if ((left instanceof BigDecimal) != (right instanceof BigDecimal)) {
            throw new AdqlException("Cannot compare " + left + " with " + right);
        }
        return new Constant(new Compare("", op, right).test(column -> left));
    }

    private String comparison(String after) {
        String op = peek();
        if (op == null || !COMPARISONS.contains(op)) {
            throw new AdqlException("Expected a comparison after " + after + ", found " + describe(op));
        }
        at++;
        return op;
    }

    private static boolean isLiteral(String token) {
        return token != null && (token.startsWith("'") || token.matches("-?\\d+(\\.\\d+)?"));
    }

    private Object literal() {
        String t = peek();
        if (t != null && t.startsWith("'")) {
            return string();
        }
        if (t != null && t.matches("-?\\d+(\\.\\d+)?")) {
            at++;
            return new BigDecimal(t);
        }
        throw new AdqlException("Expected a literal, found " + describe(t));
    }

    private String string() {
        String t = peek();
        if (t == null || !t.startsWith("'")) {
            throw new AdqlException("Expected a quoted string, found " + describe(t));
        }
        at++;
        return t.substring(1, t.length() - 1).replace("''", "'");
    }

    private int integer() {
        String t = peek();
        if (t == null || !t.matches("\\d{1,9}")) {
            throw new AdqlException("Expected a row count after TOP, found " + describe(t));
        }
        at++;
        return Integer.parseInt(t);
    }

    private String name() {
        String t = peek();
        if (t == null || !t.matches("[A-Za-z_][A-Za-z0-9_]*") || RESERVED.contains(t.toUpperCase(Locale.ROOT))) {
            throw new AdqlException("Expected a name, found " + describe(t));
        }
        at++;
        return t.toLowerCase(Locale.ROOT);
    }

    private boolean accept(String keyword) {
        String t = peek();
        if (t != null && t.equalsIgnoreCase(keyword)) {
            at++;
            return true;
        }
        return false;
    }

    private void expect(String keyword) {
        if (!accept(keyword)) {
            throw new AdqlException("Expected " + keyword + ", found " + describe(peek()));
        }
    }

    private String peek() {
        return at < tokens.size() ? tokens.get(at) : null;
    }

    private static String describe(String token) {
        return token == null ? "the end of the query" : "'" + token + "'";
    }

    private static Pattern likePattern(String like) {
        StringBuilder regex = new StringBuilder();
        for (char c : like.toCharArray()) {
            regex.append(c == '%' ? ".*" : c == '_' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    // ------------------------------------------------------------------ tokens

    /** Names, numbers, quoted strings (kept with their quotes, '' inside) and the symbols of the subset. */
    private static List<String> tokenize(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int start = i;
            if (Character.isWhitespace(c)) {
                i++;
                continue;
            }
            if (Character.isLetter(c) || c == '_') {
                while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
                    i++;
                }
            } else if (Character.isDigit(c) || (c == '-' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1)))) {
                i++;
                while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                    i++;
                }
            } else if (c == '\'') {
                i = endOfString(s, i);
            } else if (s.startsWith("<>", i) || s.startsWith("!=", i) || s.startsWith("<=", i) || s.startsWith(">=", i)) {
                i += 2;
            } else if ("=<>(),*.;".indexOf(c) >= 0) {
                i++;
            } else {
                throw new AdqlException("Unexpected character '" + c + "' at position " + (i + 1));
            }
            out.add(s.substring(start, i));
        }
        return out;
    }

    private static int endOfString(String s, int open) {
        int i = open + 1;
        while (i < s.length()) {
            if (s.charAt(i) == '\'') {
                if (i + 1 < s.length() && s.charAt(i + 1) == '\'') {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new AdqlException("Unterminated string starting at position " + (open + 1));
    }
}
