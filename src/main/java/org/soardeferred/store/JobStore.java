package org.soardeferred.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.ErrorKind;
import org.soardeferred.soar.SoarRequest;
import org.soardeferred.uws.UwsJob;

/**
 * The durable record of every job, over JDBC (an H2 file database by default, PostgreSQL for several nodes).
 * Every step of the pipeline records its outcome here before the next step starts, so a restart resumes from
 * the last recorded step. The schema is created and migrated at start-up; its version is kept in the database.
 */
public class JobStore {

    private static final Logger LOG = LoggerFactory.getLogger(JobStore.class);
    static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** Migrations in order; index + 1 is the schema version they bring. Never edit one that has shipped. */
    private static final List<String> MIGRATIONS = List.of(
            """
            CREATE TABLE soar_job (
              id              VARCHAR(40)  PRIMARY KEY,
              name            VARCHAR(255) NOT NULL,
              request_json    VARCHAR      NOT NULL,
              idempotency_key VARCHAR(64)  NOT NULL,
              query_file      VARCHAR(4000),
              output_name     VARCHAR(255),
              remote_job_id   VARCHAR(255),
              job_url         VARCHAR(4000),
              phase           VARCHAR(20),
              status          VARCHAR(20)  NOT NULL,
              phase_history   VARCHAR      NOT NULL,
              results_json    VARCHAR      NOT NULL,
              error           VARCHAR(4000),
              created_at      TIMESTAMP    NOT NULL,
              updated_at      TIMESTAMP    NOT NULL
            )""",
            "CREATE INDEX soar_job_status ON soar_job (status)",
            "CREATE INDEX soar_job_idempotency ON soar_job (idempotency_key)",
            """
            CREATE TABLE soar_follower (
              job_id     VARCHAR(40)   NOT NULL,
              name       VARCHAR(255)  NOT NULL,
              query_file VARCHAR(4000) NOT NULL,
              created_at TIMESTAMP     NOT NULL
            )""",
            "ALTER TABLE soar_job ADD COLUMN error_kind VARCHAR(20)",
            // mirrors (see org.soardeferred.mirror.MirrorStore)
            """
            CREATE TABLE soar_mirror (
              name       VARCHAR(64) PRIMARY KEY,
              watermark  VARCHAR(40),
              updated_at TIMESTAMP   NOT NULL
            )""",
            """
            CREATE TABLE soar_mirror_file (
              mirror       VARCHAR(64)   NOT NULL,
              file_name    VARCHAR(255)  NOT NULL,
              item_id      VARCHAR(255)  NOT NULL,
              item_version VARCHAR(20),
              file_size    BIGINT        NOT NULL,
              archived_on  VARCHAR(40)   NOT NULL,
              data_type    VARCHAR(10),
              filepath     VARCHAR(1000),
              status       VARCHAR(10)   NOT NULL,
              request_key  VARCHAR(64),
              error        VARCHAR(4000),
              updated_at   TIMESTAMP     NOT NULL,
              PRIMARY KEY (mirror, file_name)
            )""",
            "CREATE INDEX soar_mirror_file_request ON soar_mirror_file (request_key)",
            """
            CREATE TABLE soar_mirror_run (
              id           VARCHAR(40)   PRIMARY KEY,
              mirror       VARCHAR(64)   NOT NULL,
              node         VARCHAR(100),
              fire_time    TIMESTAMP,
              started_at   TIMESTAMP     NOT NULL,
              listed       INT,
              wanted       INT,
              requests     INT,
              wanted_bytes BIGINT,
              status       VARCHAR(10)   NOT NULL,
              error        VARCHAR(4000)
            )""",
            // leases: the node that polls and downloads a job, until when (a node that dies loses its jobs to another)
            "ALTER TABLE soar_job ADD COLUMN owner_node VARCHAR(100)",
            "ALTER TABLE soar_job ADD COLUMN lease_until TIMESTAMP",
            // exactly once at SOAR: when the DEFERRED request was first sent (its reply may never have come)
            "ALTER TABLE soar_job ADD COLUMN sent_at TIMESTAMP",
            // S3 multipart uploads whose abort S3 has not confirmed yet (see PendingAborts)
            """
            CREATE TABLE soar_pending_abort (
              bucket     VARCHAR(63)   NOT NULL,
              object_key VARCHAR(1024) NOT NULL,
              upload_id  VARCHAR(1024) NOT NULL,
              job_id     VARCHAR(40),
              attempts   INT           NOT NULL,
              last_error VARCHAR(1000),
              created_at TIMESTAMP     NOT NULL,
              PRIMARY KEY (bucket, upload_id)
            )""");

