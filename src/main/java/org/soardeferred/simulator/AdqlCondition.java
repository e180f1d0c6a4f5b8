package org.soardeferred.simulator;

import java.math.BigDecimal;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A WHERE expression of {@link AdqlSubset}, tested against a row given as column name → value (String, Long or
 * null). Whether its columns exist and hold the kind of value it compares them with is checked against the
 * table's {@link Schema}.
 */
sealed interface AdqlCondition
        permits AdqlCondition.And, AdqlCondition.Or, AdqlCondition.Compare, AdqlCondition.Like, AdqlCondition.In,
        AdqlCondition.IsNull, AdqlCondition.Constant {

    boolean test(Function<String, Object> row);

    /** Throws when the condition names a column the table lacks or compares it with the wrong kind of literal. */
    void check(Schema schema);

    /** What a condition needs to know about the table's columns. */
    interface Schema {
        boolean has(String column);

        boolean numeric(String column);
    }

    record And(List<AdqlCondition> parts) implements AdqlCondition {
        public boolean test(Function<String, Object> row) {
            return parts.stream().allMatch(c -> c.test(row));
        }

        public void check(Schema schema) {
            parts.forEach(c -> c.check(schema));
        }
    }

    record Or(List<AdqlCondition> parts) implements AdqlCondition {
        public boolean test(Function<String, Object> row) {
            return parts.stream().anyMatch(c -> c.test(row));
        }

        public void check(Schema schema) {
            parts.forEach(c -> c.check(schema));
        }
    }

    /** {@code col op literal}; the literal is a String or a BigDecimal. A null value matches nothing, as in SQL. */
    record Compare(String column, String op, Object literal) implements AdqlCondition {
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
    record Like(String column, Pattern pattern, boolean negated) implements AdqlCondition {
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
    record In(String column, List<Object> literals, boolean negated) implements AdqlCondition {
        public boolean test(Function<String, Object> row) {
            Object value = row.apply(column);
            return value != null && literals.stream().anyMatch(l -> compare(value, l) == 0) != negated;
        }

        public void check(Schema schema) {
            literals.forEach(l -> checkLiteral(schema, column, l));
        }
    }

    /** {@code col IS [NOT] NULL}. */
    record IsNull(String column, boolean negated) implements AdqlCondition {
        public boolean test(Function<String, Object> row) {
            return (row.apply(column) == null) != negated;
        }

        public void check(Schema schema) {
            checkColumn(schema, column);
        }
    }

    /** A comparison of two literals ({@code 1=1}, which clients write for "every row"). */
    record Constant(boolean value) implements AdqlCondition {
        public boolean test(Function<String, Object> row) {
            return value;
        }

        public void check(Schema schema) {
            // no columns
        }
    }

    /** Orders a row's value and a literal: as numbers when both are, else as text. */
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
}
