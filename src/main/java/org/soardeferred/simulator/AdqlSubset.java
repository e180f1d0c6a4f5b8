package org.soardeferred.simulator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
 * for the caller to check ({@link AdqlCondition#check}).
 */
final class AdqlSubset {

    /** A parsed query. {@code columns} is empty for {@code *}; {@code top} is -1 without TOP. */
    record Query(int top, boolean count, List<String> columns, String table, AdqlCondition where, List<Order> orderBy) {
    }

    /** One ORDER BY item. */
    record Order(String column, boolean descending) {
    }

    private static final Set<String> COMPARISONS = Set.of("=", "<>", "!=", "<", "<=", ">", ">=");

    private static final Set<String> RESERVED = Set.of("SELECT", "TOP", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE",
            "IN", "IS", "NULL", "ORDER", "BY", "ASC", "DESC", "COUNT", "DISTINCT", "GROUP", "HAVING", "JOIN", "AS",
            "UNION", "ON");

    private final AdqlTokens tokens;

    private AdqlSubset(AdqlTokens tokens) {
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
        return new AdqlSubset(new AdqlTokens(adql)).query();
    }

    // ------------------------------------------------------------------ grammar

    private Query query() {
        tokens.expect("SELECT");
        int top = -1;
        if (tokens.accept("TOP")) {
            top = integer();
        }
        boolean count = false;
        List<String> columns = new ArrayList<>();
        if (tokens.accept("*")) {
            // all columns
        } else if (tokens.accept("COUNT")) {
            tokens.expect("(");
            tokens.expect("*");
            tokens.expect(")");
            count = true;
        } else {
            do {
                columns.add(name());
            } while (tokens.accept(","));
        }
        tokens.expect("FROM");
        String table = name();
        if (tokens.accept(".")) {
            if (!table.equals("soar")) {
                throw new AdqlException("Unknown schema '" + table + "'");
            }
            table = name();
        }
        AdqlCondition where = tokens.accept("WHERE") ? or() : null;
        List<Order> orderBy = new ArrayList<>();
        if (tokens.accept("ORDER")) {
            tokens.expect("BY");
            do {
                String column = name();
                boolean descending = tokens.accept("DESC");
                if (!descending) {
                    tokens.accept("ASC");
                }
                orderBy.add(new Order(column, descending));
            } while (tokens.accept(","));
        }
        tokens.accept(";");
        if (!tokens.atEnd()) {
            throw new AdqlException("Unexpected '" + tokens.peek() + "' in the query");
        }
        return new Query(top, count, List.copyOf(columns), table, where, List.copyOf(orderBy));
    }

    private AdqlCondition or() {
        List<AdqlCondition> parts = new ArrayList<>(List.of(and()));
        while (tokens.accept("OR")) {
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new AdqlCondition.Or(List.copyOf(parts));
    }

    private AdqlCondition and() {
        List<AdqlCondition> parts = new ArrayList<>(List.of(primary()));
        while (tokens.accept("AND")) {
            parts.add(primary());
        }
        return parts.size() == 1 ? parts.get(0) : new AdqlCondition.And(List.copyOf(parts));
    }

    private AdqlCondition primary() {
        if (tokens.accept("(")) {
            AdqlCondition inner = or();
            tokens.expect(")");
            return inner;
        }
        if (isLiteral(tokens.peek())) {
            return constant();
        }
        String column = name();
        if (tokens.accept("IS")) {
            boolean negated = tokens.accept("NOT");
            tokens.expect("NULL");
            return new AdqlCondition.IsNull(column, negated);
        }
        boolean negated = tokens.accept("NOT");
        if (tokens.accept("LIKE")) {
            return new AdqlCondition.Like(column, likePattern(string()), negated);
        }
        if (tokens.accept("IN")) {
            tokens.expect("(");
            List<Object> literals = new ArrayList<>();
            do {
                literals.add(literal());
            } while (tokens.accept(","));
            tokens.expect(")");
            return new AdqlCondition.In(column, List.copyOf(literals), negated);
        }
        if (negated) {
            throw new AdqlException("Expected LIKE or IN after NOT, found " + AdqlTokens.describe(tokens.peek()));
        }
        return new AdqlCondition.Compare(column, comparison(column), literal());
    }

    private AdqlCondition constant() {
        Object left = literal();
        String op = comparison(left.toString());
        Object right = literal();
        if ((left instanceof BigDecimal) != (right instanceof BigDecimal)) {
            throw new AdqlException("Cannot compare " + left + " with " + right);
        }
        return new AdqlCondition.Constant(new AdqlCondition.Compare("", op, right).test(column -> left));
    }

    private String comparison(String after) {
        String op = tokens.peek();
        if (op == null || !COMPARISONS.contains(op)) {
            throw new AdqlException("Expected a comparison after " + after + ", found " + AdqlTokens.describe(op));
        }
        tokens.skip();
        return op;
    }

    private static boolean isLiteral(String token) {
        return token != null && (token.startsWith("'") || token.matches("-?\\d+(\\.\\d+)?"));
    }

    private Object literal() {
        String t = tokens.peek();
        if (t != null && t.startsWith("'")) {
            return string();
        }
        if (t != null && t.matches("-?\\d+(\\.\\d+)?")) {
            tokens.skip();
            return new BigDecimal(t);
        }
        throw new AdqlException("Expected a literal, found " + AdqlTokens.describe(t));
    }

    private String string() {
        String t = tokens.peek();
        if (t == null || !t.startsWith("'")) {
            throw new AdqlException("Expected a quoted string, found " + AdqlTokens.describe(t));
        }
        tokens.skip();
        return t.substring(1, t.length() - 1).replace("''", "'");
    }

    private int integer() {
        String t = tokens.peek();
        if (t == null || !t.matches("\\d{1,9}")) {
            throw new AdqlException("Expected a row count after TOP, found " + AdqlTokens.describe(t));
        }
        tokens.skip();
        return Integer.parseInt(t);
    }

    private String name() {
        String t = tokens.peek();
        if (t == null || !t.matches("[A-Za-z_][A-Za-z0-9_]*") || RESERVED.contains(t.toUpperCase(Locale.ROOT))) {
            throw new AdqlException("Expected a name, found " + AdqlTokens.describe(t));
        }
        tokens.skip();
        return t.toLowerCase(Locale.ROOT);
    }

    private static Pattern likePattern(String like) {
        StringBuilder regex = new StringBuilder();
        for (char c : like.toCharArray()) {
            regex.append(c == '%' ? ".*" : c == '_' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }
}