    /** The columns besides id, in the order {@link #bind} sets them; id is always the last parameter. */
    private static final List<String> FIELDS = List.of("name", "request_json", "idempotency_key", "query_file",
            "output_name", "remote_job_id", "job_url", "phase", "status", "phase_history", "results_json", "error", "error_kind",
            "sent_at", "created_at", "updated_at");
    private static final String COLUMNS = String.join(", ", FIELDS) + ", id";

    private final DataSource dataSource;
    private final Jdbc jdbc;
    private final String node;
    private final java.time.Duration lease;
    private final boolean cluster;
    /** Jobs created since are this process's own, already under way: start-up recovery leaves them alone. */
    private final Instant openedAt = Instant.now();
    /**
     * Until when (System.nanoTime) this node's leases are surely its own: the last renewal plus four fifths of the
     * lease. A node paused (or cut off from the store) past that may have lost them to another node.
     */
    private volatile long leasesSureUntil;
    /** The unfinished jobs this node held at its last renewal. */
    private volatile java.util.Set<String> leasedAtRenewal = java.util.Set.of();
    private final List<java.util.function.Consumer<JobRecord>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    public JobStore(DataSource dataSource) {
        this(dataSource, "local", java.time.Duration.ofMinutes(1), false);
    }

    /**
     * @param node    this instance's name: the jobs it accepts or takes over are leased to it
     * @param lease   how long a lease lasts without renewal (soar.cluster.lease)
     * @param cluster several instances share the store: a job is only written by the node holding its lease, and
     *                the jobs of a node whose lease ran out are taken over by another
     */
    public JobStore(DataSource dataSource, String node, java.time.Duration lease, boolean cluster) {
        this.dataSource = dataSource;
        this.jdbc = new Jdbc(dataSource, "Job store");
        this.node = node;
        this.lease = lease;
        this.cluster = cluster;
        this.leasesSureUntil = System.nanoTime() + lease.toNanos() / 5 * 4;
        migrate();
    }

    /** The schema version this code migrates a store to. */
    public static int schemaVersion() {
        return MIGRATIONS.size();
    }

    public String node() {
        return node;
    }

