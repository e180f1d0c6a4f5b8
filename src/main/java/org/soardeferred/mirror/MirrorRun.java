package org.soardeferred.mirror;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of a mirror, as a conversation with SOAR's synchronous TAP service: the route asks {@link #nextQuery()}
 * and hands each answer to {@link #take(TapTable)} until there is no next query.
 * <ol>
 * <li>COUNT: how many files of the selection were archived since the watermark.</li>
 * <li>LIST: the files themselves, in pages ordered by (archived_on, file_name), each page starting after the last
 * row of the previous one. SOAR has silently truncated long results: the listing is complete only when it holds
 * at least as many rows as the count said; a page cut short is followed by smaller pages, never trusted as the
 * end.</li>
 * <li>then the files the mirror already has are set aside ({@code select}, against the mirror's index);</li>
 * <li>PATHS (mirrors that unpack): each wanted file's filepath in SOAR's tree, from the repository tables.</li>
 * </ol>
 * What is left is grouped into {@link #batches()}: requests of one product type, each under the size cap.
 */
public class MirrorRun {

    private static final Logger LOG = LoggerFactory.getLogger(MirrorRun.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final String COLUMNS = "archived_on, data_type, file_name, file_size, item_id, item_version";
    static final int PATHS_PER_QUERY = 100;

    private enum Step { COUNT, LIST, PATHS, DONE }

    /** One request of a run: the files it asks for, all of one product type, under the size cap. */
    public record Batch(String name, String productType, List<MirrorFile> files, long bytes) {
        public List<String> itemIds() {
            return files.stream().map(f -> f.itemId).distinct().toList();
        }
    }

    private final String id = UUID.randomUUID().toString();
    private final MirrorDefinition definition;
    private final String from;
    private final Instant fireTime;
    private final Instant startedAt = Instant.now();
    private final Function<List<MirrorFile>, List<MirrorFile>> select;
    private int pageSize;
    private Step step = Step.COUNT;
    private long expected = -1;
    private final List<MirrorFile> listed = new ArrayList<>();
    private List<MirrorFile> wanted = List.of();
    private final List<List<MirrorFile>> pathQueries = new ArrayList<>();
    private List<MirrorFile> asked;
    private boolean truncationSeen;

    /**
     * @param from     list files archived at or after this time (the watermark less an overlap), or null for all
     * @param fireTime when the schedule fired, or null when the run was asked for by hand
     * @param select   the files of a complete listing that the mirror does not have yet
     */
    public MirrorRun(MirrorDefinition definition, String from, Instant fireTime, int pageSize,
                     Function<List<MirrorFile>, List<MirrorFile>> select) {
        this.definition = definition;
        this.from = from;
        this.fireTime = fireTime;
        this.pageSize = pageSize;
        this.select = select;
    }

    /** The next ADQL query to send to tap/sync, or null when the run knows what to ask for. */
    public String nextQuery() {
        String where = definition.selection() + (from == null ? "" : " AND archived_on >= '" + from + "'");
        switch (step) {
            case COUNT:
                return "SELECT COUNT(*) FROM v_public_files WHERE " + where;
            case LIST:
                String after = "";
                if (!listed.isEmpty()) {
                    MirrorFile last = listed.get(listed.size() - 1);
                    after = " AND (archived_on > '" + last.archivedOn + "' OR (archived_on = '" + last.archivedOn
                            + "' AND file_name > '" + quote(last.fileName) + "'))";
                }
                return "SELECT TOP " + pageSize + " " + COLUMNS + " FROM v_public_files WHERE " + where + after
                        + " ORDER BY archived_on, file_name";
            case PATHS:
                asked = pathQueries.get(0);
                String table = "LL".equals(asked.get(0).dataType) ? "soar.v_ll_repository_file" : "soar.v_sc_repository_file";
                List<String> names = asked.stream().map(f -> "'" + quote(f.fileName) + "'").toList();
                return "SELECT filepath, filename FROM " + table + " WHERE filename IN (" + String.join(", ", names) + ")";
            default:
                return null;
        }
    }

    /** The answer to the last query. */
    public void take(TapTable table) {
        switch (step) {
            case COUNT -> {
                if (table.size() != 1 || table.columns().size() != 1) {
                    throw new TapException("SOAR's TAP count came back as " + table.size() + " rows of " + table.columns());
                }
                expected = table.number(table.rows().get(0), table.columns().get(0));
                step = expected == 0 ? Step.DONE : Step.LIST;
                if (expected == 0) {
                    plan();
                }
            }
            case LIST -> list(table);
            case PATHS -> paths(table);
            default -> throw new IllegalStateException("the run " + id + " asked nothing");
        }
    }

    private void list(TapTable page) {
        for (List<JsonNode> row : page.rows()) {
            MirrorFile f = new MirrorFile(page.text(row, "file_name"), page.text(row, "item_id"), page.text(row, "item_version"),
                    page.number(row, "file_size"), page.text(row, "archived_on"), page.text(row, "data_type"));
            if (f.fileName == null || f.itemId == null || f.archivedOn == null || f.size < 0) {
                throw new TapException("SOAR listed a file without name, data item, archive time or size: " + row);
            }
            listed.add(f);
        }
        if (page.size() == 0 && listed.size() < expected) {
            throw new TapException("SOAR's listing of mirror " + definition.name() + " stopped at " + listed.size()
                    + " files, but its count said " + expected + "; nothing is fetched from an incomplete listing");
        }
        if (page.size() < pageSize) {
            if (listed.size() >= expected) {
                plan();
                return;
            }
            // cut short without a word: go on from the last row, with pages no larger than what came through
            if (!truncationSeen) {
                LOG.warn("Mirror {}: SOAR returned {} rows for a page of {} ({} of {} listed): it truncates results; "
                        + "going on with smaller pages", definition.name(), page.size(), pageSize, listed.size(), expected);
                truncationSeen = true;
            }
            pageSize = Math.max(1, page.size());
        }
    }

    /** The listing is complete: keep the files the mirror lacks (one version per data item unless ALL_PRODUCTS). */
    private void plan() {
        List<MirrorFile> latest = listed;
        if (!"ALL_PRODUCTS".equals(definition.retrievalType())) {
            Map<String, MirrorFile> byItem = new LinkedHashMap<>();
            for (MirrorFile f : listed) {
                byItem.merge(f.itemId, f, (a, b) -> compareVersions(a.version, b.version) >= 0 ? a : b);
            }
            latest = new ArrayList<>(byItem.values());
        }
        wanted = select.apply(latest);
        if (definition.extract() && !wanted.isEmpty()) {
            for (String type : new String[] {"LL", "SCI"}) {
                List<MirrorFile> ofType = wanted.stream().filter(f -> "LL".equals(type) == "LL".equals(f.dataType)).toList();
                for (int i = 0; i < ofType.size(); i += PATHS_PER_QUERY) {
                    pathQueries.add(ofType.subList(i, Math.min(ofType.size(), i + PATHS_PER_QUERY)));
                }
            }
            step = Step.PATHS;
        } else {
            step = Step.DONE;
        }
    }

    private void paths(TapTable table) {
        Map<String, String> byName = new LinkedHashMap<>();
        for (List<JsonNode> row : table.rows()) {
            byName.put(table.text(row, "filename"), table.text(row, "filepath"));
        }
        for (MirrorFile f : asked) {
            f.filepath = byName.get(f.fileName);
            if (f.filepath == null) {
                throw new TapException("SOAR's repository tables do not list " + f.fileName + " (needed to place it in the mirror)");
            }
        }
        pathQueries.remove(0);
        if (pathQueries.isEmpty()) {
            step = Step.DONE;
        }
    }

    /** The wanted files as requests: one product type each, oldest first, each under the size cap. */
    public List<Batch> batches() {
        if (step != Step.DONE) {
            return List.of();
        }
        Map<String, List<MirrorFile>> byType = new LinkedHashMap<>();
        wanted.stream().sorted(Comparator.comparing((MirrorFile f) -> f.archivedOn).thenComparing(f -> f.fileName))
                .forEach(f -> byType.computeIfAbsent(MirrorDefinition.productType(f.dataType), t -> new ArrayList<>()).add(f));
        List<Batch> out = new ArrayList<>();
        String stamp = STAMP.format(fireTime != null ? fireTime : startedAt);
        byType.forEach((type, files) -> {
            List<MirrorFile> current = new ArrayList<>();
            long bytes = 0;
            for (MirrorFile f : files) {
                if (!current.isEmpty() && bytes + f.size > definition.sizeCap()) {
                    out.add(new Batch(definition.name() + "-" + stamp + "-" + (out.size() + 1), type, current, bytes));
                    current = new ArrayList<>();
                    bytes = 0;
                }
                if (f.size > definition.sizeCap()) {
                    LOG.warn("Mirror {}: {} alone is larger than the package size cap ({} bytes); it is asked for on its own",
                            definition.name(), f, definition.sizeCap());
                }
                current.add(f);
                bytes += f.size;
            }
            if (!current.isEmpty()) {
                out.add(new Batch(definition.name() + "-" + stamp + "-" + (out.size() + 1), type, current, bytes));
            }
        });
        return out;
    }

    /** V10 after V9; plain text order otherwise. */
    static int compareVersions(String a, String b) {
        String na = a == null ? "" : a.replaceAll("\\D", "");
        String nb = b == null ? "" : b.replaceAll("\\D", "");
        if (!na.isEmpty() && !nb.isEmpty() && na.length() < 10 && nb.length() < 10) {
            int c = Integer.compare(Integer.parseInt(na), Integer.parseInt(nb));
            if (c != 0) {
                return c;
            }
        }
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    private static String quote(String s) {
        return s.replace("'", "''");
    }

    public boolean isListing() {
        return step != Step.DONE;
    }

    public String id() {
        return id;
    }

    public MirrorDefinition definition() {
        return definition;
    }

    public Instant fireTime() {
        return fireTime;
    }

    public Instant startedAt() {
        return startedAt;
    }

    public int listedCount() {
        return listed.size();
    }

    public List<MirrorFile> wanted() {
        return wanted;
    }

    public long wantedBytes() {
        return wanted.stream().mapToLong(f -> f.size).sum();
    }

    @Override
    public String toString() {
        return "mirror " + definition.name() + " run " + id.substring(0, 8);
    }
}
