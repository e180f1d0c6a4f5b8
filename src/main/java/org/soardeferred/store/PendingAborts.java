package org.soardeferred.store;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import javax.sql.DataSource;

/**
 * Multipart uploads that S3 has not yet confirmed aborted (table soar_pending_abort, created by the job store's
 * migrations): an upload whose abort failed (S3 unreachable, busy) is kept here, with its bucket, key and upload
 * id, until an abort succeeds or S3 answers that the upload is gone. Its parts cost storage until then.
 */
public class PendingAborts {

    /** One upload to abort: where it is, which job left it (null: found by the sweep), how often aborting it failed. */
    public record Upload(String bucket, String key, String uploadId, String jobId, int attempts, String lastError,
                         Instant since) {
    }

    private static final String COLUMNS = "bucket, object_key, upload_id, job_id, attempts, last_error, created_at";

    private final Jdbc jdbc;

    public PendingAborts(DataSource dataSource) {
        this.jdbc = new Jdbc(dataSource, "Job store");
    }

    /** Keeps an upload whose abort failed (once: recording it again only notes the new error). */
    public void add(String bucket, String key, String uploadId, String jobId, String error) {
        jdbc.inTransaction(c -> {
            int updated;
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE soar_pending_abort SET attempts = attempts + 1, last_error = ? WHERE bucket = ? AND upload_id = ?")) {
                ps.setString(1, truncate(error));
                ps.setString(2, bucket);
                ps.setString(3, uploadId);
                updated = ps.executeUpdate();
            }
            if (updated == 0) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO soar_pending_abort (" + COLUMNS
                        + ") VALUES (?,?,?,?,1,?,?)")) {
                    ps.setString(1, bucket);
                    ps.setString(2, key);
                    ps.setString(3, uploadId);
                    ps.setString(4, jobId);
                    ps.setString(5, truncate(error));
                    ps.setTimestamp(6, Timestamp.from(Instant.now()));
                    ps.executeUpdate();
                }
            }
        });
    }

    /** Another abort of a kept upload failed. */
    public void failedAgain(String bucket, String uploadId, String error) {
        jdbc.update("UPDATE soar_pending_abort SET attempts = attempts + 1, last_error = ? WHERE bucket = ? AND upload_id = ?", ps -> {
            ps.setString(1, truncate(error));
            ps.setString(2, bucket);
            ps.setString(3, uploadId);
        });
    }

    /** S3 confirmed the abort (or that the upload is gone): the upload is forgotten. True when it was kept. */
    public boolean remove(String bucket, String uploadId) {
        return jdbc.update("DELETE FROM soar_pending_abort WHERE bucket = ? AND upload_id = ?", ps -> {
            ps.setString(1, bucket);
            ps.setString(2, uploadId);
        }) > 0;
    }

    /** The uploads kept for a bucket, oldest first. */
    public List<Upload> of(String bucket) {
        return query("SELECT " + COLUMNS + " FROM soar_pending_abort WHERE bucket = ? ORDER BY created_at", bucket);
    }

    /** Every upload kept, oldest first. */
    public List<Upload> all() {
        return query("SELECT " + COLUMNS + " FROM soar_pending_abort ORDER BY created_at");
    }

    private List<Upload> query(String sql, String... args) {
        List<Upload> out = new ArrayList<>();
        jdbc.query(sql, rs -> out.add(new Upload(rs.getString("bucket"), rs.getString("object_key"), rs.getString("upload_id"),
                rs.getString("job_id"), rs.getInt("attempts"), rs.getString("last_error"),
                rs.getTimestamp("created_at").toInstant())), args);
        return out;
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 1000 ? text : text.substring(0, 999) + "…";
    }
}
