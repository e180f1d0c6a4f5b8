package org.soardeferred.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shape of the link the simulator serves results over, on both of its listeners (the JDK HTTP server and the
 * sendfile one): closed ranges, the connection limit per client, a server that ignores Range, responses without
 * Accept-Ranges and Content-Length, the rate per connection and the total rate, and the bytes sent.
 */
class SimulatorLinkShapeTest {

    private static final long MiB = 1L << 20;

    /** Which of the simulator's listeners serves the result. */
    enum Listener { OWN, SENDFILE }

    private final HttpClient http = HttpClient.newHttpClient();
    private SoarSimulator simulator;
    private String cookie;
    private String jobId;
    /** The result's URL on the sendfile listener (the one job documents name). */
    private String sendfileHref;
    private byte[] whole;

    @BeforeEach
    void completedJob() throws Exception {
        simulator = new SoarSimulator().user("u", "p").timing(0, 0).itemBytes(300_000).start(0).sendfileResults(true);
        HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(simulator.baseUrl() + "/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=u&password=p")).build(), HttpResponse.BodyHandlers.ofString());
        cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
        String job = get(simulator.baseUrl() + "/data?RETRIEVAL_ACCESS=DEFERRED&data_item_id=solo_L2_a,solo_L2_b").body();
        jobId = between(job, "<uws:jobId><![CDATA[", "]]>");
        String completed = await().atMost(Duration.ofSeconds(10))
                .until(() -> get(simulator.baseUrl() + "/tap/async/" + jobId).body(),
                        body -> body.contains("<uws:phase>COMPLETED</uws:phase>"));
        sendfileHref = between(completed, "xlink:href=\"", "\"");
        whole = download(sendfileHref, null).body();
        assertThat(whole.length).isGreaterThan(600_000);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    private String href(Listener listener) {
        URI uri = URI.create(sendfileHref);
        return listener == Listener.SENDFILE ? sendfileHref
                : "http://127.0.0.1:" + simulator.port() + uri.getRawPath();
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void aClosedRangeIsAnsweredWith206ExactlyThoseBytesAndTheirContentRange(Listener listener) throws Exception {
        HttpResponse<byte[]> middle = download(href(listener), "bytes=1000-1999");
        assertThat(middle.statusCode()).isEqualTo(206);
        assertThat(middle.headers().firstValue("Content-Range")).hasValue("bytes 1000-1999/" + whole.length);
        assertThat(middle.headers().firstValueAsLong("Content-Length")).hasValue(1000);
        assertThat(middle.body()).isEqualTo(Arrays.copyOfRange(whole, 1000, 2000));

        HttpResponse<byte[]> pastTheEnd = download(href(listener), "bytes=" + (whole.length - 10) + "-" + (whole.length + 100));
        assertThat(pastTheEnd.statusCode()).isEqualTo(206);
        assertThat(pastTheEnd.headers().firstValue("Content-Range"))
                .hasValue("bytes " + (whole.length - 10) + "-" + (whole.length - 1) + "/" + whole.length);
        assertThat(pastTheEnd.body()).isEqualTo(Arrays.copyOfRange(whole, whole.length - 10, whole.length));

        HttpResponse<byte[]> open = download(href(listener), "bytes=5-");
        assertThat(open.statusCode()).isEqualTo(206);
        assertThat(open.body()).isEqualTo(Arrays.copyOfRange(whole, 5, whole.length));

        assertThat(download(href(listener), "bytes=" + whole.length + "-" + (whole.length + 5)).statusCode()).isEqualTo(416);
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void beyondItsConnectionLimitAClientIsAnswered503WithRetryAfterUntilAConnectionEnds(Listener listener) throws Exception {
        // slow enough that the held downloads are still going when the next one asks
        simulator.maxConnectionsPerClient(2).ratePerConnection(64 * 1024);
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                held.add(startDownload(href(listener)));
            }
            HttpResponse<byte[]> third = download(href(listener), null);
            assertThat(third.statusCode()).isEqualTo(503);
            assertThat(third.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(simulator.downloadsInProgress()).isEqualTo(2);
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> simulator.downloadsInProgress() == 0);
        simulator.ratePerConnection(0);
        assertThat(download(href(listener), null).statusCode()).isEqualTo(200);
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void aServerIgnoringRangeAnswers200WithTheWholeBody(Listener listener) throws Exception {
        simulator.ignoreRange(true);
        HttpResponse<byte[]> answer = download(href(listener), "bytes=1000-1999");
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Content-Range")).isEmpty();
        assertThat(answer.body()).isEqualTo(whole);
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void withoutAcceptRangesAndContentLengthTheWholeBodyComesChunked(Listener listener) throws Exception {
        simulator.omitAcceptRanges(true).omitContentLength(true);
        HttpResponse<byte[]> answer = download(href(listener), null);
        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Accept-Ranges")).isEmpty();
        assertThat(answer.headers().firstValue("Content-Length")).isEmpty();
        assertThat(answer.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        assertThat(answer.body()).isEqualTo(whole);
        assertThat(download(href(listener), "bytes=10-19").body()).as("Range is still honoured")
                .isEqualTo(Arrays.copyOfRange(whole, 10, 20));
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void aDownloadIsNoFasterThanTheRatePerConnection(Listener listener) throws Exception {
        simulator.ratePerConnection(MiB);
        long started = System.nanoTime();
        assertThat(download(href(listener), null).body()).isEqualTo(whole);
        double seconds = (System.nanoTime() - started) / 1e9;
        // a lower bound only: pacing makes it at least this slow, however busy the machine
        assertThat(seconds).isGreaterThan(0.8 * whole.length / MiB);
    }

    @ParameterizedTest
    @EnumSource(Listener.class)
    void theBytesSentAreCountedPerJobAndInAllSoARangedRequestCountsOnlyItsRange(Listener listener) throws Exception {
        // a response's bytes are counted once the server's last write returns, which may be just after the client
        // has read them: the counts are awaited
        long before = whole.length;
        await().atMost(Duration.ofSeconds(10)).until(() -> simulator.bytesSent() == before && simulator.bytesSent(jobId) == before);
        download(href(listener), "bytes=1000-1999");
        download(href(listener), "bytes=" + (whole.length - 500) + "-");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> simulator.bytesSent() == before + 1500 && simulator.bytesSent(jobId) == before + 1000 + 500);
        assertThat(simulator.bytesSent("no-such-job")).isZero();
        assertThat(get(simulator.baseUrl() + "/sim/stats").body()).as("for scripts running the simulator on its own")
                .contains("\"bytesSent\":" + (before + 1500) + "}");
    }

    @Test
    void eachConnectionIsPacedAtTheRatePerConnectionWhateverTheOthersDo() {
        LinkShape link = new LinkShape();
        link.ratePerConnection(4 * MiB);
        LinkShape.Pace a = link.new Pace(0);
        LinkShape.Pace b = link.new Pace(0);
        assertThat(a.delayNanos(MiB, 0)).as("1 MiB at 4 MiB/s is due after 250 ms").isEqualTo(250_000_000L);
        assertThat(b.delayNanos(MiB, 0)).as("another connection is not slowed by the first").isEqualTo(250_000_000L);
        assertThat(a.delayNanos(MiB, 250_000_000L)).as("the second MiB of a is due at 500 ms").isEqualTo(250_000_000L);
        assertThat(a.delayNanos(MiB, 900_000_000L)).as("a connection behind its pace waits for nothing").isZero();
    }

    @Test
    void theTotalRateIsSharedByAllConnections() {
        LinkShape link = new LinkShape();
        link.totalRate(4 * MiB);
        LinkShape.Pace a = link.new Pace(0);
        LinkShape.Pace b = link.new Pace(0);
        assertThat(a.delayNanos(MiB, 0)).isEqualTo(250_000_000L);
        assertThat(b.delayNanos(MiB, 0)).as("the second connection's MiB comes after the first's").isEqualTo(500_000_000L);
        assertThat(a.delayNanos(2 * MiB, 1_000_000_000L)).as("an idle link books from now").isEqualTo(500_000_000L);

        link.ratePerConnection(MiB);
        LinkShape.Pace c = link.new Pace(2_000_000_000L);
        assertThat(c.delayNanos(MiB, 2_000_000_000L)).as("the slower of the two rates decides").isEqualTo(1_000_000_000L);
    }

    @Test
    void aRangeItCannotUseIsServedWhole() {
        LinkShape link = new LinkShape();
        assertThat(link.span("bytes=0-99,200-299", 1000).partial()).isFalse();
        assertThat(link.span("bytes=-100", 1000).partial()).isFalse();
        assertThat(link.span("bytes=50-10", 1000).partial()).isFalse();
        assertThat(link.span("bytes=10-19", 1000)).isEqualTo(new LinkShape.Span(10, 19, true));
        assertThat(link.span("bytes=1000-", 1000)).as("416").isNull();
    }

    @Test
    void theCommandLineSetsTheLinksShape() {
        try (SoarSimulator s = SoarSimulator.started("--port", "0", "--rate-per-connection", "4MB", "--total-rate", "16MB",
                "--max-connections", "3", "--ignore-range", "--no-accept-ranges", "--no-content-length")) {
            LinkShape link = s.link();
            assertThat(link.ratePerConnection()).isEqualTo(4 * MiB);
            assertThat(link.totalRate()).isEqualTo(16 * MiB);
            assertThat(link.maxConnections()).isEqualTo(3);
            assertThat(link.ignoresRange()).isTrue();
            assertThat(link.sendsAcceptRanges()).isFalse();
            assertThat(link.sendsContentLength()).isFalse();
        }
        try (SoarSimulator plain = SoarSimulator.started("--port", "0")) {
            assertThat(plain.link().ratePerConnection()).isZero();
            assertThat(plain.link().maxConnections()).isZero();
            assertThat(plain.link().sendsContentLength()).isTrue();
        }
    }

    /** Opens a connection, asks for the result and reads only the response head: the download stays under way. */
    private Socket startDownload(String url) throws Exception {
        URI uri = URI.create(url);
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.getOutputStream().write(("GET " + uri.getRawPath() + " HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: " + cookie
                + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        StringBuilder head = new StringBuilder();
        while (head.indexOf("\r\n\r\n") < 0) {
            int c = in.read();
            assertThat(c).as("the connection is open").isNotNegative();
            head.append((char) c);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
        return socket;
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> download(String url, String range) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie);
        if (range != null) {
            request.header("Range", range);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from)).strip();
    }
}
