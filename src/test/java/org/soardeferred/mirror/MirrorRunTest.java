package org.soardeferred.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * MirrorRun driven by hand, as the route drives it: ask nextQuery(), answer with a TapTable as TapReplies parses it
 * from SOAR's JSON, until there is no next query; then batches().
 */
class MirrorRunTest {

    private static final String COLUMNS = "archived_on, data_type, file_name, file_size, item_id, item_version";
    private static final Instant FIRED = Instant.parse("2024-03-11T18:04:38Z");

    /** One row of v_public_files as the run lists it. */
    record Row(String archivedOn, String dataType, String fileName, long size, String itemId, String version) {
    }

    private static Row row(int i, String dataType, long size) {
        return new Row(String.format("2024-03-%02dT10:00:00.000", i), dataType, "solo_L2_mag-rtn-normal_202403" + i + "_V01.cdf",
                size, "solo_L2_mag-rtn-normal_202403" + i, "V01");
    }

    private static MirrorDefinition definition(String name, long sizeCap, String retrievalType, boolean extract, String target) {
        return new MirrorDefinition(name, null, List.of("MAG"), null, null, null, null, target, sizeCap, retrievalType,
                extract, false, null);
    }

    private static MirrorDefinition definition() {
        return definition("mag", MirrorDefinition.DEFAULT_SIZE_CAP, null, false, null);
    }

    private static TapTable count(long n) {
        return TapReplies.parse(200, "url", "{\"metadata\":[{\"name\":\"COUNT_ALL\"}],\"data\":[[" + n + "]]}");
    }

    private static TapTable page(Row... rows) {
        StringBuilder json = new StringBuilder("{\"metadata\":[");
        String[] names = COLUMNS.split(", ");
        for (int i = 0; i < names.length; i++) {
            json.append(i == 0 ? "" : ",").append("{\"name\":\"").append(names[i]).append("\"}");
        }
        json.append("],\"data\":[");
        for (int i = 0; i < rows.length; i++) {
            Row r = rows[i];
            json.append(i == 0 ? "" : ",").append('[').append(str(r.archivedOn)).append(',').append(str(r.dataType)).append(',')
                    .append(str(r.fileName)).append(',').append(r.size).append(',').append(str(r.itemId)).append(',')
                    .append(str(r.version)).append(']');
        }
        return TapReplies.parse(200, "url", json.append("]}").toString());
    }

    private static TapTable paths(String... filepathAndName) {
        StringBuilder json = new StringBuilder("{\"metadata\":[{\"name\":\"filepath\"},{\"name\":\"filename\"}],\"data\":[");
        for (int i = 0; i < filepathAndName.length; i += 2) {
            json.append(i == 0 ? "" : ",").append('[').append(str(filepathAndName[i])).append(',')
                    .append(str(filepathAndName[i + 1])).append(']');
        }
        return TapReplies.parse(200, "url", json.append("]}").toString());
    }

    private static String str(String s) {
        return s == null ? "null" : "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static MirrorRun run(MirrorDefinition d, int pageSize) {
        return new MirrorRun(d, null, FIRED, pageSize, Function.identity());
    }

    /** Lists all rows in one page after a count of their number. */
    private static MirrorRun listed(MirrorDefinition d, Row... rows) {
        MirrorRun run = run(d, 1000);
        run.nextQuery();
        run.take(count(rows.length));
        run.nextQuery();
        run.take(page(rows));
        return run;
    }

    private static List<String> names(List<MirrorFile> files) {
        return files.stream().map(f -> f.fileName).toList();
    }

    // ---- the conversation --------------------------------------------------------------------------------

