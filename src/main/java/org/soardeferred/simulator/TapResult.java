package org.soardeferred.simulator;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The rows a synchronous TAP query gave, written as SOAR writes them: JSON
 * ({@code {"metadata":[…],"data":[[…],…]}}), CSV (RFC 4180) or a minimal VOTable.
 */
record TapResult(List<TapTable.Column> columns, List<List<Object>> rows) {

    /** SOAR's JSON: one metadata object per column (the fields of SOAR's own output), then the rows. */
    String json() {
        String metadata = columns.stream().map(c -> "{\"name\":" + jsonValue(c.name())
                        + ",\"datatype\":" + jsonValue(c.datatype()) + ",\"xtype\":null,\"arraysize\":" + jsonValue(c.arraysize())
                        + ",\"description\":null,\"unit\":null,\"ucd\":null,\"utype\":null}")
                .collect(Collectors.joining(",\n  ", "[\n  ", "\n ]"));
        String data = rows.stream()
                .map(row -> row.stream().map(TapResult::jsonValue).collect(Collectors.joining(",", "[", "]")))
                .collect(Collectors.joining(",\n  ", "[\n  ", "\n ]"));
        return "{\n \"metadata\": " + metadata + ",\n \"data\": " + (rows.isEmpty() ? "[]" : data) + "\n}\n";
    }

    /** A header line of column names, then one line per row; CRLF line ends, fields quoted when needed. */
    String csv() {
        StringBuilder out = new StringBuilder();
        out.append(columns.stream().map(c -> csvValue(c.name())).collect(Collectors.joining(","))).append("\r\n");
        rows.forEach(row -> out.append(row.stream().map(TapResult::csvValue).collect(Collectors.joining(","))).append("\r\n"));
        return out.toString();
    }

    /** A minimal VOTable 1.3 with TABLEDATA; null values are empty cells. */
    String votable() {
        StringBuilder x = new StringBuilder(VoTables.HEAD).append("<RESOURCE type=\"results\">\n")
                .append("<INFO name=\"QUERY_STATUS\" value=\"OK\"/>\n<TABLE>\n");
        columns.forEach(c -> x.append("<FIELD name=\"").append(c.name()).append("\" datatype=\"").append(c.datatype())
                .append(c.arraysize() == null ? "\"" : "\" arraysize=\"" + c.arraysize() + "\"").append("/>\n"));
        x.append("<DATA>\n<TABLEDATA>\n");
        for (List<Object> row : rows) {
            x.append("<TR>");
            row.forEach(v -> x.append("<TD>").append(v == null ? "" : VoTables.escape(v.toString())).append("</TD>"));
            x.append("</TR>\n");
        }
        x.append("</TABLEDATA>\n</DATA>\n</TABLE>\n</RESOURCE>\n</VOTABLE>\n");
        return x.toString();
    }

    private static String jsonValue(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Long) {
            return v.toString();
        }
        StringBuilder s = new StringBuilder("\"");
        for (char c : v.toString().toCharArray()) {
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> s.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return s.append('"').toString();
    }

    private static String csvValue(Object v) {
        if (v == null) {
            return "";
        }
        String s = v.toString();
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
