package org.soardeferred.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

import javax.sql.DataSource;

import org.soardeferred.common.ErrorKind;
import org.soardeferred.common.Failures;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.uws.UwsJob;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The durable record of every job, over JDBC (an H2 file database by default, PostgreSQL for several nodes): the
 * steps of a job's life as the routes record them, and the lookups of jobs. Every step of the pipeline records its
 * outcome here before the next step starts, so a restart resumes from the last recorded step. Its parts: the schema
 * ({@link JobSchema}, migrated at start-up), the rows ({@link JobRows}), the leases of a cluster's nodes
 * ({@link #leases()}), the query files following a job ({@link #followers()}) and the listeners told of every change.
 */
public class JobStore {

    private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);

    private final DataSource dataSource;
    private final Jdbc jdbc;
    private final JobRows rows;
    private final JobLeases leases;
    private final JobFollowers followers;
    private final JobListeners listeners = new JobListeners();

    public JobStore(DataSource dataSource) {
        this(dataSource, "local", Duration.ofMinutes(1), false);
    }

    /**
     * @param node    this instance's name: the jobs it accepts or takes over are leased to it
     * @param lease   how long a lease lasts without renewal (soar.cluster.lease)
     * @param cluster several instances share the store: a job is only written by the node holding its lease, and
     *                the jobs of a node whose lease ran out are taken over by another
     */
    public JobStore(DataSource dataSource, String node, Duration lease, boolean cluster) {
        JobSchema.MIGRATIONS.run(dataSource);
        this.dataSource = dataSource;
        this.jdbc = new Jdbc(dataSource, "Job store");
        this.rows = new JobRows(jdbc);
        this.leases = new JobLeases(jdbc, rows, node, lease, cluster);
        this.followers = new JobFollowers(jdbc);
    }

    /** The schema version this code migrates a store to. */
    public static int schemaVersion() {
        return JobSchema.MIGRATIONS.latest();
    }

    public String node() {
        return leases.node();
    }

    /** Which node carries each unfinished job on (start-up recovery, a cluster's leases and takeovers). */
    public JobLeases leases() {
        return leases;
    }

    /** The query files that follow a job. */
    public JobFollowers followers() {
        return followers;
    }

    /** Whether this node may go on writing for the job (see {@link JobLeases#holdsLease}). */
    public boolean holdsLease(JobRecord job) {
        return leases.holdsLease(job);
    }

    /** A request read from a query file becomes a job: ACCEPTED, not yet sent to SOAR. */
    public JobRecord accept(SoarRequest request) {
        JobRecord job = new JobRecord();
        job.id = UUID.randomUUID().toString();
        job.name = request.name();
        job.request = request;
        job.idempotencyKey = request.idempotencyKey();
        job.status = JobStatus.ACCEPTED;
        job.createdAt = Instant.now();
        job.updatedAt = job.createdAt;
        int n = JobRows.FIELDS.size();
        jdbc.update("INSERT INTO soar_job (" + JobRows.COLUMNS + ", owner_node, lease_until) VALUES (?" + ",?".repeat(n + 2) + ")", ps -> {
            JobRows.bind(ps, job);
            ps.setString(n + 2, leases.node());
            ps.setTimestamp(n + 3, leases.leaseEnd());
        });
        listeners.changed(job);
        return job;
    }

    /**
     * The DEFERRED request is about to be sent: recorded first, so that if its outcome is never known (the process
     * dies, the reply is lost), SOAR's job list is searched before anything is sent again. The first send's time
     * is kept: a job SOAR created since then for the same request is this job's.
     *
     * @param why null for the first send; else why it is sent again (written to the job's history)
     */
    public void sending(JobRecord job, String why) {
        if (job.sentAt == null) {
            job.sentAt = Instant.now();
        } else {
            job.note("RESENT", why);
        }
        update(job);
    }

    /**
     * The reply to the DEFERRED request did not come (this process died, the connection failed or timed out):
     * recorded in the job's history once per send, before SOAR's job list is searched.
     */
    public void replyLost(JobRecord job) {
        PhaseChange last = job.phaseHistory.isEmpty() ? null : job.phaseHistory.get(job.phaseHistory.size() - 1);
        if (last != null && "REPLY_LOST".equals(last.phase())) {
            return;
        }
        job.note("REPLY_LOST", "no reply to the DEFERRED request sent at " + job.sentAt
                + "; SOAR's job list is searched for its job before anything is sent again");
        update(job);
    }

    /** The job SOAR made for the request was found in SOAR's job list, its reply having been lost: it is ours. */
    public void adopted(JobRecord job, String how) {
        job.note("ADOPTED", how);
        update(job);
    }

    /** SOAR has the job: from now on it is polled, never submitted again. */
    public void submitted(JobRecord job, UwsJob uws, String jobUrl) {
        job.remoteJobId = uws.jobId();
        job.jobUrl = jobUrl;
        job.status = JobStatus.SUBMITTED;
        job.recordPhase(uws.phase().name());
        update(job);
    }

    /** A job submitted elsewhere, attached by its URL: it is polled from now on, never submitted. */
    public void attached(JobRecord job) {
        job.jobUrl = job.request.jobUrl();
        job.status = JobStatus.SUBMITTED;
        update(job);
    }

    /** Records the phase seen by a poll; writes only when it changed. */
    public void phase(JobRecord job, UwsJob uws) {
        if (job.remoteJobId == null && uws.jobId() != null && !uws.jobId().isEmpty()) {
            job.remoteJobId = uws.jobId(); // an attached job: its id is learnt from the first poll
            update(job);
        }
        if (job.recordPhase(uws.phase().name())) {
            LOG.info("{}: SOAR job {} is {}", job, uws.jobId(), uws.phase());
            update(job);
        }
    }

    /** The job COMPLETED on the server: its results are to be downloaded. */
    public void fetching(JobRecord job, UwsJob uws) {
        if (uws.results().isEmpty() && job.results.isEmpty()) {
            throw new IllegalStateException("SOAR job " + uws.jobId() + " is COMPLETED but lists no results");
        }
        if (job.results.isEmpty()) {
            for (var r : uws.results()) {
                job.results.add(new ResultRecord(r.id(), r.href(), r.size()));
            }
        }
        job.status = JobStatus.FETCHING;
        update(job);
    }

    public void delivered(JobRecord job) {
        job.status = JobStatus.DELIVERED;
        job.error = null;
        job.errorKind = null;
        update(job);
    }

    /** The job ended because of this exception (after any retries). */
    public void failedBy(JobRecord job, Throwable cause) {
        ErrorKind kind = Failures.kind(cause);
        if (kind == ErrorKind.OTHER && job.status == JobStatus.FETCHING) {
            kind = ErrorKind.TRANSFER;
        }
        failed(job, Failures.describe(cause), kind);
    }

    /** The job ended on the server without a package (ERROR, ABORTED, ARCHIVED). */
    public void failed(JobRecord job, String error) {
        failed(job, error, ErrorKind.JOB);
    }

    private void failed(JobRecord job, String error, ErrorKind kind) {
        job.status = JobStatus.FAILED;
        job.error = error;
        job.errorKind = kind;
        update(job);
    }

    public void update(JobRecord job) {
        job.updatedAt = Instant.now();
        // in a cluster only the node holding the job's lease may write it: one that lost it (paused past its lease,
        // cut off from the database) stops here instead of competing with the node that took the job over
        boolean cluster = leases.cluster();
        int changed = jdbc.update("UPDATE soar_job SET " + String.join("=?, ", JobRows.FIELDS) + "=? WHERE id=?"
                + (cluster ? " AND owner_node=?" : ""), ps -> {
                    JobRows.bind(ps, job);
                    if (cluster) {
                        ps.setString(JobRows.FIELDS.size() + 2, leases.node());
                    }
                });
        if (changed == 0 && cluster) {
            throw new LeaseLostException(job, leases.node());
        }
        listeners.changed(job);
    }

    /** Told of every job once it is stored (accepted, or any later step): events and metrics listen here. */
    public void onChange(Consumer<JobRecord> listener) {
        listeners.add(listener);
    }

    /** A page of jobs, newest first, all or those of one status. */
    public List<JobRecord> page(JobStatus status, int limit, int offset) {
        String where = status == null ? "" : " WHERE status = '" + status.name() + "'";
        return rows.query(JobRows.SELECT + where + " ORDER BY created_at DESC LIMIT " + Math.max(0, limit)
                + " OFFSET " + Math.max(0, offset));
    }

    /** How many jobs have each status (all statuses present, 0 when none). */
    public Map<JobStatus, Long> countByStatus() {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus s : JobStatus.values()) {
            counts.put(s, 0L);
        }
        jdbc.query("SELECT status, COUNT(*) FROM soar_job GROUP BY status",
                rs -> counts.put(JobStatus.valueOf(rs.getString(1)), rs.getLong(2)));
        return counts;
    }

    /** The store answers (for health checks). */
    public boolean reachable() {
        try (Connection c = dataSource.getConnection()) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    public Optional<JobRecord> find(String id) {
        return rows.query(JobRows.SELECT + " WHERE id = ?", id).stream().findFirst();
    }

    /** Jobs that a restart must carry on: accepted, submitted or fetching, oldest first. */
    public List<JobRecord> unfinished() {
        return rows.query(JobRows.SELECT + " WHERE " + JobRows.UNFINISHED + " ORDER BY created_at");
    }

    /**
     * The newest job for the same request (same idempotency key) that is still running, or was delivered less
     * than {@code within} ago; null when there is none.
     */
    public JobRecord sameRequest(String idempotencyKey, Duration within) {
        List<JobRecord> jobs = rows.query(JobRows.SELECT + " WHERE idempotency_key = ? AND status <> '" + JobStatus.FAILED.name()
                + "' ORDER BY created_at DESC", idempotencyKey);
        Instant since = Instant.now().minus(within);
        return jobs.stream().filter(j -> !j.status.isFinished() || j.updatedAt.isAfter(since)).findFirst().orElse(null);
    }

    /** A job for this request (idempotency key) is accepted, submitted or fetching. */
    public boolean running(String idempotencyKey) {
        return jdbc.one("SELECT id FROM soar_job WHERE idempotency_key = ? AND " + JobRows.UNFINISHED, idempotencyKey) != null;
    }

    /** Whether a job of the store follows this SOAR job already (another job's request made it, or it was attached). */
    public boolean followsRemoteJob(String remoteJobId) {
        return jdbc.one("SELECT id FROM soar_job WHERE remote_job_id = ?", remoteJobId) != null;
    }

    public List<JobRecord> all() {
        return rows.query(JobRows.SELECT + " ORDER BY created_at");
    }
}
