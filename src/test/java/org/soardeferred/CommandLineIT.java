package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/** The command line, run as a separate process of the packaged jar against the simulator. */
class CommandLineIT {

    @TempDir
    Path root;
    SoarSimulator soar;

    @BeforeEach
    void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(256 * 1024).timing(100, 300).start(0);
    }

    @AfterEach
    void stopSimulator() {
        soar.close();
    }

    record Result(int exit, String out, String err) {
    }

    @Test
    void fetchSubmitsWaitsDownloadsAndExitsZeroWithTheRightSha256() throws Exception {
        Result r = run(Map.of(), "fetch", "--ids", "solo_L2_epd-ept-north-rates_20200820,solo_L2_mag_20200820", "--name", "epd",
                "--out", root.resolve("pkgs").toString());

        assertThat(r.exit()).as(r.err()).isZero();
        Path pkg = root.resolve("pkgs/epd.tar.gz");
        String served = soar.packageSha256(soar.jobIds().get(0)).values().iterator().next();
        assertThat(RunningService.sha256(pkg)).isEqualTo(served);
        assertThat(r.out()).contains("epd: 2 data items").contains("COMPLETED").contains("Delivered " + pkg)
                .containsPattern("Delivered .*epd\\.tar\\.gz \\(\\d+ bytes in \\d+\\.\\d\\d s at \\d+\\.\\d MB/s, sha256 ")
                .contains("sha256 " + served).contains("Manifest " + root.resolve("pkgs/epd.json"));
        assertThat(r.out() + r.err()).doesNotContain("s3cret-Pa55");
    }

    @Test
    void fetchWithAnS3TargetDeliversTheObjectsAndPrintsTheirUrls() throws Exception {
        try (S3Server s3 = S3Server.start(root.resolve("s3")).bucket("archive")) {
            Result r = run(Map.of("SOAR_S3_ENDPOINT", s3.endpoint(), "SOAR_S3_ACCESS_KEY", S3Server.ACCESS_KEY,
                    "SOAR_S3_SECRET_KEY", S3Server.SECRET_KEY), "fetch", "--ids", "solo_L2_mag_20200820", "--name", "mag",
                    "--target", "s3://archive/solo");

            assertThat(r.exit()).as(r.err()).isZero();
            String served = soar.packageSha256(soar.jobIds().get(0)).values().iterator().next();
            assertThat(s3.sha256("archive", "solo/mag.tar.gz")).isEqualTo(served);
            assertThat(r.out()).contains("Delivered s3://archive/solo/mag.tar.gz").contains("sha256 " + served)
                    .contains("Manifest s3://archive/solo/mag.json");
            assertThat(r.out() + r.err()).doesNotContain(S3Server.SECRET_KEY);

            Result denied = run(Map.of("SOAR_S3_ENDPOINT", s3.endpoint(), "SOAR_S3_ACCESS_KEY", S3Server.ACCESS_KEY,
                    "SOAR_S3_SECRET_KEY", "wrong", "SOAR_RESUBMIT", "always"), "fetch", "--ids", "solo_L2_mag_20200820",
                    "--target", "s3://archive/solo");
            assertThat(denied.exit()).as("a transfer failure").isEqualTo(5);
            assertThat(denied.err()).contains("S3 refused access");
        }
    }

    @Test
    void statusShowsTheLiveJobsOfARunningServiceAsATable() throws Exception {
        soar.itemBytes(48L << 20).throttle(4L << 20);
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Files.createDirectories(root.resolve("svc"));
        try (ServiceProcess app = new ServiceProcess(root.resolve("svc"), soar.baseUrl()).env("SOAR_HTTP_ENABLED", "true")
                .env("SOAR_HTTP_PORT", Integer.toString(port)).start()) {
            app.drop("live.ids", "solo_L2_live_20200820");
            String url = "http://127.0.0.1:" + port;
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofSeconds(1))
                    .until(() -> run(Map.of(), "status", "--url", url).out().contains("FETCHING"));

            Result r = run(Map.of(), "status", "--url", url);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).contains("NAME").contains("STATUS").contains("MB/s").containsPattern("live +FETCHING +COMPLETED +\\d+\\.\\d%");
        }
        Result down = run(Map.of(), "status", "--url", "http://127.0.0.1:" + port);
        assertThat(down.exit()).isEqualTo(1);
        assertThat(down.err()).contains("no service answers at");
    }

    @Test
    void jsonLogsCarryTheJobIdInEveryLineOfTheJob() throws Exception {
        Result r = run(Map.of("SOAR_LOG_FORMAT", "json"), "fetch", "-v", "--ids", "solo_L2_mag_20200820", "--name", "logged",
                "--out", root.resolve("logged").toString());

        assertThat(r.exit()).as(r.err()).isZero();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String jobId = json.readTree(root.resolve("logged/logged.json").toFile()).path("localJobId").asText();
        List<com.fasterxml.jackson.databind.JsonNode> events = new ArrayList<>();
        for (String line : r.out().split("\n")) {
            if (line.startsWith("{")) {
                events.add(json.readTree(line));
            }
        }
        assertThat(events).as("log events as JSON lines").hasSizeGreaterThan(5);
        List<com.fasterxml.jackson.databind.JsonNode> jobLines = events.stream()
                .filter(e -> e.path("message").asText().contains("job " + jobId)).toList();
        assertThat(jobLines).as("lines about the job").isNotEmpty()
                .allSatisfy(e -> assertThat(e.path("mdc").path("soar.job").asText()).as(e.toString()).isEqualTo(jobId));
        assertThat(r.out()).doesNotContain("s3cret-Pa55");
    }

    @Test
    void fetchWithAJobUrlAttachesToAJobSubmittedElsewhere() throws Exception {
        Result submitted = run(Map.of(), "fetch", "--ids", "solo_a_20200101", "--name", "first");
        assertThat(submitted.exit()).isZero();
        String jobUrl = soar.baseUrl() + "/tap/async/" + soar.jobIds().get(0);

        Result r = run(Map.of("SOAR_RESUBMIT", "always"), "fetch", "--job-url", jobUrl, "--name", "attached",
                "--out", root.resolve("attached").toString());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("attached: the existing job " + jobUrl);
        assertThat(soar.submits()).isEqualTo(1);
        assertThat(RunningService.sha256(root.resolve("attached/attached.tar.gz")))
                .isEqualTo(soar.packageSha256(soar.jobIds().get(0)).values().iterator().next());
    }

    @Test
    void badInputExitsTwoWithAOneLineReason() throws Exception {
        Result r = run(Map.of(), "fetch", "--ids", "solo L2 with spaces");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).startsWith("soar-deferred: invalid request: 'solo L2 with spaces' is not a SOAR data item id")
                .doesNotContain("\n");
        assertThat(soar.submits()).isZero();

        Result elsewhere = run(Map.of(), "fetch", "--job-url", "https://intranet.example.org/uws/jobs/42");

        assertThat(elsewhere.exit()).as(elsewhere.err()).isEqualTo(2);
        assertThat(elsewhere.err().strip()).startsWith("soar-deferred: invalid request: the job URL is on intranet.example.org")
                .doesNotContain("\n");
        assertThat(soar.requests()).isEmpty();
    }

    @Test
    void aRefusedLoginExitsThree() throws Exception {
        Result r = run(Map.of("SOAR_PASSWORD", "wrong"), "fetch", "--ids", "solo_a_20200101");

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).contains("SOAR refused the login of user 'scientist' (HTTP 401)");
    }

    @Test
    void aJobThatEndsInErrorExitsFourWithTheServersMessage() throws Exception {
        Result r = run(Map.of(), "fetch", "--ids", "solo_sim_error_20200101");

        assertThat(r.exit()).isEqualTo(4);
        assertThat(r.err()).contains("ended in ERROR: Simulated failure");
    }

    @Test
    void aTransferThatDoesNotVerifyExitsFive() throws Exception {
        soar.skewSizes(3);
        Result r = run(Map.of(), "fetch", "--ids", "solo_a_20200101");

        assertThat(r.exit()).isEqualTo(5);
        assertThat(r.err()).contains("received").contains("announced");
    }

    @Test
    void withoutATerminalProgressIsPrintedAsPlainPeriodicLines() throws Exception {
        soar.itemBytes(8L << 20).throttle(3L << 20);
        Result r = run(Map.of(), "fetch", "--ids", "solo_a_20200101", "--name", "slow", "--progress-interval", "1s");

        assertThat(r.exit()).as(r.err()).isZero();
        List<String> lines = r.out().lines().filter(l -> l.matches("  slow\\.tar\\.gz: [0-9.]+ MB of [0-9.]+ MB \\([0-9.]+%\\), [0-9.]+ MB/s, ETA .*"))
                .toList();
        assertThat(lines).hasSizeGreaterThanOrEqualTo(2);
        assertThat(r.out()).doesNotContain("\r");
    }

    @Test
    void onATerminalProgressIsABar() throws Exception {
        soar.itemBytes(6L << 20).throttle(3L << 20);
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar(), "fetch", "--ids", "solo_a_20200101", "--name", "tty"));
        Result r = exec(Map.of("TERM", "xterm"), List.of("script", "-qfec", String.join(" ", command), "/dev/null"));

        assertThat(r.exit()).as(r.out()).isZero();
        assertThat(r.out()).contains("\r").containsPattern("tty\\.tar\\.gz +[0-9]+%").contains("MB").contains("Delivered");
    }

    @Test
    void ctrlCLeavesTheJobResumableAndResumeFinishesItWithoutASecondSubmit() throws Exception {
        soar.itemBytes(24L << 20).throttle(4L << 20);
        // one stream, resumed with Range: bytes=N- (KillAndRestartIT covers a segmented download's resume)
        Map<String, String> oneStream = Map.of("SOAR_FETCH_CONNECTIONS", "1");
        ProcessBuilder pb = builder(oneStream, List.of(java(), "-jar", jar(), "fetch", "--ids", "solo_a_20200101", "--name", "big"));
        Process fetch = pb.start();
        Path part = root.resolve("downloads/big.tar.gz.part");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(part) && Files.size(part) > (4L << 20));
        new ProcessBuilder("kill", "-INT", String.valueOf(fetch.pid())).start().waitFor();
        assertThat(fetch.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(root.resolve("err.txt"));

        assertThat(fetch.exitValue()).isEqualTo(130);
        assertThat(err).contains("continue it with: java -jar target/soar-deferred.jar resume");
        soar.throttle(0);

        Result resumed = run(oneStream, "resume");

        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Delivered");
        assertThat(soar.submits()).isEqualTo(1);
        assertThat(soar.requests().stream().filter(q -> q.path().contains("/results/")).map(q -> q.range()))
                .anySatisfy(range -> assertThat(range).matches("bytes=[1-9][0-9]*-"));
        assertThat(RunningService.sha256(root.resolve("downloads/big.tar.gz")))
                .isEqualTo(soar.packageSha256(soar.jobIds().get(0)).values().iterator().next());

        Result jobs = run(Map.of(), "jobs");
        assertThat(jobs.out()).containsPattern("big +DELIVERED +COMPLETED");
    }

    // ------------------------------------------------------------------ running the jar

    private Result run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar()));
        command.addAll(List.of(args));
        return exec(env, command);
    }

    private Result exec(Map<String, String> env, List<String> command) throws Exception {
        Process p = builder(env, command).start();
        assertThat(p.waitFor(3, TimeUnit.MINUTES)).as("the command ends").isTrue();
        return new Result(p.exitValue(), Files.readString(root.resolve("out.txt")), Files.readString(root.resolve("err.txt")));
    }

    private ProcessBuilder builder(Map<String, String> env, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(root.toFile())
                .redirectOutput(root.resolve("out.txt").toFile()).redirectError(root.resolve("err.txt").toFile());
        pb.environment().put("SOAR_BASE_URL", soar.baseUrl());
        pb.environment().put("SOAR_USERNAME", "scientist");
        pb.environment().put("SOAR_PASSWORD", "s3cret-Pa55");
        pb.environment().put("SOAR_POLL_DELAY", "200ms");
        pb.environment().put("SOAR_POLL_MAX_DELAY", "500ms");
        pb.environment().remove("TERM");
        pb.environment().putAll(env);
        return pb;
    }

    private static String java() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    private static String jar() {
        return Path.of(System.getProperty("soar.test.jar", "target/soar-deferred.jar")).toAbsolutePath().toString();
    }
}
