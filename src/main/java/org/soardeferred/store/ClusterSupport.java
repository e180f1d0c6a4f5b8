package org.soardeferred.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.component.quartz.QuartzComponent;
import org.apache.camel.processor.idempotent.jdbc.JdbcMessageIdRepository;
import org.apache.camel.spi.IdempotentRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What several instances sharing one PostgreSQL database need besides the job store's leases: Quartz's clustered
 * JDBC job store, so each scheduled fire (a mirror's run) happens on exactly one node and a node that dies hands its
 * schedules to the others; and the inbox's read locks in a table, so a file dropped in a shared inbox is taken by
 * exactly one node. Both are engines that exist (Quartz, Camel's JDBC idempotent repository), not a protocol of ours.
 */
public final class ClusterSupport {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterSupport.class);
    private static final String LOCKS_TABLE = "soar_inbox_lock";

    private ClusterSupport() {
    }

    /** Quartz on the shared database (its tables created once, under an advisory lock, if missing). */
    public static void clusterQuartz(CamelContext context, DataSource pool, String url, String user, String password, String node) {
        createQuartzTables(pool);
        Properties q = new Properties();
        q.setProperty("org.quartz.scheduler.instanceName", "soar-deferred");
        q.setProperty("org.quartz.threadPool.threadCount", "2");
        q.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
        q.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
        q.setProperty("org.quartz.jobStore.isClustered", "true");
        q.setProperty("org.quartz.jobStore.clusterCheckinInterval", "5000");
        q.setProperty("org.quartz.jobStore.misfireThreshold", "30000");
        q.setProperty("org.quartz.jobStore.dataSource", "soar");
        q.setProperty("org.quartz.dataSource.soar.provider", "hikaricp");
        q.setProperty("org.quartz.dataSource.soar.driver", "org.postgresql.Driver");
        q.setProperty("org.quartz.dataSource.soar.URL", url);
        q.setProperty("org.quartz.dataSource.soar.user", user);
        q.setProperty("org.quartz.dataSource.soar.password", password);
        q.setProperty("org.quartz.dataSource.soar.maxConnections", "4");
        // each node's id: unique, readable in the tables (the host name alone is not unique for two nodes on one host)
        q.setProperty("org.quartz.scheduler.instanceId", node + "-" + ProcessHandle.current().pid());
        QuartzComponent quartz = context.getComponent("quartz", QuartzComponent.class);
        quartz.setProperties(new java.util.HashMap<>(q));
        // one scheduler name on every node: that is what makes them one cluster
        quartz.setPrefixInstanceName(false);
    }

    private static void createQuartzTables(DataSource pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT pg_advisory_xact_lock(7390002)");
            boolean present;
            try (ResultSet rs = c.getMetaData().getTables(null, null, "qrtz_locks", null)) {
                present = rs.next();
            }
            if (!present) {
                String ddl;
                try (InputStream in = QuartzComponent.class.getClassLoader()
                        .getResourceAsStream("org/quartz/impl/jdbcjobstore/tables_postgres.sql")) {
                    if (in == null) {
                        throw new IllegalStateException("Quartz's PostgreSQL schema is not on the class path");
                    }
                    ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                for (String statement : ddl.replaceAll("(?m)^\\s*--.*$", "").split(";")) {
                    String sql = statement.strip();
                    if (!sql.isEmpty() && !sql.toUpperCase(java.util.Locale.ROOT).startsWith("DROP")
                            && !sql.equalsIgnoreCase("COMMIT")) {
                        s.execute(sql);
                    }
                }
                LOG.info("Created Quartz's tables for the clustered scheduler");
            }
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Quartz's tables cannot be created: " + e.getMessage(), e);
        }
    }

    /** The inbox's read locks in the shared database: a file is processed by one node at a time. */
    public static IdempotentRepository inboxLocks(DataSource pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("SELECT pg_advisory_xact_lock(7390003)");
            s.execute("CREATE TABLE IF NOT EXISTS " + LOCKS_TABLE + " (processorName VARCHAR(255) NOT NULL, "
                    + "messageId VARCHAR(4000) NOT NULL, createdAt TIMESTAMP, PRIMARY KEY (processorName, messageId))");
            c.commit();
            c.setAutoCommit(true);
        } catch (SQLException e) {
            throw new IllegalStateException("The inbox lock table cannot be created: " + e.getMessage(), e);
        }
        JdbcMessageIdRepository repo = new JdbcMessageIdRepository(pool, "soar-inbox");
        repo.setCreateTableIfNotExists(false);
        repo.setTableName(LOCKS_TABLE);
        return repo;
    }
}
