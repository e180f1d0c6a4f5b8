package org.soardeferred.mirror;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.soardeferred.store.Jdbc;

/**
 * What each mirror has and where it stands, in the job store's database (its tables are made by its own migrations,
 * {@link MirrorSchema}): the files asked for, present or failed (soar_mirror_file, the mirror's index), each
 * mirror's watermark (soar_mirror) and a record of every run (soar_mirror_run).
 */
public class MirrorStore {

    private static final String FILE_COLUMNS = "file_name, item_id, item_version, file_size, archived_on, data_type, filepath, "
            + "status, request_key, error";

    private final Jdbc jdbc;

    public MirrorStore(DataSource dataSource) {
        MirrorSchema.MIGRATIONS.run(dataSource);
        this.jdbc = new Jdbc(dataSource, "Mirror index");
    }

    /** All files before the watermark are present: a run lists from there. Null before the first delivery. */
    public String watermark(String mirror) {
        return jdbc.one("SELECT watermark FROM soar_mirror WHERE name = ?", mirror);
    }

    /** What the index holds for these file names of a mirror, by name. */
    public Map<String, MirrorFile> known(String mirror, Collection<String> fileNames) {
        Map<String, MirrorFile> out = new HashMap<>();
        List<String> names = new ArrayList<>(fileNames);
        for (int from = 0; from < names.size(); from += 500) {
            List<String> chunk = names.subList(from, Math.min(names.size(), from + 500));
            String sql = "SELECT " + FILE_COLUMNS + " FROM soar_mirror_file WHERE mirror = ? AND file_name IN ("
                    + "?,".repeat(chunk.size() - 1) + "?)";
            List<String> args = new ArrayList<>();
            args.add(mirror);
            args.addAll(chunk);
            for (MirrorFile f : files(sql, args.toArray(String[]::new))) {
                out.put(f.fileName, f);
            }
        }
        return out;
    }

