package org.soardeferred.mirror;

import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The result of a synchronous TAP query in SOAR's JSON form ({@code {"metadata":[{"name":…}],"data":[[…]]}}):
 * column names (lower case) and rows of values.
 */
public record TapTable(List<String> columns, List<List<JsonNode>> rows) {

    public int size() {
        return rows.size();
    }

    /** The value of a column in a row as text, or null. */
    public String text(List<JsonNode> row, String column) {
        JsonNode v = row.get(index(column));
        return v == null || v.isNull() ? null : v.asText();
    }

    /** The value of a numeric column in a row, or -1 when empty. */
    public long number(List<JsonNode> row, String column) {
        JsonNode v = row.get(index(column));
        if (v == null || v.isNull() || v.asText().isBlank()) {
            return -1;
        }
        return v.isNumber() ? v.asLong() : Long.parseLong(v.asText().strip());
    }

    private int index(String column) {
        int i = columns.indexOf(column.toLowerCase(Locale.ROOT));
        if (i < 0) {
            throw new TapException("SOAR's TAP result has no column " + column + " (it has " + columns + ")");
        }
        return i;
    }
}
