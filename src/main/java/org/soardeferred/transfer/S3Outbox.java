package org.soardeferred.transfer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.apache.camel.component.aws2.s3.AWS2S3Constants;
import org.apache.camel.component.aws2.s3.AWS2S3Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.PendingAborts;
import org.soardeferred.store.ResultRecord;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * The S3 target ({@code soar.target=s3://bucket/prefix}): packages and manifests become objects
 * {@code prefix/NAME.tar.gz} and {@code prefix/NAME.json} in a bucket of AWS S3 or any S3-compatible store.
 * <p>
 * The S3 client is the one camel-aws2-s3 builds from the component's configuration (region, endpoint override,
 * path style, credentials, storage class, server-side encryption; see SoarConfiguration), and manifests are
 * written by the component's producer. A package streams from the HTTP download into a multipart upload to a
 * staging key {@code prefix/.incoming/NAME.tar.gz} (parts of soar.s3.part-size, raised so that the package fits S3's
 * 10,000 parts). While one part fills from the download, up to soar.s3.parts-in-flight earlier parts are being sent,
 * so memory stays at (parts in flight + 1) parts per transfer and the download never waits for S3 unless S3 is the
 * slower of the two. A dropped connection resumes with Range into the same upload; after a
 * restart the upload is resumed from the parts S3 lists. Once the staged object is complete and verified it is
 * copied on the server to its final key with its metadata (job, data items, sha256, size), then the staged object is
 * deleted: a package appears under its final key only complete, verified and described. A failed upload is aborted,
 * so no parts are left behind: an abort that S3 does not confirm (S3 unreachable, busy) is kept in the job store
 * ({@link PendingAborts}) and tried again ({@link #retryAborts}) until it does, and {@link #sweep} aborts the uploads
 * under the staging prefix that no unfinished job owns (left by a process that died, or by another version).
 */
public class S3Outbox extends Outbox {

    private static final Logger LOG = LoggerFactory.getLogger(S3Outbox.class);
    static final long MiB = 1L << 20;
    static final long MIN_PART = 5 * MiB;
    /** S3's largest CopyObject source, and its largest part. */
    static final long MAX_COPY = 5L << 30;
    static final int MAX_PARTS = 10_000;
    static final String STAGING = ".incoming/";

    private final CamelContext context;
    private final String bucket;
    private final String prefix;
    private final long partSize;
    private final long copyPartSize;
    private final int partsInFlight;
    /** Sends parts while the download goes on (threads end when idle). */
    private final ExecutorService senders = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3-part-sender");
        t.setDaemon(true);
        return t;
    });
    /** Uploads in progress in this process, by upload id: the parts done and the part being filled. */
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    /** Uploads whose abort S3 has not confirmed yet; null: none are kept (only logged). */
    private final PendingAborts pendingAborts;
    private volatile AWS2S3Endpoint endpoint;
    private volatile ProducerTemplate producer;

    public S3Outbox(CamelContext context, String target, long partSize, long copyPartSize) {
        this(context, target, partSize, copyPartSize, 2);
    }

    public S3Outbox(CamelContext context, String target, long partSize, long copyPartSize, int partsInFlight) {
        this(context, target, partSize, copyPartSize, partsInFlight, null);
    }

    /**
     * @param pendingAborts where uploads whose abort S3 did not confirm are kept until it does (null: nowhere, they
     *                      are only logged)
     */
    public S3Outbox(CamelContext context, String target, long partSize, long copyPartSize, int partsInFlight,
                    PendingAborts pendingAborts) {
        super(null);
        this.pendingAborts = pendingAborts;
        if (partsInFlight < 1) {
            throw new IllegalArgumentException("soar.s3.parts-in-flight must be at least 1");
        }
        this.partsInFlight = partsInFlight;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?")
                .matcher(target.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("soar.target '" + target + "' is not s3://BUCKET or s3://BUCKET/PREFIX "
                    + "(bucket names are 3-63 lower-case letters, digits, '.' and '-')");
        }
        this.context = context;
        this.bucket = m.group(1);
        String p = m.group(2) == null ? "" : m.group(2).replaceAll("^/+", "").replaceAll("/+$", "");
        this.prefix = p.isEmpty() ? "" : p + "/";
        if (partSize < MIN_PART || copyPartSize < MIN_PART) {
            throw new IllegalArgumentException("soar.s3.part-size and soar.s3.copy-part-size must be at least 5MB (S3's minimum part size)");
        }
        if (copyPartSize > MAX_COPY) {
            throw new IllegalArgumentException("soar.s3.copy-part-size must be at most 5GB (S3 copies at most 5 GB in one request)");
        }
        this.partSize = partSize;
        this.copyPartSize = copyPartSize;
    }

    @Override
    public String location(String name) {
        return "s3://" + bucket + "/" + key(name);
    }

    /** Whether the bucket answers (HEAD bucket with the service's credentials). */
    @Override
    public Map<String, Object> health() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("target", toString());
        try {
            s3().headBucket(b -> b.bucket(bucket));
            m.put("up", true);
            m.put("message", "the bucket answers");
        } catch (RuntimeException e) {
            m.put("up", false);
            m.put("message", org.soardeferred.common.Failures.describe(e));
        }
        m.put("freeBytes", null);
        return m;
    }

    String key(String name) {
        return prefix + name;
    }

    String stagingKey(String name) {
        return prefix + STAGING + name;
    }

    // --- names and manifests ---------------------------------------------------------------------------------

    @Override
    protected boolean exists(String name) {
        return head(key(name));
    }

    @Override
    public boolean isPresent(ResultRecord r) {
        return r.file != null && head(key(r.file));
    }

    /** A follower's manifest lists the objects of the job that served it: object storage needs no second copy. */
    @Override
    protected String serve(String original, String copy) {
        return original;
    }

    /** The manifest is written by camel-aws2-s3's producer, in one PUT. */
    @Override
    protected void write(String base, Map<String, Object> manifest) {
        byte[] json = json(manifest);
        Exchange done = producer().send(endpoint(), exchange -> {
            exchange.getMessage().setBody(new ByteArrayInputStream(json));
            exchange.getMessage().setHeader(AWS2S3Constants.KEY, key(base + ".json"));
            exchange.getMessage().setHeader(AWS2S3Constants.CONTENT_TYPE, "application/json");
            exchange.getMessage().setHeader(AWS2S3Constants.CONTENT_LENGTH, (long) json.length);
        });
        if (done.getException() != null) {
            throw failure("writing the manifest " + location(base + ".json"), done.getException());
        }
    }

    // --- the storage steps of one result ---------------------------------------------------------------------

    /** A segmented download's pieces are the upload's parts. */
    @Override
    public long pieceSize(ResultRecord r, long configured) {
        return partSize(r);
    }

    /**
     * The pieces S3 has of the upload (its parts of a piece's length, whatever their order; the upload was made or
     * resumed by {@link #stored}); they become the parts the upload is completed with.
     */
    @Override
    public Pieces storedPieces(JobRecord job, ResultRecord r, Pieces recorded, long pieceSize) {
        Upload u = uploads.get(r.uploadId);
        if (u == null) {
            throw new IllegalStateException(job + ": no upload in progress for " + r.file);
        }
        Pieces plan = new Pieces(r.size, pieceSize);
        synchronized (u) {
            u.parts.clear();
            u.uploaded = 0;
            try {
                for (Part p : s3().listPartsPaginator(b -> b.bucket(bucket).key(u.key).uploadId(u.uploadId)).parts()) {
                    int i = p.partNumber() - 1;
                    if (i < plan.count() && p.size() == plan.length(i)) {
                        plan.stored(i);
                        u.parts.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build());
                        u.uploaded += p.size();
                    }
                }
            } catch (SdkException e) {
                throw failure("listing the parts of " + location(STAGING + r.file), e);
            }
            u.sent = u.uploaded;
            u.filled = 0;
            u.numbered = plan.count(); // no part is added at publishing: the pieces are all the parts
        }
        return plan;
    }

    /** Each piece is uploaded as its part as soon as it is whole, concurrently, from memory: no local copy. */
    @Override
    public PieceTarget pieceTarget(JobRecord job, ResultRecord r, Pieces pieces, int connections) {
        Upload u = uploads.get(r.uploadId);
        if (u == null) {
            throw new IllegalStateException(job + ": no upload in progress for " + r.file);
        }
        return new S3Pieces(r, u, pieces, connections);
    }

    @Override
    public long stored(JobRecord job, ResultRecord r) {
        Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        if (u != null) {
            return u.position();
        }
        if (r.uploadId != null) {
            u = resumed(job, r);
        }
        if (u == null) {
            u = create(job, r);
        }
        uploads.put(u.uploadId, u);
        return u.position();
    }

    /** The parts of an upload left by an earlier run, as S3 lists them; null when S3 no longer has it. */
    private Upload resumed(JobRecord job, ResultRecord r) {
        Upload u = new Upload(r.uploadId, stagingKey(r.file), partSize(r));
        try {
            for (Part p : s3().listPartsPaginator(b -> b.bucket(bucket).key(u.key).uploadId(u.uploadId)).parts()) {
                if (p.partNumber() != u.parts.size() + 1) {
                    break; // only a gapless run of parts from the first is kept; the rest is uploaded again
                }
                u.parts.add(CompletedPart.builder().partNumber(p.partNumber()).eTag(p.eTag()).build());
                u.uploaded += p.size();
            }
            u.sent = u.uploaded;
            u.numbered = u.parts.size();
        } catch (NoSuchUploadException e) {
            LOG.info("{}: the upload of {} is gone from S3; starting it over", job, r.file);
            r.uploadId = null;
            return null;
        } catch (SdkException e) {
            throw failure("listing the parts of " + location(STAGING + r.file), e);
        }
        LOG.info("{}: resuming the upload of {}: S3 has {} part(s), {} bytes", job, r.file, u.parts.size(), u.uploaded);
        return u;
    }

    private Upload create(JobRecord job, ResultRecord r) {
        String key = stagingKey(r.file);
        AWS2S3Configuration c = endpoint().getConfiguration();
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(bucket).key(key)
                .contentType("application/gzip");
        if (c.getStorageClass() != null) {
            b.storageClass(c.getStorageClass());
        }
        try {
            r.uploadId = s3().createMultipartUpload(b.build()).uploadId();
        } catch (SdkException e) {
            throw failure("starting the upload of " + location(STAGING + r.file), e);
        }
        return new Upload(r.uploadId, key, partSize(r));
    }

    /** Parts of soar.s3.part-size, larger when the announced size would need more than 10,000 of them (whole MiB). */
    long partSize(ResultRecord r) {
        if (r.size == null) {
            return partSize;
        }
        long needed = (r.size + MAX_PARTS - 1) / MAX_PARTS;
        return Math.max(partSize, (needed + MiB - 1) / MiB * MiB);
    }

    /** Only the bytes of a part not yet sent can be read back (S3 does not serve the parts of an unfinished upload). */
    @Override
    public boolean prime(JobRecord job, ResultRecord r, PackageDigest digest) {
        Upload u = uploads.get(r.uploadId);
        if (u != null && u.sent == 0) {
            digest.update(u.buffer(), 0, u.filled);
            return true;
        }
        return false;
    }

    @Override
    public void restart(JobRecord job, ResultRecord r) {
        Upload u = uploads.get(r.uploadId);
        if (u != null) {
            drain(job, r, u);
            u.parts.clear(); // part numbers start again from 1; parts not listed at completion are dropped by S3
            u.uploaded = 0;
            u.sent = 0;
            u.numbered = 0;
            u.filled = 0;
        }
    }

    /** Called by the fetch route: streams the body into the upload, part by part. */
    @Override
    public void write(Exchange exchange) throws IOException {
        JobRecord job = exchange.getProperty(ResultDownload.JOB, JobRecord.class);
        ResultRecord r = exchange.getProperty(ResultDownload.RESULT, ResultRecord.class);
        Upload u = uploads.get(r.uploadId);
        if (u == null) {
            throw new IllegalStateException(job + ": no upload in progress for " + r.file);
        }
        InputStream in = exchange.getMessage().getBody(InputStream.class);
        int n;
        while (true) {
            byte[] buffer = u.buffer();
            n = in.read(buffer, u.filled, buffer.length - u.filled);
            if (n < 0) {
                break;
            }
            u.filled += n;
            if (u.filled == buffer.length) {
                sendPart(job, r, u);
            }
        }
    }

    /**
     * Hands the filled part to a sender and goes on filling another buffer; waits only when soar.s3.parts-in-flight
     * parts are on their way already. A part that fails aborts the upload (the job then fails or is retried).
     */
    private void sendPart(JobRecord job, ResultRecord r, Upload u) {
        int number = u.numbered + 1;
        if (number > MAX_PARTS) {
            throw new TransferException("result " + r.id + " needs more than 10,000 parts of " + u.partLength
                    + " bytes; raise soar.s3.part-size");
        }
        byte[] buffer = u.buffer();
        int length = u.filled;
        u.numbered = number;
        u.sent += length;
        u.filled = 0;
        u.swap();
        u.sending.add(senders.submit(() -> {
            String etag = s3().uploadPart(b -> b.bucket(bucket).key(u.key).uploadId(u.uploadId).partNumber(number)
                            .contentLength((long) length),
                    RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, length), length, "application/octet-stream"))
                    .eTag();
            u.done(CompletedPart.builder().partNumber(number).eTag(etag).build(), length, buffer);
            return null;
        }));
        while (u.sending.size() > partsInFlight) {
            awaitOldest(job, r, u);
        }
    }

    /** Waits until every part handed to a sender is in S3. */
    private void drain(JobRecord job, ResultRecord r, Upload u) {
        while (!u.sending.isEmpty()) {
            awaitOldest(job, r, u);
        }
    }

    private void awaitOldest(JobRecord job, ResultRecord r, Upload u) {
        Future<?> oldest = u.sending.peekFirst();
        try {
            oldest.get();
            u.sending.removeFirst();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the service is stopping: the upload is kept, and resumed from S3's parts at the next start
            throw new TransientTransferException("the upload of " + location(STAGING + r.file) + " was interrupted");
        } catch (ExecutionException e) {
            u.sending.forEach(f -> f.cancel(true));
            u.sending.clear();
            Throwable cause = e.getCause();
            if (cause instanceof SdkException sdk && interrupted(sdk)) {
                throw new TransientTransferException("the upload of " + location(STAGING + r.file) + " was interrupted");
            }
            abort(job, r);
            if (cause instanceof SdkException sdk) {
                throw failure("uploading a part of " + location(STAGING + r.file), sdk);
            }
            throw new TransferException("uploading a part of " + location(STAGING + r.file) + " failed: " + cause);
        }
    }

    /**
     * Completes the staged upload, verifies it when its start could not be read back before (after a restart),
     * copies it on the server to its final key with the package's metadata, and deletes the staged object.
     */
    @Override
    public String publish(JobRecord job, ResultRecord r, String verified, String name) throws IOException {
        Upload u = uploads.get(r.uploadId);
        if (u == null) {
            throw new IllegalStateException(job + ": no upload in progress for " + r.file);
        }
        if (u.filled > 0 || u.numbered == 0) {
            sendPart(job, r, u);
        }
        long started = System.nanoTime();
        drain(job, r, u);
        long drained = System.nanoTime();
        u.parts.sort(java.util.Comparator.comparing(CompletedPart::partNumber));
        long size = u.uploaded;
        try {
            s3().completeMultipartUpload(b -> b.bucket(bucket).key(u.key).uploadId(u.uploadId)
                    .multipartUpload(m -> m.parts(u.parts)));
        } catch (SdkException e) {
            abort(job, r);
            throw failure("completing the upload of " + location(STAGING + r.file), e);
        }
        long completed = System.nanoTime();
        uploads.remove(u.uploadId);
        r.uploadId = null;
        String sha256 = verified;
        try {
            if (sha256 == null) {
                sha256 = verifyStaged(job, r, u.key, size);
            }
            long copying = System.nanoTime();
            copyToFinalKey(job, r, u.key, name, size, sha256);
            // where the time after the last byte goes (the last parts, S3 assembling them, the copy on the server)
            LOG.info("{}: published {}: last parts sent in {} ms, upload completed in {} ms, copied to its final key in {} ms",
                    job, location(name), (drained - started) / 1_000_000, (completed - drained) / 1_000_000,
                    (System.nanoTime() - copying) / 1_000_000);
        } catch (SdkException e) {
            throw failure("publishing " + location(name), e);
        } finally {
            deleteQuietly(u.key);
        }
        return sha256;
    }

    /** Reads the staged package back once, through the same digest and check a download gets. */
    private String verifyStaged(JobRecord job, ResultRecord r, String key, long size) throws IOException {
        LOG.info("{}: verifying {} as stored (its upload was resumed after a restart)", job, location(STAGING + r.file));
        PackageDigest digest = new PackageDigest();
        try (InputStream in = s3().getObject(b -> b.bucket(bucket).key(key))) {
            digest.updateFrom(in);
        }
        String broken = digest.count() != size ? "S3 holds " + digest.count() + " bytes, " + size + " were uploaded" : digest.broken();
        if (broken != null) {
            throw new TransferException("result " + r.id + ": " + broken + "; the package was discarded");
        }
        return digest.sha256Hex();
    }

    private void copyToFinalKey(JobRecord job, ResultRecord r, String from, String name, long size, String sha256) {
        String to = key(name);
        // a SOAR package is a tar.gz; a result of another UWS server keeps the type its server gave it
        String contentType = name.endsWith(PACKAGE_SUFFIX) || r.contentType == null ? "application/gzip" : r.contentType;
        Map<String, String> metadata = metadata(job, r, sha256, size);
        AWS2S3Configuration c = endpoint().getConfiguration();
        ServerSideEncryption sse = c.isUseAwsKMS() ? ServerSideEncryption.AWS_KMS : c.isUseSSES3() ? ServerSideEncryption.AES256 : null;
        String kmsKey = c.isUseAwsKMS() ? c.getAwsKMSKeyId() : null;
        if (size <= copyPartSize) {
            s3().copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to)
                    .metadataDirective(MetadataDirective.REPLACE).metadata(metadata).contentType(contentType)
                    .storageClass(c.getStorageClass()).serverSideEncryption(sse).ssekmsKeyId(kmsKey));
            return;
        }
        // larger than one copy request should carry: copied part by part on the server, soar.s3.parts-in-flight at once
        String uploadId = s3().createMultipartUpload(b -> b.bucket(bucket).key(to).metadata(metadata)
                .contentType(contentType).storageClass(c.getStorageClass()).serverSideEncryption(sse)
                .ssekmsKeyId(kmsKey)).uploadId();
        try {
            long part = Math.max(copyPartSize, (size + MAX_PARTS - 1) / MAX_PARTS);
            // as the upload's parts: a new copy waits for the oldest once soar.s3.parts-in-flight are on their way
            java.util.ArrayDeque<Future<CompletedPart>> copying = new java.util.ArrayDeque<>();
            List<CompletedPart> parts = new ArrayList<>();
            int number = 0;
            for (long first = 0; first < size; first += part) {
                if (copying.size() == partsInFlight) {
                    parts.add(copied(copying));
                }
                int n = ++number;
                String range = "bytes=" + first + "-" + (Math.min(size, first + part) - 1);
                copying.add(senders.submit(() -> CompletedPart.builder().partNumber(n).eTag(s3().uploadPartCopy(b -> b
                        .sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to).uploadId(uploadId)
                        .partNumber(n).copySourceRange(range)).copyPartResult().eTag()).build()));
            }
            while (!copying.isEmpty()) {
                parts.add(copied(copying));
            }
            s3().completeMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            String failed = abortQuietly(to, uploadId);
            if (failed != null) {
                keep(job, to, uploadId, failed);
            }
            throw e;
        }
        LOG.debug("{}: copied {} to {} in parts", job, from, to);
    }

    /** The part the oldest server-side copy made; on a failure the other copies are cancelled and the failure thrown. */
    private static CompletedPart copied(java.util.ArrayDeque<Future<CompletedPart>> copying) {
        try {
            return copying.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            copying.forEach(f -> f.cancel(true));
            throw software.amazon.awssdk.core.exception.AbortedException.builder().message("the copy was interrupted").build();
        } catch (ExecutionException e) {
            copying.forEach(f -> f.cancel(true));
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** User metadata of a package (x-amz-meta-*): US-ASCII, well under S3's 2 KB. */
    static Map<String, String> metadata(JobRecord job, ResultRecord r, String sha256, long size) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("soar-request", ascii(job.name, 120));
        if (job.remoteJobId != null) {
            m.put("soar-job-id", ascii(job.remoteJobId, 120));
        }
        if (job.jobUrl != null) {
            m.put("soar-job-url", ascii(job.jobUrl, 400));
        }
        if (!job.request.dataItemIds().isEmpty()) {
            List<String> ids = job.request.dataItemIds();
            StringBuilder s = new StringBuilder();
            int i = 0;
            for (; i < ids.size() && s.length() + ids.get(i).length() < 900; i++) {
                s.append(i == 0 ? "" : ",").append(ids.get(i));
            }
            m.put("soar-data-items", ascii(s + (i < ids.size() ? " (+" + (ids.size() - i) + " more)" : ""), 1000));
        }
        m.put("soar-result-id", ascii(r.id, 120));
        m.put("soar-sha256", sha256);
        m.put("soar-size", Long.toString(size));
        return m;
    }

    private static String ascii(String s, int max) {
        String a = s == null ? "" : s.replaceAll("[^\\x20-\\x7e]", "?");
        return a.length() > max ? a.substring(0, max) : a;
    }

    @Override
    public void discard(JobRecord job, ResultRecord r) {
        if (r.uploadId != null) {
            abort(job, r);
        }
    }

    /**
     * Aborts the result's upload so S3 keeps no parts. When S3 does not confirm it, the upload is kept in the job
     * store and its abort tried again later; the result no longer refers to it (a retry of the download starts a new
     * upload rather than resume one that is being aborted). Without a store the upload id stays with the result.
     */
    private void abort(JobRecord job, ResultRecord r) {
        Upload u = uploads.remove(r.uploadId);
        String key = u != null ? u.key : stagingKey(r.file);
        String failed = abortQuietly(key, r.uploadId);
        if (failed == null) {
            r.uploadId = null;
        } else if (keep(job, key, r.uploadId, failed)) {
            r.uploadId = null;
        }
    }

    /** Keeps an upload whose abort failed, to abort it later; false when there is no store to keep it in. */
    private boolean keep(JobRecord job, String key, String uploadId, String error) {
        Object who = job != null ? job : "Abandoned uploads";
        if (pendingAborts == null) {
            LOG.warn("{}: the multipart upload {} of s3://{}/{} could not be aborted ({}). A bucket lifecycle rule "
                    + "AbortIncompleteMultipartUpload removes such parts", who, uploadId, bucket, key, error);
            return false;
        }
        try {
            pendingAborts.add(bucket, key, uploadId, job == null ? null : job.id, error);
        } catch (RuntimeException e) {
            LOG.warn("{}: the multipart upload {} of s3://{}/{} could not be aborted ({}), nor kept to abort later ({}); "
                    + "the sweep of abandoned uploads finds it under the staging prefix, a bucket lifecycle rule "
                    + "AbortIncompleteMultipartUpload anywhere", who, uploadId, bucket, key, error, e.getMessage());
            return true;
        }
        LOG.warn("{}: the multipart upload {} of s3://{}/{} could not be aborted ({}); it is kept in the job store and "
                + "aborted later (soar.s3.abort-retry-interval)", who, uploadId, bucket, key, error);
        return true;
    }

    /**
     * Aborts an upload; null when S3 confirmed it (or no longer has the upload, or the bucket is gone with it), else
     * why it failed.
     */
    private String abortQuietly(String key, String uploadId) {
        try {
            uploadsClient().abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            return null;
        } catch (NoSuchUploadException e) {
            return null;
        } catch (S3Exception e) {
            if (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode())) {
                return null;
            }
            LOG.debug("Aborting {} of {}: {}", uploadId, key, e.getMessage());
            return failure("aborting it", e).getMessage();
        } catch (RuntimeException e) {
            LOG.debug("Aborting {} of {}: {}", uploadId, key, e.getMessage());
            return failure("aborting it", e).getMessage();
        }
    }

    /**
     * Tries again to abort the uploads of this target's bucket and prefix that are kept because S3 did not confirm
     * their abort; forgets each once S3 confirms (or no longer has it). Returns how many were aborted now.
     */
    public int retryAborts() {
        if (pendingAborts == null) {
            return 0;
        }
        int aborted = 0;
        for (PendingAborts.Upload p : pendingAborts.of(bucket)) {
            if (!p.key().startsWith(prefix)) {
                continue; // another target's, in the same bucket
            }
            String failed = abortQuietly(p.key(), p.uploadId());
            if (failed == null) {
                pendingAborts.remove(bucket, p.uploadId());
                aborted++;
                LOG.info("The multipart upload {} of s3://{}/{} is aborted at last ({} earlier attempt(s) failed)",
                        p.uploadId(), bucket, p.key(), p.attempts());
            } else {
                pendingAborts.failedAgain(bucket, p.uploadId(), failed);
                LOG.warn("The multipart upload {} of s3://{}/{} still cannot be aborted ({}); tried {} time(s) since {}",
                        p.uploadId(), bucket, p.key(), failed, p.attempts() + 1, p.since());
            }
        }
        return aborted;
    }

    /**
     * Aborts the multipart uploads under this target's staging prefix that were started more than {@code minAge} ago
     * (as S3 lists them; 0: whenever) and that no unfinished job owns ({@code owned}: their upload ids) nor this
     * process is writing: the leftovers of a process that died, or of a job whose abort was lost. Returns how many
     * were aborted. An upload whose abort fails is kept to be aborted later.
     */
    public int sweep(java.time.Duration minAge, java.util.Set<String> owned) {
        java.time.Instant startedBefore = java.time.Instant.now().minus(minAge);
        String staging = prefix + STAGING;
        int aborted = 0;
        try {
            for (var u : uploadsClient().listMultipartUploadsPaginator(b -> b.bucket(bucket).prefix(staging)).uploads()) {
                if (owned.contains(u.uploadId()) || uploads.containsKey(u.uploadId())
                        || !minAge.isZero() && u.initiated() != null && u.initiated().isAfter(startedBefore)) {
                    continue;
                }
                String failed = abortQuietly(u.key(), u.uploadId());
                if (failed == null) {
                    if (pendingAborts != null) {
                        pendingAborts.remove(bucket, u.uploadId());
                    }
                    aborted++;
                    LOG.info("Aborted the abandoned multipart upload {} of s3://{}/{} (started {}; no unfinished job owns it)",
                            u.uploadId(), bucket, u.key(), u.initiated());
                } else {
                    keep(null, u.key(), u.uploadId(), failed);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot look for abandoned uploads under s3://{}/{}: {}", bucket, staging,
                    failure("listing the uploads under s3://" + bucket + "/" + staging, e).getMessage());
        }
        return aborted;
    }

    private void deleteQuietly(String key) {
        try {
            s3().deleteObject(b -> b.bucket(bucket).key(key));
        } catch (RuntimeException e) {
            LOG.warn("Cannot delete the staged object s3://{}/{}: {}", bucket, key, e.getMessage());
        }
    }

    @Override
    public long progress(ResultRecord r) {
        Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        return u != null ? u.position() : r.sha256 != null ? r.bytes : 0;
    }

    private boolean head(String key) {
        try {
            s3().headObject(b -> b.bucket(bucket).key(key));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw failure("looking up " + "s3://" + bucket + "/" + key, e);
        } catch (SdkException e) {
            throw failure("looking up " + "s3://" + bucket + "/" + key, e);
        }
    }

    /**
     * What an S3 error means for the job: a fault that may pass (S3 unreachable, busy, 5xx) is retried like any
     * transfer fault; a missing bucket or refused access fails the job with a reason a person can act on.
     */
    RuntimeException failure(String what, Throwable error) {
        Throwable t = error;
        while (!(t instanceof SdkException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof S3Exception e) {
            int status = e.statusCode();
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String detail = (code != null ? code : "HTTP " + status) + (e.awsErrorDetails() != null
                    && e.awsErrorDetails().errorMessage() != null ? ": " + e.awsErrorDetails().errorMessage() : "");
            if (status == 429 || status >= 500) {
                return new TransientTransferException("S3 is busy or failing (" + detail + ") while " + what);
            }
            if ("NoSuchBucket".equals(code) || status == 404) {
                return new TransferException("the bucket '" + bucket + "' does not exist (" + detail + ") while " + what
                        + "; create it or fix soar.target");
            }
            if (status == 403 || status == 401) {
                return new TransferException("S3 refused access (" + detail + ") while " + what
                        + "; check the credentials (SOAR_S3_ACCESS_KEY/SOAR_S3_SECRET_KEY or the AWS default chain) and the bucket policy");
            }
            return new TransferException("S3 refused the request (" + detail + ") while " + what);
        }
        if (t instanceof SdkClientException) {
            return new TransientTransferException("cannot reach S3 while " + what + ": " + rootMessage(t)
                    + " (check soar.s3.endpoint and the network)");
        }
        return new TransferException("S3 failed while " + what + ": " + rootMessage(t));
    }

    private static boolean interrupted(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InterruptedException || t instanceof software.amazon.awssdk.core.exception.AbortedException) {
                return true;
            }
        }
        return Thread.currentThread().isInterrupted();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return m.length() > 300 ? m.substring(0, 300) : m;
    }

    private S3Client s3() {
        return endpoint().getConfiguration().getAmazonS3Client();
    }

    /**
     * The same S3 client, without making the endpoint (which checks the bucket when it starts, and is made for the
     * context's life): aborting and listing uploads run at start-up too, and must work when the bucket is gone.
     */
    private S3Client uploadsClient() {
        AWS2S3Endpoint e = endpoint;
        return e != null ? e.getConfiguration().getAmazonS3Client()
                : context.getComponent("aws2-s3", org.apache.camel.component.aws2.s3.AWS2S3Component.class)
                        .getConfiguration().getAmazonS3Client();
    }

    /** The camel-aws2-s3 endpoint of the bucket, made on first use (so that S3 being down fails a step, not start-up). */
    private AWS2S3Endpoint endpoint() {
        AWS2S3Endpoint e = endpoint;
        if (e == null) {
            synchronized (this) {
                if (endpoint == null) {
                    try {
                        // the component checks the bucket when the endpoint starts
                        endpoint = context.getEndpoint("aws2-s3://" + bucket, AWS2S3Endpoint.class);
                    } catch (RuntimeException ex) {
                        throw failure("connecting to the bucket " + bucket, ex);
                    }
                }
                e = endpoint;
            }
        }
        return e;
    }

    private ProducerTemplate producer() {
        if (producer == null) {
            producer = context.createProducerTemplate();
        }
        return producer;
    }

    /**
     * One multipart upload in progress: the parts S3 has, the parts on their way, and the part being filled in memory.
     * Its position counts the parts on their way: they are in S3 unless the upload fails (and is then aborted).
     */
    private static final class Upload {
        final String uploadId;
        final String key;
        final int partLength;
        final List<CompletedPart> parts = java.util.Collections.synchronizedList(new ArrayList<>());
        final java.util.ArrayDeque<Future<?>> sending = new java.util.ArrayDeque<>();
        /** Buffers of parts sent, to fill again. */
        private final java.util.concurrent.ConcurrentLinkedQueue<byte[]> spare = new java.util.concurrent.ConcurrentLinkedQueue<>();
        volatile long uploaded;
        long sent;
        int numbered;
        int filled;
        private byte[] buffer;

        Upload(String uploadId, String key, long partLength) {
            this.uploadId = uploadId;
            this.key = key;
            this.partLength = Math.toIntExact(partLength);
        }

        byte[] buffer() {
            if (buffer == null) {
                byte[] reused = spare.poll();
                buffer = reused != null ? reused : new byte[partLength];
            }
            return buffer;
        }

        /** The filled buffer goes to a sender; the next part fills another. */
        void swap() {
            buffer = null;
        }

        synchronized void done(CompletedPart part, int length, byte[] sentBuffer) {
            parts.add(part);
            uploaded += length;
            spare.offer(sentBuffer);
        }

        long position() {
            return sent + filled;
        }
    }

    /**
     * The pieces of a segmented download to S3: each held in memory from its first byte until it is both uploaded
     * (as part number piece + 1) and digested, so memory stays at about (connections + a few) pieces.
     */
    private final class S3Pieces implements PieceTarget {
        private final ResultRecord r;
        private final Upload u;
        private final Pieces pieces;
        private final Map<Integer, byte[]> buffers = new ConcurrentHashMap<>();
        private final Map<Integer, Future<?>> uploading = new ConcurrentHashMap<>();
        /** Pieces uploaded (or whose upload failed) or digested (each needs both before its buffer is free). */
        private final Map<Integer, Integer> done = new ConcurrentHashMap<>();
        /**
         * The pieces in memory at once, whatever S3's pace: the window ahead of the digest, and at least one piece
         * more, whose upload always ends (so a connection waiting for room never waits for good).
         */
        private final java.util.concurrent.Semaphore room;

        S3Pieces(ResultRecord r, Upload u, Pieces pieces, int connections) {
            this.r = r;
            this.u = u;
            this.pieces = pieces;
            this.room = new java.util.concurrent.Semaphore(window(connections) + 1);
        }

        @Override
        public void write(int piece, long position, byte[] bytes, int length) throws IOException {
            byte[] b = buffers.get(piece);
            if (b == null) {
                try {
                    room.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while waiting for room for a part");
                }
                b = new byte[Math.toIntExact(pieces.length(piece))];
                buffers.put(piece, b);
            }
            System.arraycopy(bytes, 0, b, Math.toIntExact(position - pieces.start(piece)), length);
        }

        @Override
        public void whole(int piece) {
            byte[] b = buffers.get(piece);
            int length = Math.toIntExact(pieces.length(piece));
            int number = piece + 1;
            uploading.put(piece, senders.submit(() -> {
                try {
                    String etag = s3().uploadPart(x -> x.bucket(bucket).key(u.key).uploadId(u.uploadId).partNumber(number)
                                    .contentLength((long) length),
                            RequestBody.fromContentProvider(() -> new ByteArrayInputStream(b, 0, length), length, "application/octet-stream"))
                            .eTag();
                    synchronized (u) {
                        // a piece fetched again (all were stored, the last is asked for to finish) replaces its part
                        if (!u.parts.removeIf(p -> p.partNumber() == number)) {
                            u.uploaded += length;
                        }
                        u.parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                        u.sent = u.uploaded;
                    }
                    pieces.stored(piece);
                } finally {
                    release(piece); // a failed part is fetched again by the next attempt (finish() says why)
                }
                return null;
            }));
        }

        @Override
        public void digest(int piece, PackageDigest digest) {
            byte[] b = buffers.get(piece);
            if (digest != null && b != null) {
                digest.update(b, 0, Math.toIntExact(pieces.length(piece)));
            }
            release(piece);
        }

        /** Uploaded and digested: the buffer goes, and makes room for another piece. */
        private void release(int piece) {
            if (done.merge(piece, 1, Integer::sum) >= 2) {
                done.remove(piece);
                if (buffers.remove(piece) != null) {
                    room.release();
                }
            }
        }

        @Override
        public boolean readsBack() {
            return false;
        }

        /** A piece in memory is a part (16 MB or more): connections run only a piece or two ahead of the digest. */
        @Override
        public int window(int connections) {
            return connections + 1;
        }

        @Override
        public void finish() throws IOException {
            for (var e : new java.util.TreeMap<>(uploading).entrySet()) {
                try {
                    e.getValue().get();
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new TransientTransferException("the upload of " + location(STAGING + r.file) + " was interrupted");
                } catch (ExecutionException ex) {
                    Throwable cause = ex.getCause();
                    if (cause instanceof SdkException sdk) {
                        throw failure("uploading part " + (e.getKey() + 1) + " of " + location(STAGING + r.file), sdk);
                    }
                    throw new TransferException("uploading a part of " + location(STAGING + r.file) + " failed: " + cause);
                }
            }
        }

        @Override
        public void close() {
            uploading.values().forEach(f -> f.cancel(true));
            buffers.clear();
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "s3://%s/%s", bucket, prefix);
    }
}
