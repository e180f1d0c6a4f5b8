package org.soardeferred.store;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The query files that follow a job (soar_follower): later files for the same request, served from the job's packages
 * instead of a second SOAR job (see org.soardeferred.request.Followers).
 */
public class JobFollowers {

    private final Jdbc jdbc;

    JobFollowers(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** A later query file for the same request, served by this job instead of a second SOAR job. */
    public void add(String jobId, String name, String queryFile) {
        jdbc.update("INSERT INTO soar_follower (job_id, name, query_file, created_at) VALUES (?,?,?,?)", ps -> {
            ps.setString(1, jobId);
            ps.setString(2, name);
            ps.setString(3, queryFile);
            ps.setTimestamp(4, Timestamp.from(Instant.now()));
        });
    }

    /** The followers of a job, oldest first, as (name, query file) pairs. */
    public List<String[]> of(String jobId) {
        List<String[]> out = new ArrayList<>();
        jdbc.query("SELECT name, query_file FROM soar_follower WHERE job_id = ? ORDER BY created_at",
                rs -> out.add(new String[] {rs.getString(1), rs.getString(2)}), jobId);
        return out;
    }

    public void remove(String jobId, String queryFile) {
        jdbc.update("DELETE FROM soar_follower WHERE job_id = ? AND query_file = ?", ps -> {
            ps.setString(1, jobId);
            ps.setString(2, queryFile);
        });
    }
}
