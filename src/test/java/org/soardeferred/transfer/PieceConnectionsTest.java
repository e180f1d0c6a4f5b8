package org.soardeferred.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hc.client5.http.cookie.BasicCookieStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * How the connections of a segmented download into a folder take its pieces, against a JDK HTTP server that serves
 * ranges and can cut or pace a reply. The package digest: the bytes a connection brings in order go through it on
 * the way in, so that a download over one connection reads nothing back from its part file, as one stream does;
 * the bytes that come out of order are read back in order; either way the digest sees every byte once, in order.
 * Runs: a lone connection asks for several pieces at once. The tail: once no piece is left, an idle connection
 * takes the second half of the part under way with the most to go.
 */
class PieceConnectionsTest {

    private static final int PIECE = 256 * 1024;
    private static final int MiB = 1 << 20;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    @TempDir
    Path dir;
    private byte[] pkg = new byte[10 * PIECE + 12345];
    private int pieceSize = PIECE;
    private HttpServer server;
    private ExecutorService threads;
    private PieceFetcher fetcher;
    /** The ranges asked for. */
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    /** Ranged GETs to cut a third of the way (once each), counted down; only those from a byte {@code cutWhen} takes. */
    private final AtomicInteger cutsLeft = new AtomicInteger();
    private volatile LongPredicate cutWhen = from -> true;
    /** Each reply's pace in bytes per second; 0: as fast as it goes. */
    private volatile long pace;
    /** The bytes the server has written. */
    private final AtomicLong served = new AtomicLong();
    /** The pieces the target was told are whole. */
    private final List<Integer> wholes = new CopyOnWriteArrayList<>();
    /** What the in-order pass was asked to read back: the piece and the byte it starts from, when it fed the digest. */
    private final List<long[]> readBack = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serveThePackage() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pkg", exchange -> {
            ranges.add(exchange.getRequestHeaders().getFirst("Range"));
            Matcher m = RANGE.matcher(exchange.getRequestHeaders().getFirst("Range"));
            assertThat(m.matches()).isTrue();
            int from = Integer.parseInt(m.group(1));
            int to = Integer.parseInt(m.group(2));
            exchange.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + to + "/" + pkg.length);
            exchange.sendResponseHeaders(206, to - from + 1);
            try (OutputStream out = exchange.getResponseBody()) {
                boolean cut = cutWhen.test(from) && cutsLeft.getAndDecrement() > 0;
                int length = cut ? (to - from + 1) / 3 : to - from + 1;
                long started = System.nanoTime();
                for (int sent = 0; sent < length; ) {
                    int n = Math.min(64 * 1024, length - sent);
                    if (pace > 0) { // the link's pace: this chunk is not due before then
                        LockSupport.parkNanos(started + sent * 1_000_000_000L / pace - System.nanoTime());
                    }
                    out.write(pkg, from + sent, n);
                    served.addAndGet(n);
                    sent += n;
                }
                if (cut) {
                    out.flush();
                    exchange.close(); // the connection drops a third of the way into the piece
                }
            }
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        threads = Executors.newCachedThreadPool();
        fetcher = new PieceFetcher(new BasicCookieStore(), 8, Duration.ofSeconds(5), Duration.ofSeconds(10), "test");
    }

    @AfterEach
    void stop() {
        fetcher.close();
        threads.shutdownNow();
        server.stop(0);
    }

    /** The package: {@code bytes} of random data. */
    private void packageOf(int bytes, int piece) {
        pkg = new byte[bytes];
        new Random(7).nextBytes(pkg);
        pieceSize = piece;
    }

    @Test
    void overOneConnectionNothingIsReadBack() throws Exception {
        packageOf(10 * PIECE + 12345, PIECE);
        PackageDigest digest = download(1);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(readBack).as("pieces read back from the part file").isEmpty();
    }

    @Test
    void aLoneConnectionAsksForTheFollowingPiecesWithinTheWindowInOneRequest() throws Exception {
        packageOf(10 * PIECE + 12345, PIECE);
        download(1);

        // 11 pieces: the first from the probe, then the folder's window of 8 pieces after it (the digest has passed
        // piece 0 on the way in), then the rest: not one request per piece. The connection fed the digest, so the
        // window moves with it, whether or not the in-order pass has caught up yet.
        assertThat(ranges).containsExactly("bytes=" + PIECE + "-" + (9 * PIECE - 1), "bytes=" + 9 * PIECE + "-" + (pkg.length - 1));
    }

    @Test
    void aConnectionCutMidPieceGoesOnFeedingTheDigestInOrder() throws Exception {
        packageOf(10 * PIECE + 12345, PIECE);
        cutsLeft.set(2);

        PackageDigest digest = download(1);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(readBack).isEmpty();
    }

    @Test
    void overSeveralConnectionsThePiecesOutOfOrderAreReadBackAndTheDigestSeesEachByteOnce() throws Exception {
        packageOf(10 * PIECE + 12345, PIECE);
        PackageDigest digest = download(4);

        assertThat(digest.count()).isEqualTo(pkg.length);
        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(readBack).as("4 connections at once: some pieces came ahead of the digest").isNotEmpty();
        assertThat(Files.readAllBytes(dir.resolve("pkg.tar.gz.part"))).isEqualTo(pkg);
    }

    @Test
    void onceNoPieceIsLeftAnIdleConnectionTakesTheSecondHalfOfAPieceUnderWay() throws Exception {
        // two pieces of 4 MB at 2 MB/s: the probe brings the first MB at once; one connection takes the rest of
        // piece 0, one piece 1, and the third finds none left: it takes the second half of one of them
        packageOf(8 * MiB, 4 * MiB);
        pace = 2L * MiB;

        PackageDigest digest = download(3);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(Files.readAllBytes(dir.resolve("pkg.tar.gz.part"))).isEqualTo(pkg);
        assertThat(ranges).hasSize(3).contains("bytes=" + MiB + "-" + (4 * MiB - 1), "bytes=" + 4 * MiB + "-" + (8 * MiB - 1));
        long[] half = secondHalf();
        assertThat(half[1] - half[0] + 1).isGreaterThanOrEqualTo(PieceClaims.SPLIT_AT_LEAST);
        // the connection that had it stopped where the second half begins, instead of reading its reply to the end
        assertThat(served.get()).as("bytes served after the probe's").isLessThan(7L * MiB + 512 * 1024);
    }

    @Test
    void aSecondHalfCutMidWayGoesOnFromWhereItWasCut() throws Exception {
        packageOf(8 * MiB, 4 * MiB);
        pace = 2L * MiB;
        cutWhen = from -> from != MiB && from != 4L * MiB; // only the second half
        cutsLeft.set(1);

        PackageDigest digest = download(3);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(Files.readAllBytes(dir.resolve("pkg.tar.gz.part"))).isEqualTo(pkg);
        assertThat(ranges).hasSize(4);
        long[] half = secondHalf();
        assertThat(ranges).contains("bytes=" + (half[0] + (half[1] - half[0] + 1) / 3) + "-" + half[1]);
    }

    @Test
    void whenEveryPieceWasStoredTheFirstRequestFetchesTheLastAgainWhole() throws Exception {
        // the process died after the last piece was stored, before the package was published: the next attempt
        // asks for the last piece again (whole: an S3 target uploads it again as its part) and verifies it all
        packageOf(8 * MiB, 4 * MiB);
        Files.write(dir.resolve("pkg.tar.gz.part"), pkg);
        Pieces pieces = new Pieces(pkg.length, 4 * MiB);
        pieces.stored(0);
        pieces.stored(1);

        PackageDigest digest = download(2, pieces, 1, pkg.length - 1);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(ranges).isEmpty();
        assertThat(wholes).containsExactly(1);
    }

    /** The first and last byte of the second half taken: the first request that starts inside a piece. */
    private long[] secondHalf() {
        return ranges.stream().map(RANGE::matcher).filter(Matcher::matches)
                .map(m -> new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))})
                .filter(r -> r[0] != MiB && r[0] % (4 * MiB) != 0).findFirst().orElseThrow();
    }

    /** Fetches the package over {@code connections} opened at once (the probe: piece 0), into a part file. */
    private PackageDigest download(int connections) throws Exception {
        return download(connections, new Pieces(pkg.length, pieceSize), 0, (int) new Pieces(pkg.length, pieceSize).probeEnd(0));
    }

    /** Fetches the package's missing pieces; the probe: bytes of {@code probePiece} up to {@code probeEnd}. */
    private PackageDigest download(int connections, Pieces pieces, int probePiece, int probeEnd) throws Exception {
        PackageDigest digest = new PackageDigest();
        HostConnections hosts = new HostConnections(8);
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/pkg";
        try (PieceTarget target = recording(new FolderPieces(dir.resolve("pkg.tar.gz.part"), pieces))) {
            SegmentedDownload download = new SegmentedDownload("job test: pkg.tar.gz",
                    new SegmentedDownload.Link(url, "127.0.0.1", fetcher, hosts, threads), pieces, target, digest,
                    new ConnectionRamp("job test: pkg.tar.gz", connections, Duration.ZERO, 0, System::nanoTime),
                    () -> { }, n -> { }, p -> { });
            int from = (int) pieces.start(probePiece);
            download.run(probePiece, new ByteArrayInputStream(pkg, from, probeEnd - from + 1), hosts.tryAcquire("127.0.0.1"));
        }
        assertThat(pieces.complete()).isTrue();
        return digest;
    }

    /** The folder's pieces, recording what the in-order pass reads back. */
    private PieceTarget recording(FolderPieces folder) {
        return new PieceTarget() {
            @Override
            public void write(int piece, long position, byte[] bytes, int offset, int length) throws IOException {
                folder.write(piece, position, bytes, offset, length);
            }

            @Override
            public void whole(int piece) {
                wholes.add(piece);
                folder.whole(piece);
            }

            @Override
            public void digest(int piece, long from, PackageDigest digest) throws IOException {
                if (digest != null) {
                    readBack.add(new long[] {piece, from});
                }
                folder.digest(piece, from, digest);
            }

            @Override
            public boolean readsBack() {
                return true;
            }

            @Override
            public int window(int connections) {
                return folder.window(connections);
            }

            @Override
            public void finish() {
            }

            @Override
            public void close() {
                folder.close();
            }
        };
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
