package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The container image (Jib, profile image) run with podman against the SOAR simulator of this JVM: a query file
 * dropped into the mounted inbox arrives in the mounted outbox, health answers UP, {@code podman stop} (SIGTERM)
 * stops it cleanly and a new start resumes its unfinished job; two containers in cluster mode on one PostgreSQL, one
 * killed mid-download, the other finishes its jobs.
 * <p>
 * No registry is reachable here: src/test/container/build-image.sh makes a base image from the installed JDK and
 * builds the image on it (a {@code tar://} base). podman runs with runc and the host's ulimits, through a
 * containers.conf of the test's own (CONTAINERS_CONF), and host networking (the simulator and PostgreSQL listen on
 * 127.0.0.1). Skipped, with a message, only where podman is not installed ({@code bash .ci/run} installs it).
 */
class ContainerIT {

    static final String IMAGE = "localhost/soar-deferred:it";
    static Path work;
    static Path containersConf;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path root;
    final List<String> containers = new ArrayList<>();
    final List<String> networks = new ArrayList<>();

    @BeforeAll
    static void buildImage() throws Exception {
        assumeTrue(onPath("podman"), "podman is not installed: the container image is not tested "
                + "(apt-get install podman runc; bash .ci/run installs them)");
        work = Files.createTempDirectory("soar-container-it-");
        containersConf = Files.writeString(work.resolve("containers.conf"), """
                [containers]
                default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
                [engine]
                runtime = "runc"
                """);
        Path log = Path.of("target", "failsafe-reports", "ContainerIT-build-image.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder("bash", "src/test/container/build-image.sh", work.toString(), IMAGE)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CONTAINERS_CONF", containersConf.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(10, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new AssertionError("building the image failed:\n" + Files.readString(log));
        }
    }

    @AfterAll
    static void removeImages() throws Exception {
        if (work != null) {
            podmanQuietly("rmi", "-f", IMAGE, "localhost/soar-test-base:latest");
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** Each container's log beside the test reports, then the container removed. */
    @AfterEach
    void removeContainers(TestInfo test) throws Exception {
        Path reports = Path.of("target", "failsafe-reports");
        Files.createDirectories(reports);
        for (String name : containers) {
            Files.writeString(reports.resolve("ContainerIT-" + test.getTestMethod().orElseThrow().getName() + "-" + name + ".log"),
                    logs(name));
            podmanQuietly("rm", "-f", "-t", "0", name);
        }
        for (String network : networks) {
            podmanQuietly("network", "rm", "-f", network);
        }
    }

    @Test
    void aQueryFileIsDeliveredHealthIsUpSigtermStopsCleanlyAndAStartResumesTheJob() throws Exception {
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").timing(200, 1000).start(0)) {
            Path in = folder("in");
            Path out = folder("out");
            Path data = folder("data");
            int management = freePort();
            String name = name("single");
            // --read-only: as in Kubernetes (readOnlyRootFilesystem; podman mounts a tmpfs on /tmp); -Xshare:on: the
            // JVM refuses to start unless the image's AppCDS archive matches its JVM and class path
            podman("run", "-d", "--name", name, "--network", "host", "--read-only",
                    "-e", "JAVA_TOOL_OPTIONS=-Xshare:on",
                    "-v", in + ":/inbox", "-v", out + ":/outbox", "-v", data + ":/data",
                    "-e", "SOAR_BASE_URL=" + soar.baseUrl(), "-e", "SOAR_USERNAME=scientist", "-e", "SOAR_PASSWORD=s3cret-Pa55",
                    // host networking: the ports must be free on the host, and loopback is enough
                    "-e", "SOAR_HTTP_HOST=127.0.0.1", "-e", "SOAR_HTTP_PORT=" + freePort(),
                    "-e", "SOAR_MANAGEMENT_HOST=127.0.0.1", "-e", "SOAR_MANAGEMENT_PORT=" + management,
                    "-e", "SOAR_POLL_DELAY=200ms", "-e", "SOAR_POLL_MAX_DELAY=500ms", "-e", "SOAR_INBOX_MIN_AGE=200",
                    IMAGE);
            containers.add(name);
            String health = "http://127.0.0.1:" + management + "/observe/health";
            awaitUp(name, health + "/live");
            awaitUp(name, health + "/ready");
            assertThat(json(health).path("checks").toString()).contains("job-store").contains("soar-reachable");
            assertThat(logs(name)).doesNotContain("[cds]");

            drop(in, "first.ids", "solo_L2_mag-rtn-normal_20240101");
            JsonNode first = awaitDelivered(name, out, "first");
            assertThat(out.resolve("first.tar.gz")).exists();
            assertThat(first.path("results").get(0).path("sha256").asText())
                    .isEqualTo(soar.packageSha256(first.path("jobId").asText()).values().iterator().next());

            // the next job runs 25 s at SOAR: the container is stopped while it runs. A graceful stop waits up to
            // camel.main.shutdown-timeout (10 s) for the poll under way, then ends it; the job stays in the store.
            soar.timing(200, 25_000);
            drop(in, "second.ids", "solo_L2_mag-rtn-normal_20240102");
            await().atMost(Duration.ofMinutes(1)).until(() -> soar.submits() == 2);
            long t0 = System.nanoTime();
            podman("stop", "-t", "30", name);
            long stopMs = (System.nanoTime() - t0) / 1_000_000;
            int exit = Integer.parseInt(podman("inspect", "--format", "{{.State.ExitCode}}", name).strip());
            // the JVM ends on SIGTERM with 128 + 15 once its shutdown hooks (Camel's graceful stop) have run;
            // 137 would mean podman had to SIGKILL it after the timeout
            assertThat(exit).as(logs(name)).isEqualTo(143);
            assertThat(stopMs).as("stopped well before podman's timeout").isLessThan(20_000);
            assertThat(logs(name)).contains("is shutdown");
            Path secondManifest = out.resolve("second.json"); // written at submission, finished at delivery
            assertThat(Files.exists(secondManifest) ? RunningService.readJson(secondManifest).path("status").asText() : "none")
                    .as("stopped while its job runs at SOAR").isNotIn("DELIVERED", "FAILED");

            podman("start", name);
            JsonNode second = awaitDelivered(name, out, "second");
            assertThat(soar.submits()).as("the job was resumed, not sent again").isEqualTo(2);
            assertThat(second.path("results").get(0).path("sha256").asText())
                    .isEqualTo(soar.packageSha256(second.path("jobId").asText()).values().iterator().next());
        }
    }

    @Test
    void twoContainersInClusterModeOnePostgresOneKilledMidDownloadTheOtherFinishes() throws Exception {
        LocalPostgres postgres = new LocalPostgres();
        postgres.beforeAll(null);
        // packages of 24 MB served at 256 KB/s per connection (1 MB/s with 4 connections): the first node is still
        // downloading once the second has started, and is killed then
        try (SoarSimulator soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(24L << 20).timing(100, 200)
                .throttle(256L << 10).start(0)) {
            try (Connection c = DriverManager.getConnection(postgres.jdbcUrl, postgres.user, "")) {
                c.createStatement().execute("CREATE DATABASE containers");
            }
            String db = postgres.jdbcUrl.replaceFirst("/postgres$", "/containers");
            Path in = folder("shared-in");
            Path out = folder("shared-out");
            String a = clusterNode("a", soar, db, in, out);
            drop(in, "big1.ids", "solo_L1_swa-pas-3d_20240201");
            drop(in, "big2.ids", "solo_L1_swa-pas-3d_20240202");
            await().atMost(Duration.ofMinutes(1)).until(() -> Files.exists(out.resolve("big1.tar.gz.part"))
                    && Files.exists(out.resolve("big2.tar.gz.part")));
            String b = clusterNode("b", soar, db, in, out);
            await().atMost(Duration.ofMinutes(1)).until(() -> logs(b).contains("started in"));

            assertThat(Files.exists(out.resolve("big1.json")) && RunningService.readJson(out.resolve("big1.json")).path("status").asText().equals("DELIVERED"))
                    .as("still downloading when killed").isFalse();
            podman("kill", "-s", "KILL", a);
            soar.throttle(0);
            for (String job : List.of("big1", "big2")) {
                JsonNode m = awaitDelivered(b, out, job);
                assertThat(m.path("results").get(0).path("sha256").asText())
                        .isEqualTo(soar.packageSha256(m.path("jobId").asText()).values().iterator().next());
            }
            assertThat(soar.submits()).as("never resubmitted").isEqualTo(2);
            assertThat(logs(b)).contains("taken over by b");
        } finally {
            for (String name : containers) {
                podmanQuietly("stop", "-t", "0", name); // before PostgreSQL goes: their logs end with the test
            }
            postgres.afterAll(null);
        }
    }

    /**
     * deploy/compose.yaml's topology without its PostgreSQL (an image from a registry): the simulator in the image,
     * listening on all addresses and naming itself soar, and a node that reaches it by that name on a podman
     * network, its health published on a port of the host.
     */
    @Test
    void theSimulatorInTheImageServesANodeOnAContainerNetworkAsInCompose() throws Exception {
        String network = name("net");
        podman("network", "create", network);
        networks.add(network);
        String soar = name("soar");
        String node = name("node");
        podman("run", "-d", "--name", soar, "--network", network, "--network-alias", "soar", "--entrypoint", "java", IMAGE,
                "-Xmx256m", "-cp", "@/app/jib-classpath-file", "org.soardeferred.simulator.SoarSimulator",
                "--bind", "0.0.0.0", "--advertise", "soar", "--port", "8000", "--user", "demo", "--password", "demo",
                "--queued", "200", "--executing", "500");
        containers.add(soar);
        Path in = folder("in");
        Path out = folder("out");
        int management = freePort();
        podman("run", "-d", "--name", node, "--network", network, "-p", "127.0.0.1:" + management + ":9876",
                "-v", in + ":/inbox", "-v", out + ":/outbox",
                "-e", "SOAR_BASE_URL=http://soar:8000/soar-sl-tap", "-e", "SOAR_USERNAME=demo", "-e", "SOAR_PASSWORD=demo",
                "-e", "SOAR_POLL_DELAY=200ms", "-e", "SOAR_INBOX_MIN_AGE=200", IMAGE);
        containers.add(node);
        awaitUp(node, "http://127.0.0.1:" + management + "/observe/health/ready");
        drop(in, "composed.ids", "solo_L2_mag-rtn-normal_20240101");
        JsonNode m = awaitDelivered(node, out, "composed");
        assertThat(m.path("results").get(0).path("href").asText()).startsWith("http://soar:8000/soar-sl-tap/");
    }

    private String clusterNode(String id, SoarSimulator soar, String db, Path in, Path out) throws Exception {
        String name = name(id);
        podman("run", "-d", "--name", name, "--network", "host",
                "-v", in + ":/inbox", "-v", out + ":/outbox", "-v", folder("data-" + id) + ":/data",
                "-e", "SOAR_BASE_URL=" + soar.baseUrl(), "-e", "SOAR_USERNAME=scientist", "-e", "SOAR_PASSWORD=s3cret-Pa55",
                "-e", "SOAR_HTTP_ENABLED=false", "-e", "SOAR_MANAGEMENT_ENABLED=false",
                "-e", "SOAR_DB_URL=" + db, "-e", "SOAR_DB_USER=soar",
                "-e", "SOAR_CLUSTER_ENABLED=true", "-e", "SOAR_NODE_ID=" + id,
                "-e", "SOAR_CLUSTER_LEASE=5s", "-e", "SOAR_CLUSTER_RENEW_INTERVAL=1s", "-e", "SOAR_CLUSTER_TAKEOVER_INTERVAL=2s",
                "-e", "SOAR_INBOX_MAX_PER_SCAN=1", "-e", "SOAR_INBOX_SCAN_INTERVAL=300", "-e", "SOAR_INBOX_MIN_AGE=200",
                "-e", "SOAR_POLL_DELAY=200ms", "-e", "SOAR_POLL_MAX_DELAY=500ms",
                "-e", "SOAR_FETCH_CONNECTIONS=4", "-e", "SOAR_FETCH_PIECE_SIZE=1MB",
                // two JVMs of 256 MB heap on a small CI machine
                "--memory", "512m",
                IMAGE);
        containers.add(name);
        return name;
    }

    // ---------------------------------------------------------------------------------------------------------

    private String name(String what) {
        return "soar-it-" + ProcessHandle.current().pid() + "-" + what;
    }

    /** A folder to mount: the container runs as uid 1000, not as the owner of the test's folders. */
    private Path folder(String name) throws IOException {
        Path p = Files.createDirectories(root.resolve(name));
        p.toFile().setWritable(true, false);
        p.toFile().setReadable(true, false);
        p.toFile().setExecutable(true, false);
        return p;
    }

    private void drop(Path inbox, String name, String content) throws IOException {
        Path tmp = Files.writeString(root.resolve(name + ".tmp"), content);
        Files.move(tmp, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private JsonNode awaitDelivered(String container, Path out, String name) throws Exception {
        Path manifest = out.resolve(name + ".json");
        try {
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).until(() -> Files.exists(manifest)
                    && RunningService.readJson(manifest).path("status").asText().matches("DELIVERED|FAILED"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no finished " + name + ".json; the container's log:\n" + tail(logs(container)), e);
        }
        JsonNode m = RunningService.readJson(manifest);
        assertThat(m.path("status").asText()).as(tail(logs(container))).isEqualTo("DELIVERED");
        return m;
    }

    private void awaitUp(String container, String url) throws Exception {
        try {
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                    .until(() -> json(url).path("status").asText().equals("UP"));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            String last;
            try {
                last = json(url).toString();
            } catch (Exception unreachable) {
                last = unreachable.toString();
            }
            throw new AssertionError(url + " is not UP: " + last + "\n" + tail(logs(container)), e);
        }
    }

    private static JsonNode json(String url) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String tail(String text) {
        return text.length() > 8000 ? text.substring(text.length() - 8000) : text;
    }

    private static String logs(String container) throws Exception {
        return run(List.of("podman", "logs", container), false);
    }

    static String podman(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return run(command, true);
    }

    static void podmanQuietly(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        run(command, false);
    }

    private static String run(List<String> command, boolean check) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("CONTAINERS_CONF", containersConf.toString());
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not end");
        }
        if (check && p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " failed (" + p.exitValue() + "):\n" + output);
        }
        return output;
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }
}