    @Test
    void firstCountsThenListsInPagesOrderedByArchiveTimeAndName() {
        MirrorRun run = new MirrorRun(definition(), "2024-01-01T00:00:00", FIRED, 2, Function.identity());
        String where = "instrument = 'MAG' AND archived_on >= '2024-01-01T00:00:00'";

        assertThat(run.isListing()).isTrue();
        assertThat(run.nextQuery()).isEqualTo("SELECT COUNT(*) FROM v_public_files WHERE " + where);
        run.take(count(3));

        assertThat(run.nextQuery()).isEqualTo("SELECT TOP 2 " + COLUMNS + " FROM v_public_files WHERE " + where
                + " ORDER BY archived_on, file_name");
        Row last = new Row("2024-03-02T10:00:00.000", "SCI", "solo_L2_mag-rtn-normal_O'Brien_V01.cdf", 10, "item-2", "V01");
        run.take(page(row(1, "SCI", 10), last));
        assertThat(run.isListing()).isTrue();

        assertThat(run.nextQuery()).isEqualTo("SELECT TOP 2 " + COLUMNS + " FROM v_public_files WHERE " + where
                + " AND (archived_on > '2024-03-02T10:00:00.000' OR (archived_on = '2024-03-02T10:00:00.000'"
                + " AND file_name > 'solo_L2_mag-rtn-normal_O''Brien_V01.cdf')) ORDER BY archived_on, file_name");
        run.take(page(row(3, "SCI", 10)));

        assertThat(run.isListing()).isFalse();
        assertThat(run.nextQuery()).isNull();
        assertThat(run.listedCount()).isEqualTo(3);
        assertThat(run.wanted()).hasSize(3);
    }

    @Test
    void withoutAWatermarkTheQueriesHaveNoTimeCondition() {
        MirrorRun run = run(definition(), 10);

        assertThat(run.nextQuery()).isEqualTo("SELECT COUNT(*) FROM v_public_files WHERE instrument = 'MAG'");
        run.take(count(1));
        assertThat(run.nextQuery()).isEqualTo("SELECT TOP 10 " + COLUMNS + " FROM v_public_files WHERE instrument = 'MAG'"
                + " ORDER BY archived_on, file_name");
    }

    @Test
    void aCountOfZeroEndsTheRunWithoutListingOrBatches() {
        List<List<MirrorFile>> selected = new ArrayList<>();
        MirrorRun run = new MirrorRun(definition(), null, FIRED, 10, listing -> {
            selected.add(listing);
            return listing;
        });

        run.nextQuery();
        run.take(count(0));

        assertThat(run.isListing()).isFalse();
        assertThat(run.nextQuery()).isNull();
        assertThat(run.listedCount()).isZero();
        assertThat(run.wanted()).isEmpty();
        assertThat(run.batches()).isEmpty();
        assertThat(selected).allSatisfy(l -> assertThat(l).isEmpty());
    }

    @Test
    void aCountThatIsNotOneValueIsRefused() {
        MirrorRun run = run(definition(), 10);
        run.nextQuery();

        assertThatThrownBy(() -> run.take(TapReplies.parse(200, "url", "{\"metadata\":[{\"name\":\"n\"}],\"data\":[]}")))
                .isInstanceOf(TapException.class);
        assertThatThrownBy(() -> run.take(TapReplies.parse(200, "url",
                "{\"metadata\":[{\"name\":\"a\"},{\"name\":\"b\"}],\"data\":[[1,2]]}")))
                .isInstanceOf(TapException.class);
    }

    @Test
    void aFullPageReachingTheCountIsFollowedByOneMoreQueryAndAnEmptyPageEndsTheListing() {
        MirrorRun run = run(definition(), 2);
        run.nextQuery();
        run.take(count(2));
        run.nextQuery();
        run.take(page(row(1, "SCI", 1), row(2, "SCI", 1)));

        assertThat(run.isListing()).isTrue();
        assertThat(run.nextQuery()).contains("SELECT TOP 2 ").contains("archived_on > '2024-03-02T10:00:00.000'");
        run.take(page());

        assertThat(run.isListing()).isFalse();
        assertThat(run.listedCount()).isEqualTo(2);
    }

    @Test
    void aPageCutShortBeforeTheCountIsReachedIsFollowedBySmallerPages() {
        MirrorRun run = run(definition(), 4);
        run.nextQuery();
        run.take(count(5));
        assertThat(run.nextQuery()).startsWith("SELECT TOP 4 ");

        run.take(page(row(1, "SCI", 1), row(2, "SCI", 1)));
        assertThat(run.isListing()).isTrue();
        assertThat(run.nextQuery()).startsWith("SELECT TOP 2 ")
                .contains("file_name > 'solo_L2_mag-rtn-normal_2024032_V01.cdf'");

        run.take(page(row(3, "SCI", 1), row(4, "SCI", 1)));
        assertThat(run.nextQuery()).startsWith("SELECT TOP 2 ")
                .contains("file_name > 'solo_L2_mag-rtn-normal_2024034_V01.cdf'");

        run.take(page(row(5, "SCI", 1)));
        assertThat(run.isListing()).isFalse();
        assertThat(run.listedCount()).isEqualTo(5);
        assertThat(names(run.wanted())).containsExactly(
                row(1, "SCI", 1).fileName(), row(2, "SCI", 1).fileName(), row(3, "SCI", 1).fileName(),
                row(4, "SCI", 1).fileName(), row(5, "SCI", 1).fileName());
    }

