package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.ConsumerTemplate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The REST API, the job events and the management endpoints (health, Prometheus metrics) of the real service,
 * driven over HTTP while jobs run against the simulator.
 */
class ApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "api-token-for-tests";

    @TempDir
    Path root;
    SoarSimulator soar;
    RunningService service;
    String api;
    String management;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(256 * 1024).timing(100, 400).start(0);
        int apiPort = freePort();
        int managementPort = freePort();
        Map<String, String> p = new HashMap<>();
        p.put("soar.http.enabled", "true");
        p.put("soar.http.port", Integer.toString(apiPort));
        p.put("soar.http.token", TOKEN);
        p.put("soar.management.enabled", "true");
        p.put("soar.management.port", Integer.toString(managementPort));
        p.put("soar.events.uri", "seda:test-events?size=1000");
        p.put("soar.targets.allowed", root.resolve("elsewhere").toString());
        service = RunningService.start(root, soar.baseUrl(), p);
        api = "http://127.0.0.1:" + apiPort;
        management = "http://127.0.0.1:" + managementPort;
    }

    @AfterEach
    void stop() {
        service.close();
        soar.close();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> call(String method, String path, String body, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String method, String path, String body) throws Exception {
        return call(method, path, body, TOKEN);
    }

    private JsonNode status(String location) throws Exception {
        return JSON.readTree(call("GET", location, null).body());
    }

    private String get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    @Test
    void aPostedRequestIsAcceptedWithItsLocationAndDeliveredWithItsResultsAndEvents() throws Exception {
        HttpResponse<String> posted = call("POST", "/api/requests",
                "{\"ids\": [\"solo_L2_mag-rtn-normal_20230101\", \"solo_L2_epd-ept-north-rates_20200820\"], \"name\": \"mag\"}");

        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
        String location = posted.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith("/api/requests/");
        assertThat(JSON.readTree(posted.body()).path("name").asText()).isEqualTo("mag");
        assertThat(posted.headers().map().keySet()).as("no internal header leaks").noneMatch(h -> h.toLowerCase().startsWith("camel"));

        await().atMost(Duration.ofSeconds(30)).until(() -> status(location).path("status").asText().equals("DELIVERED"));
        JsonNode done = status(location);
        String served = soar.packageSha256(done.path("jobId").asText()).values().iterator().next();
        assertThat(done.path("results").get(0).path("sha256").asText()).isEqualTo(served);
        assertThat(done.path("bytesDone").asLong()).isEqualTo(done.path("bytesTotal").asLong()).isPositive();
        assertThat(done.path("manifest").asText()).endsWith("mag.json");

        ConsumerTemplate events = service.context().createConsumerTemplate();
        List<JsonNode> seen = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            String e = events.receiveBody("seda:test-events?size=1000", 100, String.class);
            if (e != null) {
                seen.add(JSON.readTree(e));
            }
            return seen.stream().anyMatch(n -> n.path("type").asText().equals("completed"));
        });
        assertThat(seen).extracting(n -> n.path("type").asText()).contains("accepted", "submitted", "phase", "downloading", "completed");
        JsonNode completed = seen.stream().filter(n -> n.path("type").asText().equals("completed")).findFirst().orElseThrow();
        assertThat(completed.path("manifest").path("results").get(0).path("sha256").asText()).isEqualTo(served);

        JsonNode page = JSON.readTree(call("GET", "/api/requests?status=delivered&limit=10", null).body());
        assertThat(page.path("jobs")).extracting(j -> j.path("name").asText()).containsExactly("mag");
    }

    @Test
    void aDeliveredRequestAndItsManifestSayHowLongTheTransferTookAndItsAverageRate() throws Exception {
        long rate = 512 * 1024;
        soar.itemBytes(384 * 1024).throttle(rate);
        String location = call("POST", "/api/requests", "{\"ids\": [\"solo_L2_mag_20200820\"], \"name\": \"timed\"}")
                .headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(location).path("status").asText().equals("DELIVERED"));

        JsonNode done = status(location);
        JsonNode transfer = done.path("transfer");
        long bytes = done.path("bytesTotal").asLong();
        assertThat(transfer.path("bytes").asLong()).isEqualTo(bytes).isPositive();
        double seconds = transfer.path("seconds").asDouble();
        // the simulator sends at most `rate` bytes a second: the transfer cannot have taken less than bytes / rate
        assertThat(seconds).isGreaterThanOrEqualTo(bytes / (double) rate * 0.9).isLessThan(20);
        assertThat(transfer.path("averageBytesPerSecond").asLong()).isCloseTo(Math.round(bytes / seconds), org.assertj.core.data.Percentage.withPercentage(1))
                .isLessThanOrEqualTo(rate * 11 / 10);
        assertThat(java.time.Instant.parse(transfer.path("finishedAt").asText()))
                .isAfter(java.time.Instant.parse(transfer.path("startedAt").asText()));
        assertThat(done.path("results").get(0).path("transfer").path("seconds").asDouble()).isEqualTo(seconds);

        JsonNode manifest = RunningService.readJson(service.outbox.resolve("timed.json"));
        assertThat(manifest.path("transfer")).isEqualTo(transfer);
        assertThat(manifest.path("results").get(0).path("transfer").path("bytes").asLong()).isEqualTo(bytes);
    }

    @Test
    void aRequestNamingAnAllowedTargetIsDeliveredThere() throws Exception {
        String elsewhere = root.resolve("elsewhere").toString();
        String location = call("POST", "/api/requests", "{\"ids\": [\"solo_L2_mag_20200820\"], \"name\": \"there\", \"target\": \""
                + elsewhere.replace("\\", "\\\\") + "\"}").headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(location).path("status").asText().equals("DELIVERED"));

        JsonNode done = status(location);
        assertThat(done.path("target").asText()).isEqualTo(root.resolve("elsewhere").toAbsolutePath().toString());
        assertThat(root.resolve("elsewhere/there.tar.gz")).exists();
        assertThat(root.resolve("elsewhere/there.json")).exists();
        assertThat(service.outbox.resolve("there.tar.gz")).doesNotExist();
        assertThat(RunningService.sha256(root.resolve("elsewhere/there.tar.gz")))
                .isEqualTo(soar.packageSha256(done.path("jobId").asText()).values().iterator().next());
    }

    @Test
    void invalidRequestsAreRefusedWithA400AndTheReason() throws Exception {
        HttpResponse<String> notJson = call("POST", "/api/requests", "{ids: nope");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("error").asText()).contains("not JSON");

        HttpResponse<String> unknown = call("POST", "/api/requests", "{\"ids\": [\"a_b\"], \"colour\": \"red\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("unknown field(s) [colour]");

        HttpResponse<String> badId = call("POST", "/api/requests", "{\"ids\": [\"solo L2 spaces\"]}");
        assertThat(badId.statusCode()).isEqualTo(400);

        HttpResponse<String> neither = call("POST", "/api/requests", "{\"name\": \"empty\"}");
        assertThat(neither.statusCode()).isEqualTo(400);
        assertThat(neither.body()).contains("neither data item ids nor an ADQL query");

        HttpResponse<String> anywhere = call("POST", "/api/requests", "{\"ids\": [\"a_b\"], \"target\": \"/etc\"}");
        assertThat(anywhere.statusCode()).isEqualTo(400);
        assertThat(anywhere.body()).contains("the target '/etc' is not allowed");

        HttpResponse<String> malformed = call("POST", "/api/requests", "{\"job_url\": \"https://soar.example.org/async/%zz\"}");
        assertThat(malformed.statusCode()).as(malformed.body()).isEqualTo(400);
        assertThat(JSON.readTree(malformed.body()).path("error").asText()).contains("is not a valid URL");

        assertThat(call("GET", "/api/requests/no-such-id", null).statusCode()).isEqualTo(404);
        assertThat(call("GET", "/api/requests?status=SLEEPING", null).statusCode()).isEqualTo(400);
        assertThat(soar.submits()).isZero();
    }

    @Test
    void aJobUrlOnAHostThatIsNotAllowedIsA400WithTheReasonAndLogsNoError() throws Exception {
        ch.qos.logback.classic.Logger rootLogger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(
                org.slf4j.Logger.ROOT_LOGGER_NAME);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        rootLogger.addAppender(logged);
        try {
            HttpResponse<String> elsewhere = call("POST", "/api/requests",
                    "{\"job_url\": \"https://intranet.example.org/uws/jobs/42\", \"name\": \"internal\"}");

            assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(400);
            assertThat(elsewhere.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
            JsonNode body = JSON.readTree(elsewhere.body());
            assertThat(body.path("status").asInt()).isEqualTo(400);
            assertThat(body.path("error").asText()).contains("intranet.example.org").contains("soar.attach.allowed-hosts");
        } finally {
            rootLogger.detachAppender(logged);
        }
        assertThat(logged.list).as("nothing logged at ERROR for a refused request")
                .noneMatch(e -> e.getLevel() == ch.qos.logback.classic.Level.ERROR);
        assertThat(soar.requests()).isEmpty();
        assertThat(call("GET", "/api/requests", null).body()).doesNotContain("internal");
    }

    @Test
    void anAttachedJobUrlNamingATargetIsDeliveredToThatTarget() throws Exception {
        String first = call("POST", "/api/requests", "{\"ids\": [\"solo_L2_mag_20200820\"], \"name\": \"here\"}").headers()
                .firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(first).path("status").asText().equals("DELIVERED"));
        String jobUrl = status(first).path("jobUrl").asText();
        String elsewhere = root.resolve("elsewhere").toString();

        HttpResponse<String> attached = call("POST", "/api/requests", "{\"job_url\": \"" + jobUrl + "\", \"name\": \"attached\", "
                + "\"target\": \"" + elsewhere.replace("\\", "\\\\") + "\"}");

        assertThat(attached.statusCode()).as(attached.body()).isEqualTo(202);
        String location = attached.headers().firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(location).path("status").asText().equals("DELIVERED"));
        JsonNode done = status(location);
        assertThat(done.path("target").asText()).isEqualTo(root.resolve("elsewhere").toAbsolutePath().toString());
        assertThat(root.resolve("elsewhere/attached.tar.gz")).exists();
        assertThat(root.resolve("elsewhere/attached.json")).exists();
        assertThat(service.outbox.resolve("attached.tar.gz")).doesNotExist();
        assertThat(RunningService.sha256(root.resolve("elsewhere/attached.tar.gz")))
                .isEqualTo(soar.packageSha256(done.path("jobId").asText()).values().iterator().next());
        assertThat(soar.submits()).as("attached to, not submitted again").isEqualTo(1);
    }

    @Test
    void withATokenConfiguredCallsWithoutItAreRefused() throws Exception {
        HttpResponse<String> none = call("POST", "/api/requests", "{\"ids\": [\"solo_L2_mag_20200820\"]}", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(call("GET", "/api/requests", null, "wrong").statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/requests", null).statusCode()).isEqualTo(200);
        assertThat(soar.submits()).isZero();
    }

    @Test
    void anAbortIsSentToTheServerAndTheJobEndsAborted() throws Exception {
        soar.timing(100, 60_000);
        String location = call("POST", "/api/requests", "{\"ids\": [\"solo_L2_long_20200820\"]}").headers()
                .firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> status(location).path("phase").asText().equals("EXECUTING"));

        HttpResponse<String> aborted = call("POST", location + "/abort", null);

        assertThat(aborted.statusCode()).as(aborted.body()).isEqualTo(202);
        assertThat(soar.requests()).anyMatch(r -> r.method().equals("POST") && r.path().endsWith("/phase"));
        await().atMost(Duration.ofSeconds(20)).until(() -> status(location).path("status").asText().equals("FAILED"));
        assertThat(status(location).path("phase").asText()).isEqualTo("ABORTED");
        assertThat(call("POST", location + "/abort", null).statusCode()).as("already finished").isEqualTo(409);
    }

    @Test
    void healthAndMetricsAreServedOnTheManagementPort() throws Exception {
        String location = call("POST", "/api/requests", "{\"ids\": [\"solo_L2_mag_20200820\"]}").headers()
                .firstValue("Location").orElseThrow();
        await().atMost(Duration.ofSeconds(30)).until(() -> status(location).path("status").asText().equals("DELIVERED"));

        String ready = get(management + "/observe/health/ready");
        assertThat(ready).contains("\"UP\"");
        assertThat(get(management + "/observe/health")).contains("job-store").contains("soar-reachable");
        String metrics = get(management + "/observe/metrics");
        assertThat(metrics).contains("soar_submits_total 1.0").contains("soar_jobs{status=\"DELIVERED\"} 1.0")
                .contains("soar_polls_total").contains("soar_downloaded_bytes_total").contains("soar_job_delivered_seconds_count 1")
                .contains("soar_download_rate_bytes_per_second_count 1");
        assertThat(get(api + "/api/openapi.json")).contains("/api/requests");
    }
}
