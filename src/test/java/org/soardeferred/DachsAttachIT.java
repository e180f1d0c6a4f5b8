package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * Attaching to jobs of an independent, real UWS server: GAVO DaCHS (Debian's python3-gavo), set up privately by
 * src/test/dachs/start-dachs.sh with its own PostgreSQL and a small table. Its TAP /async endpoint creates real UWS
 * 1.1 jobs; the service is handed their URLs as NAME.job files, as a user hands it the link of SOAR's e-mail.
 * Without DaCHS (or root, to install it) this test fails: it never skips.
 */
class DachsAttachIT {

    static Path work;
    static String tap;
    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path root;
    SoarSimulator soar;
    RunningService service;

    @BeforeAll
    static void startDachs() throws Exception {
        work = Files.createTempDirectory("soar-dachs-");
        // DaCHS's PostgreSQL runs as the postgres user, which must reach the folder
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process p = new ProcessBuilder("bash", Path.of("src/test/dachs/start-dachs.sh").toAbsolutePath().toString(),
                work.resolve("dachs").toString(), String.valueOf(freePort()), String.valueOf(freePort()))
                .redirectError(ProcessBuilder.Redirect.appendTo(work.resolve("start-dachs.log").toFile())).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("DaCHS did not start:\n" + Files.readString(work.resolve("start-dachs.log")));
        }
        List<String> lines = out.strip().lines().toList();
        tap = lines.get(lines.size() - 1).strip();
    }

    @AfterAll
    static void stopDachs() throws Exception {
        if (work != null) {
            new ProcessBuilder("bash", Path.of("src/test/dachs/stop-dachs.sh").toAbsolutePath().toString(),
                    work.resolve("dachs").toString(), "--purge").inheritIO().start().waitFor(2, TimeUnit.MINUTES);
        }
    }

    @BeforeEach
    void startService() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").start(0);
        // the DaCHS server is on 127.0.0.1 too, like the simulator; a real deployment lists its host in
        // soar.attach.allowed-hosts
        service = RunningService.start(root, soar.baseUrl(), Map.of("soar.attach.allowed-hosts", "127.0.0.1"));
    }

    @AfterEach
    void stopService() {
        service.close();
        soar.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Creates a TAP query job on DaCHS (it answers 303 with the job's URL); started with PHASE=RUN when asked. */
    private static String createJob(String adql, boolean run) throws Exception {
        HttpResponse<String> created = HTTP.send(HttpRequest.newBuilder(URI.create(tap + "/async"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("REQUEST=doQuery&LANG=ADQL&QUERY="
                        + java.net.URLEncoder.encode(adql, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(303);
        String job = created.headers().firstValue("Location").orElseThrow();
        if (run) {
            HttpResponse<String> started = HTTP.send(HttpRequest.newBuilder(URI.create(job + "/phase"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("PHASE=RUN")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(started.statusCode()).as(started.body()).isIn(200, 303);
        }
        return job;
    }

    @Test
    void aJobOfARealUwsServerIsAttachedToAndItsResultDownloadedIntact() throws Exception {
        String job = createJob("SELECT id, name, ra, dec, mag FROM uwstest.stars ORDER BY id", true);
        service.drop("stars.job", job + "\n");
        JsonNode manifest = service.awaitManifest("stars");

        assertThat(manifest.path("status").asText()).as(manifest.toString()).isEqualTo("DELIVERED");
        assertThat(manifest.path("phase").asText()).isEqualTo("COMPLETED");
        JsonNode result = manifest.path("results").get(0);
        // the result as DaCHS serves it, fetched independently
        HttpResponse<byte[]> direct = HTTP.send(HttpRequest.newBuilder(URI.create(result.path("href").asText())).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(direct.statusCode()).isEqualTo(200);
        Path delivered = service.outbox.resolve(result.path("file").asText());
        assertThat(Files.readAllBytes(delivered)).isEqualTo(direct.body());
        assertThat(new String(direct.body(), StandardCharsets.UTF_8)).contains("<VOTABLE").contains("QUERY_STATUS\" value=\"OK\"");
        assertThat(result.path("sha256").asText()).isEqualTo(RunningService.sha256(delivered));
        assertThat(result.path("contentType").asText()).as("the manifest says what the result is").contains("votable");
        assertThat(result.path("file").asText()).as("named by its type, not .tar.gz").isEqualTo("stars.vot.xml");
        assertThat(service.outbox.resolve("stars.tar.gz")).doesNotExist();
        assertThat(manifest.path("jobUrl").asText()).isEqualTo(job);
    }

    @Test
    void aJobLeftPendingOnARealUwsServerIsReportedNotStarted() throws Exception {
        String job = createJob("SELECT id FROM uwstest.stars", false);
        service.drop("waiting.job", job + "\n");
        JsonNode manifest = service.awaitManifest("waiting");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("is PENDING").contains("PHASE=RUN");
        String phase = HTTP.send(HttpRequest.newBuilder(URI.create(job + "/phase")).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(phase.strip()).as("we do not start other people's jobs").isEqualTo("PENDING");
    }

    @Test
    void aJobThatNoLongerExistsOnARealUwsServerFailsWithAClearReason() throws Exception {
        String job = createJob("SELECT id FROM uwstest.stars", false);
        HttpResponse<String> deleted = HTTP.send(HttpRequest.newBuilder(URI.create(job)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isIn(200, 303);
        service.drop("gone.job", job + "\n");
        JsonNode manifest = service.awaitManifest("gone");

        assertThat(manifest.path("status").asText()).isEqualTo("FAILED");
        assertThat(manifest.path("error").asText()).contains("no longer exists").contains("404");
    }
}
