package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.TransientException;
import org.soardeferred.soar.SoarReplies;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.LeaseLostException;
import org.soardeferred.store.ResultRecord;

/**
 * The steps of downloading one {@code uws:result}, called by the fetch route ({@code download-result}) with the
 * {@link Download} they share: {@link #prepare} decides the names and what to ask for (a Range when part of the
 * package is stored, or the first missing piece); {@link #open} checks the server's answer and wraps the body so
 * bytes and sha256 are counted as they go; {@link #write} streams it to the target, or {@link #fetchPieces} fetches
 * the pieces over several connections; {@link #complete} verifies the byte count against {@code Content-Length} and
 * the UWS {@code size} and the digest's check, then publishes the package under its final name. A package that
 * fails verification never appears under its final name. Every write first checks that this node still holds the
 * job (cluster fencing).
 */
public class ResultDownload {

    private static final Logger LOG = LoggerFactory.getLogger(ResultDownload.class);

    private final Outboxes outboxes;
    private final JobStore store;
    private final SoarUrls urls;
    private final Duration progressInterval;
    /** Hosts besides SOAR's that results may come from; empty: any (they never get the session cookie). */
    private final Set<String> allowedHosts;
    private final TransferMeter meter;
    /** Downloads in progress in this process, by job id. */
    private final Map<String, Progress> live = new ConcurrentHashMap<>();
    private final Segments segments;

    /**
     * How results are fetched.
     *
     * @param connections connections per result (soar.fetch.connections); 1: one stream
     * @param pieceSize   the size of the pieces of a segmented download (soar.fetch.piece-size)
     * @param hosts       the ceiling of connections per host across all downloads
     * @param fetcher     the HTTP client of the extra connections
     * @param threads     where the connections of segmented downloads run
     * @param rampWindow  how long each count of connections is measured (soar.fetch.ramp-window); 0: all at once
     * @param enoughRate  bytes per second at which a download opens no more connections (soar.fetch.enough-rate); 0: none
     */
    public record Segments(int connections, long pieceSize, HostConnections hosts, PieceFetcher fetcher, Executor threads,
                           Duration rampWindow, long enoughRate) {
    }

    public ResultDownload(Outboxes outboxes, JobStore store, SoarUrls urls, Duration progressInterval, Set<String> allowedHosts,
                          TransferMeter meter, Segments segments) {
        this.segments = segments;
        this.meter = meter;
        this.outboxes = outboxes;
        this.store = store;
        this.urls = urls;
        this.progressInterval = progressInterval;
        this.allowedHosts = allowedHosts;
    }

    /**
     * Before the GET: the URL to fetch, and a Range when part of the package is stored already; waits for a place
     * under the host's connection ceiling. {@code previous} is the attempt before, if any (a retry).
     */
    public Download prepare(JobRecord job, ResultRecord r, Download previous) throws IOException {
        if (previous != null) {
            previous.release();
        }
        Outbox outbox = outboxes.of(job);
        Target target = outbox.target();
        boolean named = outbox.assignNames(job);
        String upload = r.uploadId;
        long stored = target.open(job, r);
        boolean first = r.transferStartedAt == null;
        if (first) {
            r.transferStartedAt = Instant.now().toString();
        }
        if (named || first || !Objects.equals(upload, r.uploadId)) {
            store.update(job); // a restart must write to the same names (and resume the same S3 upload)
        }
        String href = urls.onSoarScheme(r.href);
        String host = URI.create(href).getHost();
        if (!allowedHosts.isEmpty() && !urls.isSoarHost(URI.create(href)) && !allowedHosts.contains(host)) {
            throw new TransferException("result " + r.id + " is on " + host + ", which is not SOAR's host nor listed in "
                    + "soar.result.allowed-hosts; it was not fetched");
        }
        Download d = new Download(job, r, outbox, href, host, previous);
        try {
            d.permit = segments.hosts().acquire(host);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a connection to " + host);
        }
        if (segmentable(target, r)) {
            d.pieces = pieces(job, r, target);
            // the first missing piece; when all are stored (the process died before publishing), the last one again
            int next = d.pieces.nextMissing(0);
            d.probePiece = next < 0 ? d.pieces.count() - 1 : next;
            d.range = "bytes=" + d.pieces.start(d.probePiece) + "-"
                    + (next < 0 ? d.pieces.end(d.probePiece) : d.pieces.probeEnd(d.probePiece));
            if (d.pieces.storedBytes() > 0) {
                LOG.info("{}: resuming {}: {} of {} bytes stored, fetching the rest", job, r.file, d.pieces.storedBytes(),
                        d.pieces.total());
            }
        } else {
            d.resumeFrom = stored;
            if (stored > 0) {
                d.range = "bytes=" + stored + "-";
                LOG.info("{}: resuming {} from byte {}", job, r.file, stored);
            }
        }
        return d;
    }

