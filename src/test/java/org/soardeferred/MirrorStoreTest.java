package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.soardeferred.mirror.MirrorFile;
import org.soardeferred.mirror.MirrorStore;
import org.soardeferred.store.JobStore;

/**
 * The mirror index on the embedded store (PostgresMirrorStoreTest: on PostgreSQL): what a job's end records, and
 * where the watermark goes. Each test has a mirror of its own.
 */
class MirrorStoreTest {

    private final String mirror = "mag-" + UUID.randomUUID();
    private MirrorStore index;

    /** The database under test, migrated by the job store. */
    DataSource database() {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return h2;
    }

    @BeforeEach
    void migrate() {
        DataSource db = database();
        new JobStore(db);
        index = new MirrorStore(db);
    }

    private static MirrorFile file(int day) {
        return new MirrorFile("solo_L2_mag-rtn-normal_202401%02d_V01.cdf".formatted(day), "solo_L2_mag-rtn-normal_202401%02d".formatted(day),
                "V01", 1000, "2024-03-%02dT10:00:00.000".formatted(day), "SCI");
    }

    @Test
    void theWatermarkStopsAtTheOldestFileThatFailedAndMovesOnOnceItIsPresent() {
        List<MirrorFile> files = List.of(file(1), file(2), file(3));
        index.want(mirror, files, "key-1");
        assertThat(index.watermark(mirror)).as("no file has settled yet").isNull();

        Map<String, String> reasons = new HashMap<>();
        reasons.put(file(2).fileName, "job failed: HTTP 500");
        assertThat(index.settle(mirror, files, reasons)).isEqualTo("2024-03-02T10:00:00.000");
        assertThat(index.counts(mirror)).containsEntry(MirrorFile.Status.PRESENT, 2L).containsEntry(MirrorFile.Status.FAILED, 1L);

        index.want(mirror, List.of(file(2)), "key-2");
        index.settle(mirror, List.of(file(2)), Map.of());
        assertThat(index.watermark(mirror)).isEqualTo("2024-03-03T10:00:00.000");
    }

    @Test
    void jobsOfOneMirrorEndingTogetherLeaveTheWatermarkAtTheNewestFile() throws Exception {
        int jobs = 8;
        List<List<MirrorFile>> batches = new ArrayList<>();
        for (int j = 0; j < jobs; j++) {
            List<MirrorFile> batch = List.of(file(2 * j + 1), file(2 * j + 2));
            index.want(mirror, batch, "key-" + j);
            batches.add(batch);
        }
        CyclicBarrier together = new CyclicBarrier(jobs);
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            List<CompletableFuture<String>> ends = new ArrayList<>();
            for (List<MirrorFile> batch : batches) {
                ends.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return index.settle(mirror, batch, Map.of());
                }, pool));
            }
            CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }
        assertThat(index.counts(mirror)).containsEntry(MirrorFile.Status.PRESENT, 2L * jobs).containsEntry(MirrorFile.Status.WANTED, 0L);
        assertThat(index.watermark(mirror)).as("the last job to settle saw all the others' files").isEqualTo("2024-03-16T10:00:00.000");
    }
}
