package org.soardeferred.request;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;

/**
 * Idempotency: a request dropped again (same ids in any order, same query, same types) while a job for it runs,
 * or less than two days after it was delivered, is not sent to SOAR again. Its query file follows the existing
 * job and is served from it: NAME.tar.gz (a hard link to the same package, or a copy where links are not
 * possible) and NAME.json, then the file moves to .done/. {@code soar.resubmit=always} turns this off.
 */
public class Followers {

    private static final Logger LOG = LoggerFactory.getLogger(Followers.class);
    /** SOAR keeps a package for two days after completion. */
    static final Duration REUSE_WINDOW = Duration.ofDays(2);

    private final JobStore store;
    private final QueryFiles queryFiles;
    private final Outboxes outboxes;
    private final boolean resubmitAlways;

    public Followers(JobStore store, QueryFiles queryFiles, Outboxes outboxes, String resubmit) {
        this.store = store;
        this.queryFiles = queryFiles;
        this.outboxes = outboxes;
        this.resubmitAlways = "always".equalsIgnoreCase(resubmit.strip());
    }

    /** The job that can serve this request, or null when a new job is needed. */
    public JobRecord sameRequest(SoarRequest request) {
        if (resubmitAlways) {
            return null;
        }
        JobRecord job = store.sameRequest(request.idempotencyKey(), REUSE_WINDOW);
        if (job != null && job.status == JobStatus.DELIVERED
                && job.results.stream().anyMatch(r -> !outboxes.of(job).isPresent(r))) {
            return null; // delivered, but its packages are gone from the outbox: fetch anew
        }
        return job;
    }

    /**
     * The request is served from the job. A query file (the inbox's; null for the other triggers, whose caller gets
     * the job) becomes a follower of the job, served at once when the job is already finished.
     */
    public synchronized void follow(JobRecord job, SoarRequest request, String file) throws java.io.IOException {
        LOG.info("{} is the same request as {}: served from it, nothing new is sent to SOAR", request.name(), job);
        if (file == null) {
            return;
        }
        String queryFile = queryFiles.park(job, file);
        store.followers().add(job.id, request.name(), queryFile);
        JobRecord now = store.find(job.id).orElse(job);
        if (now.status.isFinished()) {
            finish(now);
        }
    }

    /**
     * The job is finished: each follower gets its own package names and manifest, and its query file moves on.
     * A follower that cannot be served (a full disk for its copy) fails alone: to .error/ with the reason; the job
     * that serves it, and the other followers, keep their outcome.
     */
    public synchronized void finish(JobRecord job) {
        for (String[] f : store.followers().of(job.id)) {
            String name = f[0];
            String queryFile = f[1];
            try {
                if (job.status == JobStatus.DELIVERED) {
                    outboxes.of(job).serveFollower(job, name);
                }
                queryFiles.finishFollower(job, queryFile);
            } catch (RuntimeException e) {
                reject(job, name, queryFile, e);
            }
            store.followers().remove(job.id, queryFile);
        }
    }

    /** A follower that could not be served: its query file to .error/ with the reason (logged when even that fails). */
    private void reject(JobRecord job, String name, String queryFile, RuntimeException why) {
        LOG.warn("{} could not be served from {}: {}", name, job, why.getMessage());
        try {
            queryFiles.rejectFollower(job, queryFile, "it could not be served from job " + job.id + ": " + why.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Cannot move the query file {} out of .work/: {}", queryFile, e.getMessage());
        }
    }
}
