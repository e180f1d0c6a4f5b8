package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.Durations;
import org.soardeferred.common.TransientException;
import org.soardeferred.soar.SoarReplies;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;

/**
 * The steps around streaming one {@code uws:result} to the outbox, called by the fetch routes:
 * {@link #prepare} decides the files and asks for {@code Range: bytes=N-} when a partial file is on disk;
 * {@link #open} checks the answer and wraps the body so bytes and sha256 are counted while the outbox writes
 * {@code NAME.tar.gz.part} (or the parts of an S3 upload); {@link #complete} verifies the byte count against {@code Content-Length} and
 * the UWS {@code size}, then renames the part to its final name. A package that fails verification never
 * appears under its final name.
 */
public class ResultDownload {

    private static final Logger LOG = LoggerFactory.getLogger(ResultDownload.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    public static final String RESULT = "result";
    public static final String JOB = "job";
    static final String RESUME_FROM = "resumeFrom";
    /** True when the server continues the stored bytes (206): the target appends to them. */
    static final String RESUMED = "resumed";
    static final String TRANSFER = "transfer";
    static final String EXPECTED = "expectedBytes";
    static final String STARTED = "transferStarted";
    static final String CPU_STARTED = "transferCpuStarted";
    /** The digest has seen every byte of the package from its first (false after a resume it could not prime). */
    static final String VERIFIED_FROM_START = "verifiedFromStart";
    static final String RESULT_ID = "transferResultId";
    /** The file name the package is published under (its extension from the server's headers when not SOAR's). */
    static final String PUBLISH_AS = "publishAs";
    /** A segmented download: its {@link Pieces}; the route then calls {@link #fetchPieces} instead of the target's write. */
    public static final String PIECES = "pieces";
    static final String PROBE_PIECE = "probePiece";
    static final String PROBE_BODY = "probeBody";
    /** The place of the download's (first) connection under the host's ceiling, held until it is done. */
    static final String HOST_PERMIT = "hostPermit";
    /** CPU time of the whole process (the download, the digest on its own core, GC): what a transfer costs the machine. */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private final Outboxes outboxes;
    private final JobStore store;
    private final SoarUrls urls;
    private final Duration progressInterval;
    /** Hosts besides SOAR's that results may come from; empty: any (they never get the session cookie). */
    private final Set<String> allowedHosts;

    private final org.soardeferred.observe.SoarMetrics metrics;
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
     */
    public record Segments(int connections, long pieceSize, HostConnections hosts, PieceFetcher fetcher,
                           java.util.concurrent.Executor threads) {
    }

    public ResultDownload(Outboxes outboxes, JobStore store, SoarUrls urls, Duration progressInterval, Set<String> allowedHosts,
                          org.soardeferred.observe.SoarMetrics metrics, Segments segments) {
        this.segments = segments;
        this.metrics = metrics;
        this.outboxes = outboxes;
        this.store = store;
        this.urls = urls;
        this.progressInterval = progressInterval;
        this.allowedHosts = allowedHosts;
    }

    /** Before the GET: the URL to fetch, and a Range header when part of the package is stored already. */
    public void prepare(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        Outbox outbox = outboxes.of(job);
        boolean named = outbox.assignNames(job);
        String upload = r.uploadId;
        long stored = outbox.stored(job, r);
        boolean first = r.transferStartedAt == null;
        if (first) {
            r.transferStartedAt = java.time.Instant.now().toString();
        }
        if (named || first || !java.util.Objects.equals(upload, r.uploadId)) {
            store.update(job); // a restart must write to the same names (and resume the same S3 upload)
        }
        String href = urls.onSoarScheme(r.href);
        String host = java.net.URI.create(href).getHost();
        if (!allowedHosts.isEmpty() && !urls.isSoarHost(java.net.URI.create(href)) && !allowedHosts.contains(host)) {
            throw new TransferException("result " + r.id + " is on " + host + ", which is not SOAR's host nor listed in "
                    + "soar.result.allowed-hosts; it was not fetched");
        }
        holdConnection(exchange, host);
        exchange.getMessage().setHeader(Exchange.HTTP_URI, href);
        Pieces pieces = segmentable(outbox, r) ? pieces(job, r, outbox) : null;
        if (pieces != null) {
            // the first missing piece; when all are stored (the process died before publishing), the last one again
            int probe = pieces.nextMissing(0) < 0 ? pieces.count() - 1 : pieces.nextMissing(0);
            exchange.setProperty(PIECES, pieces);
            exchange.setProperty(PROBE_PIECE, probe);
            exchange.setProperty(RESUME_FROM, 0L);
            exchange.getMessage().setHeader("Range", "bytes=" + pieces.start(probe) + "-" + pieces.end(probe));
            if (pieces.storedBytes() > 0) {
                LOG.info("{}: resuming {}: {} of {} bytes stored, fetching the rest", job, r.file, pieces.storedBytes(), pieces.total());
            }
            return;
        }
        exchange.removeProperty(PIECES);
        exchange.setProperty(RESUME_FROM, stored);
        if (stored > 0) {
            exchange.getMessage().setHeader("Range", "bytes=" + stored + "-");
            LOG.info("{}: resuming {} from byte {}", job, r.file, stored);
        }
    }

    /**
     * A result is fetched in pieces over several connections when its target can take pieces, its size is known and
     * larger than one piece (or an earlier attempt stored pieces already).
     */
    private boolean segmentable(Outbox outbox, ResultRecord r) {
        return outbox.writesPieces() && r.size != null && r.size > 0
                && (r.pieces != null || segments.connections() > 1 && r.size > outbox.pieceSize(r, segments.pieceSize()));
    }

    /** The pieces of a result as the target kept them from before, or a new plan; recorded in the job store. */
    private Pieces pieces(JobRecord job, ResultRecord r, Outbox outbox) throws IOException {
        long pieceSize = outbox.pieceSize(r, segments.pieceSize());
        Pieces recorded = Pieces.parse(r.pieces);
        if (recorded != null && (recorded.total() != r.size || recorded.pieceSize() != pieceSize)) {
            recorded = null;
        }
        Pieces pieces = outbox.storedPieces(job, r, recorded, pieceSize);
        r.pieces = pieces.format();
        store.update(job);
        return pieces;
    }

    /** Waits for a place under the host's connection ceiling; the place of an earlier attempt is given back first. */
    private void holdConnection(Exchange exchange, String host) throws IOException {
        releaseConnection(exchange);
        try {
            exchange.setProperty(HOST_PERMIT, segments.hosts().acquire(host));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for a connection to " + host);
        }
        if (exchange.getProperty("hostPermitReleased") == null) {
            exchange.setProperty("hostPermitReleased", true);
            exchange.getExchangeExtension().addOnCompletion(new org.apache.camel.support.SynchronizationAdapter() {
                @Override
                public void onDone(Exchange done) {
                    releaseConnection(done);
                }
            });
        }
    }

    private static void releaseConnection(Exchange exchange) {
        HostConnections.Permit permit = exchange.getProperty(HOST_PERMIT, HostConnections.Permit.class);
        if (permit != null) {
            permit.close();
            exchange.removeProperty(HOST_PERMIT);
        }
    }

    /**
     * After the GET: 206 continues the stored part (the digest carried from the attempt that was cut short, or
     * primed with the stored bytes), 200 starts it over; anything else is an error. Sets the property
     * {@value #RESUMED}: whether the target appends to the stored bytes or starts over.
     */
    public void open(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        Outbox outbox = outboxes.of(job);
        long resumeFrom = exchange.getProperty(RESUME_FROM, Long.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        Long contentLength = longHeader(exchange, "Content-Length");
        Pieces pieces = exchange.getProperty(PIECES, Pieces.class);
        if (pieces != null && status == 206) {
            openPieces(exchange, job, r, pieces);
            return;
        }
        if (pieces != null) {
            exchange.removeProperty(PIECES);
            r.pieces = null;
            outbox.restart(job, r);
            store.update(job);
            if (status == 200) {
                LOG.info("{}: the server does not serve ranges of {}; one stream from the start", job, r.file);
            }
        }
        PackageDigest digest;
        boolean resumed;
        if (status == 206 || status == 416 && r.size != null && resumeFrom == r.size) {
            if (status == 206) {
                checkRangeStart(r, exchange.getMessage().getHeader("Content-Range", String.class), resumeFrom);
            } else {
                // every byte is stored already (the connection dropped after the last one): nothing to add
                exchange.getMessage().setBody(InputStream.nullInputStream());
                contentLength = 0L;
            }
            digest = carriedOver(exchange, job, r, resumeFrom);
            resumed = true;
        } else if (status == 200) {
            if (resumeFrom > 0) {
                LOG.info("{}: the server ignored the Range request; downloading {} from the start", job, r.file);
                outbox.restart(job, r);
                store.update(job);
            }
            resumeFrom = 0;
            exchange.setProperty(RESUME_FROM, 0L);
            digest = new PackageDigest();
            exchange.setProperty(VERIFIED_FROM_START, true);
            resumed = false;
        } else {
            String body = new String(exchange.getMessage().getBody(InputStream.class).readNBytes(2000), StandardCharsets.UTF_8);
            throw SoarReplies.failure(status, r.href, body);
        }
        if (status != 416) {
            typed(exchange, r);
        } else {
            exchange.setProperty(PUBLISH_AS, publishedName(r, null));
        }
        exchange.setProperty(EXPECTED, contentLength == null ? r.size : Long.valueOf(resumeFrom + contentLength));
        Progress progress = new Progress(job, r, resumeFrom, exchange.getProperty(EXPECTED, Long.class));
        live.put(job.id, progress);
        TransferStream stream = new TransferStream(exchange.getMessage().getBody(InputStream.class), digest, count -> {
            // in a cluster, a node that was paused past its lease stops here, before writing these bytes, if another
            // node has taken the job over meanwhile
            if (!store.holdsLease(job)) {
                throw new org.soardeferred.store.LeaseLostException(job, store.node());
            }
            progress.update(count);
        });
        started(exchange, r, stream);
        exchange.setProperty(RESUMED, resumed);
    }

    /** What the result is, as its server says: its media type, and so the name it is published under. */
    private void typed(Exchange exchange, ResultRecord r) {
        String contentType = exchange.getMessage().getHeader(Exchange.CONTENT_TYPE, String.class);
        if (contentType != null && !contentType.isBlank()) {
            r.contentType = contentType.strip();
        }
        exchange.setProperty(PUBLISH_AS, publishedName(r, exchange.getMessage().getHeader("Content-Disposition", String.class)));
    }

    /** The transfer's stream is the body from now on; its start is noted for the rate and CPU figures. */
    private static void started(Exchange exchange, ResultRecord r, TransferStream stream) {
        exchange.setProperty(TRANSFER, stream);
        exchange.setProperty(RESULT_ID, r.id);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(CPU_STARTED, OS.getProcessCpuTime());
        exchange.getMessage().setBody(stream);
        exchange.getMessage().removeHeaders("*", "CamelRedeliver*");
    }

    private static void checkRangeStart(ResultRecord r, String contentRange, long asked) {
        long start = rangeStart(contentRange);
        if (start != asked) {
            throw new TransferException("result " + r.id + ": asked for bytes from " + asked
                    + " but the server sent a range starting at " + start);
        }
    }

    /** The probe (the first missing piece) was answered with that piece: the rest comes over more connections. */
    private void openPieces(Exchange exchange, JobRecord job, ResultRecord r, Pieces pieces) {
        int first = exchange.getProperty(PROBE_PIECE, Integer.class);
        String contentRange = exchange.getMessage().getHeader("Content-Range", String.class);
        checkRangeStart(r, contentRange, pieces.start(first));
        Matcher m = CONTENT_RANGE.matcher(contentRange.strip());
        if (m.matches() && !m.group(3).equals("*") && Long.parseLong(m.group(3)) != pieces.total()) {
            throw new TransferException("result " + r.id + ": the server gives its length as " + m.group(3)
                    + " bytes but its UWS size is " + pieces.total());
        }
        typed(exchange, r);
        exchange.setProperty(EXPECTED, pieces.total());
        PackageDigest digest = new PackageDigest();
        exchange.setProperty(VERIFIED_FROM_START, true);
        live.put(job.id, new Progress(job, r, pieces.storedBytes(), pieces.total()));
        exchange.setProperty(PROBE_BODY, exchange.getMessage().getBody(InputStream.class));
        started(exchange, r, new TransferStream(InputStream.nullInputStream(), digest, count -> { }));
    }

    /**
     * Called by the fetch route for a segmented download: the probe's piece and the others, each on a connection
     * of its own (up to soar.fetch.connections, within the host's ceiling), written at their offsets into
     * NAME.tar.gz.part and digested in order. Returns once every piece is stored and digested.
     */
    public void fetchPieces(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        Pieces pieces = exchange.getProperty(PIECES, Pieces.class);
        Outbox outbox = outboxes.of(job);
        String href = urls.onSoarScheme(r.href);
        // the probe's connection is the download's first: its place goes with it
        HostConnections.Permit permit = exchange.getProperty(HOST_PERMIT, HostConnections.Permit.class);
        exchange.removeProperty(HOST_PERMIT);
        Progress progress = live.get(job.id);
        try (PieceTarget target = outbox.pieceTarget(job, r, pieces, segments.connections())) {
            // pieces stored before that the target cannot read back (S3): it verifies the package once it is whole
            boolean verifying = pieces.storedBytes() == 0 || target.readsBack();
            exchange.setProperty(VERIFIED_FROM_START, verifying);
            SegmentedDownload download = new SegmentedDownload(job + ": " + r.file,
                    new SegmentedDownload.Link(href, java.net.URI.create(href).getHost(), segments.fetcher(), segments.hosts(), segments.threads()),
                    pieces, target, verifying ? exchange.getProperty(TRANSFER, TransferStream.class).digest() : null,
                    segments.connections(),
                    () -> {
                        if (!store.holdsLease(job)) {
                            throw new org.soardeferred.store.LeaseLostException(job, store.node());
                        }
                    },
                    progress::update,
                    stored -> {
                        r.pieces = stored.format();
                        store.update(job);
                    });
            progress.connections = download::connections;
            download.run(exchange.getProperty(PROBE_PIECE, Integer.class), exchange.getProperty(PROBE_BODY, InputStream.class), permit);
        } finally {
            exchange.removeProperty(PROBE_BODY);
        }
    }

    /**
     * The digest for a resumed download: the one of the attempt that was cut short, when it saw exactly the bytes
     * stored (no second pass over them); else one primed by reading the stored bytes back; when the target cannot
     * read them back, a fresh one, and the target verifies the package as a whole once it is complete.
     */
    private PackageDigest carriedOver(Exchange exchange, JobRecord job, ResultRecord r, long resumeFrom) throws IOException {
        TransferStream previous = exchange.getProperty(TRANSFER, TransferStream.class);
        if (previous != null && Boolean.TRUE.equals(exchange.getProperty(VERIFIED_FROM_START, Boolean.class))
                && r.id.equals(exchange.getProperty(RESULT_ID, String.class)) && previous.digest().count() == resumeFrom) {
            return previous.digest();
        }
        PackageDigest digest = new PackageDigest();
        boolean primed = outboxes.of(job).prime(job, r, digest);
        exchange.setProperty(VERIFIED_FROM_START, primed);
        return primed ? digest : new PackageDigest();
    }

    /** After the target stored the bytes: verify, then publish the package under its final name. */
    public void complete(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        Outbox outbox = outboxes.of(job);
        TransferStream stream = exchange.getProperty(TRANSFER, TransferStream.class);
        stream.close();
        long resumeFrom = exchange.getProperty(RESUME_FROM, Long.class);
        Long expected = exchange.getProperty(EXPECTED, Long.class);
        Pieces pieces = exchange.getProperty(PIECES, Pieces.class);
        long total = pieces != null ? pieces.storedBytes() : outbox.stored(job, r);
        if (pieces == null && total != resumeFrom + stream.count()) {
            throw new TransferException("result " + r.id + ": " + outbox.location(r.file) + " holds " + total
                    + " bytes but " + (resumeFrom + stream.count()) + " were received");
        }
        if (expected != null && total < expected) {
            throw new TransientException("result " + r.id + ": the transfer ended after " + total + " of " + expected
                    + " bytes; the download resumes from there");
        }
        if ((expected != null && total > expected) || (r.size != null && total != r.size)) {
            outbox.discard(job, r);
            throw new TransferException("result " + r.id + ": received " + total + " bytes but the server announced "
                    + (r.size != null ? r.size + " (UWS size)" : expected + " (Content-Length)") + "; the package was discarded");
        }
        boolean whole = Boolean.TRUE.equals(exchange.getProperty(VERIFIED_FROM_START, Boolean.class));
        String broken = whole ? stream.digest().broken() : null;
        if (broken != null) {
            outbox.discard(job, r);
            throw new TransferException("result " + r.id + ": " + broken + "; the package was discarded");
        }
        String name = exchange.getProperty(PUBLISH_AS, r.file, String.class);
        r.sha256 = outbox.publish(job, r, whole ? stream.digest().sha256Hex() : null, name);
        r.file = name;
        r.bytes = total;
        r.pieces = null;
        r.transferFinishedAt = java.time.Instant.now().toString();
        store.update(job);
        exchange.removeProperty(TRANSFER);
        exchange.removeProperty(PIECES);
        releaseConnection(exchange);
        exchange.getMessage().setBody(null);
        live.remove(job.id);
        long nanos = System.nanoTime() - exchange.getProperty(STARTED, Long.class);
        metrics.transfer(stream.count(), Duration.ofNanos(nanos));
        double cpu = (OS.getProcessCpuTime() - exchange.getProperty(CPU_STARTED, Long.class)) / 1e9;
        LOG.info("{}: {} complete, {} bytes at {}, {} CPU s of the process (sha256 {})", job, outbox.location(r.file), total,
                Progress.rate(stream.count(), nanos), String.format(Locale.ROOT, "%.2f", cpu), r.sha256);
    }

    /**
     * The name a result is published under: a SOAR package keeps NAME.tar.gz; the result of another UWS server (an
     * attached job) gets the extension its server's headers or URL give it (see ResultNames), so a VOTable is not
     * called .tar.gz. The bytes travel under the first name (its .part), which a restart finds again.
     */
    String publishedName(ResultRecord r, String contentDisposition) {
        if (urls.isSoarService(java.net.URI.create(urls.onSoarScheme(r.href))) || !r.file.endsWith(Outbox.PACKAGE_SUFFIX)) {
            return r.file;
        }
        return Outbox.stem(r.file) + ResultNames.extension(r.href, r.contentType, contentDisposition);
    }

    static long rangeStart(String contentRange) {
        Matcher m = contentRange == null ? null : CONTENT_RANGE.matcher(contentRange.strip());
        if (m == null || !m.matches()) {
            throw new TransferException("the server answered 206 without a usable Content-Range ('" + contentRange + "')");
        }
        return Long.parseLong(m.group(1));
    }

    private static Long longHeader(Exchange exchange, String name) {
        Object v = exchange.getMessage().getHeader(name);
        if (v == null) {
            return null;
        }
        try {
            return Long.parseLong(v.toString().strip());
        } catch (NumberFormatException e) {
            return null;
        }
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

    /**
     * Tracks a download: bytes for the metrics at each read, a snapshot for the API, and a log line at most once
     * per soar.progress.interval (bytes, percent when the size is known, rate, ETA).
     */
    private final class Progress {
        private final JobRecord job;
        private final ResultRecord result;
        private final long offset;
        private final Long total;
        private final long start = System.nanoTime();
        private long nextLog = System.nanoTime() + progressInterval.toNanos();
        private volatile long count;
        /** Connections the download has open now (one stream: 1). */
        volatile java.util.function.IntSupplier connections = () -> 1;

        Progress(JobRecord job, ResultRecord result, long offset, Long total) {
            this.job = job;
            this.result = result;
            this.offset = offset;
            this.total = total;
        }

        synchronized void update(long newCount) {
            metrics.downloaded(newCount - count);
            count = newCount;
            long now = System.nanoTime();
            if (now < nextLog) {
                return;
            }
            nextLog = now + progressInterval.toNanos();
            long done = offset + newCount;
            double perSecond = perSecond(now);
            String eta = total == null || perSecond <= 0 ? "" : ", ETA " + Durations.format(
                    Duration.ofMillis((long) ((total - done) / perSecond * 1000)));
            String of = total == null ? "" : String.format(Locale.ROOT, " of %d (%.1f%%)", total, 100.0 * done / total);
            int n = connections.getAsInt();
            LOG.info("{}: {} {} bytes{} at {}{}{}", job, result.file, done, of, rate(newCount, now - start), eta,
                    n > 1 ? " over " + n + " connections" : "");
        }

        private double perSecond(long now) {
            return count / Math.max(1e-9, (now - start) / 1e9);
        }

        Map<String, Object> snapshot() {
            double perSecond = perSecond(System.nanoTime());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("result", result.id);
            m.put("file", result.file);
            m.put("bytesDone", offset + count);
            m.put("bytesTotal", total);
            m.put("bytesPerSecond", Math.round(perSecond));
            m.put("etaSeconds", total == null || perSecond <= 0 ? null : Math.round((total - offset - count) / perSecond));
            m.put("connections", connections.getAsInt());
            return m;
        }

        static String rate(long bytes, long nanos) {
            return String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / Math.max(1e-9, nanos / 1e9));
        }
    }
}
