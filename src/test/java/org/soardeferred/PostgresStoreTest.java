package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/** The job store on a real PostgreSQL server (SOAR_DB_URL), the multi-node store. */
class PostgresStoreTest {

    @RegisterExtension
    static final LocalPostgres postgres = new LocalPostgres();
    @TempDir
    Path root;

    @Test
    void theJobStoreOnPostgresqlKeepsJobsAcrossARestartWithoutResubmitting() throws Exception {
        Map<String, String> db = Map.of("soar.db.url", postgres.jdbcUrl, "soar.db.user", postgres.user);
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(64 * 1024).timing(100, 3000).start(0)) {
            RunningService first = RunningService.start(root, soar.baseUrl(), db);
            first.drop("pg.ids", "solo_L2_epd-ept-north-rates_20200820");
            await().until(() -> soar.count("GET", "/tap/async/") > 0);
            first.close();

            try (RunningService second = RunningService.start(root, soar.baseUrl(), db)) {
                JsonNode manifest = second.awaitManifest("pg");
                assertThat(manifest.path("status").asText()).isEqualTo("DELIVERED");
                assertThat(soar.submits()).isEqualTo(1);
            }
        }
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl, postgres.user, "");
             ResultSet rs = c.createStatement().executeQuery(
                     "SELECT status, phase, results_json, (SELECT MAX(version) FROM soar_schema) FROM soar_job WHERE name = 'pg'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("DELIVERED");
            assertThat(rs.getString(2)).isEqualTo("COMPLETED");
            assertThat(rs.getString(3)).contains("\"sha256\":\"");
            assertThat(rs.getInt(4)).isEqualTo(org.soardeferred.store.JobStore.schemaVersion()).isGreaterThanOrEqualTo(5);
            assertThat(rs.next()).isFalse();
        }
    }
}
