package org.soardeferred.config;

import java.nio.file.Path;

import javax.sql.DataSource;

import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.PropertyInject;
import org.apache.camel.spi.IdempotentRepository;
import org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository;
import org.soardeferred.request.Followers;
import org.soardeferred.request.QueryFileReader;
import org.soardeferred.request.QueryFiles;
import org.soardeferred.request.TimerRequest;
import org.soardeferred.store.ClusterSupport;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outboxes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The triggers that are files or timers: the inbox (soar.inbox: {@code queryFileReader}, {@code queryFiles},
 * {@code followers}, its read locks {@code inboxLocks}) and the timer's request ({@code timerRequest}).
 * <p>
 * The inbox's read lock is soar.inbox.read-lock, {@code changed} by default. In cluster mode several nodes scan one
 * shared inbox, and {@code changed} alone would let two of them take the same file: there it is taken as
 * {@code idempotent-changed}, whose locks ({@code inboxLocks}) live in the shared database (see
 * {@link #readLock(String, boolean)}; the choice is logged at start-up).
 */
public class InboxConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(InboxConfiguration.class);
    static final String READ_LOCK = "soar.inbox.read-lock";

    @PropertyInject("soar.inbox")
    String inbox;
    @PropertyInject("soar.inbox.max-file-size")
    String maxFileSize;
    @PropertyInject(value = READ_LOCK, defaultValue = "changed")
    String readLock;
    @PropertyInject(value = "soar.cluster.enabled", defaultValue = "false")
    String cluster;

    @BindToRegistry
    public QueryFileReader queryFileReader() {
        return new QueryFileReader(Long.parseLong(maxFileSize.strip()));
    }

    @BindToRegistry
    public QueryFiles queryFiles(JobStore store) {
        return new QueryFiles(Path.of(inbox), store);
    }

    @BindToRegistry
    public Followers followers(JobStore store, QueryFiles queryFiles, Outboxes outboxes,
                               @PropertyInject("soar.resubmit") String resubmit) {
        return new Followers(store, queryFiles, outboxes, resubmit);
    }

    @BindToRegistry
    public TimerRequest timerRequest(@PropertyInject(value = "soar.timer.name", defaultValue = "timer") String name,
                                     @PropertyInject(value = "soar.timer.request", defaultValue = "") String request,
                                     @PropertyInject(value = "soar.timer.product-type", defaultValue = "") String productType,
                                     @PropertyInject(value = "soar.timer.retrieval-type", defaultValue = "") String retrievalType) {
        return new TimerRequest(name, request, productType, retrievalType, Long.parseLong(maxFileSize.strip()));
    }

    /** The inbox's read locks: in memory for one node; in a cluster, in the shared database. */
    @BindToRegistry
    public IdempotentRepository inboxLocks(DataSource pool) {
        return Settings.flag(cluster) ? ClusterSupport.inboxLocks(pool)
                : MemoryIdempotentRepository.memoryIdempotentRepository(10_000);
    }

    @Override
    public void configure(CamelContext context) {
        String chosen = readLock(readLock, Settings.flag(cluster));
        if (!chosen.equals(readLock.strip())) {
            context.getPropertiesComponent().addOverrideProperty(READ_LOCK, chosen);
        }
        LOG.info("Inbox {} (read lock {}), packages to {}", Path.of(inbox).toAbsolutePath(), chosen,
                context.getRegistry().findSingleByType(Outboxes.class).standard());
    }

    /**
     * The read lock the inbox uses: the configured one, except that in a cluster {@code changed} becomes
     * {@code idempotent-changed} (the same check, with the lock shared by every node through the database).
     */
    static String readLock(String configured, boolean cluster) {
        String lock = configured.strip();
        return cluster && "changed".equals(lock) ? "idempotent-changed" : lock;
    }
}