    @Test
    void anEmptyPageBeforeTheCountIsReachedFailsTheRunNamingBothNumbers() {
        List<List<MirrorFile>> selected = new ArrayList<>();
        MirrorRun run = new MirrorRun(definition(), null, FIRED, 10, listing -> {
            selected.add(listing);
            return listing;
        });
        run.nextQuery();
        run.take(count(3));
        run.nextQuery();
        run.take(page(row(1, "SCI", 1), row(2, "SCI", 1)));
        assertThat(run.nextQuery()).startsWith("SELECT TOP 2 ");

        assertThatThrownBy(() -> run.take(page()))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("2")
                .hasMessageContaining("3")
                .hasMessageContaining("stopped at 2")
                .hasMessageContaining("said 3");
        assertThat(selected).isEmpty();
        assertThat(run.batches()).isEmpty();
    }

    @Test
    void aListedRowWithoutNameItemTimeOrSizeIsRefused() {
        MirrorRun run = run(definition(), 10);
        run.nextQuery();
        run.take(count(1));
        run.nextQuery();

        assertThatThrownBy(() -> run.take(page(new Row("2024-03-01T00:00:00", "SCI", null, 1, "item", "V01"))))
                .isInstanceOf(TapException.class);
    }

    @Test
    void aListingWithoutAnExpectedColumnIsRefused() {
        MirrorRun run = run(definition(), 10);
        run.nextQuery();
        run.take(count(1));
        run.nextQuery();

        assertThatThrownBy(() -> run.take(TapReplies.parse(200, "url", "{\"metadata\":[{\"name\":\"file_name\"}],\"data\":[[\"a\"]]}")))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("no column");
    }

    // ---- versions and selection --------------------------------------------------------------------------

    @Test
    void keepsOnlyTheLatestVersionOfEachDataItem() {
        MirrorRun run = listed(definition(),
                new Row("2024-03-01T00:00:00", "SCI", "a_V10.cdf", 1, "item-a", "V10"),
                new Row("2024-03-02T00:00:00", "SCI", "a_V09.cdf", 1, "item-a", "V09"),
                new Row("2024-03-03T00:00:00", "SCI", "b_V01.cdf", 1, "item-b", "V01"),
                new Row("2024-03-04T00:00:00", "SCI", "b_V02.cdf", 1, "item-b", "V02"),
                new Row("2024-03-05T00:00:00", "SCI", "c_V9.cdf", 1, "item-c", "V9"),
                new Row("2024-03-06T00:00:00", "SCI", "c_V10.cdf", 1, "item-c", "V10"));

        assertThat(names(run.wanted())).containsExactlyInAnyOrder("a_V10.cdf", "b_V02.cdf", "c_V10.cdf");
        assertThat(run.listedCount()).isEqualTo(6);
    }

    @Test
    void keepsEveryVersionWithAllProducts() {
        MirrorRun run = listed(definition("mag", MirrorDefinition.DEFAULT_SIZE_CAP, "ALL_PRODUCTS", false, null),
                new Row("2024-03-01T00:00:00", "SCI", "a_V10.cdf", 1, "item-a", "V10"),
                new Row("2024-03-02T00:00:00", "SCI", "a_V09.cdf", 1, "item-a", "V09"));

        assertThat(names(run.wanted())).containsExactlyInAnyOrder("a_V10.cdf", "a_V09.cdf");
    }

    @Test
    void comparesVersionsByTheirNumber() {
        assertThat(MirrorRun.compareVersions("V10", "V9")).isPositive();
        assertThat(MirrorRun.compareVersions("V9", "V10")).isNegative();
        assertThat(MirrorRun.compareVersions("V02", "V02")).isZero();
        assertThat(MirrorRun.compareVersions("V02", "V1")).isPositive();
    }

