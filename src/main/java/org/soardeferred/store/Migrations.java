package org.soardeferred.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The schema of one store: numbered steps, each run once, in order, in one transaction; the versions run are kept in
 * the store's own version table. On PostgreSQL the steps run under an advisory lock, so that nodes starting together on
 * an empty database do not migrate it twice (one migrates, the others wait and find it done).
 *
 * @param store        what the tables hold, for messages ("Job store")
 * @param versionTable where the versions run are kept
 * @param lockKey      the PostgreSQL advisory lock of this store's migrations
 * @param steps        in order of their versions; a version that is no longer this store's may be missing. Never
 *                     edit a step that has shipped: add one
 */
public record Migrations(String store, String versionTable, long lockKey, List<Step> steps) {

    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    /** One step: the version it brings the schema to, and its statement. */
    public record Step(int version, String sql) {
    }

    /** The version the steps bring a schema to. */
    public int latest() {
        return steps.get(steps.size() - 1).version();
    }

    /** Runs the steps the database has not run yet. */
    public void run(DataSource dataSource) {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            boolean postgres = c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("postgres");
            c.setAutoCommit(false);
            if (postgres) {
                s.execute("SELECT pg_advisory_xact_lock(" + lockKey + ")");
            }
            s.execute("CREATE TABLE IF NOT EXISTS " + versionTable + " (version INT NOT NULL)");
            int version = 0;
            try (ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + versionTable)) {
                if (rs.next()) {
                    version = rs.getInt(1);
                }
            }
            for (Step step : steps) {
                if (step.version() > version) {
                    s.execute(step.sql());
                    s.execute("INSERT INTO " + versionTable + " (version) VALUES (" + step.version() + ")");
                }
            }
            c.commit();
            c.setAutoCommit(true);
            if (version < latest()) {
                LOG.info("{} schema migrated from version {} to {}", store, version, latest());
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The " + store.toLowerCase(Locale.ROOT) + " cannot be opened or migrated: "
                    + e.getMessage(), e);
        }
    }
}
