package org.soardeferred.store;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which node carries each unfinished job on: the job is leased to a node (owner_node) until a time (lease_until) that
 * the node renews while it lives. At start-up a node claims the unfinished jobs left to it; in a cluster (several nodes
 * sharing the store) a job is only written by the node holding its lease, and the jobs of a node whose lease ran out
 * are taken over by another. Bound as {@code jobLeases} (routes/recover.camel.yaml).
 */
public class JobLeases {

    private static final Logger LOG = LoggerFactory.getLogger(JobLeases.class);

    private final Jdbc jdbc;
    private final JobRows rows;
    private final String node;
    private final Duration lease;
    private final boolean cluster;
    /** Jobs created since are this process's own, already under way: start-up recovery leaves them alone. */
    private final Instant openedAt = Instant.now();
    /**
     * Until when (System.nanoTime) this node's leases are surely its own: the last renewal plus four fifths of the
     * lease. A node paused (or cut off from the store) past that may have lost them to another node.
     */
    private volatile long leasesSureUntil;
    /** The unfinished jobs this node held at its last renewal. */
    private volatile Set<String> leasedAtRenewal = Set.of();

    JobLeases(Jdbc jdbc, JobRows rows, String node, Duration lease, boolean cluster) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.node = node;
        this.lease = lease;
        this.cluster = cluster;
        this.leasesSureUntil = System.nanoTime() + lease.toNanos() / 5 * 4;
    }

    /** This instance's name: the jobs it accepts or takes over are leased to it. */
    public String node() {
        return node;
    }

    /** Several instances share the store. */
    boolean cluster() {
        return cluster;
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
            List<JobRecord> jobs = rows.query(JobRows.SELECT + " WHERE " + JobRows.UNFINISHED
                    + " AND created_at < CAST(? AS TIMESTAMP) ORDER BY created_at", before);
            jdbc.update("UPDATE soar_job SET owner_node=?, lease_until=? WHERE " + JobRows.UNFINISHED + " AND created_at < ?", ps -> {
                ps.setString(1, node);
                ps.setTimestamp(2, leaseEnd());
                ps.setTimestamp(3, Timestamp.from(openedAt));
            });
            return jobs;
        }
        return claim(rows.query(JobRows.SELECT + " WHERE " + JobRows.UNFINISHED + " AND created_at < CAST(? AS TIMESTAMP) "
                + "AND (owner_node IS NULL OR owner_node = ? OR lease_until < CAST(? AS TIMESTAMP)) ORDER BY created_at",
                before, node, now()));
    }

    /** In a cluster: the unfinished jobs of other nodes whose lease ran out (the node died), now leased to this one. */
    public List<JobRecord> takeOver() {
        List<JobRecord> taken = claim(rows.query(JobRows.SELECT + " WHERE " + JobRows.UNFINISHED
                + " AND owner_node <> ? AND lease_until < CAST(? AS TIMESTAMP) ORDER BY created_at", node, now()));
        taken.forEach(j -> LOG.warn("{}: taken over by {}: the lease of its node ran out", j, node));
        return taken;
    }

    /** Extends the leases of this node's unfinished jobs (a timer does, well within soar.cluster.lease). */
    public int renewLeases() {
        long started = System.nanoTime();
        int renewed = jdbc.update("UPDATE soar_job SET lease_until=? WHERE owner_node=? AND " + JobRows.UNFINISHED, ps -> {
            ps.setTimestamp(1, leaseEnd());
            ps.setString(2, node);
        });
        // a job another node took over while this one was paused is not renewed, and not in this set
        Set<String> leased = new HashSet<>();
        jdbc.query("SELECT id FROM soar_job WHERE owner_node=? AND " + JobRows.UNFINISHED, rs -> leased.add(rs.getString(1)), node);
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

    /** Which node holds the lease of a job, or null. */
    public String owner(String jobId) {
        return jdbc.one("SELECT owner_node FROM soar_job WHERE id = ?", jobId);
    }

    /** When a lease given now ends. */
    Timestamp leaseEnd() {
        return Timestamp.from(Instant.now().plus(lease));
    }

    /** Leases each job to this node unless another node got it first (two survivors of one dead node). */
    private List<JobRecord> claim(List<JobRecord> candidates) {
        List<JobRecord> claimed = new ArrayList<>();
        for (JobRecord job : candidates) {
            int changed = jdbc.update("UPDATE soar_job SET owner_node=?, lease_until=? WHERE id=? "
                    + "AND (owner_node IS NULL OR owner_node = ? OR lease_until < ?)", ps -> {
                        ps.setString(1, node);
                        ps.setTimestamp(2, leaseEnd());
                        ps.setString(3, job.id);
                        ps.setString(4, node);
                        ps.setTimestamp(5, Timestamp.from(Instant.now()));
                    });
            if (changed == 1) {
                claimed.add(job);
            }
        }
        return claimed;
    }

    private static String now() {
        return Timestamp.from(Instant.now()).toString();
    }
}