    @Test
    void theSelectFunctionSeesTheListingAndOnlyWhatItReturnsIsBatched() {
        List<List<MirrorFile>> seen = new ArrayList<>();
        MirrorRun run = new MirrorRun(definition(), null, FIRED, 100, listing -> {
            seen.add(List.copyOf(listing));
            return listing.stream().filter(f -> !f.fileName.contains("_2024032_")).toList();
        });
        run.nextQuery();
        run.take(count(3));
        run.nextQuery();
        run.take(page(row(1, "SCI", 10), row(2, "SCI", 20), row(3, "SCI", 30)));

        assertThat(seen).hasSize(1);
        assertThat(names(seen.get(0))).containsExactlyInAnyOrder(
                row(1, "SCI", 10).fileName(), row(2, "SCI", 20).fileName(), row(3, "SCI", 30).fileName());
        MirrorFile first = seen.get(0).stream().filter(f -> f.fileName.equals(row(1, "SCI", 10).fileName())).findFirst().orElseThrow();
        assertThat(first.itemId).isEqualTo(row(1, "SCI", 10).itemId());
        assertThat(first.version).isEqualTo("V01");
        assertThat(first.size).isEqualTo(10);
        assertThat(first.archivedOn).isEqualTo("2024-03-01T10:00:00.000");
        assertThat(first.dataType).isEqualTo("SCI");

        assertThat(names(run.wanted())).containsExactlyInAnyOrder(row(1, "SCI", 10).fileName(), row(3, "SCI", 30).fileName());
        assertThat(run.wantedBytes()).isEqualTo(40);
        List<MirrorRun.Batch> batches = run.batches();
        assertThat(batches).hasSize(1);
        assertThat(names(batches.get(0).files())).containsExactly(row(1, "SCI", 10).fileName(), row(3, "SCI", 30).fileName());
        assertThat(batches.get(0).bytes()).isEqualTo(40);
    }

    @Test
    void nothingSelectedMeansNoBatches() {
        MirrorRun run = new MirrorRun(definition(), null, FIRED, 100, listing -> List.of());
        run.nextQuery();
        run.take(count(1));
        run.nextQuery();
        run.take(page(row(1, "SCI", 10)));

        assertThat(run.isListing()).isFalse();
        assertThat(run.batches()).isEmpty();
    }

    // ---- batches -----------------------------------------------------------------------------------------

    @Test
    void noBatchesWhileTheRunIsStillListing() {
        MirrorRun run = run(definition(), 1);
        run.nextQuery();
        run.take(count(2));
        run.nextQuery();
        run.take(page(row(1, "SCI", 10)));

        assertThat(run.isListing()).isTrue();
        assertThat(run.batches()).isEmpty();
    }

    @Test
    void batchesAreOfOneProductTypeWithScienceAndCalibrationTogether() {
        MirrorRun run = listed(definition("mag", 1_000_000, null, false, null),
                row(1, "LL", 10), row(2, "SCI", 10), row(3, "CAL", 10), row(4, "LL", 10));

        List<MirrorRun.Batch> batches = run.batches();

        assertThat(batches).hasSize(2);
        assertThat(batches).extracting(MirrorRun.Batch::productType).containsExactlyInAnyOrder("LOW_LATENCY", "SCIENCE");
        MirrorRun.Batch ll = batches.stream().filter(b -> b.productType().equals("LOW_LATENCY")).findFirst().orElseThrow();
        MirrorRun.Batch sci = batches.stream().filter(b -> b.productType().equals("SCIENCE")).findFirst().orElseThrow();
        assertThat(ll.files()).extracting(f -> f.dataType).containsOnly("LL");
        assertThat(names(ll.files())).containsExactly(row(1, "LL", 10).fileName(), row(4, "LL", 10).fileName());
        assertThat(names(sci.files())).containsExactly(row(2, "SCI", 10).fileName(), row(3, "CAL", 10).fileName());
        assertThat(ll.itemIds()).containsExactly(row(1, "LL", 10).itemId(), row(4, "LL", 10).itemId());
    }

    @Test
    void batchesHoldTheOldestArchivedFilesFirst() {
        Row newest = new Row("2024-03-09T00:00:00", "SCI", "a.cdf", 10, "a", "V01");
        Row oldest = new Row("2024-03-01T00:00:00", "SCI", "z.cdf", 10, "z", "V01");
        Row middle = new Row("2024-03-05T00:00:00", "SCI", "m.cdf", 10, "m", "V01");
        MirrorRun run = new MirrorRun(definition("mag", 25, null, false, null), null, FIRED, 100,
                listing -> listing.stream().sorted((x, y) -> y.archivedOn.compareTo(x.archivedOn)).toList());
        run.nextQuery();
        run.take(count(3));
        run.nextQuery();
        run.take(page(oldest, middle, newest));

        List<MirrorRun.Batch> batches = run.batches();

        assertThat(batches).hasSize(2);
        assertThat(names(batches.get(0).files())).containsExactly("z.cdf", "m.cdf");
        assertThat(names(batches.get(1).files())).containsExactly("a.cdf");
    }

