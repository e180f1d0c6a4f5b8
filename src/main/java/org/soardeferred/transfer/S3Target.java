package org.soardeferred.transfer;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.CamelContext;
import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.PendingAborts;
import org.soardeferred.store.ResultRecord;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.Part;

/**
 * The S3 target ({@code soar.target=s3://bucket/prefix}): packages and manifests become objects
 * {@code prefix/NAME.tar.gz} and {@code prefix/NAME.json} in a bucket of AWS S3 or any S3-compatible store
 * ({@link S3Bucket}). A package streams from the HTTP download into a multipart upload ({@link S3Upload}) to a
 * staging key {@code prefix/.incoming/NAME.tar.gz} (parts of soar.s3.part-size, raised so that the package fits S3's
 * 10,000 parts), or its pieces are uploaded as parts ({@link S3Pieces}); a dropped connection resumes into the same
 * upload, and after a restart the upload is resumed from the parts S3 lists. Once complete and verified it is
 * published under its final key ({@link S3Publisher}). A failed upload is aborted, and no abort is forgotten
 * ({@link S3Aborts}).
 */
public final class S3Target implements Target {

    private static final Logger LOG = LoggerFactory.getLogger(S3Target.class);
    static final long MiB = 1L << 20;
    static final long MIN_PART = 5 * MiB;

    private final S3Bucket s3;
    private final long partSize;
    private final int partsInFlight;
    private final S3Aborts aborts;
    private final S3Publisher publisher;
    /** Uploads in progress in this process, by upload id. */
    private final Map<String, S3Upload> uploads = new ConcurrentHashMap<>();

    public S3Target(CamelContext context, String target, long partSize, long copyPartSize) {
        this(context, target, partSize, copyPartSize, 2, null);
    }

    /**
     * @param pendingAborts where uploads whose abort S3 did not confirm are kept until it does (null: nowhere, they
     *                      are only logged)
     */
    public S3Target(CamelContext context, String target, long partSize, long copyPartSize, int partsInFlight,
                    PendingAborts pendingAborts) {
        if (partsInFlight < 1) {
            throw new IllegalArgumentException("soar.s3.parts-in-flight must be at least 1");
        }
        this.s3 = new S3Bucket(context, target);
        if (partSize < MIN_PART || copyPartSize < MIN_PART) {
            throw new IllegalArgumentException("soar.s3.part-size and soar.s3.copy-part-size must be at least 5MB (S3's minimum part size)");
        }
        if (copyPartSize > S3Publisher.MAX_COPY) {
            throw new IllegalArgumentException("soar.s3.copy-part-size must be at most 5GB (S3 copies at most 5 GB in one request)");
        }
        this.partSize = partSize;
        this.partsInFlight = partsInFlight;
        this.aborts = new S3Aborts(s3, pendingAborts);
        this.publisher = new S3Publisher(s3, aborts, copyPartSize, partsInFlight);
    }

    // --- names, manifests, followers -------------------------------------------------------------------------

    @Override
    public String location(String name) {
        return s3.location(name);
    }

    String stagingKey(String name) {
        return s3.stagingKey(name);
    }

    @Override
    public boolean exists(String name) {
        return s3.head(s3.key(name));
    }

    @Override
    public boolean isPresent(String name) {
        return s3.head(s3.key(name));
    }

    @Override
    public void putManifest(String name, byte[] json) {
        s3.putManifest(name, json);
    }

    /** A follower's manifest lists the objects of the job that served it: object storage needs no second copy. */
    @Override
    public String serve(String original, String copy) {
        return original;
    }

    @Override
    public void unserve(String copy) {
        // serve() makes no copy
    }

    @Override
    public Map<String, Object> health() {
        return s3.health();
    }

    // --- one package -------------------------------------------------------------------------------------------

    /** The upload of the result: the one in progress, the one an earlier run left (as S3 lists it), or a new one. */
    @Override
    public long open(JobRecord job, ResultRecord r) {
        S3Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        if (u != null) {
            return u.position();
        }
        if (r.uploadId != null) {
            u = resumed(job, r);
        }
        if (u == null) {
            u = create(r);
        }
        uploads.put(u.uploadId, u);
        return u.position();
    }

    /** The parts of an upload left by an earlier run, as S3 lists them; null when S3 no longer has it. */
    private S3Upload resumed(JobRecord job, ResultRecord r) {
        S3Upload u = new S3Upload(s3, r.uploadId, stagingKey(r.file), partSize(r), partsInFlight);
        try {
            for (Part p : u.listParts()) {
                if (p.partNumber() != u.parts.size() + 1) {
                    break; // only a gapless run of parts from the first is kept; the rest is uploaded again
                }
                u.has(p);
            }
            u.sent = u.uploaded;
            u.numbered = u.parts.size();
        } catch (NoSuchUploadException e) {
            LOG.info("{}: the upload of {} is gone from S3; starting it over", job, r.file);
            r.uploadId = null;
            return null;
        } catch (SdkException e) {
            throw s3.failure("listing the parts of " + u.where(), e);
        }
        LOG.info("{}: resuming the upload of {}: S3 has {} part(s), {} bytes", job, r.file, u.parts.size(), u.uploaded);
        return u;
    }

    private S3Upload create(ResultRecord r) {
        String key = stagingKey(r.file);
        AWS2S3Configuration c = s3.endpoint().getConfiguration();
        CreateMultipartUploadRequest.Builder b = CreateMultipartUploadRequest.builder().bucket(s3.bucket).key(key)
                .contentType("application/gzip");
        if (c.getStorageClass() != null) {
            b.storageClass(c.getStorageClass());
        }
        try {
            r.uploadId = s3.s3().createMultipartUpload(b.build()).uploadId();
        } catch (SdkException e) {
            throw s3.failure("starting the upload of " + location(S3Bucket.STAGING + r.file), e);
        }
        return new S3Upload(s3, r.uploadId, key, partSize(r), partsInFlight);
    }