    /**
     * A result is fetched in pieces over several connections when its size is known and larger than one piece (or
     * an earlier attempt stored pieces already).
     */
    private boolean segmentable(Target target, ResultRecord r) {
        return r.size != null && r.size > 0
                && (r.pieces != null || segments.connections() > 1 && r.size > target.pieceSize(r, segments.pieceSize()));
    }

    /** The pieces of a result as the target kept them from before, or a new plan; recorded in the job store. */
    private Pieces pieces(JobRecord job, ResultRecord r, Target target) throws IOException {
        long pieceSize = target.pieceSize(r, segments.pieceSize());
        Pieces recorded = Pieces.parse(r.pieces);
        if (recorded != null && (recorded.total() != r.size || recorded.pieceSize() != pieceSize)) {
            recorded = null;
        }
        Pieces pieces = target.storedPieces(job, r, recorded, pieceSize);
        r.pieces = pieces.format();
        store.update(job);
        return pieces;
    }

    /**
     * After the GET, with the server's answer: 206 continues the stored part (the digest carried from the attempt
     * that was cut short, or primed with the stored bytes), or, for a segmented download, brings the first missing
     * piece; 200 starts over with one stream; anything else is an error.
     */
    public Download open(Download d, int status, Map<String, Object> headers, InputStream body) throws IOException {
        Reply reply = new Reply(status, headers, body);
        if (d.pieces != null && status == 206) {
            PieceDownloads.open(d, reply);
            d.publishAs = typed(d.result, reply);
            start(d, new PackageDigest(), d.pieces.storedBytes(), d.pieces.total());
            return d;
        }
        JobRecord job = d.job;
        ResultRecord r = d.result;
        Target target = d.target();
        if (d.pieces != null) {
            d.pieces = null;
            r.pieces = null;
            target.restart(job, r);
            store.update(job);
            if (status == 200) {
                LOG.info("{}: the server does not serve ranges of {}; one stream from the start", job, r.file);
            }
        }
        Long contentLength = reply.length();
        PackageDigest digest;
        InputStream in = body;
        if (status == 206 || status == 416 && r.size != null && d.resumeFrom == r.size) {
            if (status == 206) {
                Reply.checkRangeStart(r, reply.header("Content-Range"), d.resumeFrom);
            } else {
                // every byte is stored already (the connection dropped after the last one): nothing to add
                in = InputStream.nullInputStream();
                contentLength = 0L;
            }
            digest = carriedOver(d);
            d.resumed = true;
        } else if (status == 200) {
            if (d.resumeFrom > 0) {
                LOG.info("{}: the server ignored the Range request; downloading {} from the start", job, r.file);
                target.restart(job, r);
                store.update(job);
            }
            d.resumeFrom = 0;
            digest = new PackageDigest();
            d.verifiedFromStart = true;
            d.resumed = false;
        } else {
            String text = new String(body.readNBytes(2000), StandardCharsets.UTF_8);
            throw SoarReplies.failure(status, r.href, text);
        }
        d.publishAs = status == 416 ? publishedName(r, null) : typed(r, reply);
        d.expected = contentLength == null ? r.size : Long.valueOf(d.resumeFrom + contentLength);
        Progress progress = start(d, digest, d.resumeFrom, d.expected);
        d.transfer = new TransferStream(in, digest, count -> {
            // in a cluster, a node that was paused past its lease stops here, before writing these bytes, if another
            // node has taken the job over meanwhile
            checkLease(job);
            progress.update(count);
        });
        return d;
    }

    /** The download's progress (shown while it runs; its start, for the rate and CPU figures), and its digest. */
    private Progress start(Download d, PackageDigest digest, long offset, Long total) {
        Progress progress = new Progress(d.job, d.result, offset, total, progressInterval, meter);
        live.put(d.job.id, progress);
        d.progress = progress;
        d.transfer = new TransferStream(InputStream.nullInputStream(), digest, count -> { });
        return progress;
    }

    /** What the result is, as its server says: its media type, and so the name it is published under. */
    String typed(ResultRecord r, Reply reply) {
        String contentType = reply.header("Content-Type");
        if (contentType != null && !contentType.isBlank()) {
            r.contentType = contentType.strip();
        }
        return publishedName(r, reply.header("Content-Disposition"));
    }

    /** Throws when this node no longer holds the job (another node took it over): it writes nothing more. */
    void checkLease(JobRecord job) {
        if (!store.holdsLease(job)) {
            throw new LeaseLostException(job, store.node());
        }
    }

