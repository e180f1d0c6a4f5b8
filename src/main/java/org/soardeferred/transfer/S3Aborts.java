package org.soardeferred.transfer;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.PendingAborts;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * No multipart upload left behind in one S3 target: a failed upload is aborted so S3 keeps no parts; an abort S3
 * does not confirm (S3 unreachable, busy) is kept in the job store ({@link PendingAborts}) and tried again
 * ({@link #retry}) until it is; {@link #sweep} aborts the uploads under the staging prefix that no unfinished job
 * owns (left by a process that died, or by another version).
 */
final class S3Aborts {

    private static final Logger LOG = LoggerFactory.getLogger(S3Aborts.class);

    private final S3Bucket s3;
    /** Uploads whose abort S3 has not confirmed yet; null: none are kept (only logged). */
    private final PendingAborts pending;

    S3Aborts(S3Bucket s3, PendingAborts pending) {
        this.s3 = s3;
        this.pending = pending;
    }

    /**
     * Aborts an upload of a job. True when it is done with: S3 confirmed, or the upload is kept in the job store to
     * abort later (a retry of the download then starts a new upload rather than resume one being aborted); false
     * when S3 did not confirm and there is no store to keep it in.
     */
    boolean abort(JobRecord job, String key, String uploadId) {
        String failed = abortQuietly(key, uploadId);
        return failed == null || keep(job, key, uploadId, failed);
    }

    /** Keeps an upload whose abort failed, to abort it later; false when there is no store to keep it in. */
    boolean keep(JobRecord job, String key, String uploadId, String error) {
        Object who = job != null ? job : "Abandoned uploads";
        if (pending == null) {
            LOG.warn("{}: the multipart upload {} of s3://{}/{} could not be aborted ({}). A bucket lifecycle rule "
                    + "AbortIncompleteMultipartUpload removes such parts", who, uploadId, s3.bucket, key, error);
            return false;
        }
        try {
            pending.add(s3.bucket, key, uploadId, job == null ? null : job.id, error);
        } catch (RuntimeException e) {
            LOG.warn("{}: the multipart upload {} of s3://{}/{} could not be aborted ({}), nor kept to abort later ({}); "
                    + "the sweep of abandoned uploads finds it under the staging prefix, a bucket lifecycle rule "
                    + "AbortIncompleteMultipartUpload anywhere", who, uploadId, s3.bucket, key, error, e.getMessage());
            return true;
        }
        LOG.warn("{}: the multipart upload {} of s3://{}/{} could not be aborted ({}); it is kept in the job store and "
                + "aborted later (soar.s3.abort-retry-interval)", who, uploadId, s3.bucket, key, error);
        return true;
    }

    /**
     * Aborts an upload; null when S3 confirmed it (or no longer has the upload, or the bucket is gone with it), else
     * why it failed.
     */
    String abortQuietly(String key, String uploadId) {
        try {
            s3.uploadsClient().abortMultipartUpload(b -> b.bucket(s3.bucket).key(key).uploadId(uploadId));
            return null;
        } catch (NoSuchUploadException e) {
            return null;
        } catch (S3Exception e) {
            if (e.awsErrorDetails() != null && "NoSuchBucket".equals(e.awsErrorDetails().errorCode())) {
                return null;
            }
            LOG.debug("Aborting {} of {}: {}", uploadId, key, e.getMessage());
            return s3.failure("aborting it", e).getMessage();
        } catch (RuntimeException e) {
            LOG.debug("Aborting {} of {}: {}", uploadId, key, e.getMessage());
            return s3.failure("aborting it", e).getMessage();
        }
    }

    /**
     * Tries again to abort the uploads of this target's bucket and prefix that are kept because S3 did not confirm
     * their abort; forgets each once S3 confirms (or no longer has it). Returns how many were aborted now.
     */
    int retry() {
        if (pending == null) {
            return 0;
        }
        int aborted = 0;
        for (PendingAborts.Upload p : pending.of(s3.bucket)) {
            if (!p.key().startsWith(s3.prefix)) {
                continue; // another target's, in the same bucket
            }
            String failed = abortQuietly(p.key(), p.uploadId());
            if (failed == null) {
                pending.remove(s3.bucket, p.uploadId());
                aborted++;
                LOG.info("The multipart upload {} of s3://{}/{} is aborted at last ({} earlier attempt(s) failed)",
                        p.uploadId(), s3.bucket, p.key(), p.attempts());
            } else {
                pending.failedAgain(s3.bucket, p.uploadId(), failed);
                LOG.warn("The multipart upload {} of s3://{}/{} still cannot be aborted ({}); tried {} time(s) since {}",
                        p.uploadId(), s3.bucket, p.key(), failed, p.attempts() + 1, p.since());
            }
        }
        return aborted;
    }

    /**
     * Aborts the multipart uploads under the staging prefix that were started more than {@code minAge} ago (as S3
     * lists them; 0: whenever) and that are not {@code owned} (by an unfinished job, or written by this process).
     * Returns how many were aborted. An upload whose abort fails is kept to be aborted later.
     */
    int sweep(Duration minAge, Predicate<String> owned) {
        Instant startedBefore = Instant.now().minus(minAge);
        String staging = s3.prefix + S3Bucket.STAGING;
        int aborted = 0;
        try {
            for (var u : s3.uploadsClient().listMultipartUploadsPaginator(b -> b.bucket(s3.bucket).prefix(staging)).uploads()) {
                if (owned.test(u.uploadId()) || !minAge.isZero() && u.initiated() != null && u.initiated().isAfter(startedBefore)) {
                    continue;
                }
                String failed = abortQuietly(u.key(), u.uploadId());
                if (failed == null) {
                    if (pending != null) {
                        pending.remove(s3.bucket, u.uploadId());
                    }
                    aborted++;
                    LOG.info("Aborted the abandoned multipart upload {} of s3://{}/{} (started {}; no unfinished job owns it)",
                            u.uploadId(), s3.bucket, u.key(), u.initiated());
                } else {
                    keep(null, u.key(), u.uploadId(), failed);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Cannot look for abandoned uploads under s3://{}/{}: {}", s3.bucket, staging,
                    s3.failure("listing the uploads under s3://" + s3.bucket + "/" + staging, e).getMessage());
        }
        return aborted;
    }
}
