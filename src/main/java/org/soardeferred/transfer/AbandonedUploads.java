package org.soardeferred.transfer;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;

/**
 * No multipart upload left behind (the routes of routes/uploads.camel.yaml call this): at start-up and every
 * soar.s3.abort-retry-interval the aborts S3 did not confirm are tried again, and every soar.s3.orphan-sweep-interval
 * the uploads under each S3 target's staging prefix that are older than soar.s3.orphan-age and owned by no unfinished
 * job are aborted. Both do nothing without an S3 target.
 */
public class AbandonedUploads {

    private static final Logger LOG = LoggerFactory.getLogger(AbandonedUploads.class);

    private final Outboxes outboxes;
    private final JobStore store;
    private final Duration orphanAge;

    public AbandonedUploads(Outboxes outboxes, JobStore store, Duration orphanAge) {
        this.outboxes = outboxes;
        this.store = store;
        this.orphanAge = orphanAge;
    }

    /** Tries again the aborts S3 did not confirm, for every S3 target; returns how many are aborted now. */
    public int retry() {
        int aborted = 0;
        for (Outbox o : outboxes.all()) {
            if (o.target() instanceof S3Target s3) {
                try {
                    aborted += s3.retryAborts();
                } catch (RuntimeException e) {
                    LOG.warn("Cannot retry the aborts of uploads to {}: {}", s3, e.getMessage());
                }
            }
        }
        return aborted;
    }

    /** Aborts the uploads no unfinished job owns, under every S3 target's staging prefix; returns how many. */
    public int sweep() {
        Set<String> owned = new HashSet<>();
        for (JobRecord job : store.unfinished()) {
            for (ResultRecord r : job.results) {
                if (r.uploadId != null) {
                    owned.add(r.uploadId);
                }
            }
        }
        int aborted = 0;
        for (Outbox o : outboxes.all()) {
            if (o.target() instanceof S3Target s3) {
                aborted += s3.sweep(orphanAge, owned);
            }
        }
        return aborted;
    }
}
