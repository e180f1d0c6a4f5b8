package org.soardeferred.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStore;

class JobStoreFileTest {

    @TempDir
    Path dataDir;

    @Test
    void aThreadInterruptedWhileItRecordsAStepLeavesTheStoreWorkingForEveryOtherThread() throws Exception {
        JdbcDataSource h2 = new JdbcDataSource();
        h2.setURL(StoreConfiguration.h2Url(dataDir));
        // the service's pool holds its connections open, and with them the database
        try (Connection held = h2.getConnection()) {
            recordsAfterAnInterrupt(new JobStore(h2));
        }
    }

    private static void recordsAfterAnInterrupt(JobStore store) throws InterruptedException {
        JobRecord first = store.accept(new SoarRequest("first", List.of("solo_L2_mag-rtn-normal_20240101"), null, null, null));

        // as a stopping service interrupts a route thread in the middle of a download
        Thread interrupted = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                store.accept(new SoarRequest("during-stop", List.of("solo_L2_mag-rtn-normal_20240102"), null, null, null));
            } catch (RuntimeException ignored) {
                // the interrupted thread's own step may fail; the store must not
            }
        });
        interrupted.start();
        interrupted.join();

        JobRecord after = store.accept(new SoarRequest("after", List.of("solo_L2_mag-rtn-normal_20240103"), null, null, null));
        assertThat(store.find(first.id)).isPresent();
        assertThat(store.find(after.id)).isPresent();
    }
}