    /** Files asked for by one request: WANTED, under the request's idempotency key. */
    public void want(String mirror, List<MirrorFile> files, String requestKey) {
        ensureRow(mirror);
        jdbc.inTransaction(c -> {
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM soar_mirror_file WHERE mirror = ? AND file_name = ?");
                 PreparedStatement insert = c.prepareStatement("INSERT INTO soar_mirror_file (mirror, " + FILE_COLUMNS
                         + ", updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")) {
                for (MirrorFile f : files) {
                    delete.setString(1, mirror);
                    delete.setString(2, f.fileName);
                    delete.addBatch();
                    f.status = MirrorFile.Status.WANTED;
                    f.requestKey = requestKey;
                    f.error = null;
                    int i = 0;
                    insert.setString(++i, mirror);
                    insert.setString(++i, f.fileName);
                    insert.setString(++i, f.itemId);
                    insert.setString(++i, f.version);
                    insert.setLong(++i, f.size);
                    insert.setString(++i, f.archivedOn);
                    insert.setString(++i, f.dataType);
                    insert.setString(++i, f.filepath);
                    insert.setString(++i, f.status.name());
                    insert.setString(++i, requestKey);
                    insert.setString(++i, null);
                    insert.setTimestamp(++i, Timestamp.from(Instant.now()));
                    insert.addBatch();
                }
                delete.executeBatch();
                insert.executeBatch();
            }
        });
    }

    /** The files still WANTED from the request with this idempotency key, by mirror. */
    public Map<String, List<MirrorFile>> wantedBy(String requestKey) {
        Map<String, List<MirrorFile>> out = new HashMap<>();
        jdbc.query("SELECT mirror, " + FILE_COLUMNS + " FROM soar_mirror_file WHERE request_key = ? AND status = 'WANTED'",
                rs -> out.computeIfAbsent(rs.getString("mirror"), m -> new ArrayList<>()).add(read(rs)), requestKey);
        return out;
    }

    /**
     * Records what became of a job's files (a null reason: PRESENT; else FAILED with the reason) and moves the
     * watermark as far as the files allow: up to the oldest file not yet present (so a failed night is listed again
     * by the next run), or, when all are present, to the newest. It never moves past a missing file.
     * <p>
     * One transaction, holding the mirror's row: a reader never sees the files present under the old watermark,
     * and two jobs of a mirror ending at once (on one node or two) settle one after the other, so the later one
     * sees the earlier one's files.
     *
     * @return the watermark now
     */
    public String settle(String mirror, List<MirrorFile> files, Map<String, String> reasons) {
        ensureRow(mirror);
        String[] mark = new String[1];
        jdbc.inTransaction(c -> {
            Timestamp now = Timestamp.from(Instant.now());
            try (PreparedStatement lock = c.prepareStatement("UPDATE soar_mirror SET updated_at = ? WHERE name = ?")) {
                lock.setTimestamp(1, now);
                lock.setString(2, mirror);
                lock.executeUpdate();
            }
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE soar_mirror_file SET status = ?, error = ?, updated_at = ? WHERE mirror = ? AND file_name = ?")) {
                for (MirrorFile f : files) {
                    String error = reasons.get(f.fileName);
                    f.status = error == null ? MirrorFile.Status.PRESENT : MirrorFile.Status.FAILED;
                    f.error = error;
                    u.setString(1, f.status.name());
                    u.setString(2, error == null || error.length() < 4000 ? error : error.substring(0, 3999));
                    u.setTimestamp(3, now);
                    u.setString(4, mirror);
                    u.setString(5, f.fileName);
                    u.addBatch();
                }
                u.executeBatch();
            }
            // the oldest file not yet present, or else the newest
            mark[0] = firstOf(c, "SELECT COALESCE(MIN(CASE WHEN status <> 'PRESENT' THEN archived_on END), MAX(archived_on)) "
                    + "FROM soar_mirror_file WHERE mirror = ?", mirror);
            try (PreparedStatement w = c.prepareStatement("UPDATE soar_mirror SET watermark = ? WHERE name = ?")) {
                w.setString(1, mark[0]);
                w.setString(2, mirror);
                w.executeUpdate();
            }
        });
        return mark[0];
    }

    /**
     * Makes sure the mirror has its row in soar_mirror (watermark null until its first files settle), which
     * {@link #settle} locks. Two nodes may insert it at once: the one that loses finds it there.
     */
    private void ensureRow(String mirror) {
        if (watermarkRowExists(mirror)) {
            return;
        }
        try {
            jdbc.update("INSERT INTO soar_mirror (name, updated_at) VALUES (?,?)", ps -> {
                ps.setString(1, mirror);
                ps.setTimestamp(2, Timestamp.from(Instant.now()));
            });
        } catch (IllegalStateException e) {
            if (!watermarkRowExists(mirror)) {
                throw e;
            }
        }
    }

    private boolean watermarkRowExists(String mirror) {
        return jdbc.one("SELECT name FROM soar_mirror WHERE name = ?", mirror) != null;
    }

    private static String firstOf(Connection c, String sql, String mirror) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, mirror);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** How many files of a mirror have each status. */
    public Map<MirrorFile.Status, Long> counts(String mirror) {
        Map<MirrorFile.Status, Long> out = new java.util.EnumMap<>(MirrorFile.Status.class);
        for (MirrorFile.Status s : MirrorFile.Status.values()) {
            out.put(s, 0L);
        }
        jdbc.query("SELECT status, COUNT(*) FROM soar_mirror_file WHERE mirror = ? GROUP BY status",
                rs -> out.put(MirrorFile.Status.valueOf(rs.getString(1)), rs.getLong(2)), mirror);
        return out;
    }

    /** The files of a mirror with a status, oldest first. */
    public List<MirrorFile> files(String mirror, MirrorFile.Status status) {
        return files("SELECT " + FILE_COLUMNS + " FROM soar_mirror_file WHERE mirror = ? AND status = ? ORDER BY archived_on, file_name",
                mirror, status.name());
    }

    /** One run of a mirror: when it fired (the schedule's time, or null when asked by hand), on which node, what it found. */
    public void recordRun(MirrorRun run, String node, String status, String error) {
        jdbc.update("INSERT INTO soar_mirror_run (id, mirror, node, fire_time, started_at, listed, wanted, requests, wanted_bytes, status, error) "
                + "VALUES (?,?,?,?,?,?,?,?,?,?,?)", ps -> {
                    int i = 0;
                    ps.setString(++i, run.id());
                    ps.setString(++i, run.definition().name());
                    ps.setString(++i, node);
                    ps.setTimestamp(++i, run.fireTime() == null ? null : Timestamp.from(run.fireTime()));
                    ps.setTimestamp(++i, Timestamp.from(run.startedAt()));
                    ps.setInt(++i, run.listedCount());
                    ps.setInt(++i, run.wanted().size());
                    ps.setInt(++i, run.batches().size());
                    ps.setLong(++i, run.wantedBytes());
                    ps.setString(++i, status);
                    ps.setString(++i, error == null || error.length() < 4000 ? error : error.substring(0, 3999));
                });
    }

    /** The runs of a mirror, oldest first: (fire time or null, node, status, listed, wanted, requests). */
    public List<Map<String, Object>> runs(String mirror) {
        List<Map<String, Object>> out = new ArrayList<>();
        jdbc.query("SELECT fire_time, node, status, listed, wanted, requests, error FROM soar_mirror_run WHERE mirror = ? ORDER BY started_at",
                rs -> {
                    Map<String, Object> m = new java.util.LinkedHashMap<>();
                    Timestamp fire = rs.getTimestamp(1);
                    m.put("fireTime", fire == null ? null : fire.toInstant());
                    m.put("node", rs.getString(2));
                    m.put("status", rs.getString(3));
                    m.put("listed", rs.getInt(4));
                    m.put("wanted", rs.getInt(5));
                    m.put("requests", rs.getInt(6));
                    m.put("error", rs.getString(7));
                    out.add(m);
                }, mirror);
        return out;
    }

    // ------------------------------------------------------------------ JDBC

    private List<MirrorFile> files(String sql, String... args) {
        List<MirrorFile> out = new ArrayList<>();
        jdbc.query(sql, rs -> out.add(read(rs)), args);
        return out;
    }

    private static MirrorFile read(ResultSet rs) throws SQLException {
        MirrorFile f = new MirrorFile(rs.getString("file_name"), rs.getString("item_id"), rs.getString("item_version"),
                rs.getLong("file_size"), rs.getString("archived_on"), rs.getString("data_type"));
        f.filepath = rs.getString("filepath");
        f.status = MirrorFile.Status.valueOf(rs.getString("status"));
        f.requestKey = rs.getString("request_key");
        f.error = rs.getString("error");
        return f;
    }
}
