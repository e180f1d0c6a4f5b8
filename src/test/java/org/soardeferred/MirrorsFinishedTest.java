package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.soardeferred.mirror.MirrorDefinition;
import org.soardeferred.mirror.MirrorFile;
import org.soardeferred.mirror.MirrorStore;
import org.soardeferred.mirror.Mirrors;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;

/** The end of a mirror's job: the mirror's bookkeeping never changes how the job itself ended. */
class MirrorsFinishedTest {

    private static final String MIRROR = "mag";
    private final AtomicBoolean databaseDown = new AtomicBoolean();
    private MirrorStore index;
    private Mirrors mirrors;

    @BeforeEach
    void mirror() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        JobStore jobs = new JobStore(h2);
        index = new MirrorStore(h2) {
            @Override
            public String settle(String mirror, List<MirrorFile> files, Map<String, String> reasons) {
                if (databaseDown.get()) {
                    throw new IllegalStateException("the database connection was lost");
                }
                return super.settle(mirror, files, reasons);
            }
        };
        MirrorDefinition mag = new MirrorDefinition(MIRROR, "0 0 2 * * ?", List.of("MAG"), List.of("L2"), List.of(),
                List.of(), null, "mirror", MirrorDefinition.DEFAULT_SIZE_CAP, "LAST_PRODUCT", false, false, null);
        mirrors = new Mirrors(Map.of(MIRROR, mag), index, jobs, null, "node-a", Duration.ofDays(1), 100);
    }

    private static MirrorFile file(int day) {
        return new MirrorFile("solo_L2_mag-rtn-normal_202401%02d_V01.cdf".formatted(day),
                "solo_L2_mag-rtn-normal_202401%02d".formatted(day), "V01", 1000, "2024-03-%02dT10:00:00.000".formatted(day), "SCI");
    }

    private static JobRecord delivered(String requestKey) {
        JobRecord job = new JobRecord();
        job.id = "job-" + requestKey;
        job.name = "mirror-mag-" + requestKey;
        job.idempotencyKey = requestKey;
        job.status = JobStatus.DELIVERED;
        return job;
    }

    @Test
    void aDeliveredJobWhoseFilesCannotBeRecordedStaysDeliveredAndItsFilesStayWantedForTheNextRun() {
        index.want(MIRROR, List.of(file(1), file(2)), "key-1");
        databaseDown.set(true);

        JobRecord job = delivered("key-1");
        assertThatCode(() -> mirrors.finished(job)).doesNotThrowAnyException();
        assertThat(job.status).isEqualTo(JobStatus.DELIVERED);
        assertThat(index.counts(MIRROR)).containsEntry(MirrorFile.Status.WANTED, 2L);
        assertThat(index.watermark(MIRROR)).isNull();

        // once the database is back, a job end records them
        databaseDown.set(false);
        mirrors.finished(job);
        assertThat(index.counts(MIRROR)).containsEntry(MirrorFile.Status.PRESENT, 2L);
        assertThat(index.watermark(MIRROR)).isEqualTo("2024-03-02T10:00:00.000");
    }
}
