package org.soardeferred.simulator;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/** The SOAR tables the simulator's {@code /tap/sync} serves from its catalogue, with SOAR's column names. */
enum TapTable implements AdqlCondition.Schema {

    /** SCI, LL and CAL files, with archived_on: the table incremental mirrors query. */
    V_PUBLIC_FILES(f -> true, List.of(
            TapTable.text("archived_on", "*", ArchivedFile::archivedOn),
            TapTable.text("begin_time", "*", ArchivedFile::beginTime),
            TapTable.text("data_type", "10", ArchivedFile::dataType),
            TapTable.text("file_name", "200", ArchivedFile::fileName),
            TapTable.number("file_size", ArchivedFile::fileSize),
            TapTable.text("instrument", "10", ArchivedFile::instrument),
            TapTable.text("item_id", "100", ArchivedFile::itemId),
            TapTable.text("item_version", "*", ArchivedFile::itemVersion),
            TapTable.text("processing_level", "*", ArchivedFile::processingLevel))),

    /** Every version of the science (and calibration) files. */
    V_SC_REPOSITORY_FILE(f -> !"LL".equals(f.dataType()), TapTable.repositoryColumns()),

    /** Every version of the low-latency files. */
    V_LL_REPOSITORY_FILE(f -> "LL".equals(f.dataType()), TapTable.repositoryColumns());

    /** One column: its description in results and how a catalogue row gives its value (String, Long or null). */
    record Column(String name, String datatype, String arraysize, Function<ArchivedFile, Object> value) {
    }

    private final Predicate<ArchivedFile> rows;
    private final List<Column> columns;

    TapTable(Predicate<ArchivedFile> rows, List<Column> columns) {
        this.rows = rows;
        this.columns = columns;
    }

    /** The table of this name (any case, with or without the {@code soar.} schema). */
    static Optional<TapTable> named(String name) {
        String bare = name.toLowerCase(Locale.ROOT).replaceFirst("^soar\\.", "");
        for (TapTable t : values()) {
            if (t.name().toLowerCase(Locale.ROOT).equals(bare)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** Whether a catalogue row belongs to this table. */
    boolean holds(ArchivedFile file) {
        return rows.test(file);
    }

    /** The columns in SOAR's order (the order of {@code SELECT *}). */
    List<Column> columns() {
        return columns;
    }

    /** The column of this (lower-case) name. */
    Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    @Override
    public boolean has(String column) {
        return column(column).isPresent();
    }

    @Override
    public boolean numeric(String column) {
        return column(column).map(c -> c.datatype().equals("long")).orElse(false);
    }

    private static List<Column> repositoryColumns() {
        return List.of(
                text("filepath", "*", ArchivedFile::filepath),
                text("filename", "200", ArchivedFile::fileName),
                text("data_item_id", "100", ArchivedFile::itemId),
                text("item_version", "*", ArchivedFile::itemVersion),
                number("filesize", ArchivedFile::fileSize));
    }

    private static Column text(String name, String arraysize, Function<ArchivedFile, String> value) {
        return new Column(name, "char", arraysize, value::apply);
    }

    private static Column number(String name, Function<ArchivedFile, Long> value) {
        return new Column(name, "long", null, value::apply);
    }
}
