package org.soardeferred.simulator;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.soardeferred.simulator.AdqlSubset.Order;
import org.soardeferred.simulator.AdqlSubset.Query;

/**
 * SOAR's synchronous TAP service over the simulator's catalogue: TAP parameters (names lower case) in,
 * the HTTP reply out. Queries outside {@link AdqlSubset}, unknown tables or columns and bad parameters answer
 * HTTP 400 with a VOTable error document.
 */
final class TapSync {

    /** An HTTP reply. */
    record Reply(int status, String contentType, String body) {
    }

    private static final TapTable.Column COUNT = new TapTable.Column("count", "long", null, f -> null);

    private TapSync() {
    }

    /**
     * Runs {@code QUERY} and writes the rows in {@code FORMAT} (json, csv or votable; default votable).
     *
     * @param params     the request's parameters, names lower-cased
     * @param catalogue  the archive's files
     * @param truncateTo if above 0, cut every row listing (not COUNT) to this many rows, silently, as SOAR has done
     */
    static Reply answer(Map<String, String> params, List<ArchivedFile> catalogue, int truncateTo) {
        try {
            String request = params.get("request");
            if (request != null && !request.equalsIgnoreCase("doQuery")) {
                throw new AdqlException("Unsupported REQUEST '" + request + "': only doQuery");
            }
            String lang = params.get("lang");
            if (lang != null && !lang.toUpperCase(Locale.ROOT).startsWith("ADQL")) {
                throw new AdqlException("Unsupported LANG '" + lang + "': only ADQL");
            }
            String format = format(params.get("format"));
            int maxRec = maxRec(params.get("maxrec"));
            TapResult result = run(AdqlSubset.parse(params.get("query")), catalogue, maxRec, truncateTo);
            return switch (format) {
                case "json" -> new Reply(200, "application/json", result.json());
                case "csv" -> new Reply(200, "text/csv", result.csv());
                default -> new Reply(200, "application/x-votable+xml", result.votable());
            };
        } catch (AdqlException e) {
            return new Reply(400, "text/xml", VoTables.error(e.getMessage()));
        }
    }

    /** The rows of a parsed query; {@code maxRec} -1 and {@code truncateTo} 0 mean no limit. */
    static TapResult run(Query query, List<ArchivedFile> catalogue, int maxRec, int truncateTo) {
        TapTable table = TapTable.named(query.table())
                .orElseThrow(() -> new AdqlException("Unknown table '" + query.table() + "'"));
        List<TapTable.Column> selected = query.columns().isEmpty() ? table.columns()
                : query.columns().stream().map(name -> column(table, name)).toList();
        query.orderBy().forEach(o -> column(table, o.column()));
        if (query.where() != null) {
            query.where().check(table);
        }
        Stream<ArchivedFile> rows = catalogue.stream().filter(table::holds)
                .filter(f -> query.where() == null || query.where().test(name -> column(table, name).value().apply(f)));
        if (query.count()) {
            return new TapResult(List.of(COUNT), List.of(List.of((Object) rows.count())));
        }
        if (!query.orderBy().isEmpty()) {
            rows = rows.sorted(order(table, query.orderBy()));
        }
        long limit = Long.MAX_VALUE;
        limit = query.top() >= 0 ? Math.min(limit, query.top()) : limit;
        limit = maxRec >= 0 ? Math.min(limit, maxRec) : limit;
        limit = truncateTo > 0 ? Math.min(limit, truncateTo) : limit;
        return new TapResult(selected, rows.limit(limit)
                .map(f -> selected.stream().map(c -> c.value().apply(f)).toList()).toList());
    }

    private static TapTable.Column column(TapTable table, String name) {
        return table.column(name).orElseThrow(() -> new AdqlException("Unknown column '" + name + "'"));
    }

    /** ORDER BY as PostgreSQL does it: nulls last ascending, first descending. */
    private static Comparator<ArchivedFile> order(TapTable table, List<Order> orderBy) {
        Comparator<ArchivedFile> all = (a, b) -> 0;
        for (Order o : orderBy) {
            TapTable.Column c = column(table, o.column());
            Comparator<ArchivedFile> one = Comparator.comparing(f -> c.value().apply(f),
                    Comparator.nullsLast(TapSync::compareValues));
            all = all.thenComparing(o.descending() ? one.reversed() : one);
        }
        return all;
    }

    private static int compareValues(Object a, Object b) {
        if (a instanceof Long x && b instanceof Long y) {
            return Long.compare(x, y);
        }
        return a.toString().compareTo(b.toString());
    }

    private static String format(String format) {
        if (format == null) {
            return "votable";
        }
        return switch (format.toLowerCase(Locale.ROOT)) {
            case "json", "application/json" -> "json";
            case "csv", "text/csv" -> "csv";
            case "votable", "votable/td", "application/x-votable+xml", "text/xml" -> "votable";
            default -> throw new AdqlException("Unsupported FORMAT '" + format + "': json, csv or votable");
        };
    }

    private static int maxRec(String maxRec) {
        if (maxRec == null || maxRec.isBlank()) {
            return -1;
        }
        if (!maxRec.strip().matches("\\d{1,9}")) {
            throw new AdqlException("MAXREC must be a number of rows, not '" + maxRec + "'");
        }
        return Integer.parseInt(maxRec.strip());
    }
}
