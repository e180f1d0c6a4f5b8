package org.soardeferred;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.soardeferred.simulator.SoarSimulator;

/**
 * Segmented downloads through the real routes: a package fetched in pieces over several connections (Range:
 * bytes=A-B), each piece written at its offset and the whole verified in one pass; and the servers and links that
 * do not allow it.
 */
class SegmentedDownloadTest {

    private static final long PIECE = 256 * 1024;
    private static final String ITEM = "solo_L2_epd-ept-north-rates_20200820";

    @TempDir
    Path root;

    private SoarSimulator soar;
    private RunningService service;

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
        if (soar != null) {
            soar.close();
        }
    }

    private void start(int connections, SoarSimulator simulator) {
        start(connections, simulator, Map.of());
    }

    /** A service with {@code connections} per package, all opened at once unless {@code extra} sets a ramp window. */
    private void start(int connections, SoarSimulator simulator, Map<String, String> extra) {
        start(connections, simulator, 6L << 20, extra);
    }

    private void start(int connections, SoarSimulator simulator, long itemBytes, Map<String, String> extra) {
        soar = simulator.user("scientist", "s3cret-Pa55").timing(50, 100).itemBytes(itemBytes).start(0);
        Map<String, String> p = new java.util.HashMap<>(Map.of("soar.fetch.connections", String.valueOf(connections),
                "soar.fetch.piece-size", "256KB", "soar.retry.delay", "100ms", "soar.retry.max-delay", "1s",
                "soar.fetch.ramp-window", "0"));
        p.putAll(extra);
        service = RunningService.start(root, soar.baseUrl(), p);
    }

    private List<SoarSimulator.SeenRequest> downloads() {
        return soar.requests().stream().filter(r -> r.path().contains("/results/")).toList();
    }

    private JsonNode delivered(String name) {
        JsonNode m = service.awaitManifest(name);
        assertThat(m.path("status").asText()).as(m.toString()).isEqualTo("DELIVERED");
        String served = soar.packageSha256(m.path("jobId").asText()).values().iterator().next();
        assertThat(RunningService.sha256(service.outbox.resolve(name + ".tar.gz"))).isEqualTo(served)
                .isEqualTo(m.path("results").get(0).path("sha256").asText());
        assertThat(service.outbox.resolve(name + ".tar.gz.part")).doesNotExist();
        return m;
    }

    @ParameterizedTest(name = "{0} connection(s)")
    @ValueSource(ints = {1, 4, 8})
    void theBytesArriveWholeOverOneFourOrEightConnections(int connections) {
        // each connection served at 16 MB/s, so that pieces overlap in time
        start(connections, new SoarSimulator().ratePerConnection(16L << 20));
        service.drop("pieces.ids", ITEM);

        JsonNode m = delivered("pieces");

        long size = m.path("results").get(0).path("bytes").asLong();
        if (connections == 1) {
            assertThat(downloads()).singleElement().satisfies(r -> assertThat(r.range()).isNull());
        } else {
            assertThat(downloads()).hasSize((int) ((size + PIECE - 1) / PIECE))
                    .allSatisfy(r -> assertThat(r.range()).matches("bytes=\\d+-\\d+"));
            // the simulator counts a connection until its side has closed the response, a moment after the client
            // has read the last byte and asked for its next piece: one more than the client holds may show
            assertThat(soar.peakDownloads()).isGreaterThan(1).isLessThanOrEqualTo(connections + 1);
        }
        assertThat(soar.bytesSent(m.path("jobId").asText())).as("every byte sent once").isEqualTo(size);
    }

    @Test
    void progressShowsTheConnectionsInUseAndTheBytesStoredAcrossThem() {
        start(4, new SoarSimulator().ratePerConnection(1L << 20));
        service.drop("slow.ids", ITEM);
        var downloads = service.context().getRegistry().lookupByNameAndType("resultDownload",
                org.soardeferred.transfer.ResultDownload.class);
        var store = service.context().getRegistry().lookupByNameAndType("jobStore", org.soardeferred.store.JobStore.class);

        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> seen = new java.util.concurrent.atomic.AtomicReference<>();
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> store.all().stream()
                .map(j -> downloads.live(j.id)).filter(java.util.Objects::nonNull)
                .peek(seen::set)
                .anyMatch(t -> ((Number) t.get("connections")).intValue() == 4 && ((Number) t.get("bytesDone")).longValue() > PIECE));
        soar.ratePerConnection(0);

        delivered("slow");
        assertThat(seen.get()).containsKeys("bytesPerSecond", "etaSeconds", "bytesTotal");
    }

    @Test
    void downloadsAtOnceShareTheCeilingOfConnectionsPerHost() {
        // 3 packages at once, 4 connections each, but at most 3 connections to the host in all
        start(4, new SoarSimulator().ratePerConnection(4L << 20), Map.of("soar.fetch.max-connections-per-host", "3"));
        for (int i = 1; i <= 3; i++) {
            service.drop("shared" + i + ".ids", "solo_L2_shared_2020010" + i);
        }

        for (int i = 1; i <= 3; i++) {
            delivered("shared" + i);
        }

        // the simulator counts a connection until its side has closed the response (see above): one more may show
        assertThat(soar.peakDownloads()).as("12 connections wanted").isLessThanOrEqualTo(3 + 1);
    }

    @Test
    void aServerThatIgnoresRangeIsReadWithOneStream() {
        start(4, new SoarSimulator().ignoreRange(true));
        service.drop("whole.ids", ITEM);

        JsonNode m = delivered("whole");

        assertThat(downloads()).hasSize(1);
        assertThat(soar.bytesSent(m.path("jobId").asText())).isEqualTo(m.path("results").get(0).path("bytes").asLong());
    }

    @Test
    void aConnectionLimitAnsweredWith503LowersTheConnectionCountInsteadOfFailingTheJob() {
        start(4, new SoarSimulator().ratePerConnection(16L << 20).maxConnectionsPerClient(2));
        service.drop("polite.ids", ITEM);

        delivered("polite");

        assertThat(soar.peakDownloads()).isEqualTo(2);
    }

    @Test
    void aConnectionCutMidPieceFetchesOnlyTheRestOfThatPiece() {
        start(4, new SoarSimulator().ratePerConnection(16L << 20).dropDownloads(1, 100_000));
        service.drop("cut.ids", ITEM);

        JsonNode m = delivered("cut");

        assertThat(downloads()).anySatisfy(r -> assertThat(r.range()).isEqualTo("bytes=100000-" + (PIECE - 1)));
        assertThat(soar.bytesSent(m.path("jobId").asText())).isEqualTo(m.path("results").get(0).path("bytes").asLong());
    }

    /** A package of {@code itemBytes} over up to {@code connections} that the ramp opens, each count measured 250 ms. */
    private void rampedOver(int connections, SoarSimulator link, long itemBytes) {
        rampedOver(connections, link, itemBytes, Map.of());
    }

    private void rampedOver(int connections, SoarSimulator link, long itemBytes, Map<String, String> extra) {
        Map<String, String> p = new java.util.HashMap<>(Map.of("soar.fetch.ramp-window", "250ms"));
        p.putAll(extra);
        start(connections, link, itemBytes, p);
        service.drop("ramp.ids", ITEM);
        JsonNode m = delivered("ramp");
        assertThat(soar.bytesSent(m.path("jobId").asText())).isEqualTo(m.path("results").get(0).path("bytes").asLong());
    }

    @Test
    void onALinkThatLimitsOnlyTheTotalRateTheExtraConnectionsAreNotKept() {
        // 8 MB/s for all connections together, as on a fast link where one stream already gets what there is
        rampedOver(8, new SoarSimulator().totalRate(8L << 20), 16L << 20);

        // one, then a second that brings nothing and closes after its piece: never 8 (nor the 9 the simulator may
        // count when a connection asks for its next piece, see above)
        assertThat(soar.peakDownloads()).as("8 connections allowed").isLessThanOrEqualTo(3);
    }

    @Test
    void aDownloadThatOneConnectionBringsAtTheEnoughRateKeepsOneConnection() {
        // each connection 16 MB/s, as if unthrottled: one alone already brings soar.fetch.enough-rate (here 8MB)
        rampedOver(8, new SoarSimulator().ratePerConnection(16L << 20), 24L << 20, Map.of("soar.fetch.enough-rate", "8MB"));

        // one connection (the simulator may count 2 while it asks for its next piece); without the rate, 8 or 9
        assertThat(soar.peakDownloads()).as("8 connections allowed, one brings enough").isLessThanOrEqualTo(2);
    }

    @Test
    void onALinkThatLimitsEachConnectionTheRampOpensThemAll() {
        // 4 MB/s per connection, as SOAR throttles each of its connections: every connection added raises the rate
        rampedOver(4, new SoarSimulator().ratePerConnection(4L << 20), 24L << 20);

        assertThat(soar.peakDownloads()).isBetween(4, 4 + 1);
    }
}
