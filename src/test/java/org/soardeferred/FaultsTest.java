package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/** The faults SOAR and networks produce, injected into the simulator, against the real routes. */
class FaultsTest {

    static SoarSimulator soar;
    @TempDir
    Path root;
    RunningService service;

    @BeforeAll
    static void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(100, 300).start(0);
    }

    @AfterAll
    static void stopSimulator() {
        soar.close();
    }

    @BeforeEach
    void startService() {
        soar.healthy().itemBytes(64 * 1024);
        // the simulator is shared by the tests, which send the same request: a job of an earlier test is not this
        // test's (no clock skew between the simulator and the service on one machine)
        service = RunningService.start(root, soar.baseUrl(), Map.of(
                "soar.retry.delay", "50ms", "soar.retry.max-delay", "300ms", "soar.retry.max-attempts", "8",
                "soar.submit.clock-skew", "0s"));
    }

    @AfterEach
    void stopService() {
        service.close();
    }

    @Test
    void busyAnswersOnEveryStepAreRetriedAndTheJobSucceeds() {
        long submitsBefore = soar.submits();
        // the submit step's attempts also see the job list search that follows each 502 (the job documents it
        // reads count as polls at the simulator)
        soar.fail("login", 2, 503).fail("submit", 2, 502).fail("poll", 2, 504).fail("download", 2, 429);
        service.drop("busy.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("busy");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        assertThat(soar.submits() - submitsBefore).as("2 refused with 502, then 1 accepted").isEqualTo(3);
        assertPackageIsTheServedOne(manifest, "busy");
    }

    @Test
    void aFaultThatOutlastsTheRetriesFailsTheJobWithTheReason() throws IOException {
        long submitsBefore = soar.submits();
        soar.fail("submit", 100, 503);
        service.drop("down.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("down");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("HTTP 503").contains("server busy or restarting");
        assertThat(soar.submits() - submitsBefore).as("the first attempt and 8 retries").isEqualTo(1 + 8);
        assertThat(Files.readString(service.inbox.resolve(".error/down.error.txt"))).contains("HTTP 503");
    }

    @Test
    void anExpiredSessionLeadsToANewLoginAndTheJobSucceeds() {
        soar.timing(100, 1500);
        try {
            long loginsBefore = soar.logins();
            dropAndAwaitTheFirstPoll("expired.ids");
            soar.expireSessions();

            JsonNode manifest = service.awaitManifest("expired");

            assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
            assertThat(soar.logins() - loginsBefore).isEqualTo(2);
        } finally {
            soar.timing(100, 300);
        }
    }

    @Test
    void aConnectionDroppedTwiceMidDownloadResumesWithRangeInsteadOfStartingOver() {
        soar.itemBytes(4 * 1024 * 1024).dropDownloads(2, 1024 * 1024);
        service.drop("dropped.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("dropped");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        assertPackageIsTheServedOne(manifest, "dropped");
        List<SoarSimulator.SeenRequest> downloads = downloadsOf(manifest);
        assertThat(downloads).hasSize(3);
        assertThat(downloads.get(0).range()).isNull();
        assertThat(downloads.get(1).range()).matches("bytes=[1-9][0-9]*-");
        assertThat(downloads.get(2).range()).matches("bytes=[1-9][0-9]*-");
        long second = Long.parseLong(downloads.get(2).range().replaceAll("\\D", ""));
        long first = Long.parseLong(downloads.get(1).range().replaceAll("\\D", ""));
        assertThat(second).isGreaterThan(first);
        // the transfer's time runs from the first request of its bytes, through both retries (waits of 50 ms, then
        // 100 ms, less 25 % jitter at most), to the package published: not the last attempt alone
        JsonNode transfer = manifest.path("transfer");
        assertThat(transfer.path("seconds").asDouble()).isGreaterThanOrEqualTo(0.11);
        assertThat(transfer.path("bytes").asLong()).isEqualTo(manifest.path("results").get(0).path("bytes").asLong());
    }

    @Test
    void aServerThatIgnoresRangeIsReadFromTheStartSafely() {
        soar.itemBytes(2 * 1024 * 1024).dropDownloads(1, 512 * 1024).ignoreRange(true);
        service.drop("norange.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("norange");

        assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
        assertPackageIsTheServedOne(manifest, "norange");
        List<SoarSimulator.SeenRequest> downloads = downloadsOf(manifest);
        assertThat(downloads).hasSize(2);
        assertThat(downloads.get(1).range()).startsWith("bytes=");
    }

    @Test
    void aJobThatOutlastsThePollTimeoutFailsAndSaysItMayStillFinish() {
        service.close();
        service = RunningService.start(root, soar.baseUrl(), Map.of("soar.poll.timeout", "400ms"));
        soar.timing(100, 5000);
        try {
            service.drop("slow.ids", "solo_L2_epd-ept-north-rates_20200820");

            JsonNode manifest = service.awaitManifest("slow");

            assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
            assertThat(manifest.path("error").asText()).contains("still EXECUTING after").contains("soar.poll.timeout");
        } finally {
            soar.timing(100, 300);
        }
    }

    @Test
    void anXxePayloadNeverReadsALocalFile() throws IOException {
        Path secret = Files.writeString(root.resolve("secret.txt"), "TOP-SECRET-CONTENT-42");
        soar.replyToPoll("<?xml version=\"1.0\"?>\n<!DOCTYPE uws:job [<!ENTITY xxe SYSTEM \"" + secret.toUri() + "\">]>\n"
                + "<uws:job xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\"><uws:jobId>&xxe;</uws:jobId>"
                + "<uws:phase>ERROR</uws:phase><uws:errorSummary><uws:message>&xxe;</uws:message></uws:errorSummary></uws:job>");
        service.drop("xxe.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("xxe");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("DTD");
        assertNoFileUnder(root.resolve("downloads"), "TOP-SECRET-CONTENT-42");
        assertNoFileUnder(root.resolve("inbox"), "TOP-SECRET-CONTENT-42");
    }

    @Test
    void aSizeThatDoesNotMatchIsNeverReportedAsSuccess() throws IOException {
        soar.skewSizes(7);
        service.drop("mismatch.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("mismatch");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("announced");
        assertThat(service.outbox.resolve("mismatch.tar.gz")).doesNotExist();
        assertThat(service.outbox).isDirectoryNotContaining("glob:**.part");
    }

    @Test
    void aTruncatedTarGzIsNeverReportedAsSuccessEvenWhenItsSizeIsAsAnnounced() {
        soar.truncatePackages(1000);
        service.drop("truncated.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("truncated");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("gzip stream is truncated");
        assertThat(service.outbox.resolve("truncated.tar.gz")).doesNotExist();
    }

    @Test
    void aJobThatExpiredOnTheServerIsReportedAsExpired() {
        soar.timing(100, 2000);
        try {
            dropAndAwaitTheFirstPoll("gone.ids");
            soar.expireJobs();

            JsonNode manifest = service.awaitManifest("gone");

            assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
            assertThat(manifest.path("error").asText()).contains("no longer exists on the server (HTTP 404)");
        } finally {
            soar.timing(100, 300);
        }
    }

    @Test
    void malformedXmlFromThePollIsAClearError() {
        soar.replyToPoll("<uws:job xmlns:uws=\"http://www.ivoa.net/xml/UWS/v1.0\"><uws:phase>EXECUTING</uws:pha");
        service.drop("malformed.ids", "solo_L2_epd-ept-north-rates_20200820");

        JsonNode manifest = service.awaitManifest("malformed");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("not well-formed XML").contains("<uws:phase>EXECUTING</uws:pha");
    }

    private void dropAndAwaitTheFirstPoll(String fileName) {
        long pollsBefore = soar.count("GET", "/tap/async/");
        service.drop(fileName, "solo_L2_epd-ept-north-rates_20200820");
        await().atMost(Duration.ofSeconds(10)).until(() -> soar.count("GET", "/tap/async/") > pollsBefore);
    }

    private List<SoarSimulator.SeenRequest> downloadsOf(JsonNode manifest) {
        String job = manifest.path("jobId").asText();
        return soar.requests().stream().filter(r -> r.path().contains(job + "/results/")).toList();
    }

    private void assertPackageIsTheServedOne(JsonNode manifest, String name) {
        String served = soar.packageSha256(manifest.path("jobId").asText()).values().iterator().next();
        assertThat(RunningService.sha256(service.outbox.resolve(name + ".tar.gz"))).isEqualTo(served);
        assertThat(manifest.path("results").get(0).path("sha256").asText()).isEqualTo(served);
    }

    private static void assertNoFileUnder(Path dir, String text) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain(text);
            }
        }
    }
}
