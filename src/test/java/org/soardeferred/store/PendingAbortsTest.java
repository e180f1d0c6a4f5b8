package org.soardeferred.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The uploads kept until S3 confirms their abort, in the job store's database (H2). */
class PendingAbortsTest {

    private final JdbcDataSource db = new JdbcDataSource();
    private PendingAborts pending;

    @BeforeEach
    void store() {
        db.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        new JobStore(db); // its migrations create the table
        pending = new PendingAborts(db);
    }

    @Test
    void anUploadKeptTwiceIsOneRowCountingBothFailuresAndItsLatestError() {
        pending.add("bucket", "p/.incoming/a.tar.gz", "upload-1", "job-1", "cannot reach S3");
        pending.add("bucket", "p/.incoming/a.tar.gz", "upload-1", "job-1", "S3 is busy");
        pending.failedAgain("bucket", "upload-1", "S3 is busy again");

        assertThat(pending.all()).singleElement().satisfies(u -> {
            assertThat(u.bucket()).isEqualTo("bucket");
            assertThat(u.key()).isEqualTo("p/.incoming/a.tar.gz");
            assertThat(u.uploadId()).isEqualTo("upload-1");
            assertThat(u.jobId()).isEqualTo("job-1");
            assertThat(u.attempts()).isEqualTo(3);
            assertThat(u.lastError()).isEqualTo("S3 is busy again");
            assertThat(u.since()).isNotNull();
        });
    }

    @Test
    void uploadsAreKeptPerBucketAndForgottenOnceAborted() {
        pending.add("one", "k1", "upload-1", null, "x");
        pending.add("two", "k2", "upload-1", "job-2", "y");
        pending.add("one", "k3", "upload-3", null, "z");

        assertThat(pending.of("one")).extracting(PendingAborts.Upload::uploadId).containsExactlyInAnyOrder("upload-1", "upload-3");
        assertThat(pending.remove("one", "upload-1")).isTrue();
        assertThat(pending.remove("one", "upload-1")).as("already forgotten").isFalse();
        assertThat(pending.of("one")).extracting(PendingAborts.Upload::uploadId).containsExactly("upload-3");
        assertThat(pending.of("two")).extracting(PendingAborts.Upload::key).containsExactly("k2");
    }

    @Test
    void aLongErrorIsCutToTheColumn() {
        pending.add("bucket", "k", "u", null, "e".repeat(5000));
        assertThat(pending.all().get(0).lastError()).hasSize(1000);
    }
}
