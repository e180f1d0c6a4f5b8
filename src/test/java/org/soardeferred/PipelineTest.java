package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.soardeferred.simulator.SoarSimulator;

/** The whole pipeline, real YAML routes and all, against the SOAR simulator: drop a file, get the package. */
class PipelineTest {

    static SoarSimulator soar;
    @TempDir
    Path root;
    RunningService service;

    @BeforeAll
    static void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(64 * 1024).timing(100, 200).start(0);
    }

    @AfterAll
    static void stopSimulator() {
        soar.close();
    }

    @BeforeEach
    void startService() {
        soar.replyToData(null).resultsPerJob(1).resultHost(null).requireSessionForJobs(true);
        service = RunningService.start(root, soar.baseUrl(), Map.of());
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ids.ids         | solo_L2_epd-ept-north-rates_20200820\\n# a comment\\n\\nsolo_L2_epd-ept-south-rates_20200820, solo_L2_mag-rtn-normal_20200820
            list.txt        | solo_L2_swa-pas-grnd-mom_20210101
            query.adql      | SELECT filepath,filename\\nFROM soar.v_sc_repository_file\\nWHERE filename='solo_L2_epd-sis-a-rates-slow_20200615_V05.cdf'
            props.properties| data_item_id=solo_LL02_swa-pas-mom_20240306T000320-20240306T192316\\nproduct_type=LOW_LATENCY\\nretrieval_type=LAST_PRODUCT
            """)
    void eachQueryFileFormatYieldsTheExactPackageAndAManifest(String fileName, String content) {
        String name = fileName.substring(0, fileName.indexOf('.'));
        service.drop(fileName, content.replace("\\n", "\n"));

        JsonNode manifest = service.awaitManifest(name);

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        String jobId = manifest.path("jobId").asText();
        Path pkg = service.outbox.resolve(name + ".tar.gz");
        String served = soar.packageSha256(jobId).values().iterator().next();
        assertThat(RunningService.sha256(pkg)).isEqualTo(served);
        JsonNode result = manifest.path("results").get(0);
        assertThat(result.path("sha256").asText()).isEqualTo(served);
        assertThat(result.path("file").asText()).isEqualTo(name + ".tar.gz");
        assertThat(result.path("bytes").asLong()).isEqualTo(result.path("size").asLong()).isEqualTo(fileSize(pkg));
        assertThat(manifest.path("jobUrl").asText()).isEqualTo(soar.baseUrl() + "/tap/async/" + jobId);
        assertThat(phases(manifest)).endsWith("COMPLETED").contains("EXECUTING");
        assertThat(service.inbox.resolve(".done/" + fileName)).exists();
        assertThat(service.outbox).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void theRequestReachesSoarWithTheRightParametersCorrectlyEncoded() {
        service.drop("q.properties", "query=SELECT filepath,filename FROM soar.v_sc_repository_file WHERE filename='a+b_V01.cdf'\n"
                + "product_type=science\n");
        service.awaitManifest("q");

        SoarSimulator.SeenRequest data = soar.requests().stream().filter(r -> r.path().equals("/data"))
                .reduce((a, b) -> b).orElseThrow();
        assertThat(data.query()).isEqualTo("RETRIEVAL_TYPE=PRODUCT&RETRIEVAL_ACCESS=DEFERRED&PRODUCT_TYPE=SCIENCE&QUERY="
                + "SELECT%20filepath%2Cfilename%20FROM%20soar.v_sc_repository_file%20WHERE%20filename%3D%27a%2Bb_V01.cdf%27");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "solo_L2_sim_error_20200101, ERROR, Simulated failure: the package for solo_L2_sim_error_20200101_V01.cdf could not be assembled",
            "solo_L2_sim_abort_20200101, ABORTED, Job aborted by the user or the archive"})
    void errorAndAbortedJobsEndInTheErrorFolderWithTheServersMessage(String id, String phase, String message) throws IOException {
        service.drop("failing.ids", id);

        JsonNode manifest = service.awaitManifest("failing");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("phase").asText()).isEqualTo(phase);
        assertThat(manifest.path("error").asText()).contains("ended in " + phase).contains(message);
        assertThat(service.inbox.resolve(".error/failing.ids")).exists();
        assertThat(Files.readString(service.inbox.resolve(".error/failing.error.txt"))).contains(message);
        assertThat(service.outbox.resolve("failing.tar.gz")).doesNotExist();
    }

    @Test
    void malformedFilesAreRejectedWithAReasonAndTheServiceGoesOnWithTheNextFile() throws IOException {
        long submitsBefore = soar.submits();
        Map<String, byte[]> bad = Map.of(
                "empty.ids", new byte[0],
                "blank.txt", "  \n# only a comment\n".getBytes(StandardCharsets.UTF_8),
                "binary.ids", new byte[] {'a', 0, 'b'},
                "both.properties", "data_item_id=a\nquery=SELECT 1\n".getBytes(StandardCharsets.UTF_8),
                "neither.properties", "product_type=SCIENCE\n".getBytes(StandardCharsets.UTF_8),
                "typo.properties", "data_item_ids=a\n".getBytes(StandardCharsets.UTF_8),
                "huge.ids", ("a\n".repeat(600_000)).getBytes(StandardCharsets.UTF_8),
                "notsql.adql", "DROP TABLE soar\n".getBytes(StandardCharsets.UTF_8),
                "badid.ids", "solo L2 with spaces\n".getBytes(StandardCharsets.UTF_8));
        bad.forEach(service::drop);
        service.drop("good.ids", "solo_L2_epd-ept-north-rates_20200820");

        assertThat(service.awaitManifest("good").path("status").asText()).isEqualTo("DELIVERED");
        Map<String, String> reasons = Map.of(
                "empty", "empty", "blank", "no data item ids", "binary", "binary", "both", "both",
                "neither", "neither", "typo", "unknown key 'data_item_ids'", "huge", "at most",
                "notsql", "must start with SELECT", "badid", "is not a SOAR data item id");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (var e : reasons.entrySet()) {
                assertThat(service.inbox.resolve(".error/" + e.getKey() + ".error.txt")).exists();
            }
        });
        for (var e : reasons.entrySet()) {
            String fileName = bad.keySet().stream().filter(f -> f.startsWith(e.getKey() + ".")).findFirst().orElseThrow();
            assertThat(service.inbox.resolve(".error/" + fileName)).exists();
            assertThat(Files.readString(service.inbox.resolve(".error/" + e.getKey() + ".error.txt")))
                    .startsWith(fileName + " was not processed: ").contains(e.getValue());
        }
        assertThat(soar.submits() - submitsBefore).isEqualTo(1);
    }

    @Test
    void aReplyThatIsNotAUwsJobIsAClearErrorQuotingWhatCameBack() throws IOException {
        soar.replyToData("<html><body><h1>SOAR is under maintenance until 14:00</h1></body></html>");
        service.drop("html.ids", "solo_L2_epd-ept-north-rates_20200820");
        JsonNode html = service.awaitManifest("html");
        soar.replyToData("<?xml version=\"1.0\"?><VOTABLE xmlns=\"http://www.ivoa.net/xml/VOTable/v1.3\"><RESOURCE>"
                + "<INFO name=\"QUERY_STATUS\" value=\"ERROR\">Column 'filepath' not found</INFO></RESOURCE></VOTABLE>");
        service.drop("votable.ids", "solo_L2_epd-ept-north-rates_20200820");
        JsonNode votable = service.awaitManifest("votable");

        assertThat(html.path("status").asText()).isEqualTo("FAILED");
        assertThat(html.path("error").asText()).contains("HTML page").contains("SOAR is under maintenance until 14:00");
        assertThat(Files.readString(service.inbox.resolve(".error/html.error.txt"))).contains("under maintenance");
        assertThat(votable.path("error").asText()).contains("VOTable error").contains("Column 'filepath' not found");
    }

    @Test
    void theSessionCookieGoesWithEveryCallToSoarAndTheCredentialsNowhereElse() throws IOException {
        service.drop("cookie.ids", "solo_L2_epd-ept-north-rates_20200820");
        JsonNode manifest = service.awaitManifest("cookie");
        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");

        String job = manifest.path("jobId").asText();
        List<SoarSimulator.SeenRequest> calls = soar.requests().stream()
                .filter(r -> r.path().equals("/data") && r.query().contains("rates_20200820") || r.path().contains(job)).toList();
        assertThat(calls).hasSizeGreaterThanOrEqualTo(3);
        assertThat(calls).allSatisfy(r -> assertThat(r.cookie()).startsWith("SESSION="));
        assertNoFileContains(root, "s3cret-Pa55");
    }

    @Test
    void aServerThatDeclaresUws11IsPolledWithWaitAndThePhaseLastSeen() {
        service.close();
        service = RunningService.start(root, soar.baseUrl(), Map.of("soar.poll.delay", "2s", "soar.poll.max-delay", "3s"));
        soar.uws11(true).timing(100, 4000);
        try {
            service.drop("wait.ids", "solo_L2_epd-ept-north-rates_20200820");

            JsonNode manifest = service.awaitManifest("wait");

            assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
            String job = manifest.path("jobId").asText();
            var polls = soar.requests().stream().filter(r -> r.method().equals("GET") && r.path().endsWith(job)).toList();
            // the first poll learns that the server speaks UWS 1.1; the next ones let the server wait
            assertThat(polls).hasSizeGreaterThanOrEqualTo(2);
            assertThat(polls.get(0).query()).isNull();
            assertThat(polls.subList(1, polls.size())).allSatisfy(r -> assertThat(r.query()).matches("WAIT=[1-9]&PHASE=EXECUTING"));
        } finally {
            soar.uws11(false).timing(100, 200);
        }
    }

    @Test
    void aResultOnAnotherHostIsFetchedWithoutTheSessionCookie() {
        soar.resultHost("localhost").requireSessionForJobs(false);
        service.drop("foreign.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("foreign");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        assertThat(manifest.path("results").get(0).path("href").asText()).startsWith("http://localhost:");
        String job = manifest.path("jobId").asText();
        var downloads = soar.requests().stream().filter(r -> r.path().contains(job + "/results/")).toList();
        var polls = soar.requests().stream().filter(r -> r.path().endsWith(job)).toList();
        assertThat(downloads).isNotEmpty().allSatisfy(r -> assertThat(r.cookie()).isNull());
        assertThat(polls).isNotEmpty().allSatisfy(r -> assertThat(r.cookie()).startsWith("SESSION="));
    }

    @Test
    void aResultOnAHostThatIsNotAllowedIsNotFetched() {
        service.close();
        service = RunningService.start(root, soar.baseUrl(), Map.of("soar.result.allowed-hosts", "archive.example.org"));
        soar.resultHost("localhost").requireSessionForJobs(false);
        long downloadsBefore = soar.requests().stream().filter(r -> r.path().contains("/results/")).count();
        service.drop("elsewhere.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("elsewhere");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("is on localhost, which is not SOAR's host nor listed in soar.result.allowed-hosts");
        assertThat(soar.requests().stream().filter(r -> r.path().contains("/results/")).count()).isEqualTo(downloadsBefore);
    }

    @Test
    void aJobWithSeveralResultsGivesOnePackagePerResultNamedByResultId() {
        soar.resultsPerJob(3);
        service.drop("multi.ids", "solo_a_1,solo_b_2,solo_c_3,solo_d_4");

        JsonNode manifest = service.awaitManifest("multi");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        Map<String, String> served = soar.packageSha256(manifest.path("jobId").asText());
        assertThat(manifest.path("results")).hasSize(3);
        for (JsonNode r : manifest.path("results")) {
            String id = r.path("id").asText();
            Path file = service.outbox.resolve("multi-" + id + ".tar.gz");
            assertThat(r.path("file").asText()).isEqualTo(file.getFileName().toString());
            assertThat(RunningService.sha256(file)).isEqualTo(served.get(id)).isEqualTo(r.path("sha256").asText());
        }
    }

    @Test
    void fiveFilesDroppedTogetherAreProcessedConcurrently() {
        soar.timing(100, 1500);
        try {
            for (int i = 1; i <= 5; i++) {
                service.drop("five" + i + ".ids", "solo_L2_five_2020010" + i);
            }
            List<Instant> submitted = new ArrayList<>();
            List<Instant> completed = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                JsonNode m = service.awaitManifest("five" + i);
                assertThat(m.path("status").asText()).isEqualTo("DELIVERED");
                JsonNode history = m.path("phaseHistory");
                submitted.add(Instant.parse(history.get(0).path("at").asText()));
                completed.add(Instant.parse(history.get(history.size() - 1).path("at").asText()));
            }
            // every job was with SOAR before the first one completed: none waited for another
            assertThat(submitted.stream().max(Instant::compareTo).orElseThrow())
                    .isBefore(completed.stream().min(Instant::compareTo).orElseThrow());
        } finally {
            soar.timing(100, 200);
        }
    }

    @Test
    void aSecondFileWithTheSameNameDoesNotOverwriteTheFirstPackage() {
        service.drop("same.ids", "solo_L2_first_20200101");
        JsonNode first = service.awaitManifest("same");
        service.drop("same.ids", "solo_L2_second_20200101");
        JsonNode second = service.awaitManifest("same-2");

        assertThat(first.path("results").get(0).path("file").asText()).isEqualTo("same.tar.gz");
        assertThat(second.path("results").get(0).path("file").asText()).isEqualTo("same-2.tar.gz");
        assertThat(service.inbox.resolve(".done/same.ids")).exists();
        assertThat(service.inbox.resolve(".done/same-2.ids")).exists();
    }

    /** Not in any file: manifests, error notes, the job store's database, downloads. */
    private static void assertNoFileContains(Path dir, String secret) throws IOException {
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        try (var files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (int i = 0; i + needle.length <= bytes.length; i++) {
                    assertThat(java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length))
                            .as("%s contains the password", f).isFalse();
                }
            }
        }
    }

    private static List<String> phases(JsonNode manifest) {
        List<String> out = new ArrayList<>();
        manifest.path("phaseHistory").forEach(p -> out.add(p.path("phase").asText()));
        return out;
    }

    private static long fileSize(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
