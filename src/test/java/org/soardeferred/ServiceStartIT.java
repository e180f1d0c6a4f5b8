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
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.soardeferred.simulator.SoarSimulator;

/**
 * The packaged jar as an operator starts it, with the default configuration (the REST API and the management port
 * on, no timer request, no mirrors), only its folders, ports and SOAR's address set: what its health endpoints and
 * its API answer from the moment it starts.
 */
class ServiceStartIT {

    @TempDir
    Path root;
    SoarSimulator soar;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeEach
    void startSimulator() {
        soar = new SoarSimulator().user("scientist", "s3cret-Pa55").itemBytes(64 * 1024).timing(100, 300).start(0);
    }

    @AfterEach
    void stopSimulator() {
        soar.close();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The status code of a GET, or 0 while nothing listens on the port. */
    private int statusOf(String url) throws InterruptedException {
        try {
            return get(url).statusCode();
        } catch (IOException e) {
            return 0;
        }
    }

    private ServiceProcess service(int apiPort, int managementPort) {
        return new ServiceProcess(root, soar.baseUrl())
                .env("SOAR_HTTP_ENABLED", "true").env("SOAR_HTTP_PORT", Integer.toString(apiPort))
                .env("SOAR_MANAGEMENT_ENABLED", "true").env("SOAR_MANAGEMENT_PORT", Integer.toString(managementPort));
    }

    @Test
    void withTheDefaultConfigurationHealthAndReadinessAnswer200Up() throws Exception {
        int managementPort = freePort();
        try (ServiceProcess app = service(freePort(), managementPort).start()) {
            String health = "http://127.0.0.1:" + managementPort + "/observe/health";

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class)
                    .untilAsserted(() -> {
                        HttpResponse<String> ready = get(health + "/ready");
                        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                        assertThat(ready.body()).contains("\"status\":\"UP\"");
                    });

            HttpResponse<String> all = get(health);
            assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
            assertThat(all.body()).startsWith("{\"status\":\"UP\"").contains("job-store").contains("soar-reachable")
                    .as("the timer trigger is off by configuration, not a stopped route").doesNotContain("timer-request");
            assertThat(get(health + "/live").statusCode()).isEqualTo(200);
            assertThat(get("http://127.0.0.1:" + managementPort + "/observe/jolokia/version").statusCode())
                    .as("Jolokia is off by default").isEqualTo(404);
        }
    }

    @Test
    void withJolokiaOnCamelsRoutesCanBeReadOnTheManagementPortFromThisMachineOnly() throws Exception {
        int managementPort = freePort();
        try (ServiceProcess app = service(freePort(), managementPort).env("SOAR_JOLOKIA_ENABLED", "true").start()) {
            String jolokia = "http://127.0.0.1:" + managementPort + "/observe/jolokia";
            // the management port opens before Camel has registered its routes' MBeans: wait for the service to be ready
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class)
                    .until(() -> get("http://127.0.0.1:" + managementPort + "/observe/health/ready").statusCode() == 200);

            HttpResponse<String> routes = get(jolokia + "/search/org.apache.camel:type=routes,*");
            assertThat(routes.statusCode()).as(routes.body()).isEqualTo(200);
            assertThat(routes.body()).contains("context=soar-deferred,type=routes,name=\\\"fetch\\\"")
                    .contains("name=\\\"inbox\\\"");
            HttpResponse<String> state = get(jolokia + "/read/org.apache.camel:context=soar-deferred,type=routes,name=%22fetch%22/State");
            assertThat(state.body()).contains("\"value\":\"Started\"");

            // the same request from another address (127.0.0.2 reaches the port on loopback, but is not this machine's
            // own address to Jolokia's restrictor): refused, nothing read
            String fromElsewhere = fromAddress("127.0.0.2", managementPort, "/observe/jolokia/search/org.apache.camel:type=routes,*");
            assertThat(fromElsewhere).doesNotStartWith("HTTP/1.1 200").doesNotContain("type=routes,name=");
        }
    }

    /** A GET sent from a given local address, as a client on another host would send it; the whole answer as text. */
    private static String fromAddress(String local, int port, String path) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port, java.net.InetAddress.getByName(local), 0)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    void whileStartingTheApiAnswers503WithRetryAfterAndNever404ToItsOwnPaths() throws Exception {
        int apiPort = freePort();
        String requests = "http://127.0.0.1:" + apiPort + "/api/requests";
        List<Integer> seen = new ArrayList<>();
        List<String> retryAfter = new ArrayList<>();
        try (ServiceProcess app = service(apiPort, freePort()).start()) {
            // from the moment the process starts: every answer until the first 200, as a client that starts at once sees them
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).until(() -> {
                try {
                    HttpResponse<String> r = get(requests);
                    seen.add(r.statusCode());
                    if (r.statusCode() == 503) {
                        retryAfter.add(r.headers().firstValue("Retry-After").orElse("(none)"));
                    }
                    return r.statusCode() == 200;
                } catch (IOException e) {
                    seen.add(0);
                    return false;
                }
            });
        }
        assertThat(seen).as("status codes from start to the first 200 (0: port closed)").doesNotContain(404)
                .allMatch(code -> code == 0 || code == 503 || code == 200);
        assertThat(retryAfter).allMatch(v -> v.matches("\\d+"));
    }
}
