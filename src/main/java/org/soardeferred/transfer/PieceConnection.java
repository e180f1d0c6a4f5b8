package org.soardeferred.transfer;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

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
    /** The first GET's piece, read from {@code firstBody}; null: this connection starts by taking a part. */
    private final PieceClaims.Part firstPart;
    private final InputStream firstBody;
    /** This connection has brought bytes (it counts for the ramp's measure from its first bytes to its end). */
    private boolean delivered;
    /** Bytes on their way to the target, when they are not the digest's next (made at the first such). */
    private byte[] buffer;

    /** A connection holding {@code permit}; {@code firstBody}, when not null, is the open reply to {@code firstPart}. */
    PieceConnection(SegmentedDownload download, HostConnections.Permit permit, PieceClaims.Part firstPart, InputStream firstBody) {
        this.download = download;
        this.permit = permit;
        this.firstPart = firstPart;
        this.firstBody = firstBody;
    }

    @Override
    public void run() {
        try (permit) {
            if (firstBody != null && !storeFirst()) {
                return;
            }
            for (PieceClaims.Part p = download.claim(); p != null; p = download.claim()) {
                if (!fetch(download.following(p), null)) {
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
            store(firstPart, in);
        } catch (IOException e) {
            return fetch(download.following(firstPart), e);
        }
        download.stored(firstPart);
        return true;
    }

    /**
     * Fetches the parts of {@code request} (pieces that follow each other, the last of which may be split: this
     * connection then stops where the other begins) in one request, each stored as it is done, retrying a dropped
     * connection from the byte it cut; false when the server refused this connection (429/503) and the others go on
     * without it.
     */
    private boolean fetch(List<PieceClaims.Part> request, IOException previous) throws IOException {
        SegmentedDownload.Link link = download.link;
        PieceClaims.Part end = request.get(request.size() - 1);
        IOException cause = previous;
        int k = 0;
        for (int attempt = previous == null ? 0 : 1; attempt < ATTEMPTS; attempt++) {
            if (attempt > 0) {
                download.pause(Duration.ofMillis(250L << attempt));
            }
            if (download.failed()) {
                throw new IOException("the download stopped");
            }
            long from = request.get(k).next;
            long to = end.last;
            try (PieceFetcher.Reply reply = link.fetcher().get(link.url(), from, to)) {
                download.opened(reply);
                try {
                    int status = reply.status();
                    if (status == 206) {
                        long start = Reply.rangeStart(reply.header("Content-Range"));
                        if (start != from) {
                            throw new TransferException(download + ": asked for bytes from " + from
                                    + " but the server sent a range starting at " + start);
                        }
                        InputStream in = reply.body();
                        for (; k < request.size(); k++) {
                            store(request.get(k), in);
                            download.stored(request.get(k));
                        }
                        if (end.last < to) {
                            reply.abort(); // another connection fetches the rest: the body is not read to its end
                        } else {
                            in.close();
                        }
                        return true;
                    }
                    if ((status == 429 || status == 503) && download.refused(request.subList(k, request.size()), status,
                            reply.header("Retry-After"))) {
                        return false;
                    }
                    if (status == 429 || status == 503) {
                        cause = new IOException("HTTP " + status + " for " + request.get(k));
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
                LOG.debug("{}: {} cut: {}", download, request.get(Math.min(k, request.size() - 1)), e.toString());
            }
        }
        throw cause;
    }

    /**
     * Streams part p's bytes from its next to its last byte (which another connection taking its second half may
     * lower meanwhile) to the target, at their offsets. When they are the bytes the package digest needs next, they
     * are read into its chunk and written from there (the in-order pass then skips them), as one stream does; else
     * through this connection's buffer.
     */
    private void store(PieceClaims.Part p, InputStream in) throws IOException {
        PackageDigest digest = download.digest.holdAt(p.next);
        try {
            long pos = p.next;
            while (pos <= p.last) {
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
                int n = in.read(into, at, (int) Math.min(into.length - at, p.last - pos + 1));
                if (n < 0) {
                    throw new EOFException("the connection ended at byte " + pos + " inside " + p);
                }
                if (download.stopped()) {
                    throw new IOException("the download stopped");
                }
                n = (int) Math.min(n, p.last - pos + 1); // the second half was taken by another during the read
                if (n <= 0) {
                    break;
                }
                download.leaseCheck.run();
                download.target.write(p.piece, pos, into, at, n);
                if (digest != null) {
                    digest.filled(n);
                }
                pos += n;
                download.wrote(p, pos, n, !delivered);
                delivered = true;
            }
        } finally {
            if (digest != null) {
                download.digest.release();
            }
        }
    }
}
