package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/** The packaged jar killed with kill -9 and started again: nothing is submitted twice, nothing downloaded twice. */
class KillAndRestartIT {

    @TempDir
    Path root;

    @Test
    void killedAfterSubmitTheRestartedServicePollsTheJobAndNeverResubmitsIt() throws Exception {
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(100, 6000).start(0);
             ServiceProcess app = new ServiceProcess(root, soar.baseUrl()).start()) {
            app.drop("once.ids", "solo_L2_epd-ept-north-rates_20200820");
            // SOAR has the job and the service has recorded it: it has started polling
            await().atMost(Duration.ofSeconds(60)).until(() -> soar.count("GET", "/tap/async/") > 0);
            app.kill();

            app.start();
            JsonNode m = app.awaitManifest("once");

            assertThat(m.path("status").asText()).as(app.logTail()).isEqualTo("DELIVERED");
            assertThat(soar.submits()).isEqualTo(1);
            assertThat(RunningService.sha256(app.outbox.resolve("once.tar.gz")))
                    .isEqualTo(soar.packageSha256(m.path("jobId").asText()).values().iterator().next());
            assertThat(Files.readString(app.log)).contains("Resuming job").doesNotContain("s3cret-Pa55");
        }
    }

    @Test
    void killedMidDownloadTheRestartedServiceResumesWithRangeAndTheSha256Matches() throws Exception {
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(48L << 20)
                .timing(100, 200).throttle(12L << 20).start(0);
             ServiceProcess app = new ServiceProcess(root, soar.baseUrl()).env("SOAR_FETCH_CONNECTIONS", "1").start()) {
            app.drop("half.ids", "solo_L1_swa-pas-3d_20240201");
            Path part = app.outbox.resolve("half.tar.gz.part");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(part) && Files.size(part) > (12L << 20));
            app.kill();
            long onDisk = Files.size(part);
            soar.throttle(0);

            app.start();
            JsonNode m = app.awaitManifest("half");

            assertThat(m.path("status").asText()).as(app.logTail()).isEqualTo("DELIVERED");
            List<SoarSimulator.SeenRequest> downloads = soar.requests().stream()
                    .filter(r -> r.path().contains("/results/")).toList();
            assertThat(downloads).hasSize(2);
            assertThat(downloads.get(0).range()).isNull();
            long resumedFrom = Long.parseLong(downloads.get(1).range().replaceAll("\\D", ""));
            assertThat(resumedFrom).isGreaterThan(0).isLessThanOrEqualTo(onDisk);
            assertThat(soar.submits()).isEqualTo(1);
            String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
            assertThat(RunningService.sha256(app.outbox.resolve("half.tar.gz"))).isEqualTo(served)
                    .isEqualTo(m.path("results").get(0).path("sha256").asText());
            assertThat(part).doesNotExist();
        }
    }

    @Test
    void killedMidSegmentedDownloadTheRestartFetchesOnlyThePiecesThatWereMissing() throws Exception {
        long piece = 1L << 20;
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(32L << 20)
                .timing(100, 200).ratePerConnection(2L << 20).start(0);
             ServiceProcess app = new ServiceProcess(root, soar.baseUrl()).env("SOAR_FETCH_CONNECTIONS", "4")
                     .env("SOAR_FETCH_PIECE_SIZE", "1MB").start()) {
            app.drop("pieces.ids", "solo_L1_swa-pas-3d_20240301");
            await().atMost(Duration.ofSeconds(60)).until(() -> soar.jobIds().size() == 1
                    && soar.bytesSent(soar.jobIds().get(0)) > (20L << 20));
            app.kill();
            String jobId = soar.jobIds().get(0);
            long beforeKill = soar.bytesSent(jobId);
            int requestsBefore = soar.requests().size();
            soar.ratePerConnection(0);

            app.start();
            JsonNode m = app.awaitManifest("pieces");

            assertThat(m.path("status").asText()).as(app.logTail()).isEqualTo("DELIVERED");
            long size = m.path("results").get(0).path("bytes").asLong();
            String served = soar.packageSha256(jobId).values().iterator().next();
            assertThat(RunningService.sha256(app.outbox.resolve("pieces.tar.gz"))).isEqualTo(served);
            // fetched again at most: the pieces the 4 connections had under way, and the last second's pieces
            // (stored but not yet recorded), at 4 x 2 MB/s
            long refetched = soar.bytesSent(jobId) - size;
            assertThat(refetched).as("bytes sent twice (%d sent before the kill)", beforeKill)
                    .isLessThanOrEqualTo(4 * piece + (8L << 20) + piece);
            // the restart asked only for pieces, and never for the first one again (stored before the kill)
            List<SoarSimulator.SeenRequest> after = soar.requests().subList(requestsBefore, soar.requests().size()).stream()
                    .filter(r -> r.path().contains("/results/")).toList();
            assertThat(after).isNotEmpty().allSatisfy(r -> assertThat(r.range()).matches("bytes=\\d+-\\d+")
                    .isNotEqualTo("bytes=0-" + (piece - 1)));
            assertThat(soar.submits()).isEqualTo(1);
        }
    }
}
