package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

import org.apache.camel.component.aws2.s3.AWS2S3Configuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.ServerSideEncryption;

/**
 * Publishes a staged upload once its bytes are all sent: completes the multipart upload, verifies it when its start
 * could not be read back before (after a restart), copies it on the server to its final key with the package's
 * metadata (job, data items, sha256, size), and deletes the staged object. A package appears under its final key
 * only complete, verified and described.
 */
final class S3Publisher {

    private static final Logger LOG = LoggerFactory.getLogger(S3Publisher.class);
    /** S3's largest CopyObject source, and its largest part. */
    static final long MAX_COPY = 5L << 30;

    private final S3Bucket s3;
    private final S3Aborts aborts;
    private final long copyPartSize;
    private final int partsInFlight;

    S3Publisher(S3Bucket s3, S3Aborts aborts, long copyPartSize, int partsInFlight) {
        this.s3 = s3;
        this.aborts = aborts;
        this.copyPartSize = copyPartSize;
        this.partsInFlight = partsInFlight;
    }

    /**
     * Completes the upload {@code u} (every part sent; {@code abort} aborts it when S3 refuses to complete it) and
     * publishes it as {@code name}; returns the package's sha256 ({@code verified}, or read back now when null).
     */
    String publish(JobRecord job, ResultRecord r, S3Upload u, String verified, String name, Runnable abort) throws IOException {
        long started = System.nanoTime();
        u.drain(abort);
        long drained = System.nanoTime();
        u.parts.sort(Comparator.comparing(CompletedPart::partNumber));
        long size = u.uploaded;
        try {
            s3.s3().completeMultipartUpload(b -> b.bucket(s3.bucket).key(u.key).uploadId(u.uploadId)
                    .multipartUpload(m -> m.parts(u.parts)));
        } catch (SdkException e) {
            abort.run();
            throw s3.failure("completing the upload of " + u.where(), e);
        }
        long completed = System.nanoTime();
        r.uploadId = null;
        String sha256 = verified;
        try {
            if (sha256 == null) {
                sha256 = verifyStaged(job, r, u, size);
            }
            long copying = System.nanoTime();
            copyToFinalKey(job, r, u.key, name, size, sha256);
            // where the time after the last byte goes (the last parts, S3 assembling them, the copy on the server)
            LOG.info("{}: published {}: last parts sent in {} ms, upload completed in {} ms, copied to its final key in {} ms",
                    job, s3.location(name), (drained - started) / 1_000_000, (completed - drained) / 1_000_000,
                    (System.nanoTime() - copying) / 1_000_000);
        } catch (SdkException e) {
            throw s3.failure("publishing " + s3.location(name), e);
        } finally {
            s3.deleteQuietly(u.key);
        }
        return sha256;
    }

    /** Reads the staged package back once, through the same digest and check a download gets. */
    private String verifyStaged(JobRecord job, ResultRecord r, S3Upload u, long size) throws IOException {
        LOG.info("{}: verifying {} as stored (its upload was resumed after a restart)", job, u.where());
        PackageDigest digest = new PackageDigest();
        try (InputStream in = s3.s3().getObject(b -> b.bucket(s3.bucket).key(u.key))) {
            digest.updateFrom(in);
        }
        String broken = digest.count() != size ? "S3 holds " + digest.count() + " bytes, " + size + " were uploaded" : digest.broken();
        if (broken != null) {
            throw new TransferException("result " + r.id + ": " + broken + "; the package was discarded");
        }
        return digest.sha256Hex();
    }

    private void copyToFinalKey(JobRecord job, ResultRecord r, String from, String name, long size, String sha256) {
        String to = s3.key(name);
        String bucket = s3.bucket;
        // a SOAR package is a tar.gz; a result of another UWS server keeps the type its server gave it
        String contentType = name.endsWith(Outbox.PACKAGE_SUFFIX) || r.contentType == null ? "application/gzip" : r.contentType;
        Map<String, String> metadata = metadata(job, r, sha256, size);
        AWS2S3Configuration c = s3.endpoint().getConfiguration();
        ServerSideEncryption sse = c.isUseAwsKMS() ? ServerSideEncryption.AWS_KMS : c.isUseSSES3() ? ServerSideEncryption.AES256 : null;
        String kmsKey = c.isUseAwsKMS() ? c.getAwsKMSKeyId() : null;
        if (size <= copyPartSize) {
            s3.s3().copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to)
                    .metadataDirective(MetadataDirective.REPLACE).metadata(metadata).contentType(contentType)
                    .storageClass(c.getStorageClass()).serverSideEncryption(sse).ssekmsKeyId(kmsKey));
            return;
        }
        // larger than one copy request should carry: copied part by part on the server, soar.s3.parts-in-flight at once
        String uploadId = s3.s3().createMultipartUpload(b -> b.bucket(bucket).key(to).metadata(metadata)
                .contentType(contentType).storageClass(c.getStorageClass()).serverSideEncryption(sse)
                .ssekmsKeyId(kmsKey)).uploadId();
        try {
            long part = Math.max(copyPartSize, (size + S3Upload.MAX_PARTS - 1) / S3Upload.MAX_PARTS);
            // as the upload's parts: a new copy waits for the oldest once soar.s3.parts-in-flight are on their way
            ArrayDeque<Future<CompletedPart>> copying = new ArrayDeque<>();
            List<CompletedPart> parts = new ArrayList<>();
            int number = 0;
            for (long first = 0; first < size; first += part) {
                if (copying.size() == partsInFlight) {
                    parts.add(copied(copying));
                }
                int n = ++number;
                String range = "bytes=" + first + "-" + (Math.min(size, first + part) - 1);
                copying.add(s3.senders.submit(() -> CompletedPart.builder().partNumber(n).eTag(s3.s3().uploadPartCopy(b -> b
                        .sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to).uploadId(uploadId)
                        .partNumber(n).copySourceRange(range)).copyPartResult().eTag()).build()));
            }
            while (!copying.isEmpty()) {
                parts.add(copied(copying));
            }
            s3.s3().completeMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId).multipartUpload(m -> m.parts(parts)));
        } catch (RuntimeException e) {
            String failed = aborts.abortQuietly(to, uploadId);
            if (failed != null) {
                aborts.keep(job, to, uploadId, failed);
            }
            throw e;
        }
        LOG.debug("{}: copied {} to {} in parts", job, from, to);
    }

    /** The part the oldest server-side copy made; on a failure the other copies are cancelled and the failure thrown. */
    private static CompletedPart copied(ArrayDeque<Future<CompletedPart>> copying) {
        try {
            return copying.removeFirst().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            copying.forEach(f -> f.cancel(true));
            throw AbortedException.builder().message("the copy was interrupted").build();
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
}
