package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.TransientException;

/**
 * One result fetched over several connections ({@link PieceConnection}), as many as help ({@link ConnectionRamp}):
 * each takes the next missing piece in order ({@code Range: bytes=A-B}), and once none is left, the second half of
 * the part under way with the most to go ({@link PieceClaims}); the target writes the bytes (a folder at their offset
 * in {@code NAME.tar.gz.part}; S3 uploads each piece as a part). The calling thread feeds the pieces in order through
 * the package digest (sha256 and tar.gz check: one sequential pass, bounded memory); connections run at most a
 * window of pieces ahead of it. A connection that brings the very bytes the digest needs next feeds them to it on
 * the way (read into its chunk, written from there) and the pass skips them: one connection reads nothing back.
 * <p>
 * A connection refused with 429 or 503 lowers this download's connection count (logged once); a connection cut
 * mid-piece resumes that piece from the bytes it stored; a server that stops honouring Range, or any other
 * failure, ends the download with the pieces stored so far recorded (the next attempt fetches only the others).
 * Every read first checks that this node still holds the job (cluster fencing), on every connection.
 */
public final class SegmentedDownload {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedDownload.class);
    private static final Duration PERSIST_EVERY = Duration.ofSeconds(1);

    /** What the download needs from outside: where to fetch, where to write, whom to tell. */
    public record Link(String url, String host, PieceFetcher fetcher, HostConnections connections, Executor threads) {
    }

    private final String what;
    final Link link;
    final Pieces pieces;
    final PieceTarget target;
    /** The package digest (fed in order, by the pass below or by the connection that brings its next bytes). */
    final DigestHandover digest;
    private final ConnectionRamp ramp;
    final Runnable leaseCheck;
    private final LongConsumer received;
    private final Consumer<Pieces> persist;

    // guarded by this
    private final PieceClaims claims;
    private int active;
    /** Connections that have brought bytes and are still open. */
    private int delivering;
    /** Connections this download may have open (the ramp's count); written under this. */
    private volatile int allowed;
    private Throwable failure;
    /** Set with the failure: connections stop at their next read. */
    private volatile boolean stopped;
    private boolean warnedBusy;

    private final AtomicLong bytes = new AtomicLong();
    private final Set<PieceFetcher.Reply> open = ConcurrentHashMap.newKeySet();

    /**
     * @param what       the download, for log lines ("job … (name): NAME.tar.gz")
     * @param ramp       how many connections to use (up to soar.fetch.connections), within the host's ceiling
     * @param leaseCheck throws when this node no longer holds the job (called before each write)
     * @param received   told the bytes received by this download so far, after each read
     * @param persist    records the stored pieces in the job store (at most once a second, and at the end)
     */
    public SegmentedDownload(String what, Link link, Pieces pieces, PieceTarget target, PackageDigest digest, ConnectionRamp ramp,
                             Runnable leaseCheck, LongConsumer received, Consumer<Pieces> persist) {
        this.what = what;
        this.link = link;
        this.pieces = pieces;
        this.target = target;
        this.digest = new DigestHandover(digest);
        this.ramp = ramp;
        this.allowed = ramp.allowed();
        this.leaseCheck = leaseCheck;
        this.received = received;
        this.persist = persist;
        this.claims = new PieceClaims(pieces, target.window(ramp.most()), this.digest);
    }

    /** Connections open now. */
    public synchronized int connections() {
        return active;
    }

    /**
     * Runs the download to its end: every piece stored and digested in order. {@code probe} is the open reply to
     * the first missing piece's request (the fetch route's GET), whose connection holds {@code probePermit}.
     */
    public void run(int probePiece, InputStream probe, HostConnections.Permit probePermit) throws IOException {
        PieceClaims.Part first;
        synchronized (this) {
            first = claims.takeProbe(probePiece);
            active++;
        }
        link.threads().execute(new PieceConnection(this, probePermit, first, probe));
        topUp();
        long persistAt = System.nanoTime() + PERSIST_EVERY.toNanos();
        try {
            for (int d = 0; d < pieces.count(); d++) {
                if (!awaitWhole(d)) {
                    break; // failed: the connections end below, and the failure is thrown
                }
                long from = digest.holdFor(pieces.end(d));
                boolean feed = from <= pieces.end(d);
                try {
                    target.digest(d, from, feed ? digest.digest() : null);
                } finally {
                    if (feed) {
                        digest.release();
                    }
                }
                synchronized (this) {
                    claims.digestedUpTo(d + 1);
                    notifyAll();
                }
                topUp();
                if (System.nanoTime() - persistAt > 0) {
                    persist.accept(pieces);
                    persistAt = System.nanoTime() + PERSIST_EVERY.toNanos();
                }
            }
            if (!stopped) {
                target.finish();
            }
        } catch (IOException | RuntimeException | Error e) {
            fail(e);
        } finally {
            stopAndAwaitConnections();
            if (!failed()) {
                ramp.ended();
            }
            // the service stopping interrupts this thread: the part file and the job store (H2) close their files on
            // a write from an interrupted thread, so the pieces are recorded first and the interrupt kept for after
            boolean interrupted = Thread.interrupted();
            try {
                target.close();
                persist.accept(pieces);
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        synchronized (this) {
            if (failure != null) {
                throw rethrow(failure);
            }
        }
    }

    /** Waits until piece d is whole; false when the download failed meanwhile. */
    private synchronized boolean awaitWhole(int d) {
        while (!claims.isWhole(d) && failure == null) {
            if (active == 0) {
                failure = new TransientException(what + ": no connection is left for piece " + d + " of " + pieces.count());
                stopped = true;
                break;
            }
            try {
                wait(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failure = new TransientException(what + ": interrupted");
                stopped = true;
            }
        }
        return failure == null;
    }

    /** Starts connections up to the count allowed, as far as the host's ceiling has room and pieces are left. */
    private void topUp() {
        while (true) {
            HostConnections.Permit permit;
            synchronized (this) {
                if (failure != null || active >= allowed || !claims.claimable()) {
                    return;
                }
                permit = link.connections().tryAcquire(link.host());
                if (permit == null) {
                    return;
                }
                active++;
            }
            link.threads().execute(new PieceConnection(this, permit, null, null));
        }
    }

    /**
     * The next part for a connection (a piece, or once none is left the second half of the part under way with the
     * most to go), waiting while the window is full; null when none is left for it.
     */
    synchronized PieceClaims.Part claim() {
        while (failure == null) {
            if (active > allowed) {
                return null;
            }
            PieceClaims.Part p = claims.claim();
            if (p != PieceClaims.WAIT) {
                return p;
            }
            try {
                wait(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    /**
     * The parts a connection that just took {@code p} asks for in one request: p alone, or, when the ramp has settled
     * on this one connection, the pieces that follow p within the window as well (a fast link that keeps one
     * connection then makes a request every few pieces, not every piece). Those pieces are taken. While the ramp
     * still measures, each request is one piece, so that the connections it adds find pieces to take.
     */
    synchronized List<PieceClaims.Part> following(PieceClaims.Part p) {
        return claims.request(p, active == 1 && allowed == 1 && ramp.settled() != null);
    }

    /**
     * 429/503 on a connection asking for {@code request}: when others remain, this one closes, gives them back and
     * the count is lowered (logged once).
     */
    synchronized boolean refused(List<PieceClaims.Part> request, int status, String retryAfter) {
        if (active <= 1) {
            return false;
        }
        allowed = Math.max(1, active - 1);
        ramp.refused(allowed);
        request.forEach(claims::giveBack);
        if (!warnedBusy) {
            warnedBusy = true;
            LOG.warn("{}: the server answered {} to an extra connection{}; going on with {} connection(s)", what, status,
                    retryAfter == null ? "" : " (Retry-After " + retryAfter + ")", allowed);
        }
        notifyAll();
        return true;
    }

    /** Whether the download failed (its connections end). */
    synchronized boolean failed() {
        return failure != null;
    }

    /** Set with the failure: connections stop at their next read. */
    boolean stopped() {
        return stopped;
    }

    /**
     * A connection wrote {@code n} more bytes of part p, whose next byte is now {@code next} ({@code first}: its
     * first bytes); the ramp may allow one connection more (opened here) or one fewer (it ends after its piece).
     */
    void wrote(PieceClaims.Part p, long next, int n, boolean first) {
        long total = bytes.addAndGet(n);
        int now;
        synchronized (this) {
            p.next = next;
            delivering += first ? 1 : 0;
            now = delivering;
        }
        received.accept(total);
        if (ramp.measured(total, now) != allowed) {
            synchronized (this) {
                allowed = ramp.allowed();
            }
            topUp();
        }
    }

    /** A reply is open (it is aborted when the download fails), or no longer. */
    void opened(PieceFetcher.Reply reply) {
        open.add(reply);
    }

    void closed(PieceFetcher.Reply reply) {
        open.remove(reply);
    }

    /** A connection ended ({@code delivered}: it had brought bytes). */
    synchronized void ended(boolean delivered) {
        active--;
        delivering -= delivered ? 1 : 0;
        notifyAll();
    }

    /** Part p is stored: when it was the last of its piece, the piece is whole. */
    void stored(PieceClaims.Part p) {
        synchronized (this) {
            if (!claims.stored(p)) {
                return;
            }
        }
        target.whole(p.piece);
        synchronized (this) {
            claims.whole(p.piece);
            notifyAll();
        }
    }

    synchronized void fail(Throwable t) {
        if (failure == null) {
            failure = t;
            stopped = true;
        }
        notifyAll();
    }

    /** Ends every connection (a failure, or the end) and waits until none writes any more. */
    private void stopAndAwaitConnections() {
        synchronized (this) {
            if (failure == null && !pieces.complete()) {
                failure = new TransientException(what + ": stopped");
            }
            stopped = failure != null;
            if (failure != null) {
                open.forEach(PieceFetcher.Reply::abort);
            }
            notifyAll();
            // an interrupt (the service stopping) is kept for after the wait: set again at once, it would make
            // every wait() throw without giving up this monitor, and no connection could end
            boolean interrupted = false;
            while (active > 0) {
                try {
                    wait(1000);
                } catch (InterruptedException e) {
                    interrupted = true;
                    open.forEach(PieceFetcher.Reply::abort);
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    void pause(Duration d) {
        synchronized (this) {
            long until = System.nanoTime() + d.toNanos();
            while (failure == null && System.nanoTime() - until < 0) {
                try {
                    wait(Math.max(1, (until - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static RuntimeException rethrow(Throwable t) throws IOException {
        if (t instanceof IOException io) {
            throw io;
        }
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    @Override
    public String toString() {
        return what;
    }
}