    @Test
    void eachBatchStaysUnderTheSizeCap() {
        long cap = 1000;
        List<Row> rows = new ArrayList<>();
        long[] sizes = {400, 300, 300, 1, 999, 500, 500, 700, 200, 100};
        for (int i = 0; i < sizes.length; i++) {
            rows.add(row(i + 1, "SCI", sizes[i]));
        }
        MirrorRun run = listed(definition("mag", cap, null, false, null), rows.toArray(Row[]::new));

        List<MirrorRun.Batch> batches = run.batches();

        assertThat(batches).allSatisfy(b -> {
            assertThat(b.bytes()).isLessThanOrEqualTo(cap);
            assertThat(b.bytes()).isEqualTo(b.files().stream().mapToLong(f -> f.size).sum());
        });
        assertThat(batches.stream().flatMap(b -> b.files().stream()).map(f -> f.fileName))
                .containsExactlyElementsOf(rows.stream().map(Row::fileName).toList());
        // greedy in archive order: [400,300,300] [1,999] [500,500] [700,200,100]
        assertThat(batches).extracting(MirrorRun.Batch::bytes).containsExactly(1000L, 1000L, 1000L, 1000L);
    }

    @Test
    void aFileLargerThanTheCapIsAloneInItsBatch() {
        MirrorRun run = listed(definition("mag", 1000, null, false, null),
                row(1, "SCI", 300), row(2, "SCI", 5000), row(3, "SCI", 300));

        List<MirrorRun.Batch> batches = run.batches();

        assertThat(batches).hasSize(3);
        assertThat(names(batches.get(0).files())).containsExactly(row(1, "SCI", 300).fileName());
        assertThat(names(batches.get(1).files())).containsExactly(row(2, "SCI", 5000).fileName());
        assertThat(batches.get(1).bytes()).isEqualTo(5000);
        assertThat(names(batches.get(2).files())).containsExactly(row(3, "SCI", 300).fileName());
    }

    @Test
    void batchesAreNamedAfterTheMirrorAndTheFireTime() {
        MirrorRun run = listed(definition("mag-l2", 15, null, false, null),
                row(1, "SCI", 10), row(2, "SCI", 10), row(3, "LL", 10));

        assertThat(run.batches()).extracting(MirrorRun.Batch::name)
                .containsExactlyInAnyOrder("mag-l2-20240311-180438-1", "mag-l2-20240311-180438-2", "mag-l2-20240311-180438-3");
        assertThat(run.fireTime()).isEqualTo(FIRED);
    }

    @Test
    void aRunAskedForByHandNamesItsBatchesAfterItsStart() {
        MirrorRun run = new MirrorRun(definition(), null, null, 100, Function.identity());
        run.nextQuery();
        run.take(count(1));
        run.nextQuery();
        run.take(page(row(1, "SCI", 10)));

        List<MirrorRun.Batch> batches = run.batches();

        assertThat(batches).hasSize(1);
        String stamp = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(java.time.ZoneOffset.UTC)
                .format(run.startedAt());
        assertThat(batches.get(0).name()).isEqualTo("mag-" + stamp + "-1");
    }

    // ---- filepaths for mirrors that extract --------------------------------------------------------------

