package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.ArchivedFile;
import org.soardeferred.simulator.SoarSimulator;

/**
 * Two instances of the packaged jar, in separate JVMs, sharing a real PostgreSQL (started privately; the test fails,
 * never skips, without it), one inbox and one outbox: each schedule fire runs once, jobs are shared without
 * duplicates, and the jobs of a node killed with kill -9 are finished by the other.
 */
class ClusterIT {

    @RegisterExtension
    static final LocalPostgres postgres = new LocalPostgres();
    static int database;

    @TempDir
    Path root;
    Path inbox;
    Path outbox;

    /** A fresh database per test, on the shared server. */
    private String freshDatabase() throws Exception {
        String name = "cluster" + (++database);
        try (Connection c = DriverManager.getConnection(postgres.jdbcUrl, postgres.user, "")) {
            c.createStatement().execute("CREATE DATABASE " + name);
        }
        return postgres.jdbcUrl.replaceFirst("/postgres$", "/" + name);
    }

    private ServiceProcess node(String id, String soarUrl, String dbUrl, Map<String, String> extra) throws Exception {
        inbox = root.resolve("shared-in");
        outbox = root.resolve("shared-out");
        ServiceProcess p = new ServiceProcess(root.resolve(id), soarUrl)
                .env("SOAR_INBOX", inbox.toString())
                .env("SOAR_OUTBOX", outbox.toString())
                .env("SOAR_DB_URL", dbUrl)
                .env("SOAR_DB_USER", postgres.user)
                .env("SOAR_CLUSTER_ENABLED", "true")
                .env("SOAR_NODE_ID", id)
                .env("SOAR_CLUSTER_LEASE", "5s")
                .env("SOAR_CLUSTER_RENEW_INTERVAL", "1s")
                .env("SOAR_CLUSTER_TAKEOVER_INTERVAL", "2s")
                .env("SOAR_INBOX_MAX_PER_SCAN", "1")
                .env("SOAR_INBOX_SCAN_INTERVAL", "300")
                // packages of 24 MB in pieces of 1 MB over 4 connections: a node stopped mid-download has several
                // connections under way, each of which must write nothing once another node holds the job
                .env("SOAR_FETCH_CONNECTIONS", "4")
                .env("SOAR_FETCH_PIECE_SIZE", "1MB");
        extra.forEach(p::env);
        Files.createDirectories(root.resolve(id));
        return p.start("-Xmx256m");
    }

    /** Each node's log is kept beside the test reports (the test folder is deleted afterwards). */
    @org.junit.jupiter.api.AfterEach
    void keepLogs(org.junit.jupiter.api.TestInfo test) throws Exception {
        Path reports = Path.of("target", "failsafe-reports");
        Files.createDirectories(reports);
        for (String id : List.of("a", "b")) {
            Path log = root.resolve(id).resolve("service.log");
            if (Files.exists(log)) {
                Files.copy(log, reports.resolve("ClusterIT-" + test.getTestMethod().orElseThrow().getName() + "-" + id + ".log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private void drop(String name, String content) throws Exception {
        Files.createDirectories(inbox);
        Path tmp = Files.writeString(root.resolve(name + ".tmp"), content);
        Files.move(tmp, inbox.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private List<Map<String, Object>> rows(String dbUrl, String sql) throws Exception {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(dbUrl, postgres.user, ""); ResultSet rs = c.createStatement().executeQuery(sql)) {
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), rs.getObject(i));
                }
                out.add(row);
            }
        }
        return out;
    }

    private JsonNode awaitDelivered(String name, ServiceProcess... nodes) throws Exception {
        Path manifest = outbox.resolve(name + ".json");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(300)).until(() -> Files.exists(manifest)
                && RunningService.readJson(manifest).path("status").asText().matches("DELIVERED|FAILED"));
        JsonNode m = RunningService.readJson(manifest);
        StringBuilder logs = new StringBuilder();
        for (ServiceProcess n : nodes) {
            logs.append(n.logTail());
        }
        assertThat(m.path("status").asText()).as(logs.toString()).isEqualTo("DELIVERED");
        return m;
    }

