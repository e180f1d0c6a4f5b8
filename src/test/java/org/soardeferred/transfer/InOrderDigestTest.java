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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.hc.client5.http.cookie.BasicCookieStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

/**
 * The package digest of a segmented download into a folder: the bytes a connection brings in order go through it
 * on the way in, so that a download over one connection reads nothing back from its part file, as one stream does;
 * the bytes that come out of order are read back in order. Either way the digest sees every byte once, in order.
 */
class InOrderDigestTest {

    private static final int PIECE = 256 * 1024;
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    @TempDir
    Path dir;
    private final byte[] pkg = new byte[10 * PIECE + 12345];
    private HttpServer server;
    private ExecutorService threads;
    private PieceFetcher fetcher;
    /** The ranges asked for. */
    private final List<String> ranges = new CopyOnWriteArrayList<>();
    /** Ranged GETs to cut after this many bytes (once each), counted down. */
    private final AtomicInteger cutsLeft = new AtomicInteger();
    /** What the in-order pass was asked to read back: the piece and the byte it starts from, when it fed the digest. */
    private final List<long[]> readBack = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serveThePackage() throws IOException {
        new Random(7).nextBytes(pkg);
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
                if (cutsLeft.getAndDecrement() > 0) {
                    out.write(pkg, from, (to - from + 1) / 3);
                    out.flush();
                    exchange.close(); // the connection drops a third of the way into the piece
                    return;
                }
                out.write(pkg, from, to - from + 1);
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

    @Test
    void overOneConnectionNothingIsReadBack() throws Exception {
        PackageDigest digest = download(1);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(readBack).as("pieces read back from the part file").isEmpty();
    }

    @Test
    void aLoneConnectionAsksForTheFollowingPiecesWithinTheWindowInOneRequest() throws Exception {
        download(1);

        // 11 pieces: the first from the probe, then the folder's window of 8 pieces after it (the digest has passed
        // piece 0 on the way in), then the rest: not one request per piece. The connection fed the digest, so the
        // window moves with it, whether or not the in-order pass has caught up yet.
        assertThat(ranges).containsExactly("bytes=" + PIECE + "-" + (9 * PIECE - 1), "bytes=" + 9 * PIECE + "-" + (pkg.length - 1));
    }

    @Test
    void aConnectionCutMidPieceGoesOnFeedingTheDigestInOrder() throws Exception {
        cutsLeft.set(2);

        PackageDigest digest = download(1);

        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(readBack).isEmpty();
    }

    @Test
    void overSeveralConnectionsThePiecesOutOfOrderAreReadBackAndTheDigestSeesEachByteOnce() throws Exception {
        PackageDigest digest = download(4);

        assertThat(digest.count()).isEqualTo(pkg.length);
        assertThat(digest.sha256Hex()).isEqualTo(sha256(pkg));
        assertThat(readBack).as("4 connections at once: some pieces came ahead of the digest").isNotEmpty();
        assertThat(Files.readAllBytes(dir.resolve("pkg.tar.gz.part"))).isEqualTo(pkg);
    }

    /** Fetches the package over {@code connections} opened at once (the probe: piece 0), into a part file. */
    private PackageDigest download(int connections) throws Exception {
        Pieces pieces = new Pieces(pkg.length, PIECE);
        PackageDigest digest = new PackageDigest();
        HostConnections hosts = new HostConnections(8);
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/pkg";
        try (PieceTarget target = recording(new FolderPieces(dir.resolve("pkg.tar.gz.part"), pieces))) {
            SegmentedDownload download = new SegmentedDownload("job test: pkg.tar.gz",
                    new SegmentedDownload.Link(url, "127.0.0.1", fetcher, hosts, threads), pieces, target, digest,
                    new ConnectionRamp("job test: pkg.tar.gz", connections, Duration.ZERO, 0, System::nanoTime),
                    () -> { }, n -> { }, p -> { });
            download.run(0, new ByteArrayInputStream(pkg, 0, PIECE), hosts.tryAcquire("127.0.0.1"));
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
