package org.soardeferred.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The simulator's archive catalogue, its synchronous TAP endpoint and the DEFERRED packages made from it. */
class SimulatorTapSyncTest {

    private static final String MAG_0827 = "solo_L2_mag-rtn-burst_20210827";
    private static final String MAG_0922 = "solo_L2_mag-rtn-burst_20210922";
    private static final String SWA_L1 = "solo_L1_swa-pas-3d_20240201";
    private static final String SWA_LL = "solo_LL02_swa-pas-mom_20240306T000320-20240306T192316";
    private static final String EPD_CAL = "solo_CAL_epd-sis-b-rates_20200401";
    private static final List<String> PUBLIC_FILES_COLUMNS = List.of("archived_on", "begin_time", "data_type",
            "file_name", "file_size", "instrument", "item_id", "item_version", "processing_level");

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private SoarSimulator simulator;

    @BeforeEach
    void start() {
        simulator = new SoarSimulator().user("u", "p").timing(0, 0).itemBytes(700).start(0).archive(
                ArchivedFile.of(MAG_0827, "V02", 1000, "2024-03-10T10:00:00.000"),
                ArchivedFile.of(MAG_0827, "V03", 1500, "2024-03-11T18:04:38.139"),
                ArchivedFile.of(MAG_0922, "V01", 2000, "2024-03-11T18:05:17.023"),
                ArchivedFile.of(SWA_L1, "V01", 3000, "2024-05-24T09:11:15.976"),
                ArchivedFile.of(SWA_LL, "V01", 400, "2024-03-07T09:45:47.133"),
                ArchivedFile.of(EPD_CAL, "V07", 12794, "2025-01-20T10:44:39.187231"));
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    // ------------------------------------------------------------------ catalogue

    @Test
    void archivedFileOfDerivesSoarsColumnsFromTheItemId() {
        ArchivedFile mag = ArchivedFile.of(MAG_0827, "V03", 84521538, "2024-03-11T18:04:38.139");
        assertThat(mag).isEqualTo(new ArchivedFile("solo_L2_mag-rtn-burst_20210827_V03.cdf", MAG_0827, "V03", "MAG",
                "L2", "SCI", 84521538, "2024-03-11T18:04:38.139", "2021-08-27T00:00:00.0", "sci/MAG/L2/2021/08/27"));

        ArchivedFile ll = ArchivedFile.of(SWA_LL, "V01", 3865069, "2024-03-07T09:45:47.133");
        assertThat(ll.dataType()).isEqualTo("LL");
        assertThat(ll.processingLevel()).isEqualTo("LL02");
        assertThat(ll.instrument()).isEqualTo("SWA");
        assertThat(ll.beginTime()).isEqualTo("2024-03-06T00:03:20.0");
        assertThat(ll.filepath()).isEqualTo("ll/SWA/LL02/2024/03/06");

        ArchivedFile undated = ArchivedFile.of("solo_L0_epd-sis-ll_0760320000-0760406399", "V02", 31270, "2024-05-13T13:15:55.613");
        assertThat(undated.beginTime()).isEqualTo("2024-05-13T13:15:55.613");
        assertThat(undated.filepath()).isEqualTo("sci/EPD/L0/2024/05/13");
    }

    @Test
    void calibrationFilesAreCalWithoutProcessingLevelAsInSoar() {
        ArchivedFile cal = ArchivedFile.of(EPD_CAL, "V07", 12794, "2025-01-20T10:44:39.187231");
        assertThat(cal.dataType()).isEqualTo("CAL");
        assertThat(cal.processingLevel()).isNull();
        assertThat(cal.filepath()).isEqualTo("cal/EPD/CAL/2020/04/01");
    }

    @Test
    void archivingTheSameFileNameAgainReplacesItsRow() {
        simulator.archive(ArchivedFile.of(MAG_0827, "V03", 1600, "2024-04-01T00:00:00.000"));

        assertThat(simulator.catalogue()).hasSize(6)
                .filteredOn(f -> f.fileName().equals(MAG_0827 + "_V03.cdf"))
                .singleElement().satisfies(f -> {
                    assertThat(f.fileSize()).isEqualTo(1600);
                    assertThat(f.archivedOn()).isEqualTo("2024-04-01T00:00:00.000");
                });
    }

    // ------------------------------------------------------------------ /tap/sync

    @Test
    void jsonListsPublicFilesWithSoarsMetadataFilteredOrderedAndCutByTop() throws Exception {
        JsonNode result = syncJson("SELECT TOP 2 * FROM v_public_files WHERE instrument = 'MAG' ORDER BY archived_on DESC");

        assertThat(result.get("metadata")).extracting(m -> m.get("name").asText()).containsExactlyElementsOf(PUBLIC_FILES_COLUMNS);
        List<String> fields = new ArrayList<>();
        result.get("metadata").get(0).fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("name", "datatype", "xtype", "arraysize", "description", "unit", "ucd", "utype");
        assertThat(result.get("metadata").get(4).get("datatype").asText()).isEqualTo("long");
        assertThat(result.get("metadata").get(3).get("datatype").asText()).isEqualTo("char");

        JsonNode data = result.get("data");
        assertThat(data).hasSize(2);
        assertThat(data.get(0).get(3).asText()).isEqualTo(MAG_0922 + "_V01.cdf");
        assertThat(data.get(1).get(3).asText()).isEqualTo(MAG_0827 + "_V03.cdf");
        assertThat(data.get(1).get(4).isIntegralNumber()).isTrue();
        assertThat(data.get(1).get(4).asLong()).isEqualTo(1500);
        assertThat(data.get(1)).extracting(JsonNode::asText).containsExactly("2024-03-11T18:04:38.139",
                "2021-08-27T00:00:00.0", "SCI", MAG_0827 + "_V03.cdf", "1500", "MAG", MAG_0827, "V03", "L2");
    }

    @Test
    void jsonWritesMissingValuesAsNull() throws Exception {
        JsonNode data = syncJson("select processing_level from SOAR.V_PUBLIC_FILES where DATA_TYPE = 'CAL'").get("data");

        assertThat(data).hasSize(1);
        assertThat(data.get(0).get(0).isNull()).isTrue();
    }

    @Test
    void whereComparesLongColumnsNumericallyAndArchivedOnAsText() throws Exception {
        simulator.archive(ArchivedFile.of("solo_L2_mag-srf-normal_20210827", "V01", 999_999, "2024-06-01T00:00:00.000"));

        JsonNode data = syncJson("SELECT file_size FROM v_public_files WHERE file_size > 2500 AND archived_on >= '2024-05-01' "
                + "ORDER BY file_size").get("data");

        assertThat(data).extracting(r -> r.get(0).asLong()).containsExactly(3000L, 12794L, 999_999L);
    }

    @Test
    void csvHasAHeaderLineAndQuotesFieldsThatNeedIt() throws Exception {
        simulator.archive(new ArchivedFile("odd,\"name\".cdf", "odd", "V01", "MAG", "L2", "SCI", 5,
                "2024-01-01T00:00:00.0", "2024-01-01T00:00:00.0", "sci/MAG/L2/2024/01/01"));

        HttpResponse<String> reply = sync("SELECT file_name, file_size FROM v_public_files "
                + "WHERE (instrument = 'MAG' OR instrument = 'SWA') AND file_size <= 1500 ORDER BY file_size DESC", "csv");

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue("text/csv");
        assertThat(reply.body()).isEqualTo("file_name,file_size\r\n"
                + MAG_0827 + "_V03.cdf,1500\r\n"
                + MAG_0827 + "_V02.cdf,1000\r\n"
                + SWA_LL + "_V01.cdf,400\r\n"
                + "\"odd,\"\"name\"\".cdf\",5\r\n");
    }

    @Test
    void countStarAnswersOneRowNamedCount() throws Exception {
        JsonNode result = syncJson("SELECT COUNT(*) FROM v_public_files WHERE data_type = 'SCI'");

        assertThat(result.get("metadata")).singleElement().satisfies(m -> {
            assertThat(m.get("name").asText()).isEqualTo("count");
            assertThat(m.get("datatype").asText()).isEqualTo("long");
        });
        assertThat(result.get("data")).hasSize(1);
        assertThat(result.get("data").get(0).get(0).asLong()).isEqualTo(4);
    }

    @Test
    void constantConditionsSelectEveryRowOrNone() throws Exception {
        assertThat(syncJson("SELECT COUNT(*) FROM v_public_files WHERE 1=1").get("data").get(0).get(0).asLong()).isEqualTo(6);
        assertThat(syncJson("SELECT COUNT(*) FROM v_public_files WHERE 10 < 9 OR 'a' = 'b'").get("data").get(0).get(0).asLong())
                .isZero();
    }

    @Test
    void inListsAndLikePatternsSelectRows() throws Exception {
        JsonNode in = syncJson("SELECT file_name FROM v_public_files WHERE item_id IN ('" + MAG_0827 + "', '" + SWA_L1
                + "') AND item_version != 'V02' ORDER BY file_name").get("data");
        assertThat(in).extracting(r -> r.get(0).asText()).containsExactly(SWA_L1 + "_V01.cdf", MAG_0827 + "_V03.cdf");

        JsonNode like = syncJson("SELECT file_name FROM v_public_files WHERE file_name LIKE 'solo_L_%' "
                + "AND file_name NOT LIKE '%mag%' AND file_name NOT LIKE '%LL%' AND begin_time IS NOT NULL").get("data");
        assertThat(like).extracting(r -> r.get(0).asText()).containsExactly(SWA_L1 + "_V01.cdf");

        JsonNode caseSensitive = syncJson("SELECT file_name FROM v_public_files WHERE file_name LIKE '%MAG%'").get("data");
        assertThat(caseSensitive).isEmpty();
    }

    @Test
    void repositoryTablesListTheFilepathsOfTheirDataTypes() throws Exception {
        JsonNode sc = syncJson("SELECT filepath, filename, filesize FROM soar.v_sc_repository_file ORDER BY filename");
        assertThat(sc.get("metadata")).extracting(m -> m.get("name").asText()).containsExactly("filepath", "filename", "filesize");
        assertThat(sc.get("data")).extracting(r -> r.get(0).asText() + "/" + r.get(1).asText()).containsExactly(
                "cal/EPD/CAL/2020/04/01/" + EPD_CAL + "_V07.cdf",
                "sci/SWA/L1/2024/02/01/" + SWA_L1 + "_V01.cdf",
                "sci/MAG/L2/2021/08/27/" + MAG_0827 + "_V02.cdf",
                "sci/MAG/L2/2021/08/27/" + MAG_0827 + "_V03.cdf",
                "sci/MAG/L2/2021/09/22/" + MAG_0922 + "_V01.cdf");

        JsonNode ll = syncJson("SELECT * FROM v_ll_repository_file");
        assertThat(ll.get("metadata")).extracting(m -> m.get("name").asText())
                .containsExactly("filepath", "filename", "data_item_id", "item_version", "filesize");
        assertThat(ll.get("data")).hasSize(1);
        assertThat(ll.get("data").get(0)).extracting(JsonNode::asText).containsExactly("ll/SWA/LL02/2024/03/06", SWA_LL + "_V01.cdf", SWA_LL, "V01", "400");
    }

    @Test
    void maxrecLimitsTheRows() throws Exception {
        HttpResponse<String> reply = get("/tap/sync?REQUEST=doQuery&LANG=ADQL&FORMAT=json&MAXREC=2&QUERY="
                + encode("SELECT * FROM v_public_files ORDER BY archived_on"));

        JsonNode data = json.readTree(reply.body()).get("data");
        assertThat(data).extracting(r -> r.get(0).asText()).containsExactly("2024-03-07T09:45:47.133", "2024-03-10T10:00:00.000");
    }

    @Test
    void postedFormsWithAnyCaseOfParameterNamesAreAnswered() throws Exception {
        HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/tap/sync"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("request=doQuery&Lang=ADQL&format=csv&query="
                                + encode("SELECT COUNT(*) FROM v_ll_repository_file"))).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).isEqualTo("count\r\n1\r\n");
        assertThat(simulator.count("POST", "/tap/sync")).isEqualTo(1);
    }

    @Test
    void votableIsTheDefaultFormat() throws Exception {
        HttpResponse<String> reply = get("/tap/sync?REQUEST=doQuery&LANG=ADQL&QUERY="
                + encode("SELECT item_id, file_size FROM v_public_files WHERE data_type = 'LL'"));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(reply.body()).contains("<INFO name=\"QUERY_STATUS\" value=\"OK\"/>",
                "<FIELD name=\"file_size\" datatype=\"long\"/>", "<TR><TD>" + SWA_LL + "</TD><TD>400</TD></TR>");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "SELECT * FROM v_no_such_table",
            "SELECT no_such_column FROM v_public_files",
            "SELECT * FROM v_public_files ORDER BY no_such_column",
            "SELECT * FROM v_public_files WHERE file_size = 'big'",
            "SELECT * FROM v_public_files WHERE instrument = 5",
            "SELECT instrument, COUNT(*) FROM v_public_files GROUP BY instrument",
            "SELECT * FROM v_public_files WHERE instrument = 'MAG",
            "SELECT * FROM v_public_files LIMIT 5",
            "SELECT * FROM other.v_public_files",
            "DELETE FROM v_public_files"})
    void queriesOutsideTheSubsetAnswer400WithAVoTableError(String query) throws Exception {
        HttpResponse<String> reply = sync(query, "json");

        assertThat(reply.statusCode()).isEqualTo(400);
        assertThat(reply.body()).contains("<VOTABLE", "<RESOURCE type=\"results\">", "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">");
    }

    @Test
    void badParametersAnswer400() throws Exception {
        assertThat(get("/tap/sync?REQUEST=doQuery&LANG=ADQL&FORMAT=fits&QUERY=" + encode("SELECT * FROM v_public_files"))
                .statusCode()).isEqualTo(400);
        assertThat(get("/tap/sync?REQUEST=doQuery&LANG=ADQL&FORMAT=json").statusCode()).isEqualTo(400);
        assertThat(get("/tap/sync?REQUEST=doQuery&LANG=ADQL&MAXREC=-1&QUERY=" + encode("SELECT * FROM v_public_files"))
                .statusCode()).isEqualTo(400);
    }

    @Test
    void truncateSyncCutsListingsSilentlyButNotCountsUntilHealthy() throws Exception {
        simulator.truncateSync(2);

        HttpResponse<String> cut = sync("SELECT * FROM v_public_files", "json");
        assertThat(cut.statusCode()).isEqualTo(200);
        assertThat(json.readTree(cut.body()).get("data")).hasSize(2);
        assertThat(syncJson("SELECT COUNT(*) FROM v_public_files").get("data").get(0).get(0).asLong()).isEqualTo(6);

        simulator.healthy();
        assertThat(syncJson("SELECT * FROM v_public_files").get("data")).hasSize(6);
    }

    @Test
    void syncReplyAnswersEveryRequestWithItsBodyAndStatus200() throws Exception {
        simulator.syncReply("<html><body>SOAR is under maintenance</body></html>");

        HttpResponse<String> page = sync("SELECT * FROM v_public_files", "json");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html");
        assertThat(page.body()).contains("maintenance");

        String error = "<VOTABLE><RESOURCE type=\"results\"><INFO name=\"QUERY_STATUS\" value=\"ERROR\">timeout</INFO></RESOURCE></VOTABLE>";
        simulator.syncReply(error);
        HttpResponse<String> voTable = sync("no ADQL at all", "csv");
        assertThat(voTable.statusCode()).isEqualTo(200);
        assertThat(voTable.headers().firstValue("Content-Type")).hasValue("text/xml");
        assertThat(voTable.body()).isEqualTo(error);

        simulator.healthy();
        assertThat(sync("SELECT * FROM v_public_files", "json").body()).startsWith("{");
    }

    @Test
    void failingTheSyncStepAnswersItsStatusThenServesAgain() throws Exception {
        simulator.fail("sync", 1, 503);

        assertThat(sync("SELECT * FROM v_public_files", "json").statusCode()).isEqualTo(503);
        assertThat(sync("SELECT * FROM v_public_files", "json").statusCode()).isEqualTo(200);
        assertThat(simulator.count("GET", "/tap/sync")).isEqualTo(2);
        assertThat(simulator.submits()).isZero();
    }

    // ------------------------------------------------------------------ DEFERRED packages from the catalogue

    @Test
    void productPackagesHoldTheLatestCatalogueVersionAndDefaultFilesForUnknownItems() throws Exception {
        Map<String, Long> files = deferredPackage("RETRIEVAL_TYPE=PRODUCT&data_item_id="
                + MAG_0827 + "," + "solo_L2_epd-ept-north-rates_20200820" + "," + SWA_LL);

        assertThat(files).containsExactly(
                Map.entry(MAG_0827 + "_V03.cdf", 1500L),
                Map.entry("solo_L2_epd-ept-north-rates_20200820_V01.cdf", 700L),
                Map.entry(SWA_LL + "_V01.cdf", 400L));
    }

    @Test
    void allProductsPackagesHoldEveryCatalogueVersion() throws Exception {
        Map<String, Long> files = deferredPackage("RETRIEVAL_TYPE=ALL_PRODUCTS&data_item_id=" + MAG_0827);

        assertThat(files).containsExactly(Map.entry(MAG_0827 + "_V02.cdf", 1000L), Map.entry(MAG_0827 + "_V03.cdf", 1500L));
    }

    @Test
    void queriedFileNamesFromTheCatalogueKeepTheirVersionAndSize() throws Exception {
        Map<String, Long> files = deferredPackage("RETRIEVAL_TYPE=PRODUCT&QUERY=" + encode(
                "SELECT filepath,filename FROM soar.v_sc_repository_file WHERE filename IN ('" + MAG_0827 + "_V02.cdf', "
                        + "'solo_L2_epd-sis-a-rates-slow_20200615_V05.cdf')"));

        assertThat(files).containsExactly(Map.entry(MAG_0827 + "_V02.cdf", 1000L),
                Map.entry("solo_L2_epd-sis-a-rates-slow_20200615_V05.cdf", 700L));
    }

    // ------------------------------------------------------------------ helpers

    private JsonNode syncJson(String query) throws Exception {
        HttpResponse<String> reply = sync(query, "json");
        assertThat(reply.statusCode()).as(reply.body()).isEqualTo(200);
        assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
        return json.readTree(reply.body());
    }

    private HttpResponse<String> sync(String query, String format) throws Exception {
        return get("/tap/sync?REQUEST=doQuery&LANG=ADQL&FORMAT=" + format + "&QUERY=" + encode(query));
    }

    private HttpResponse<String> get(String pathAndQuery) throws Exception {
        return send(simulator.baseUrl() + pathAndQuery, null);
    }

    private HttpResponse<String> send(String url, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Logs in, submits a DEFERRED request, waits for COMPLETED and returns the package's entries (name → size). */
    private Map<String, Long> deferredPackage(String parameters) throws Exception {
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("username=u&password=p")).build(), HttpResponse.BodyHandlers.ofString());
        String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];

        String job = send(simulator.baseUrl() + "/data?RETRIEVAL_ACCESS=DEFERRED&PRODUCT_TYPE=SCIENCE&" + parameters, cookie).body();
        String jobUrl = simulator.baseUrl() + "/tap/async/" + between(job, "<uws:jobId><![CDATA[", "]]>");
        String completed = await().atMost(Duration.ofSeconds(10))
                .until(() -> send(jobUrl, cookie).body(), body -> body.contains("<uws:phase>COMPLETED</uws:phase>"));

        byte[] tarGz = http.send(HttpRequest.newBuilder(URI.create(between(completed, "xlink:href=\"", "\"")))
                .header("Cookie", cookie).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
        return tarEntries(tarGz);
    }

    private static Map<String, Long> tarEntries(byte[] tarGz) throws IOException {
        Map<String, Long> entries = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(tarGz))) {
            while (true) {
                byte[] header = in.readNBytes(512);
                if (header.length < 512 || header[0] == 0) {
                    return entries;
                }
                int nameEnd = 0;
                while (nameEnd < 100 && header[nameEnd] != 0) {
                    nameEnd++;
                }
                String name = new String(header, 0, nameEnd, StandardCharsets.UTF_8);
                long size = Long.parseLong(new String(header, 124, 11, StandardCharsets.US_ASCII).trim(), 8);
                entries.put(name, size);
                in.skipNBytes((size + 511) / 512 * 512);
            }
        }
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from)).strip();
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