    @Test
    void eachFireOfAMirrorsScheduleRunsOnExactlyOneNode() throws Exception {
        String db = freshDatabase();
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(50, 100).start(0)) {
            soar.archive(ArchivedFile.of("solo_L2_mag-rtn-normal_20240101", "V01", 5000, "2024-03-01T10:00:00.000"));
            Path mirrors = Files.writeString(root.resolve("mirrors.yaml"), """
                    mirrors:
                      - name: mag
                        schedule: "0/2 * * * * ?"
                        instrument: MAG
                    """);
            Map<String, String> env = Map.of("SOAR_MIRRORS", mirrors.toString());
            try (ServiceProcess a = node("a", soar.baseUrl(), db, env); ServiceProcess b = node("b", soar.baseUrl(), db, env)) {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> rows(db, "SELECT fire_time FROM soar_mirror_run").size() >= 6);
                a.close();
                b.close();
                List<Map<String, Object>> runs = rows(db, "SELECT fire_time, node, status FROM soar_mirror_run ORDER BY fire_time");
                assertThat(runs).as(a.logTail() + b.logTail()).allSatisfy(r -> assertThat(r.get("status")).isEqualTo("OK"));
                assertThat(runs.stream().map(r -> r.get("fire_time")).distinct().count()).as("one run per fire: %s", runs)
                        .isEqualTo(runs.size());
                // the first run asked for the file; the others found it there (or on its way): one request in all
                assertThat(soar.submits()).isEqualTo(1);
            }
        }
    }

    @Test
    void tenJobsAreSharedBetweenTwoNodesWithoutDuplicates() throws Exception {
        String db = freshDatabase();
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(200, 1500).start(0);
             ServiceProcess a = node("a", soar.baseUrl(), db, Map.of());
             ServiceProcess b = node("b", soar.baseUrl(), db, Map.of())) {
            // both nodes up before the drop
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(a.log).contains("started in")
                    && Files.readString(b.log).contains("started in"));
            for (int i = 0; i < 10; i++) {
                drop("job" + i + ".ids", "solo_L2_mag-rtn-normal_2024010" + i);
            }
            for (int i = 0; i < 10; i++) {
                awaitDelivered("job" + i, a, b);
            }
            assertThat(soar.submits()).as("each request sent once").isEqualTo(10);
            assertThat(soar.count("GET", "/results/")).as("each package fetched once").isEqualTo(10);
            List<Map<String, Object>> owners = rows(db, "SELECT owner_node, COUNT(*) AS n FROM soar_job GROUP BY owner_node");
            assertThat(owners).as("both nodes took jobs: %s", owners).hasSize(2);
            assertThat(rows(db, "SELECT id FROM soar_job")).hasSize(10);
            try (var done = Files.list(inbox.resolve(".done"))) {
                assertThat(done.count()).isEqualTo(10);
            }
        }
    }

    /** A node whose routes have started. */
    private ServiceProcess startedNode(String id, SoarSimulator soar, String db) throws Exception {
        ServiceProcess p = node(id, soar.baseUrl(), db, Map.of());
        await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(p.log).contains("started in"));
        return p;
    }

    /** Packages of 24 MB served at 1 MB/s per connection, so that a node can be stopped mid-download. */
    private static SoarSimulator slowSoar() throws Exception {
        return new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(24L << 20).timing(100, 200).throttle(1L << 20).start(0);
    }

    @Test
    void aNodeKilledMidDownloadHasItsJobsFinishedByTheOther() throws Exception {
        String db = freshDatabase();
        try (SoarSimulator soar = slowSoar()) {
            ServiceProcess a = node("a", soar.baseUrl(), db, Map.of());
            drop("big1.ids", "solo_L1_swa-pas-3d_20240201");
            drop("big2.ids", "solo_L1_swa-pas-3d_20240202");
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(outbox.resolve("big1.tar.gz.part"))
                    && Files.exists(outbox.resolve("big2.tar.gz.part")));
            try (ServiceProcess b = startedNode("b", soar, db)) {
                assertThat(rows(db, "SELECT owner_node FROM soar_job")).allSatisfy(r -> assertThat(r.get("owner_node")).isEqualTo("a"));
                a.kill();
                soar.throttle(0);

                JsonNode m1 = awaitDelivered("big1", a, b);
                JsonNode m2 = awaitDelivered("big2", a, b);
                assertThat(soar.submits()).as("never resubmitted").isEqualTo(2);
                assertThat(soar.requests()).filteredOn(r -> r.path().contains("/results/") && r.range() != null)
                        .as("the survivor resumed the downloads with Range").isNotEmpty();
                for (JsonNode m : List.of(m1, m2)) {
                    String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
                    assertThat(m.path("results").get(0).path("sha256").asText()).isEqualTo(served);
                }
                assertThat(rows(db, "SELECT owner_node FROM soar_job")).allSatisfy(r -> assertThat(r.get("owner_node")).isEqualTo("b"));
                assertThat(Files.readString(b.log)).contains("taken over by b");
            } finally {
                a.close();
            }
        }
    }

    @Test
    void aNodeFrozenPastItsLeaseWritesNothingMoreOnceItWakes() throws Exception {
        String db = freshDatabase();
        try (SoarSimulator soar = slowSoar()) {
            ServiceProcess a = node("a", soar.baseUrl(), db, Map.of());
            drop("slow.ids", "solo_L1_swa-pas-3d_20240203");
            Path part = outbox.resolve("slow.tar.gz.part");
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(part) && Files.size(part) > (2L << 20));
            try (ServiceProcess b = startedNode("b", soar, db)) {
                a.freeze(true);
                // b takes the job over once a's 5 s lease has run out, and resumes the download from the part
                await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(b.log).contains("taken over by b"));
                await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(b.log).contains("resuming slow.tar.gz"));
                a.freeze(false);

                // a wakes with bytes in its socket: it finds its lease gone before writing them, and stops
                await().atMost(Duration.ofMinutes(1)).until(() -> Files.readString(a.log).contains("no longer holds its lease"));
                soar.throttle(0);
                JsonNode m = awaitDelivered("slow", a, b);
                String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
                assertThat(m.path("results").get(0).path("sha256").asText()).as("no byte of a in b's package").isEqualTo(served);
                assertThat(soar.submits()).isEqualTo(1);
                assertThat(Files.readString(a.log)).doesNotContain("slow.tar.gz complete");
            } finally {
                a.close();
            }
        }
    }
}
