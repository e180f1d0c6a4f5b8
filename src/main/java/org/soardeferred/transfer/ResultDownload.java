package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.soardeferred.Durations;
import org.soardeferred.TransientException;
import org.soardeferred.soar.SoarReplies;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps around streaming one {@code uws:result} to the outbox, called by the fetch routes:
 * {@link #prepare} decides the files and asks for {@code Range: bytes=N-} when a partial file is on disk;
 * {@link #open} checks the answer and wraps the body so bytes and sha256 are counted while the file endpoint
 * writes {@code NAME.tar.gz.part}; {@link #complete} verifies the byte count against {@code Content-Length} and
 * the UWS {@code size}, then renames the part to its final name. A package that fails verification never
 * appears under its final name.
 */
public class ResultDownload {

    private static final Logger LOG = LoggerFactory.getLogger(ResultDownload.class);
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    public static final String RESULT = "result";
    public static final String JOB = "job";
    static final String RESUME_FROM = "resumeFrom";
    static final String TRANSFER = "transfer";
    static final String EXPECTED = "expectedBytes";
    static final String STARTED = "transferStarted";
    static final String CPU_STARTED = "transferCpuStarted";
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private final Outbox outbox;
    private final JobStore store;
    private final SoarUrls urls;
    private final Duration progressInterval;
    /** Hosts besides SOAR's that results may come from; empty: any (they never get the session cookie). */
    private final Set<String> allowedHosts;

    public ResultDownload(Outbox outbox, JobStore store, SoarUrls urls, Duration progressInterval, Set<String> allowedHosts) {
        this.outbox = outbox;
        this.store = store;
        this.urls = urls;
        this.progressInterval = progressInterval;
        this.allowedHosts = allowedHosts;
    }

    /** Before the GET: the URL to fetch, and a Range header when part of the file is already on disk. */
    public void prepare(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        if (outbox.assignNames(job)) {
            store.update(job); // a restart must write to the same files
        }
        Files.createDirectories(outbox.folder());
        Path part = outbox.part(r);
        long onDisk = Files.exists(part) ? Files.size(part) : 0;
        if (r.size != null && onDisk > r.size) {
            LOG.warn("{}: {} has {} bytes, more than the {} of the result; starting over", job, part.getFileName(), onDisk, r.size);
            Files.delete(part);
            onDisk = 0;
        }
        exchange.setProperty(RESUME_FROM, onDisk);
        String href = urls.onSoarScheme(r.href);
        String host = java.net.URI.create(href).getHost();
        if (!allowedHosts.isEmpty() && !urls.isSoarHost(java.net.URI.create(href)) && !allowedHosts.contains(host)) {
            throw new TransferException("result " + r.id + " is on " + host + ", which is not SOAR's host nor listed in "
                    + "soar.result.allowed-hosts; it was not fetched");
        }
        exchange.getMessage().setHeader(Exchange.HTTP_URI, href);
        if (onDisk > 0) {
            exchange.getMessage().setHeader("Range", "bytes=" + onDisk + "-");
            LOG.info("{}: resuming {} from byte {}", job, r.file, onDisk);
        }
    }

    /**
     * After the GET: 206 appends to the part file (the sha256 is primed with the bytes already there), 200 starts
     * it over; anything else is an error. Sets the property fileExist (Append or Override) for the file endpoint.
     */
    public void open(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        long resumeFrom = exchange.getProperty(RESUME_FROM, Long.class);
        int status = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        Long contentLength = longHeader(exchange, "Content-Length");
        MessageDigest sha256 = Sha256.newDigest();
        PackageCheck check = new PackageCheck();
        String mode;
        if (status == 206) {
            long start = rangeStart(exchange.getMessage().getHeader("Content-Range", String.class));
            if (start != resumeFrom) {
                throw new TransferException("result " + r.id + ": asked for bytes from " + resumeFrom
                        + " but the server sent a range starting at " + start);
            }
            prime(sha256, check, outbox.part(r));
            mode = "Append";
        } else if (status == 200) {
            if (resumeFrom > 0) {
                LOG.info("{}: the server ignored the Range request; downloading {} from the start", job, r.file);
            }
            resumeFrom = 0;
            exchange.setProperty(RESUME_FROM, 0L);
            mode = "Override";
        } else if (status == 416 && r.size != null && resumeFrom == r.size) {
            // the part already holds every byte (the connection dropped after the last one): nothing to add
            prime(sha256, check, outbox.part(r));
            exchange.getMessage().setBody(InputStream.nullInputStream());
            exchange.getMessage().removeHeader("Content-Length");
            mode = "Append";
        } else {
            String body = new String(exchange.getMessage().getBody(InputStream.class).readNBytes(2000), StandardCharsets.UTF_8);
            throw SoarReplies.failure(status, r.href, body);
        }
        exchange.setProperty(EXPECTED, contentLength == null ? r.size : Long.valueOf(resumeFrom + contentLength));
        Progress progress = new Progress(job, r, resumeFrom, exchange.getProperty(EXPECTED, Long.class));
        TransferStream stream = new TransferStream(exchange.getMessage().getBody(InputStream.class), sha256, check, progress::update);
        exchange.setProperty(TRANSFER, stream);
        exchange.setProperty(STARTED, System.nanoTime());
        exchange.setProperty(CPU_STARTED, THREADS.getCurrentThreadCpuTime());
        exchange.getMessage().setBody(stream);
        exchange.getMessage().removeHeaders("*", "CamelRedeliver*");
        exchange.getMessage().setHeader(Exchange.FILE_NAME, outbox.part(r).getFileName().toString());
        exchange.setProperty("fileExist", mode);
    }

    /** After the file endpoint wrote the part: verify, then rename to the final name. */
    public void complete(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(RESULT, ResultRecord.class);
        TransferStream stream = exchange.getProperty(TRANSFER, TransferStream.class);
        stream.close();
        long resumeFrom = exchange.getProperty(RESUME_FROM, Long.class);
        Long expected = exchange.getProperty(EXPECTED, Long.class);
        Path part = outbox.part(r);
        long total = Files.size(part);
        if (total != resumeFrom + stream.count()) {
            throw new TransferException("result " + r.id + ": " + part.getFileName() + " has " + total
                    + " bytes but " + (resumeFrom + stream.count()) + " were received");
        }
        if (expected != null && total < expected) {
            throw new TransientException("result " + r.id + ": the transfer ended after " + total + " of " + expected
                    + " bytes; the download resumes from there");
        }
        if ((expected != null && total > expected) || (r.size != null && total != r.size)) {
            Files.deleteIfExists(part);
            throw new TransferException("result " + r.id + ": received " + total + " bytes but the server announced "
                    + (r.size != null ? r.size + " (UWS size)" : expected + " (Content-Length)") + "; the file was discarded");
        }
        String broken = stream.check().finish();
        if (broken != null) {
            Files.deleteIfExists(part);
            throw new TransferException("result " + r.id + ": " + broken + "; the file was discarded");
        }
        Path target = outbox.resolve(r.file);
        Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        r.bytes = total;
        r.sha256 = stream.sha256Hex();
        store.update(job);
        exchange.getMessage().setBody(null);
        long nanos = System.nanoTime() - exchange.getProperty(STARTED, Long.class);
        double cpu = (THREADS.getCurrentThreadCpuTime() - exchange.getProperty(CPU_STARTED, Long.class)) / 1e9;
        LOG.info("{}: {} complete, {} bytes at {}, {} CPU s (sha256 {})", job, r.file, total,
                Progress.rate(stream.count(), nanos), String.format(Locale.ROOT, "%.2f", cpu), r.sha256);
    }

    /** After a resume, the bytes already on disk go through the sha256 and the package check first. */
    private static void prime(MessageDigest sha256, PackageCheck check, Path part) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(part)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                sha256.update(buffer, 0, n);
                check.update(buffer, 0, n);
            }
        }
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

    /** Logs a line for a long download at most once per interval: bytes, percent, rate, ETA. */
    private final class Progress {
        private final JobRecord job;
        private final ResultRecord result;
        private final long offset;
        private final Long total;
        private final long start = System.nanoTime();
        private long nextLog = System.nanoTime() + progressInterval.toNanos();

        Progress(JobRecord job, ResultRecord result, long offset, Long total) {
            this.job = job;
            this.result = result;
            this.offset = offset;
            this.total = total;
        }

        void update(long count) {
            long now = System.nanoTime();
            if (now < nextLog) {
                return;
            }
            nextLog = now + progressInterval.toNanos();
            long done = offset + count;
            double perSecond = count / Math.max(1e-9, (now - start) / 1e9);
            String eta = total == null || perSecond <= 0 ? "" : ", ETA " + Durations.format(
                    Duration.ofMillis((long) ((total - done) / perSecond * 1000)));
            String of = total == null ? "" : String.format(Locale.ROOT, " of %d (%.1f%%)", total, 100.0 * done / total);
            LOG.info("{}: {} {} bytes{} at {}{}", job, result.file, done, of, rate(count, now - start), eta);
        }

        static String rate(long bytes, long nanos) {
            return String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / Math.max(1e-9, nanos / 1e9));
        }
    }
}