    private void migrate() {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("postgres");
            c.setAutoCommit(false);
            if (postgres) {
                // nodes starting together on an empty database: one migrates, the others wait and find it done
                s.execute("SELECT pg_advisory_xact_lock(7390001)");
            }
            s.execute("CREATE TABLE IF NOT EXISTS soar_schema (version INT NOT NULL)");
            int version = 0;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM soar_schema")) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            for (int v = version; v < MIGRATIONS.size(); v++) {
                s.execute(MIGRATIONS.get(v));
                s.execute("INSERT INTO soar_schema (version) VALUES (" + (v + 1) + ")");
            }
            c.commit();
            c.setAutoCommit(true);
            if (version < MIGRATIONS.size()) {
                LOG.info("Job store schema migrated from version {} to {}", version, MIGRATIONS.size());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The job store cannot be opened or migrated: " + e.getMessage(), e);
        }
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
        jdbc.update("INSERT INTO soar_job (" + COLUMNS + ", owner_node, lease_until) VALUES (?" + ",?".repeat(FIELDS.size() + 2) + ")", ps -> {
            bind(ps, job);
            ps.setString(FIELDS.size() + 2, node);
            ps.setTimestamp(FIELDS.size() + 3, leaseEnd());
        });
        changed(job);
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
        ErrorKind kind = org.soardeferred.common.Failures.kind(cause);
        if (kind == ErrorKind.OTHER && job.status == JobStatus.FETCHING) {
            kind = ErrorKind.TRANSFER;
        }
        failed(job, org.soardeferred.common.Failures.describe(cause), kind);
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
        int rows = jdbc.update("UPDATE soar_job SET " + String.join("=?, ", FIELDS) + "=? WHERE id=?" + (cluster ? " AND owner_node=?" : ""), ps -> {
            bind(ps, job);
            if (cluster) {
                ps.setString(FIELDS.size() + 2, node);
            }
        });
        if (rows == 0 && cluster) {
            throw new LeaseLostException(job, node);
        }
        changed(job);
    }

    /** Told of every job once it is stored (accepted, or any later step): events and metrics listen here. */
    public void onChange(java.util.function.Consumer<JobRecord> listener) {
        listeners.add(listener);
    }

    private void changed(JobRecord job) {
        for (var l : listeners) {
            try {
                l.accept(job);
            } catch (RuntimeException e) {
                LOG.warn("{}: a listener of the job store failed: {}", job, e.toString());
            }
        }
    }

    /** A page of jobs, newest first, all or those of one status. */
    public List<JobRecord> page(JobStatus status, int limit, int offset) {
        String where = status == null ? "" : " WHERE status = '" + status.name() + "'";
        return query("SELECT " + COLUMNS + " FROM soar_job" + where + " ORDER BY created_at DESC LIMIT "
                + Math.max(0, limit) + " OFFSET " + Math.max(0, offset));
    }

    /** How many jobs have each status (all statuses present, 0 when none). */
    public java.util.Map<JobStatus, Long> countByStatus() {
        java.util.Map<JobStatus, Long> counts = new java.util.EnumMap<>(JobStatus.class);
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
        List<JobRecord> jobs = query("SELECT " + COLUMNS + " FROM soar_job WHERE id = ?", id);
        return jobs.stream().findFirst();
    }

    /**
     * The unfinished jobs this instance carries on at start-up, oldest first, each now leased to it. Alone, all of
     * them; in a cluster, its own (from before a restart), those of no node and those whose lease ran out, but never
     * the jobs of a node that is alive.
     */
    public List<JobRecord> claimUnfinished() {
        // only jobs from before this start: a job accepted since (a timer's, a file's) is on its way already
        String before = Timestamp.from(openedAt).toString();
        if (!cluster) {
            List<JobRecord> jobs = query("SELECT " + COLUMNS + " FROM soar_job WHERE status IN ('ACCEPTED','SUBMITTED','FETCHING') "
                    + "AND created_at < CAST(? AS TIMESTAMP) ORDER BY created_at", before);
            jdbc.update("UPDATE soar_job SET owner_node=?, lease_until=? WHERE status IN ('ACCEPTED','SUBMITTED','FETCHING') "
                    + "AND created_at < ?", ps -> {
                        ps.setString(1, node);
                        ps.setTimestamp(2, leaseEnd());
                        ps.setTimestamp(3, Timestamp.from(openedAt));
                    });
            return jobs;
        }
        return claim(query("SELECT " + COLUMNS + " FROM soar_job WHERE status IN ('ACCEPTED','SUBMITTED','FETCHING') "
                + "AND created_at < CAST(? AS TIMESTAMP) AND (owner_node IS NULL OR owner_node = ? OR lease_until < CAST(? AS TIMESTAMP)) "
                + "ORDER BY created_at", before, node, now()));
    }

    /** In a cluster: the unfinished jobs of other nodes whose lease ran out (the node died), now leased to this one. */
    public List<JobRecord> takeOver() {
        List<JobRecord> taken = claim(query("SELECT " + COLUMNS + " FROM soar_job WHERE status IN ('ACCEPTED','SUBMITTED','FETCHING') "
                + "AND owner_node <> ? AND lease_until < CAST(? AS TIMESTAMP) ORDER BY created_at", node, now()));
        taken.forEach(j -> LOG.warn("{}: taken over by {}: the lease of its node ran out", j, node));
        return taken;
    }

    /** Extends the leases of this node's unfinished jobs (a timer does, well within soar.cluster.lease). */
    public int renewLeases() {
        long started = System.nanoTime();
        int renewed = jdbc.update("UPDATE soar_job SET lease_until=? WHERE owner_node=? AND status IN ('ACCEPTED','SUBMITTED','FETCHING')", ps -> {
            ps.setTimestamp(1, leaseEnd());
            ps.setString(2, node);
        });
        // a job another node took over while this one was paused is not renewed, and not in this set
        java.util.Set<String> leased = new java.util.HashSet<>();
        jdbc.query("SELECT id FROM soar_job WHERE owner_node=? AND status IN ('ACCEPTED','SUBMITTED','FETCHING')",
                rs -> leased.add(rs.getString(1)), node);
        leasedAtRenewal = leased;
        leasesSureUntil = started + lease.toNanos() / 5 * 4;
        return renewed;
    }

    /**
     * Whether this node may go on writing for the job (a download appending to its package calls this at every
     * read): always outside a cluster, and while the last renewal is recent and renewed this job; otherwise (the
     * node was paused or cut off from the store for most of a lease, or the job is new to it) only once a renewal
     * has confirmed the lease is still its own. A renewal by the lease timer that runs first when a paused node
     * wakes does not vouch for a job another node took over meanwhile: it no longer renews that job.
     */
    public boolean holdsLease(JobRecord job) {
        if (!cluster || leasesSure() && leasedAtRenewal.contains(job.id)) {
            return true;
        }
        renewLeases();
        return leasedAtRenewal.contains(job.id);
    }

    /** This node's last renewal is recent enough that its leases are surely still its own. */
    boolean leasesSure() {
        return System.nanoTime() - leasesSureUntil < 0;
    }

    /** Whether a job of the store follows this SOAR job already (another job's request made it, or it was attached). */
    public boolean followsRemoteJob(String remoteJobId) {
        return jdbc.one("SELECT id FROM soar_job WHERE remote_job_id = ?", remoteJobId) != null;
    }

    /** Which node holds the lease of a job, or null. */
    public String owner(String jobId) {
        return jdbc.one("SELECT owner_node FROM soar_job WHERE id = ?", jobId);
    }

    /** Leases each job to this node unless another node got it first (two survivors of one dead node). */
    private List<JobRecord> claim(List<JobRecord> candidates) {
        List<JobRecord> claimed = new ArrayList<>();
        for (JobRecord job : candidates) {
            int rows = jdbc.update("UPDATE soar_job SET owner_node=?, lease_until=? WHERE id=? "
                    + "AND (owner_node IS NULL OR owner_node = ? OR lease_until < ?)", ps -> {
                        ps.setString(1, node);
                        ps.setTimestamp(2, leaseEnd());
                        ps.setString(3, job.id);
                        ps.setString(4, node);
                        ps.setTimestamp(5, Timestamp.from(Instant.now()));
                    });
            if (rows == 1) {
                claimed.add(job);
            }
        }
        return claimed;
    }

    private Timestamp leaseEnd() {
        return Timestamp.from(Instant.now().plus(lease));
    }

    private static String now() {
        return Timestamp.from(Instant.now()).toString();
    }

    /** Jobs that a restart must carry on: accepted, submitted or fetching, oldest first. */
    public List<JobRecord> unfinished() {
        return query("SELECT " + COLUMNS + " FROM soar_job WHERE status IN ('ACCEPTED','SUBMITTED','FETCHING') ORDER BY created_at");
    }

    /**
     * The newest job for the same request (same idempotency key) that is still running, or was delivered less
     * than {@code within} ago; null when there is none.
     */
    public JobRecord sameRequest(String idempotencyKey, java.time.Duration within) {
        List<JobRecord> jobs = query("SELECT " + COLUMNS + " FROM soar_job WHERE idempotency_key = ? AND status <> 'FAILED' "
                + "ORDER BY created_at DESC", idempotencyKey);
        Instant since = Instant.now().minus(within);
        return jobs.stream().filter(j -> !j.status.isFinished() || j.updatedAt.isAfter(since)).findFirst().orElse(null);
    }

    /** A job for this request (idempotency key) is accepted, submitted or fetching. */
    public boolean running(String idempotencyKey) {
        return !query("SELECT " + COLUMNS + " FROM soar_job WHERE idempotency_key = ? AND status IN ('ACCEPTED','SUBMITTED','FETCHING')",
                idempotencyKey).isEmpty();
    }

    /** A later query file for the same request, served by this job instead of a second SOAR job. */
    public void addFollower(String jobId, String name, String queryFile) {
        jdbc.update("INSERT INTO soar_follower (job_id, name, query_file, created_at) VALUES (?,?,?,?)", ps -> {
            ps.setString(1, jobId);
            ps.setString(2, name);
            ps.setString(3, queryFile);
            ps.setTimestamp(4, Timestamp.from(Instant.now()));
        });
    }

    /** The followers of a job, oldest first, as (name, query file) pairs. */
    public List<String[]> followers(String jobId) {
        List<String[]> out = new ArrayList<>();
        jdbc.query("SELECT name, query_file FROM soar_follower WHERE job_id = ? ORDER BY created_at",
                rs -> out.add(new String[] {rs.getString(1), rs.getString(2)}), jobId);
        return out;
    }

    public void removeFollower(String jobId, String queryFile) {
        jdbc.update("DELETE FROM soar_follower WHERE job_id = ? AND query_file = ?", ps -> {
            ps.setString(1, jobId);
            ps.setString(2, queryFile);
        });
    }

    public List<JobRecord> all() {
        return query("SELECT " + COLUMNS + " FROM soar_job ORDER BY created_at");
    }

    private List<JobRecord> query(String sql, String... args) {
        List<JobRecord> jobs = new ArrayList<>();
        jdbc.query(sql, rs -> jobs.add(read(rs)), args);
        return jobs;
    }

    private static JobRecord read(ResultSet rs) throws SQLException, JsonProcessingException {
        JobRecord job = new JobRecord();
        job.id = rs.getString("id");
        job.name = rs.getString("name");
        job.request = JSON.readValue(rs.getString("request_json"), SoarRequest.class);
        job.idempotencyKey = rs.getString("idempotency_key");
        job.queryFile = rs.getString("query_file");
        job.outputName = rs.getString("output_name");
        job.remoteJobId = rs.getString("remote_job_id");
        job.jobUrl = rs.getString("job_url");
        job.phase = rs.getString("phase");
        job.status = JobStatus.valueOf(rs.getString("status"));
        job.phaseHistory = new ArrayList<>(JSON.readValue(rs.getString("phase_history"), new TypeReference<List<PhaseChange>>() { }));
        job.results = new ArrayList<>(JSON.readValue(rs.getString("results_json"), new TypeReference<List<ResultRecord>>() { }));
        job.error = rs.getString("error");
        job.errorKind = rs.getString("error_kind") == null ? null : ErrorKind.valueOf(rs.getString("error_kind"));
        job.sentAt = rs.getTimestamp("sent_at") == null ? null : rs.getTimestamp("sent_at").toInstant();
        job.createdAt = rs.getTimestamp("created_at").toInstant();
        job.updatedAt = rs.getTimestamp("updated_at").toInstant();
        return job;
    }

    private static void bind(PreparedStatement ps, JobRecord job) throws SQLException {
        int i = 0;
        ps.setString(++i, job.name);
        ps.setString(++i, json(job.request));
        ps.setString(++i, job.idempotencyKey);
        ps.setString(++i, job.queryFile);
        ps.setString(++i, job.outputName);
        ps.setString(++i, job.remoteJobId);
        ps.setString(++i, job.jobUrl);
        ps.setString(++i, job.phase);
        ps.setString(++i, job.status.name());
        ps.setString(++i, json(job.phaseHistory));
        ps.setString(++i, json(job.results));
        ps.setString(++i, truncate(job.error));
        ps.setString(++i, job.errorKind == null ? null : job.errorKind.name());
        ps.setTimestamp(++i, job.sentAt == null ? null : Timestamp.from(job.sentAt));
        ps.setTimestamp(++i, Timestamp.from(job.createdAt));
        ps.setTimestamp(++i, Timestamp.from(job.updatedAt));
        ps.setString(++i, job.id);
    }


    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 4000 ? text : text.substring(0, 3999) + "…";
    }
}
