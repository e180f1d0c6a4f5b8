package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.PendingAborts;
import org.soardeferred.transfer.AbandonedUploads;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * No multipart upload left behind, for real (the S3 target against S3Proxy in-process): an upload whose abort S3
 * refuses is kept in the job store and aborted by the retry timer once S3 accepts, then forgotten; the sweep
 * aborts an upload under the staging prefix that no job owns and leaves a running job's upload alone.
 */
class S3AbandonedUploadsTest extends S3TargetFixture {





    private RunningService service(Map<String, String> extra) {
        return service("s3://" + BUCKET + "/p", 2, extra);
    }

    private static PendingAborts pendingAborts(RunningService service) {
        return service.context().getRegistry().lookupByNameAndType("pendingAborts", PendingAborts.class);
    }

    @Test
    void anAbortS3RefusesIsKeptInTheJobStoreAndRetriedUntilS3ConfirmsItThenForgotten() throws Exception {
        // a package that arrives broken fails its job, whose upload is then aborted: S3 refuses that abort
        soar.itemBytes(64 * 1024).truncatePackages(1000);
        s3.failAborts(true);
        try (RunningService service = service(Map.of("soar.s3.abort-retry-interval", "200ms"))) {
            service.drop("broken.ids", "solo_L2_epd-ept-north-rates_20200820");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(service.inbox.resolve(".error/broken.ids")));

            List<MultipartUpload> left = s3.uploads(BUCKET);
            assertThat(left).as("the refused abort left the upload in S3").hasSize(1);
            String uploadId = left.get(0).uploadId();
            PendingAborts pending = pendingAborts(service);
            assertThat(pending.all()).singleElement().satisfies(u -> {
                assertThat(u.uploadId()).isEqualTo(uploadId);
                assertThat(u.bucket()).isEqualTo(BUCKET);
                assertThat(u.key()).isEqualTo("p/.incoming/broken.tar.gz");
                assertThat(u.jobId()).isNotNull();
            });
            // the timer keeps trying while S3 refuses (the job's own attempt, then two of the timer's); it stays kept
            await().atMost(Duration.ofSeconds(30)).until(() -> pending.all().get(0).attempts() >= 3);
            assertThat(pending.all()).singleElement().satisfies(u -> assertThat(u.lastError()).contains("S3 is busy or failing"));
            assertThat(s3.abortsRefused()).isGreaterThanOrEqualTo(3);
            assertThat(s3.uploads(BUCKET)).hasSize(1);

            s3.failAborts(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> s3.uploads(BUCKET).isEmpty());
            await().atMost(Duration.ofSeconds(10)).until(() -> pending.all().isEmpty());
        }
    }

    @Test
    void anAbortRefusedBeforeARestartIsRetriedAtStartUp() throws Exception {
        soar.itemBytes(64 * 1024).truncatePackages(1000);
        s3.failAborts(true);
        // the retry timer's period is long: only its run at start-up can abort the upload in time
        try (RunningService first = service(Map.of("soar.s3.abort-retry-interval", "1h"))) {
            first.drop("broken.ids", "solo_L2_epd-ept-north-rates_20200820");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(first.inbox.resolve(".error/broken.ids")));
            assertThat(pendingAborts(first).all()).hasSize(1);
        }
        assertThat(s3.uploads(BUCKET)).hasSize(1);
        s3.failAborts(false);

        try (RunningService second = service(Map.of("soar.s3.abort-retry-interval", "1h"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> s3.uploads(BUCKET).isEmpty());
            await().atMost(Duration.ofSeconds(10)).until(() -> pendingAborts(second).all().isEmpty());
        }
    }

    @Test
    void theSweepAbortsAnUploadNoJobOwnsAndLeavesARunningJobsUploadAlone() throws Exception {
        soar.itemBytes(24 * MiB).throttle(2 * MiB);
        // S3Proxy lists every upload as started just now: an age of 0 lets the sweep judge by owner alone
        try (RunningService service = service(Map.of("soar.s3.orphan-age", "0s", "soar.s3.orphan-sweep-interval", "1h"))) {
            service.drop("live.ids", "solo_L2_epd-ept-north-rates_20200820");
            JobStore store = service.context().getRegistry().lookupByNameAndType("jobStore", JobStore.class);
            await().atMost(Duration.ofSeconds(60)).until(() -> store.unfinished().stream()
                    .anyMatch(j -> !j.results.isEmpty() && j.results.get(0).uploadId != null));
            String live = s3.uploads(BUCKET).get(0).uploadId();
            String orphan = orphan("p/.incoming/gone.tar.gz");
            String elsewhere = orphan("other/x.tar.gz"); // not under the staging prefix: not the service's to abort

            AbandonedUploads sweep = service.context().getRegistry().lookupByNameAndType("abandonedUploads", AbandonedUploads.class);
            assertThat(sweep.sweep()).isEqualTo(1);

            assertThat(s3.uploads(BUCKET)).extracting(MultipartUpload::uploadId).containsExactlyInAnyOrder(live, elsewhere)
                    .doesNotContain(orphan);
            soar.throttle(0);
            Path done = service.inbox.resolve(".done/live.ids");
            await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(done)
                    || Files.exists(service.inbox.resolve(".error/live.ids")));
            assertThat(done).as("the running job's upload was not aborted under it").exists();
            assertThat(s3.keys(BUCKET)).contains("p/live.tar.gz", "p/live.json");
            assertThat(s3.uploads(BUCKET)).extracting(MultipartUpload::uploadId).containsExactly(elsewhere);
        }
    }

    @Test
    void theSweepRunsAtStartUpAndThenEveryInterval() throws Exception {
        orphan("p/.incoming/before.tar.gz");
        try (RunningService first = service(Map.of("soar.s3.orphan-age", "0s", "soar.s3.orphan-sweep-interval", "1h"))) {
            await().atMost(Duration.ofSeconds(30)).until(() -> s3.uploads(BUCKET).isEmpty());
        }
        try (RunningService second = service(Map.of("soar.s3.orphan-age", "0s", "soar.s3.orphan-sweep-interval", "300ms"))) {
            // no part: a part sent while a sweep aborts the upload would bring it back in S3Proxy's listing
            s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key("p/.incoming/later.tar.gz"));
            await().atMost(Duration.ofSeconds(30)).until(() -> s3.uploads(BUCKET).isEmpty());
        }
    }

    @Test
    void theSweepIsOffWhenTurnedOff() throws Exception {
        String kept = orphan("p/.incoming/kept.tar.gz");
        try (RunningService service = service(Map.of("soar.s3.orphan-age", "0s", "soar.s3.orphan-sweep", "false"))) {
            assertThat(service.context().getRouteController().getRouteStatus("s3-orphan-sweep").isStarted()).isFalse();
            assertThat(service.context().getRouteController().getRouteStatus("s3-abort-retry").isStarted()).isTrue();
            assertThat(s3.uploads(BUCKET)).extracting(MultipartUpload::uploadId).containsExactly(kept);
        }
    }

    /** An upload with one part that no job owns, as a process that died leaves it. */
    private String orphan(String key) {
        String id = s3.client().createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
        s3.client().uploadPart(b -> b.bucket(BUCKET).key(key).uploadId(id).partNumber(1), RequestBody.fromBytes(new byte[1024]));
        return id;
    }
}
