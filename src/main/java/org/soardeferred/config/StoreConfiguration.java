package org.soardeferred.config;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.Durations;
import org.soardeferred.mirror.MirrorStore;
import org.soardeferred.observe.SoarHealth;
import org.soardeferred.store.ClusterSupport;
import org.soardeferred.store.JobLeases;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.PendingAborts;

/**
 * The job store's database (soar.db.url; empty: an H2 file database in soar.data-dir) and the stores over it:
 * {@code jobStore} (with {@code jobLeases}), {@code mirrorStore}, {@code pendingAborts}, each store migrating its
 * own tables. In cluster mode
 * (soar.cluster.enabled) the database must be PostgreSQL, the jobs are leased to this node (soar.node.id) and Quartz
 * runs on the same database, so each scheduled fire (a mirror's run) happens on one node.
 */
public class StoreConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(StoreConfiguration.class);

    @PropertyInject("soar.data-dir")
    String dataDir;
    @PropertyInject(value = "soar.db.url", defaultValue = "")
    String url;
    @PropertyInject(value = "soar.db.user", defaultValue = "")
    String user;
    @PropertyInject(value = "soar.db.password", defaultValue = "")
    String password;
    @PropertyInject(value = "soar.cluster.enabled", defaultValue = "false")
    String cluster;
    @PropertyInject("soar.cluster.lease")
    String lease;
    @PropertyInject(value = "soar.node.id", defaultValue = "")
    String nodeId;

    @BindToRegistry("jobStoreDataSource")
    public HikariDataSource dataSource() {
        if (cluster() && !jdbcUrl().startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("soar.cluster.enabled needs a job store every node reaches: set soar.db.url "
                    + "to a PostgreSQL database (jdbc:postgresql://…), not " + Settings.withoutParameters(jdbcUrl()));
        }
        HikariConfig db = new HikariConfig();
        db.setPoolName("soar-jobs");
        db.setJdbcUrl(jdbcUrl());
        db.setUsername(user);
        db.setPassword(password);
        db.setMaximumPoolSize(10);
        try {
            return new HikariDataSource(db);
        } catch (RuntimeException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IllegalStateException("The job store " + Settings.withoutParameters(jdbcUrl()) + " cannot be opened: "
                    + why + (why != null && why.contains("already in use") ? " (is the service running on the same soar.data-dir?)" : ""), e);
        }
    }

    @BindToRegistry
    public JobStore jobStore(HikariDataSource pool) {
        return new JobStore(pool, node(), Durations.parse("soar.cluster.lease", lease), cluster());
    }

    @BindToRegistry
    public JobLeases jobLeases(JobStore store) {
        return store.leases();
    }

    @BindToRegistry
    public MirrorStore mirrorStore(HikariDataSource pool) {
        return new MirrorStore(pool);
    }

    @BindToRegistry
    public PendingAborts pendingAborts(HikariDataSource pool) {
        return new PendingAborts(pool);
    }

    @BindToRegistry
    public SoarHealth.JobStoreCheck jobStoreCheck(JobStore store) {
        return new SoarHealth.JobStoreCheck(store);
    }

    @Override
    public void configure(CamelContext context) {
        HikariDataSource pool = context.getRegistry().lookupByNameAndType("jobStoreDataSource", HikariDataSource.class);
        if (cluster()) {
            ClusterSupport.clusterQuartz(context, pool, url, user, password, node());
            LOG.info("Cluster mode: node '{}', leases of {} in {}", node(), lease, Settings.withoutParameters(jdbcUrl()));
        }
        // after the routes: the last steps of a stopping service are still recorded
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext c) {
                pool.close();
            }
        });
        LOG.info("Job store {}", Settings.withoutParameters(jdbcUrl()));
    }

    boolean cluster() {
        return Settings.flag(cluster);
    }

    private String jdbcUrl() {
        if (!url.isBlank()) {
            return url;
        }
        return h2Url(Path.of(dataDir));
    }

    /**
     * The default job store, an H2 file database in the data folder. async: H2 writes through an asynchronous file
     * channel, which a thread's interrupt does not close: a route thread interrupted while it records a step (a
     * stopping service interrupts what is in flight) would otherwise close H2's file and with it the store for every
     * thread. WRITE_DELAY=0: every commit reaches the file at once, so a kill -9 loses no recorded step.
     * DB_CLOSE_ON_EXIT=FALSE: the store stays open while Camel shuts down and records the last steps.
     */
    static String h2Url(Path dataDir) {
        return "jdbc:h2:async:" + dataDir.toAbsolutePath().resolve("jobs") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /** This instance's name in the job store (leases, mirror runs): soar.node.id, or the host name. */
    private String node() {
        if (!nodeId.isBlank()) {
            return nodeId.strip();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }
}
