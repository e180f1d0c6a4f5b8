package org.soardeferred.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import javax.sql.DataSource;

/**
 * The few JDBC steps the job store and the mirror index need: a query row by row, one value, an update, work in a
 * transaction. A failure becomes an IllegalStateException that names the store ("Job store query failed: …").
 */
public final class Jdbc {

    /** Reads one row of a result. */
    public interface Rows {
        void row(ResultSet rs) throws Exception;
    }

    /** Sets the parameters of a statement. */
    public interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Statements run on one connection, in one transaction. */
    public interface Work {
        void run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;
    private final String store;

    /** @param store what the database holds, for error messages ("Job store", "Mirror index") */
    public Jdbc(DataSource dataSource, String store) {
        this.dataSource = dataSource;
        this.store = store;
    }

    /** Runs a query whose parameters are strings, and hands each row to {@code rows}. */
    public void query(String sql, Rows rows, String... args) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.row(rs);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(store + " query failed: " + e.getMessage(), e);
        }
    }

    /** The first column of the first row, or null when there is no row. */
    public String one(String sql, String... args) {
        String[] out = new String[1];
        query(sql, rs -> {
            if (out[0] == null) {
                out[0] = rs.getString(1);
            }
        }, args);
        return out[0];
    }

    /** Runs one statement (auto-commit); returns the rows it changed. */
    public int update(String sql, Binder binder) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(store + " update failed: " + e.getMessage(), e);
        }
    }

    /** Runs the work in one transaction: all of it, or (on any failure) none of it. */
    public void inTransaction(Work work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(store + " update failed: " + e.getMessage(), e);
        }
    }
}
