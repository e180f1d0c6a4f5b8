package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The S3 target (soar.target=s3://bucket/prefix) against a real S3 API server started in-process (S3Proxy with its
 * filesystem backend): packages stream into multipart uploads and appear under their final key only complete,
 * verified and with their metadata; the manifest object comes last; nothing is left behind when S3 fails.
 */
class S3TargetTest extends S3TargetFixture {

    private static final ObjectMapper JSON = new ObjectMapper();




    private RunningService service(String target, Map<String, String> extra) {
        return service(target, 3, extra);
    }

    private static Path awaitFinished(RunningService service, String file) {
        Path done = service.inbox.resolve(".done").resolve(file);
        Path error = service.inbox.resolve(".error").resolve(file);
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(done) || Files.exists(error));
        return Files.exists(done) ? done : error;
    }

    /** The query file went to .done (or the test fails with the reason it gives in .error). */
    private static void assertDone(RunningService service, String file) throws Exception {
        Path moved = awaitFinished(service, file);
        String base = file.replaceAll("\\.[^.]+$", "");
        Path reason = service.inbox.resolve(".error").resolve(base + ".error.txt");
        assertThat(moved.getParent().getFileName().toString()).as(Files.exists(reason) ? Files.readString(reason) : "")
                .isEqualTo(".done");
    }

    private static void assertFailed(RunningService service, String file) {
        assertThat(awaitFinished(service, file).getParent().getFileName().toString()).isEqualTo(".error");
    }

    private JsonNode manifest(String key) throws Exception {
        return JSON.readTree(s3.text(BUCKET, key));
    }

    @Test
    void anIdsFileYieldsAnObjectWithItsSha256AndMetadataThenTheManifestObject() throws Exception {
        soar.itemBytes(12 * MiB); // three parts of 5 MB, and a server-side copy in three parts
        try (RunningService service = service("s3://" + BUCKET + "/mirror/solo", Map.of("soar.s3.copy-part-size", "5MB"))) {
            service.drop("epd.ids", "solo_L2_epd-ept-north-rates_20200820\nsolo_L2_epd-het-sun-rates_20200820\n");

            assertDone(service, "epd.ids");
            JsonNode m = manifest("mirror/solo/epd.json");
            assertThat(m.path("status").asText()).isEqualTo("DELIVERED");
            JsonNode result = m.path("results").get(0);
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(s3.sha256(BUCKET, "mirror/solo/epd.tar.gz")).isEqualTo(served).isEqualTo(result.path("sha256").asText());
            assertThat(result.path("bytes").asLong()).isGreaterThan(12 * MiB);
            assertThat(s3.metadata(BUCKET, "mirror/solo/epd.tar.gz"))
                    .containsEntry("soar-sha256", served)
                    .containsEntry("soar-size", result.path("bytes").asText())
                    .containsEntry("soar-job-id", m.path("jobId").asText())
                    .containsEntry("soar-data-items", "solo_L2_epd-ept-north-rates_20200820,solo_L2_epd-het-sun-rates_20200820")
                    .containsEntry("soar-request", "epd");
            assertThat(s3.keys(BUCKET)).as("no staged object or part is left").containsExactlyInAnyOrder(
                    "mirror/solo/epd.tar.gz", "mirror/solo/epd.json");
            assertThat(s3.uploads(BUCKET)).isEmpty();
            assertThat(service.outbox).as("nothing was written to local disk").doesNotExist();
        }
    }

    @Test
    void theSameRequestDroppedAgainGetsItsOwnManifestListingTheObjectsAlreadyDelivered() throws Exception {
        soar.itemBytes(64 * 1024);
        try (RunningService service = service("s3://" + BUCKET + "/p", Map.of())) {
            service.drop("first.ids", "solo_L2_mag_20200820");
            assertDone(service, "first.ids");
            service.drop("again.ids", "solo_L2_mag_20200820\n");
            assertDone(service, "again.ids");

            JsonNode again = manifest("p/again.json");
            assertThat(again.path("servedFrom").asText()).isEqualTo("first.json");
            assertThat(again.path("results").get(0).path("file").asText()).isEqualTo("first.tar.gz");
            assertThat(soar.submits()).isEqualTo(1);
            assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder("p/first.tar.gz", "p/first.json", "p/again.json");
        }
    }

    @Test
    void aConnectionDroppedMidTransferResumesIntoTheSameUploadWithRange() throws Exception {
        soar.itemBytes(12 * MiB).dropDownloads(1, 7 * MiB);
        try (RunningService service = service("s3://" + BUCKET, Map.of("soar.fetch.connections", "1"))) {
            service.drop("dropped.ids", "solo_L2_epd-ept-north-rates_20200820");

            assertDone(service, "dropped.ids");
            JsonNode m = manifest("dropped.json");
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(s3.sha256(BUCKET, "dropped.tar.gz")).isEqualTo(served).isEqualTo(m.path("results").get(0).path("sha256").asText());
            assertThat(soar.requests()).as("the second GET asked for the bytes after those S3 and the part buffer held")
                    .anyMatch(r -> r.range() != null && r.range().matches("bytes=\\d+-") && Long.parseLong(r.range().replaceAll("\\D", "")) > 5 * MiB);
            assertThat(s3.uploads(BUCKET)).isEmpty();
            assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder("dropped.tar.gz", "dropped.json");
        }
    }

    @Test
    void aRestartResumesTheUploadFromThePartsS3HasAndVerifiesThePackageAsStored() throws Exception {
        soar.itemBytes(24 * MiB).throttle(4 * MiB);
        RunningService first = service("s3://" + BUCKET + "/r", Map.of("soar.fetch.connections", "1"));
        first.drop("restarted.ids", "solo_L2_epd-ept-north-rates_20200820");
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> s3.uploads(BUCKET).size() == 1
                && !s3.client().listParts(b -> b.bucket(BUCKET).key(s3.uploads(BUCKET).get(0).key())
                        .uploadId(s3.uploads(BUCKET).get(0).uploadId())).parts().isEmpty());
        String uploadId = s3.uploads(BUCKET).get(0).uploadId();
        first.close();
        soar.throttle(0);

        try (RunningService second = service("s3://" + BUCKET + "/r", Map.of("soar.fetch.connections", "1"))) {
            assertDone(second, "restarted.ids");
            JsonNode m = manifest("r/restarted.json");
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(s3.sha256(BUCKET, "r/restarted.tar.gz")).isEqualTo(served).isEqualTo(m.path("results").get(0).path("sha256").asText());
            assertThat(soar.submits()).as("the job was not submitted again").isEqualTo(1);
            assertThat(soar.requests()).as("the download resumed at a part boundary")
                    .anyMatch(r -> r.range() != null && Long.parseLong(r.range().replaceAll("\\D", "")) % (5 * MiB) == 0);
            assertThat(s3.uploads(BUCKET)).as("upload " + uploadId + " was completed, not left behind").isEmpty();
            assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder("r/restarted.tar.gz", "r/restarted.json");
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} connection(s)")
    @org.junit.jupiter.params.provider.ValueSource(ints = {1, 4, 8})
    void theBytesArriveWholeInS3OverOneFourOrEightConnections(int connections) throws Exception {
        soar.itemBytes(24 * MiB).ratePerConnection(16 * MiB);
        try (RunningService service = service("s3://" + BUCKET + "/n", Map.of("soar.fetch.connections", String.valueOf(connections)))) {
            service.drop("n" + connections + ".ids", "solo_L2_epd-ept-north-rates_20200820");

            assertDone(service, "n" + connections + ".ids");
            JsonNode m = manifest("n/n" + connections + ".json");
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(s3.sha256(BUCKET, "n/n" + connections + ".tar.gz")).isEqualTo(served)
                    .isEqualTo(m.path("results").get(0).path("sha256").asText());
            var downloads = soar.requests().stream().filter(r -> r.path().contains("/results/")).toList();
            long size = m.path("results").get(0).path("bytes").asLong();
            if (connections == 1) {
                assertThat(downloads).singleElement().satisfies(r -> assertThat(r.range()).isNull());
            } else {
                // a piece is a part of 5 MB, asked for once from its first byte; at the tail, idle connections take
                // the second halves of pieces under way (two connections then write one part)
                int parts = (int) ((size + 5 * MiB - 1) / (5 * MiB));
                assertThat(downloads).allSatisfy(r -> assertThat(r.range()).matches("bytes=\\d+-\\d+"));
                assertThat(downloads.stream().map(r -> Long.parseLong(r.range().replaceAll("bytes=(\\d+)-.*", "$1")))
                        .filter(from -> from % (5 * MiB) == 0)).hasSize(parts);
                assertThat(soar.peakDownloads()).isGreaterThan(1);
            }
            // a connection whose second half another took stops there: what was in flight may come twice
            assertThat(soar.bytesSent(m.path("jobId").asText())).isBetween(size, size + (long) (downloads.size() - 1) * MiB / 2);
            assertThat(s3.uploads(BUCKET)).isEmpty();
        }
    }

    @Test
    void aSegmentedDownloadUploadsItsPiecesAsPartsAndARestartFetchesOnlyThePartsS3DoesNotHave() throws Exception {
        soar.itemBytes(64 * MiB).ratePerConnection(MiB);
        RunningService first = service("s3://" + BUCKET + "/seg", Map.of("soar.fetch.connections", "4"));
        first.drop("segmented.ids", "solo_L2_epd-ept-north-rates_20200820");
        // 13 pieces of 5 MB over 4 connections at 1 MB/s each: once two parts are in S3, the service stops
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> s3.uploads(BUCKET).size() == 1
                && s3.client().listParts(b -> b.bucket(BUCKET).key(s3.uploads(BUCKET).get(0).key())
                        .uploadId(s3.uploads(BUCKET).get(0).uploadId())).parts().size() >= 2);
        first.close();
        var parts = s3.client().listParts(b -> b.bucket(BUCKET).key(s3.uploads(BUCKET).get(0).key())
                .uploadId(s3.uploads(BUCKET).get(0).uploadId())).parts();
        int before = soar.requests().size();
        soar.ratePerConnection(0);

        try (RunningService second = service("s3://" + BUCKET + "/seg", Map.of("soar.fetch.connections", "4"))) {
            assertDone(second, "segmented.ids");
            JsonNode m = manifest("seg/segmented.json");
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(s3.sha256(BUCKET, "seg/segmented.tar.gz")).isEqualTo(served).isEqualTo(m.path("results").get(0).path("sha256").asText());
            var again = soar.requests().subList(before, soar.requests().size()).stream()
                    .filter(r -> r.path().contains("/results/")).map(SoarSimulator.SeenRequest::range).toList();
            for (var p : parts) {
                long start = (p.partNumber() - 1) * 5 * MiB;
                assertThat(again).as("part %d was in S3", p.partNumber()).noneMatch(r -> r.startsWith("bytes=" + start + "-"));
            }
            assertThat(again).allMatch(r -> r.matches("bytes=\\d+-\\d+"));
            assertThat(s3.uploads(BUCKET)).isEmpty();
            assertThat(s3.keys(BUCKET)).containsExactlyInAnyOrder("seg/segmented.tar.gz", "seg/segmented.json");
        }
    }

    @Test
    void aMissingBucketFailsTheJobWithTheReasonAndTheQueryFileInError() throws Exception {
        soar.itemBytes(64 * 1024);
        try (RunningService service = service("s3://no-such-bucket/x", Map.of())) {
            service.drop("nobucket.ids", "solo_L2_epd-ept-north-rates_20200820");

            assertFailed(service, "nobucket.ids");
            assertThat(Files.readString(service.inbox.resolve(".error/nobucket.error.txt")))
                    .contains("bucket 'no-such-bucket' does not exist");
            assertThat(s3.client().listBuckets().buckets()).extracting(b -> b.name()).containsExactly(BUCKET);
            assertThat(s3.uploads(BUCKET)).isEmpty();
        }
    }

    @Test
    void refusedCredentialsFailTheJobWithTheReasonAndLeaveNoUpload() throws Exception {
        soar.itemBytes(64 * 1024);
        try (RunningService service = service("s3://" + BUCKET, Map.of("soar.s3.secret-key", "not-the-secret"))) {
            service.drop("denied.ids", "solo_L2_epd-ept-north-rates_20200820");

            assertFailed(service, "denied.ids");
            assertThat(Files.readString(service.inbox.resolve(".error/denied.error.txt"))).contains("S3 refused access")
                    .doesNotContain("not-the-secret");
            assertThat(s3.uploads(BUCKET)).isEmpty();
            assertThat(s3.keys(BUCKET)).isEmpty();
        }
    }

    @Test
    void aStoppedServerIsRetriedThenFailsTheJobAndLeavesNoUpload() throws Exception {
        soar.itemBytes(64 * 1024);
        Map<String, String> settings = s3.settings("s3://" + BUCKET);
        int port = s3.port();
        s3.close();
        Map<String, String> p = new HashMap<>(settings);
        p.put("soar.retry.delay", "50ms");
        p.put("soar.retry.max-delay", "100ms");
        p.put("soar.retry.max-attempts", "2");
        try (RunningService service = RunningService.start(root.resolve("service"), soar.baseUrl(), p)) {
            service.drop("offline.ids", "solo_L2_epd-ept-north-rates_20200820");

            assertFailed(service, "offline.ids");
            assertThat(Files.readString(service.inbox.resolve(".error/offline.error.txt"))).contains("cannot reach S3");
        } finally {
            s3 = S3Server.start(root.resolve("s3"), port);
        }
        assertThat(s3.uploads(BUCKET)).isEmpty();
        assertThat(s3.keys(BUCKET)).isEmpty();
    }
}
