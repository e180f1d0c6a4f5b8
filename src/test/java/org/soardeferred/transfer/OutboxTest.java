package org.soardeferred.transfer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.ResultRecord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OutboxTest {

    @TempDir
    Path dir;

    @Test
    void namesFromTheServerNeverLeaveTheOutbox() {
        Outbox outbox = new Outbox(dir);
        JobRecord job = job("pkg", new ResultRecord("../../../etc/passwd", "http://x/r1", 1L),
                new ResultRecord("..", "http://x/r2", 1L), new ResultRecord("a/b\\c d", "http://x/r3", 1L));

        outbox.assignNames(job);

        for (ResultRecord r : job.results) {
            Path file = outbox.resolve(r.file);
            assertThat(file.getParent()).isEqualTo(dir.toAbsolutePath().normalize());
            assertThat(r.file).startsWith("pkg-").endsWith(".tar.gz").doesNotContain("/").doesNotContain("\\\\");
        }
        assertThat(job.results.stream().map(r -> r.file).distinct()).hasSize(3);
    }

    @Test
    void aNameThatWouldLeaveTheOutboxIsRefused() {
        Outbox outbox = new Outbox(dir);
        assertThatThrownBy(() -> outbox.resolve("../escape.tar.gz")).isInstanceOf(SecurityException.class);
        assertThatThrownBy(() -> outbox.resolve("sub/../../escape.tar.gz")).isInstanceOf(SecurityException.class);
    }

    @Test
    void safeNamesKeepLettersDigitsDotsDashesAndUnderscoresOnly() {
        assertThat(Outbox.safeName("solo_L2_epd-ept.2020")).isEqualTo("solo_L2_epd-ept.2020");
        assertThat(Outbox.safeName("..hidden")).isEqualTo("hidden");
        assertThat(Outbox.safeName("a b/c")).isEqualTo("a_b_c");
        assertThat(Outbox.safeName("")).isEqualTo("package");
        assertThat(Outbox.safeName("x".repeat(500))).hasSize(120);
    }

    @Test
    void aTakenNameMovesTheNewJobToNameDash2() throws Exception {
        Outbox outbox = new Outbox(dir);
        Files.writeString(dir.resolve("pkg.json"), "{}");
        JobRecord job = job("pkg", new ResultRecord("r1", "http://x/r1", 1L));

        assertThat(outbox.assignNames(job)).isTrue();
        assertThat(job.outputName).isEqualTo("pkg-2");
        assertThat(job.results.get(0).file).isEqualTo("pkg-2.tar.gz");
        assertThat(outbox.assignNames(job)).as("names are fixed once assigned").isFalse();
    }

    private static JobRecord job(String name, ResultRecord... results) {
        JobRecord job = new JobRecord();
        job.id = "id";
        job.name = name;
        job.request = new SoarRequest(name, List.of("solo_a"), null, null, null);
        job.status = JobStatus.FETCHING;
        job.results = new java.util.ArrayList<>(List.of(results));
        job.createdAt = Instant.now();
        job.updatedAt = job.createdAt;
        return job;
    }
}