    /** Parts of soar.s3.part-size, larger when the announced size would need more than 10,000 of them (whole MiB). */
    long partSize(ResultRecord r) {
        if (r.size == null) {
            return partSize;
        }
        long needed = (r.size + S3Upload.MAX_PARTS - 1) / S3Upload.MAX_PARTS;
        return Math.max(partSize, (needed + MiB - 1) / MiB * MiB);
    }

    /** The upload of the result, which {@link #open} made or resumed. */
    private S3Upload upload(JobRecord job, ResultRecord r) {
        S3Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        if (u == null) {
            throw new IllegalStateException(job + ": no upload in progress for " + r.file);
        }
        return u;
    }

    @Override
    public long stored(ResultRecord r) {
        S3Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        return u != null ? u.position() : r.sha256 != null ? r.bytes : 0;
    }

    /** Only the bytes of a part not yet sent can be read back (S3 does not serve the parts of an unfinished upload). */
    @Override
    public boolean prime(JobRecord job, ResultRecord r, PackageDigest digest) {
        S3Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        if (u != null && u.sent == 0) {
            digest.update(u.buffer(), 0, u.filled);
            return true;
        }
        return false;
    }

    @Override
    public void restart(JobRecord job, ResultRecord r) {
        S3Upload u = r.uploadId == null ? null : uploads.get(r.uploadId);
        if (u != null) {
            u.restart(() -> abort(job, r));
        }
    }

    @Override
    public void write(JobRecord job, ResultRecord r, TransferStream stream, boolean append) throws IOException {
        upload(job, r).write(stream, () -> abort(job, r));
    }

    /**
     * A segmented download's pieces are the upload's parts, each held in memory from its first byte until it is
     * uploaded and digested, (connections + 2) of them at most: so they are the smallest parts S3 takes, 5 MiB, or
     * the smallest whole MiB that fits the package in S3's 10,000 parts, at most soar.s3.part-size (8 connections: 50
     * MB of parts where 16 MB parts held 160 MB, more than a 256 MB heap has room for beside the rest). A segmented
     * download always has a size; a single stream keeps parts of soar.s3.part-size.
     */
    @Override
    public long pieceSize(ResultRecord r, long configured) {
        if (r.size == null) {
            return partSize(r);
        }
        long needed = (r.size + S3Upload.MAX_PARTS - 1) / S3Upload.MAX_PARTS;
        return Math.min(partSize(r), Math.max(MIN_PART, (needed + MiB - 1) / MiB * MiB));
    }

    /**
     * The pieces S3 has of the upload (its parts of a piece's length, whatever their order); they become the parts
     * the upload is completed with.
     */
    @Override
    public Pieces storedPieces(JobRecord job, ResultRecord r, Pieces recorded, long pieceSize) {
        S3Upload u = upload(job, r);
        Pieces plan = new Pieces(r.size, pieceSize);
        synchronized (u) {
            u.parts.clear();
            u.uploaded = 0;
            try {
                for (Part p : u.listParts()) {
                    int i = p.partNumber() - 1;
                    if (i < plan.count() && p.size() == plan.length(i)) {
                        plan.stored(i);
                        u.has(p);
                    }
                }
            } catch (SdkException e) {
                throw s3.failure("listing the parts of " + u.where(), e);
            }
            u.sent = u.uploaded;
            u.filled = 0;
            u.numbered = plan.count(); // no part is added at publishing: the pieces are all the parts
        }
        return plan;
    }

    /** Each piece is uploaded as its part as soon as it is whole, concurrently, from memory: no local copy. */
    @Override
    public PieceTarget pieces(JobRecord job, ResultRecord r, Pieces pieces, int connections) {
        return new S3Pieces(s3, upload(job, r), pieces, connections);
    }

    @Override
    public String publish(JobRecord job, ResultRecord r, String verified, String name) throws IOException {
        S3Upload u = upload(job, r);
        Runnable abort = () -> abort(job, r);
        if (u.filled > 0 || u.numbered == 0) {
            u.sendPart(abort);
        }
        try {
            return publisher.publish(job, r, u, verified, name, abort);
        } finally {
            if (r.uploadId == null) {
                uploads.remove(u.uploadId);
            }
        }
    }

    @Override
    public void discard(JobRecord job, ResultRecord r) {
        if (r.uploadId != null) {
            abort(job, r);
        }
    }

    /**
     * Aborts the result's upload so S3 keeps no parts. When S3 does not confirm it, the upload is kept in the job
     * store and its abort tried again later; the result no longer refers to it. Without a store the upload id stays
     * with the result.
     */
    private void abort(JobRecord job, ResultRecord r) {
        S3Upload u = uploads.remove(r.uploadId);
        if (aborts.abort(job, u != null ? u.key : stagingKey(r.file), r.uploadId)) {
            r.uploadId = null;
        }
    }

    /** Tries again the aborts S3 did not confirm; returns how many were aborted now. */
    public int retryAborts() {
        return aborts.retry();
    }

    /**
     * Aborts the uploads under the staging prefix started more than {@code minAge} ago that no unfinished job owns
     * ({@code owned}: their upload ids) nor this process is writing; returns how many were aborted.
     */
    public int sweep(Duration minAge, Set<String> owned) {
        return aborts.sweep(minAge, id -> owned.contains(id) || uploads.containsKey(id));
    }

    @Override
    public String toString() {
        return s3.toString();
    }
}