    @Test
    void aMirrorThatExtractsAsksForTheFilepathsOfEachDataTypeInItsRepositoryTable() {
        Row ll = new Row("2024-03-01T00:00:00", "LL", "solo_LL02_mag_O'x.cdf", 10, "ll", "V01");
        Row sci = new Row("2024-03-02T00:00:00", "SCI", "solo_L2_mag.cdf", 10, "sci", "V01");
        Row cal = new Row("2024-03-03T00:00:00", "CAL", "solo_CAL_mag.cdf", 10, "cal", "V01");
        MirrorRun run = listed(definition("mag", 1000, null, true, "/data/mirror"), ll, sci, cal);

        assertThat(run.isListing()).isTrue();
        assertThat(run.batches()).isEmpty();
        assertThat(run.nextQuery()).isEqualTo(
                "SELECT filepath, filename FROM soar.v_ll_repository_file WHERE filename IN ('solo_LL02_mag_O''x.cdf')");
        run.take(paths("LL02/mag/2024/03", "solo_LL02_mag_O'x.cdf"));

        assertThat(run.isListing()).isTrue();
        assertThat(run.nextQuery()).isEqualTo(
                "SELECT filepath, filename FROM soar.v_sc_repository_file WHERE filename IN ('solo_L2_mag.cdf', 'solo_CAL_mag.cdf')");
        run.take(paths("CAL/mag", "solo_CAL_mag.cdf", "L2/mag/2024/03", "solo_L2_mag.cdf"));

        assertThat(run.isListing()).isFalse();
        assertThat(run.nextQuery()).isNull();
        List<MirrorFile> files = run.batches().stream().flatMap(b -> b.files().stream()).toList();
        assertThat(files.stream().collect(Collectors.toMap(f -> f.fileName, f -> f.filepath))).containsOnly(
                org.assertj.core.api.Assertions.entry("solo_LL02_mag_O'x.cdf", "LL02/mag/2024/03"),
                org.assertj.core.api.Assertions.entry("solo_L2_mag.cdf", "L2/mag/2024/03"),
                org.assertj.core.api.Assertions.entry("solo_CAL_mag.cdf", "CAL/mag"));
    }

    @Test
    void filepathsAreAskedForAHundredFilesAtATime() {
        Row[] rows = new Row[MirrorRun.PATHS_PER_QUERY + 5];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new Row(String.format("2024-03-01T00:%02d:%02d", i / 60, i % 60), "SCI", "f" + i + ".cdf", 1, "i" + i, "V01");
        }
        MirrorRun run = listed(definition("mag", 1000, null, true, "/data/mirror"), rows);

        String first = run.nextQuery();
        assertThat(first.split("', '")).hasSize(MirrorRun.PATHS_PER_QUERY);
        String[] answer = new String[2 * MirrorRun.PATHS_PER_QUERY];
        for (int i = 0; i < MirrorRun.PATHS_PER_QUERY; i++) {
            answer[2 * i] = "p";
            answer[2 * i + 1] = "f" + i + ".cdf";
        }
        run.take(paths(answer));

        String second = run.nextQuery();
        assertThat(second).contains("soar.v_sc_repository_file").contains("'f100.cdf'").contains("'f104.cdf'").doesNotContain("'f99.cdf'");
        run.take(paths("q", "f100.cdf", "q", "f101.cdf", "q", "f102.cdf", "q", "f103.cdf", "q", "f104.cdf"));

        assertThat(run.isListing()).isFalse();
        assertThat(run.wanted()).allSatisfy(f -> assertThat(f.filepath).isNotNull());
    }

    @Test
    void aFileMissingFromTheRepositoryAnswerFailsTheRun() {
        MirrorRun run = listed(definition("mag", 1000, null, true, "/data/mirror"),
                new Row("2024-03-01T00:00:00", "SCI", "here.cdf", 10, "here", "V01"),
                new Row("2024-03-02T00:00:00", "SCI", "gone.cdf", 10, "gone", "V01"));
        run.nextQuery();

        assertThatThrownBy(() -> run.take(paths("L2/mag", "here.cdf")))
                .isInstanceOf(TapException.class)
                .hasMessageContaining("gone.cdf");
    }

    @Test
    void aMirrorThatExtractsButLacksNothingAsksForNoFilepaths() {
        MirrorRun run = new MirrorRun(definition("mag", 1000, null, true, "/data/mirror"), null, FIRED, 100, listing -> List.of());
        run.nextQuery();
        run.take(count(1));
        run.nextQuery();
        run.take(page(row(1, "SCI", 10)));

        assertThat(run.isListing()).isFalse();
        assertThat(run.nextQuery()).isNull();
    }

    @Test
    void aMirrorThatDoesNotExtractAsksForNoFilepaths() {
        MirrorRun run = listed(definition(), row(1, "SCI", 10));

        assertThat(run.isListing()).isFalse();
        assertThat(run.nextQuery()).isNull();
        assertThat(run.wanted()).allSatisfy(f -> assertThat(f.filepath).isNull());
    }
}
