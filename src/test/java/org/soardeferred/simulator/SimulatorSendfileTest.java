package org.soardeferred.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.soardeferred.transfer.Sha256;

/** The simulator's packages served by sendfile from a second listener (what the benchmark downloads from). */
class SimulatorSendfileTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private SoarSimulator simulator;
    private String cookie;
    private String jobId;
    private String href;

    @BeforeEach
    void completedJob() throws Exception {
        simulator = new SoarSimulator().user("u", "p").timing(0, 0).itemBytes(300_000).start(0).sendfileResults(true);
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=u&password=p")).build(), HttpResponse.BodyHandlers.ofString());
        cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String job = get(simulator.baseUrl() + "/data?RETRIEVAL_ACCESS=DEFERRED&data_item_id=solo_L2_a,solo_L2_b", cookie).body();
        jobId = between(job, "<uws:jobId><![CDATA[", "]]>");
        String completed = await().atMost(Duration.ofSeconds(10))
                .until(() -> get(simulator.baseUrl() + "/tap/async/" + jobId, cookie).body(),
                        body -> body.contains("<uws:phase>COMPLETED</uws:phase>"));
        href = between(completed, "xlink:href=\"", "\"");
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void resultHrefsPointAtTheSendfileListenerWhichServesThePackageWholeAndFromAnOffset() throws Exception {
        assertThat(URI.create(href).getPort()).isNotEqualTo(simulator.port());
        String resultId = href.substring(href.lastIndexOf('/') + 1);

        HttpResponse<byte[]> whole = download(href, cookie, null);
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body().length).isGreaterThan(600_000);
        assertThat(whole.headers().firstValueAsLong("Content-Length")).hasValue(whole.body().length);
        assertThat(HexFormat.of().formatHex(Sha256.newDigest().digest(whole.body())))
                .isEqualTo(simulator.packageSha256(jobId).get(resultId));

        HttpResponse<byte[]> tail = download(href, cookie, "bytes=1000-");
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.headers().firstValue("Content-Range"))
                .hasValue("bytes 1000-" + (whole.body().length - 1) + "/" + whole.body().length);
        assertThat(tail.body()).isEqualTo(Arrays.copyOfRange(whole.body(), 1000, whole.body().length));

        assertThat(download(href, cookie, "bytes=" + whole.body().length + "-").statusCode()).isEqualTo(416);
        HttpResponse<byte[]> unusable = download(href, cookie, "bytes=x-");
        assertThat(unusable.statusCode()).as("a Range it cannot use is ignored").isEqualTo(200);
        assertThat(unusable.body()).isEqualTo(whole.body());
    }

    @Test
    void theSendfileListenerChecksTheSessionAndTheResultAsTheSimulatorDoes() throws Exception {
        assertThat(download(href, null, null).statusCode()).isEqualTo(401);
        assertThat(download(href, "SESSION=forged", null).statusCode()).isEqualTo(401);
        assertThat(download(href.substring(0, href.lastIndexOf('/') + 1) + "no-such-result", cookie, null).statusCode())
                .isEqualTo(404);
        assertThat(download(href.replace(jobId, "no-such-job"), cookie, null).statusCode()).isEqualTo(404);
        assertThat(simulator.count("GET", "/results/")).isEqualTo(4);
    }

    @Test
    void oneConnectionCarriesOneRequestAfterAnother() throws Exception {
        URI uri = URI.create(href);
        try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: x\r\nCookie: " + cookie + "\r\nRange: bytes=%d-\r\n%s\r\n";
            out.write(String.format(request, 0, "").getBytes(StandardCharsets.US_ASCII));
            String first = readHead(in);
            assertThat(first).startsWith("HTTP/1.1 206").doesNotContain("Connection: close");
            long size = Long.parseLong(header(first, "Content-Length"));
            in.skipNBytes(size);
            out.write(String.format(request, size - 10, "Connection: close\r\n").getBytes(StandardCharsets.US_ASCII));
            String second = readHead(in);
            assertThat(second).startsWith("HTTP/1.1 206");
            assertThat(header(second, "Content-Length")).isEqualTo("10");
            assertThat(in.readAllBytes()).hasSize(10);
        }
    }

    private HttpResponse<String> get(String url, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> download(String url, String cookie, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String readHead(InputStream in) throws Exception {
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int b = in.read();
            assertThat(b).as("the connection is open").isNotNegative();
            head.append((char) b);
        }
        return head.toString();
    }

    private static String header(String head, String name) {
        return between(head, name + ": ", "\r\n");
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from)).strip();
    }
}
