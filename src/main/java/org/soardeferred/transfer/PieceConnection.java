package org.soardeferred.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.TransientException;
import org.soardeferred.soar.SoarReplies;

/**
 * One connection of a {@link SegmentedDownload}: takes the next missing piece, fetches it ({@code Range: bytes=A-B})
 * and hands its bytes to the target, until no piece is left for it. A piece cut mid-way is asked for again from the
 * bytes it stored; a 429/503 closes this connection when others remain. Before each write the lease is checked.
 */
final class PieceConnection implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedDownload.class);
    private static final int BUFFER = 256 * 1024;
    /** Tries of one piece (a dropped connection) before the download gives up and the step is retried. */
    private static final int ATTEMPTS = 4;

    private final SegmentedDownload download;
    private final HostConnections.Permit permit;
    private final int firstPiece;
    private final InputStream firstBody;
    /** This connection has brought bytes (it counts for the ramp's measure from its first bytes to its end). */
    private boolean delivered;
    /** Bytes on their way to the target, when they are not the digest's next (made at the first such). */
    private byte[] buffer;

    /** A connection holding {@code permit}; {@code firstBody}, when not null, is the open reply to {@code firstPiece}. */
    PieceConnection(SegmentedDownload download, HostConnections.Permit permit, int firstPiece, InputStream firstBody) {
        this.download = download;
        this.permit = permit;
        this.firstPiece = firstPiece;
        this.firstBody = firstBody;
    }

    @Override
    public void run() {
        try (permit) {
            if (firstBody != null && !storeFirst()) {
                return;
            }
            for (int i = download.claim(); i >= 0; i = download.claim()) {
                if (!fetch(i, download.following(i), null)) {
                    return; // this connection was refused (429/503): the download goes on with fewer
                }
            }
        } catch (Throwable t) {
            download.fail(t);
        } finally {
            download.ended(delivered);
        }
    }

    /** The first piece from the probe's open reply (asked for again from where it was cut); false: refused. */
    private boolean storeFirst() throws IOException {
        try (InputStream in = firstBody) {
            store(firstPiece, in, download.pieces.start(firstPiece));
        } catch (IOException e) {
            return fetch(firstPiece, firstPiece, e);
        }
        download.stored(firstPiece);
        return true;
    }

    /**
     * Fetches pieces {@code first} to {@code until} (what is missing of them) in one request, each stored as it
     * is whole, retrying a dropped connection from the piece it cut; false when the server refused this connection
     * (429/503) and the others go on without it.
     */
    private boolean fetch(int first, int until, IOException previous) throws IOException {
        SegmentedDownload.Link link = download.link;
        IOException cause = previous;
        int i = first;
        for (int attempt = previous == null ? 0 : 1; attempt < ATTEMPTS; attempt++) {
            if (attempt > 0) {
                download.pause(Duration.ofMillis(250L << attempt));
            }
            if (download.failed()) {
                throw new IOException("the download stopped");
            }
            long from = download.pieces.start(i) + download.partialOf(i);
            try (PieceFetcher.Reply reply = link.fetcher().get(link.url(), from, download.pieces.end(until))) {
                download.opened(reply);
                try {
                    int status = reply.status();
                    if (status == 206) {
                        long start = Reply.rangeStart(reply.header("Content-Range"));
                        if (start != from) {
                            throw new TransferException(download + ": asked for bytes from " + from
                                    + " but the server sent a range starting at " + start);
                        }
                        try (InputStream in = reply.body()) {
                            for (; i <= until; i++, from = download.pieces.start(i)) {
                                store(i, in, from);
                                download.stored(i);
                            }
                        }
                        return true;
                    }
                    if ((status == 429 || status == 503) && download.refused(i, until, status, reply.header("Retry-After"))) {
                        return false;
                    }
                    if (status == 429 || status == 503) {
                        cause = new IOException("HTTP " + status + " for piece " + i);
                        continue;
                    }
                    if (status == 200) {
                        throw new TransientException(download + ": the server answered a Range request with the whole package; "
                                + "the download starts over with one connection");
                    }
                    throw SoarReplies.failure(status, link.url(), new String(reply.body().readNBytes(2000), StandardCharsets.UTF_8));
                } finally {
                    download.closed(reply);
                }
            } catch (IOException e) {
                cause = e;
                LOG.debug("{}: piece {} cut after {} bytes: {}", download, i, download.partialOf(i), e.toString());
            }
        }
        throw cause;
    }

    /**
     * Streams a piece's bytes from {@code from} to its end to the target, at their offsets. When they are the bytes
     * the package digest needs next, they are read into its chunk and written from there (the in-order pass then
     * skips them), as one stream does; else through this connection's buffer.
     */
    private void store(int i, InputStream in, long from) throws IOException {
        Pieces pieces = download.pieces;
        long end = pieces.end(i);
        PackageDigest digest = download.digest.holdAt(from);
        try {
            long pos = from;
            while (pos <= end) {
                byte[] into;
                int at;
                if (digest != null) {
                    into = digest.chunk();
                    at = digest.position();
                } else {
                    if (buffer == null) {
                        buffer = new byte[BUFFER];
                    }
                    into = buffer;
                    at = 0;
                }
                int n = in.read(into, at, (int) Math.min(into.length - at, end - pos + 1));
                if (n < 0) {
                    throw new EOFException("the connection ended at byte " + pos + " inside piece " + i + " (bytes "
                            + pieces.start(i) + "-" + end + ")");
                }
                if (download.stopped()) {
                    throw new IOException("the download stopped");
                }
                download.leaseCheck.run();
                download.target.write(i, pos, into, at, n);
                if (digest != null) {
                    digest.filled(n);
                }
                pos += n;
                download.wrote(i, pos - pieces.start(i), n, !delivered);
                delivered = true;
            }
        } finally {
            if (digest != null) {
                download.digest.release();
            }
        }
    }
}
