package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.mirror.MirrorFile;
import org.soardeferred.mirror.Mirrors;
import org.soardeferred.simulator.ArchivedFile;
import org.soardeferred.simulator.SoarSimulator;

/**
 * Mirrors (config/mirrors.yaml) against the simulator's tap/sync and /data: the real routes list what SOAR archived
 * since the watermark, ask for what is missing in packages under the size cap, and record what arrived.
 */
class MirrorTest {

    @TempDir
    Path root;
    SoarSimulator soar;
    RunningService service;

    @BeforeEach
    void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(50, 100).start(0);
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        soar.close();
    }

    private void start(String mirrorsYaml, Map<String, String> extra) throws IOException {
        Path file = Files.writeString(root.resolve("mirrors.yaml"), mirrorsYaml);
        Map<String, String> p = new LinkedHashMap<>();
        p.put("soar.mirrors", file.toString());
        p.put("soar.retry.max-attempts", "2");
        p.put("soar.retry.delay", "50ms");
        p.put("soar.retry.max-delay", "100ms");
        p.putAll(extra);
        service = RunningService.start(root, soar.baseUrl(), p);
    }

    private Mirrors mirrors() {
        return service.context().getRegistry().lookupByNameAndType("mirrors", Mirrors.class);
    }

    /** One run, as the schedule would start it; returns once it has listed and asked. */
    private void run(String mirror) {
        service.context().createProducerTemplate().requestBody("direct:mirror-run", mirror);
    }

    private void awaitSettled(String mirror) {
        await().atMost(Duration.ofSeconds(60)).until(() -> mirrors().index().counts(mirror).get(MirrorFile.Status.WANTED) == 0);
    }

    private static ArchivedFile file(String itemId, String version, long size, String archivedOn) {
        return ArchivedFile.of(itemId, version, size, archivedOn);
    }

    /** The data item ids of each DEFERRED request the simulator received, in order. */
    private List<List<String>> requestedIds() {
        List<List<String>> out = new ArrayList<>();
        for (var r : soar.requests()) {
            if (r.path().endsWith("/data")) {
                for (String kv : r.query().split("&")) {
                    if (kv.toLowerCase().startsWith("data_item_id=")) {
                        out.add(List.of(URLDecoder.decode(kv.substring(13), StandardCharsets.UTF_8).split(",")));
                    }
                }
            }
        }
        return out;
    }

    private static final String MAG_L2 = """
            mirrors:
              - name: mag
                instrument: MAG
                level: L2
                target: %s
                package-size-cap: %s
            """;

    @Test
    void aMirrorBringsItsSelectionUpToDateAndASecondRunTransfersNothing() throws Exception {
        Path target = root.resolve("mag-mirror");
        soar.archive(file("solo_L2_mag-rtn-normal_20240101", "V01", 10_000, "2024-03-01T10:00:00.000"),
                file("solo_L2_mag-rtn-normal_20240102", "V01", 11_000, "2024-03-01T10:00:01.000"),
                file("solo_L2_mag-rtn-normal_20240102", "V02", 11_500, "2024-03-05T10:00:00.000"),
                file("solo_L2_mag-rtn-burst_20240103", "V01", 12_000, "2024-03-02T10:00:00.000"),
                // not selected: another instrument, another level
                file("solo_L2_swa-pas-grnd-mom_20240101", "V01", 13_000, "2024-03-01T11:00:00.000"),
                file("solo_L1_mag-ibs_20240101", "V01", 14_000, "2024-03-01T12:00:00.000"));
        start(MAG_L2.formatted(target, "10GB"), Map.of());

        run("mag");
        awaitSettled("mag");

        assertThat(mirrors().index().files("mag", MirrorFile.Status.PRESENT)).extracting(f -> f.fileName).containsExactlyInAnyOrder(
                "solo_L2_mag-rtn-normal_20240101_V01.cdf", "solo_L2_mag-rtn-normal_20240102_V02.cdf",
                "solo_L2_mag-rtn-burst_20240103_V01.cdf");
        assertThat(requestedIds()).containsExactly(List.of("solo_L2_mag-rtn-normal_20240101", "solo_L2_mag-rtn-burst_20240103",
                "solo_L2_mag-rtn-normal_20240102"));
        try (Stream<Path> files = Files.list(target)) {
            assertThat(files.map(f -> f.getFileName().toString())).anyMatch(n -> n.startsWith("mag-") && n.endsWith(".tar.gz"))
                    .anyMatch(n -> n.startsWith("mag-") && n.endsWith(".json"));
        }

        long submits = soar.submits();
        run("mag");
        assertThat(soar.submits()).as("a second run asks for nothing").isEqualTo(submits);
        assertThat(mirrors().runs("mag")).extracting(r -> r.get("wanted")).containsExactly(3, 0);
    }

    @Test
    void afterNewFilesAreArchivedARunTransfersOnlyThose() throws Exception {
        soar.archive(file("solo_L2_mag-rtn-normal_20240101", "V01", 10_000, "2024-03-01T10:00:00.000"),
                file("solo_L2_mag-rtn-normal_20240102", "V01", 10_000, "2024-03-01T10:00:01.000"));
        start(MAG_L2.formatted(root.resolve("m"), "10GB"), Map.of());
        run("mag");
        awaitSettled("mag");

        soar.archive(file("solo_L2_mag-rtn-normal_20240103", "V01", 10_000, "2024-03-07T10:00:00.000"),
                file("solo_L2_mag-rtn-normal_20240101", "V02", 10_500, "2024-03-07T10:00:01.000"));
        run("mag");
        awaitSettled("mag");

        assertThat(requestedIds()).hasSize(2);
        assertThat(requestedIds().get(1)).containsExactly("solo_L2_mag-rtn-normal_20240103", "solo_L2_mag-rtn-normal_20240101");
        assertThat(mirrors().index().counts("mag").get(MirrorFile.Status.PRESENT)).isEqualTo(4);
        assertThat(mirrors().index().watermark("mag")).isEqualTo("2024-03-07T10:00:01.000");
    }

    @Test
    void packagesRespectTheSizeCap() throws Exception {
        for (int day = 1; day <= 5; day++) {
            soar.archive(file("solo_L2_mag-rtn-normal_2024010" + day, "V01", 300 * 1024, "2024-03-01T10:00:0" + day + ".000"));
        }
        start(MAG_L2.formatted(root.resolve("m"), "700KB"), Map.of());
        run("mag");
        awaitSettled("mag");

        // the requests are submitted concurrently: their order at SOAR varies
        assertThat(requestedIds()).extracting(List::size).containsExactlyInAnyOrder(2, 2, 1);
        assertThat(mirrors().index().counts("mag").get(MirrorFile.Status.PRESENT)).isEqualTo(5);
    }

    @Test
    void aFailedRunIsCaughtUpByTheNextRun() throws Exception {
        soar.archive(file("solo_L2_mag-rtn-normal_20240101", "V01", 10_000, "2024-03-01T10:00:00.000"),
                file("solo_L2_mag-rtn-normal_20240102", "V01", 10_000, "2024-03-02T10:00:00.000"));
        start(MAG_L2.formatted(root.resolve("m"), "10GB"), Map.of());
        run("mag");
        awaitSettled("mag");

        // a failed night: SOAR refuses the request (the job fails), then the listing itself is a maintenance page
        soar.archive(file("solo_L2_mag-rtn-normal_20240103", "V01", 10_000, "2024-03-03T10:00:00.000"));
        soar.fail("submit", 1, 400);
        run("mag");
        awaitSettled("mag");
        assertThat(mirrors().index().counts("mag").get(MirrorFile.Status.FAILED)).isEqualTo(1);
        assertThat(mirrors().index().watermark("mag")).as("the watermark stays before the missing file").isEqualTo("2024-03-03T10:00:00.000");

        soar.syncReply("<html><body>SOAR is under maintenance</body></html>");
        run("mag");
        assertThat(mirrors().runs("mag")).last().satisfies(r -> assertThat(r.get("status")).isEqualTo("FAILED"))
                .satisfies(r -> assertThat((String) r.get("error")).contains("HTML page"));

        soar.healthy();
        run("mag");
        awaitSettled("mag");
        assertThat(mirrors().index().counts("mag")).containsEntry(MirrorFile.Status.PRESENT, 3L).containsEntry(MirrorFile.Status.FAILED, 0L);
        assertThat(requestedIds()).last().isEqualTo(List.of("solo_L2_mag-rtn-normal_20240103"));
    }

    @Test
    void aSilentlyTruncatedListingIsCompletedWithSmallerPages() throws Exception {
        for (int day = 1; day <= 8; day++) {
            soar.archive(file("solo_L2_mag-rtn-normal_2024010" + day, "V01", 1000, "2024-03-01T10:00:0" + day + ".000"));
        }
        soar.truncateSync(3);
        start(MAG_L2.formatted(root.resolve("m"), "10GB"), Map.of("soar.mirror.page-size", "5"));
        run("mag");
        awaitSettled("mag");

        assertThat(mirrors().index().counts("mag").get(MirrorFile.Status.PRESENT)).isEqualTo(8);
        assertThat(requestedIds()).singleElement().satisfies(ids -> assertThat(ids).hasSize(8));
    }

    @Test
    void aRefusedQueryFailsTheRunWithSoarsReasonAndAsksForNothing() throws Exception {
        soar.archive(file("solo_L2_mag-rtn-normal_20240101", "V01", 1000, "2024-03-01T10:00:00.000"));
        start("""
                mirrors:
                  - name: odd
                    where: "no_such_column = 1"
                """, Map.of());
        run("odd");

        assertThat(mirrors().runs("odd")).singleElement().satisfies(r -> {
            assertThat(r.get("status")).isEqualTo("FAILED");
            assertThat((String) r.get("error")).contains("refused the query").contains("no_such_column");
        });
        assertThat(soar.submits()).isZero();
    }

    @Test
    void extractionYieldsSoarsTreeWithCorrectSizes() throws Exception {
        Path tree = root.resolve("tree");
        soar.archive(file("solo_L2_mag-rtn-normal_20240101", "V01", 70_000, "2024-03-01T10:00:00.000"),
                file("solo_L2_mag-rtn-normal_20240215", "V03", 80_000, "2024-03-01T10:00:01.000"),
                file("solo_LL02_mag_20240301T000000-20240301T235959", "V01", 9_000, "2024-03-02T10:00:00.000"));
        start("""
                mirrors:
                  - name: mag
                    instrument: MAG
                    target: %s
                    extract: true
                """.formatted(tree), Map.of());
        run("mag");
        awaitSettled("mag");

        assertThat(mirrors().index().counts("mag").get(MirrorFile.Status.PRESENT)).isEqualTo(3);
        for (ArchivedFile f : soar.catalogue()) {
            Path placed = tree.resolve(f.filepath()).resolve(f.fileName());
            assertThat(placed).exists();
            assertThat(Files.size(placed)).isEqualTo(f.fileSize());
        }
        try (Stream<Path> packages = Files.list(tree.resolve(".packages"))) {
            assertThat(packages.map(p -> p.getFileName().toString())).as("packages are removed once unpacked")
                    .noneMatch(n -> n.endsWith(".tar.gz")).anyMatch(n -> n.endsWith(".json"));
        }
        // a file deleted from the tree is fetched again by the next run
        ArchivedFile first = soar.catalogue().get(0);
        Files.delete(tree.resolve(first.filepath()).resolve(first.fileName()));
        run("mag");
        awaitSettled("mag");
        assertThat(requestedIds()).last().isEqualTo(List.of(first.itemId()));
        assertThat(tree.resolve(first.filepath()).resolve(first.fileName())).exists();
    }

    @Test
    void theApiRunsAMirrorNowAndShowsItsState() throws Exception {
        soar.archive(file("solo_L2_mag-rtn-normal_20240101", "V01", 10_000, "2024-03-01T10:00:00.000"));
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        start(MAG_L2.formatted(root.resolve("m"), "10GB"), Map.of("soar.http.enabled", "true", "soar.http.port", String.valueOf(port)));
        var http = java.net.http.HttpClient.newHttpClient();
        String api = "http://127.0.0.1:" + port + "/api/mirrors";
        var json = new com.fasterxml.jackson.databind.ObjectMapper();

        var started = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/mag/run"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        awaitSettled("mag");
        await().atMost(Duration.ofSeconds(30)).until(() -> !mirrors().runs("mag").isEmpty());

        var listed = json.readTree(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body());
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("name").asText()).isEqualTo("mag");
        assertThat(listed.get(0).path("selection").asText()).isEqualTo("instrument = 'MAG' AND processing_level = 'L2'");
        assertThat(listed.get(0).path("files").path("present").asLong()).isEqualTo(1);
        assertThat(listed.get(0).path("watermark").asText()).isEqualTo("2024-03-01T10:00:00.000");
        assertThat(listed.get(0).path("lastRun").path("wanted").asInt()).isEqualTo(1);

        var unknown = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(api + "/nope/run"))
                .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(unknown.body()).contains("there is no mirror 'nope'");
    }

    @Test
    void theTimerSendsItsFixedRequestEveryPeriod() throws Exception {
        start("mirrors: []\n", Map.of("soar.timer.request", "solo_L2_mag-rtn-normal_20240101, solo_L2_mag-rtn-normal_20240102",
                "soar.timer.period", "200", "soar.timer.delay", "0"));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(service.outbox.resolve("timer.json"))
                && RunningService.readJson(service.outbox.resolve("timer.json")).path("status").asText().equals("DELIVERED"));
        assertThat(RunningService.readJson(service.outbox.resolve("timer.json")).path("request").path("dataItemIds"))
                .hasSize(2);
        // every tick sends the same request, which the delivered job serves: SOAR is asked once
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> soar.submits() == 1);
    }
}