    /**
     * The digest for a resumed download: the one of the attempt that was cut short, when it saw exactly the bytes
     * stored (no second pass over them); else one primed by reading the stored bytes back; when the target cannot
     * read them back, a fresh one, and the target verifies the package as a whole once it is complete.
     */
    private PackageDigest carriedOver(Download d) throws IOException {
        if (d.carried != null && d.carried.digest().count() == d.resumeFrom) {
            d.verifiedFromStart = true;
            return d.carried.digest();
        }
        PackageDigest digest = new PackageDigest();
        d.verifiedFromStart = d.target().prime(d.job, d.result, digest);
        return d.verifiedFromStart ? digest : new PackageDigest();
    }

    /**
     * One stream to the job's target: NAME.tar.gz.part in the folder, appended to when the server continues the
     * stored bytes; or the parts of a multipart upload.
     */
    public void write(Download d) throws IOException {
        d.target().write(d.job, d.result, d.transfer, d.resumed);
    }

    /**
     * A segmented download: the probe's piece and the others, each on a connection of its own (up to
     * soar.fetch.connections, within the host's ceiling), given to the target at their offsets and digested in
     * order. Returns once every piece is stored and digested.
     */
    public void fetchPieces(Download d) throws IOException {
        PieceDownloads.fetch(this, d, segments);
    }

    /** Records the pieces stored so far in the job store. */
    void persist(Download d, Pieces stored) {
        d.result.pieces = stored.format();
        store.update(d.job);
    }

    /** After the target stored the bytes: verify, then publish the package under its final name. */
    public void complete(Download d) throws IOException {
        JobRecord job = d.job;
        ResultRecord r = d.result;
        Target target = d.target();
        TransferStream stream = d.transfer;
        stream.close();
        long total = d.pieces != null ? d.pieces.storedBytes() : target.stored(r);
        if (d.pieces == null && total != d.resumeFrom + stream.count()) {
            throw new TransferException("result " + r.id + ": " + target.location(r.file) + " holds " + total
                    + " bytes but " + (d.resumeFrom + stream.count()) + " were received");
        }
        Long expected = d.expected;
        if (expected != null && total < expected) {
            throw new TransientException("result " + r.id + ": the transfer ended after " + total + " of " + expected
                    + " bytes; the download resumes from there");
        }
        if ((expected != null && total > expected) || (r.size != null && total != r.size)) {
            target.discard(job, r);
            throw new TransferException("result " + r.id + ": received " + total + " bytes but the server announced "
                    + (r.size != null ? r.size + " (UWS size)" : expected + " (Content-Length)") + "; the package was discarded");
        }
        boolean whole = d.verifiedFromStart;
        String broken = whole ? stream.digest().broken() : null;
        if (broken != null) {
            target.discard(job, r);
            throw new TransferException("result " + r.id + ": " + broken + "; the package was discarded");
        }
        String name = d.publishAs != null ? d.publishAs : r.file;
        r.sha256 = target.publish(job, r, whole ? stream.digest().sha256Hex() : null, name);
        r.file = name;
        r.bytes = total;
        r.pieces = null;
        r.transferFinishedAt = Instant.now().toString();
        store.update(job);
        d.transfer = null;
        d.pieces = null;
        d.release();
        live.remove(job.id);
        long nanos = d.progress.nanos();
        meter.transfer(stream.count(), Duration.ofNanos(nanos));
        double cpu = d.progress.cpuSeconds();
        LOG.info("{}: {} complete, {} bytes at {}, {} CPU s of the process (sha256 {})", job, target.location(r.file), total,
                Progress.rate(stream.count(), nanos), String.format(Locale.ROOT, "%.2f", cpu), r.sha256);
    }

    /** The download is over, well or not: its connection's place under the host's ceiling is given back. */
    public void release(Download d) {
        if (d != null) {
            d.release();
        }
    }

    /**
     * The name a result is published under: a SOAR package keeps NAME.tar.gz; the result of another UWS server (an
     * attached job) gets the extension its server's headers or URL give it (see ResultNames), so a VOTable is not
     * called .tar.gz. The bytes travel under the first name (its .part), which a restart finds again.
     */
    String publishedName(ResultRecord r, String contentDisposition) {
        if (urls.isSoarService(URI.create(urls.onSoarScheme(r.href))) || !r.file.endsWith(Outbox.PACKAGE_SUFFIX)) {
            return r.file;
        }
        return Outbox.stem(r.file) + ResultNames.extension(r.href, r.contentType, contentDisposition);
    }

    /** The job is finished: its transfer is no longer shown. */
    public void forget(String jobId) {
        live.remove(jobId);
    }

    /** The transfer in progress of a job in this process, or null: bytes done, total, rate and ETA. */
    public Map<String, Object> live(String jobId) {
        Progress p = live.get(jobId);
        return p == null ? null : p.snapshot();
    }
}
