package org.soardeferred;

import java.nio.file.Path;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Processor;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.api.ApiRequests;
import org.soardeferred.common.Durations;
import org.soardeferred.observe.JobEvents;
import org.soardeferred.observe.SoarHealth;
import org.soardeferred.observe.SoarMetrics;
import org.soardeferred.request.Followers;
import org.soardeferred.request.QueryFileReader;
import org.soardeferred.request.QueryFiles;
import org.soardeferred.soar.SoarReplies;
import org.soardeferred.soar.SoarSession;
import org.soardeferred.soar.SoarUrls;
import org.soardeferred.store.JobStore;
import org.soardeferred.transfer.Outbox;
import org.soardeferred.transfer.Outboxes;
import org.soardeferred.transfer.ResultDownload;
import org.soardeferred.uws.PollSchedule;
import org.soardeferred.uws.UwsJobReader;

/**
 * Binds the beans the routes call, each built from the {@code soar.*} configuration. The routes refer to them
 * by name: {@code soarSession}, {@code soarUrls}, {@code soarCookies}, {@code jobStore}, {@code queryFileReader},
 * {@code queryFiles}, {@code followers}, {@code uwsJobReader}, {@code sentRequests}, {@code soarReplies}, {@code soarLogout},
 * {@code outboxes}, {@code resultDownload}, {@code pendingAborts}, {@code abandonedUploads}, {@code pollSchedules},
 * {@code soarMetrics}, {@code apiRequests}, {@code apiAuth}, {@code mirrors},
 * {@code tapReplies}, {@code timerRequest}, {@code inboxLocks}, {@code console}. In cluster mode (soar.cluster.enabled) it also puts
 * Quartz on the shared PostgreSQL database; the mirrors' schedules are added from routes/mirror.camel.yaml's template.
 */
public class SoarConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SoarConfiguration.class);

    @Override
    public void configure(CamelContext context) {
        Settings s = new Settings(context);
        Registry r = context.getRegistry();

        SoarUrls urls = new SoarUrls(s.get("soar.base-url"), hosts(s.get("soar.attach.allowed-hosts", "")));
        SoarSession session = new SoarSession(s.get("soar.username", ""), s.get("soar.password", ""), urls.host());
        if (!session.hasCredentials()) {
            LOG.warn(new org.soardeferred.soar.MissingCredentialsException().getMessage());
        }
        Path dataDir = Path.of(s.get("soar.data-dir")).toAbsolutePath();
        String dbUrl = s.get("soar.db.url", "");
        if (dbUrl.isBlank()) {
            // WRITE_DELAY=0: every commit reaches the file at once, so a kill -9 loses no recorded step;
            // DB_CLOSE_ON_EXIT=FALSE: the store stays open while Camel shuts down and records the last steps
            dbUrl = "jdbc:h2:file:" + dataDir.resolve("jobs") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        }
        HikariConfig db = new HikariConfig();
        db.setPoolName("soar-jobs");
        db.setJdbcUrl(dbUrl);
        db.setUsername(s.get("soar.db.user", ""));
        db.setPassword(s.get("soar.db.password", ""));
        db.setMaximumPoolSize(10);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(db);
        } catch (RuntimeException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IllegalStateException("The job store " + dbUrl.replaceAll("[;?].*", "") + " cannot be opened: " + why
                    + (why != null && why.contains("already in use") ? " (is the service running on the same soar.data-dir?)" : ""), e);
        }
        boolean cluster = Boolean.parseBoolean(s.get("soar.cluster.enabled", "false").strip());
        if (cluster && !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("soar.cluster.enabled needs a job store every node reaches: set soar.db.url "
                    + "to a PostgreSQL database (jdbc:postgresql://…), not " + dbUrl.replaceAll("[;?].*", ""));
        }
        String node = nodeId(s);
        JobStore store = new JobStore(pool, node, s.duration("soar.cluster.lease"), cluster);
        if (cluster) {
            org.soardeferred.store.ClusterSupport.clusterQuartz(context, pool, s.get("soar.db.url"), s.get("soar.db.user", ""),
                    s.get("soar.db.password", ""), node);
        }
        // the inbox's read locks: shared by every node in a cluster (a file in a shared inbox is taken by one node)
        if (cluster && "changed".equals(s.get("soar.inbox.read-lock", "changed").strip())) {
            context.getPropertiesComponent().addOverrideProperty("soar.inbox.read-lock", "idempotent-changed");
        }
        r.bind("inboxLocks", cluster ? org.soardeferred.store.ClusterSupport.inboxLocks(pool)
                : org.apache.camel.support.processor.idempotent.MemoryIdempotentRepository.memoryIdempotentRepository(10_000));
        var mirrorDefinitions = org.soardeferred.mirror.MirrorDefinitions.load(Path.of(s.get("soar.mirrors", "config/mirrors.yaml")));
        org.soardeferred.store.PendingAborts pendingAborts = new org.soardeferred.store.PendingAborts(pool);
        Outboxes outboxes = outboxes(context, s, org.soardeferred.mirror.Mirrors.targets(mirrorDefinitions.values()),
                pendingAborts);
        Outbox outbox = outboxes.standard();

        r.bind("soarUrls", urls);
        r.bind("soarSession", session);
        r.bind("soarCookies", session.cookieStore());
        r.bind("jobStore", store);
        r.bind("queryFileReader", new QueryFileReader(Long.parseLong(s.get("soar.inbox.max-file-size"))));
        QueryFiles queryFiles = new QueryFiles(Path.of(s.get("soar.inbox")), store);
        r.bind("queryFiles", queryFiles);
        r.bind("followers", new Followers(store, queryFiles, outboxes, s.get("soar.resubmit")));
        UwsJobReader uwsJobReader = new UwsJobReader();
        r.bind("uwsJobReader", uwsJobReader);
        r.bind("sentRequests", new org.soardeferred.soar.SentRequests(uwsJobReader, s.duration("soar.submit.clock-skew"),
                store::followsRemoteJob));
        r.bind("soarReplies", new SoarReplies(s.duration("soar.retry.max-delay")));
        r.bind("transientRetries", transientRetries(s));
        // retries are the routes' business (counted, logged, with back-off): HttpClient makes none of its own
        r.bind("soarHttpClient", (HttpClientConfigurer) builder -> builder.disableAutomaticRetries()
                .setUserAgent("soar-deferred/" + version()));
        r.bind("soarLogout", (Processor) exchange -> {
            LOG.warn("SOAR no longer accepts the session; logging in again");
            session.logout();
        });
        r.bind("outboxes", outboxes);
        r.bind("pendingAborts", pendingAborts);
        r.bind("abandonedUploads", new org.soardeferred.transfer.AbandonedUploads(outboxes, store, s.duration("soar.s3.orphan-age")));
        SoarMetrics metrics = new SoarMetrics(context, store);
        ResultDownload.Segments segments = segments(context, s, session);
        metrics.connections(segments.hosts()::inUse);
        ResultDownload downloads = new ResultDownload(outboxes, store, urls, s.duration("soar.progress.interval"),
                hosts(s.get("soar.result.allowed-hosts", "")), metrics, segments);
        r.bind("resultDownload", downloads);
        r.bind("pollSchedules", new PollSchedules(s.duration("soar.poll.delay"), s.duration("soar.poll.max-delay"),
                s.duration("soar.poll.timeout"), s.duration("soar.poll.wait"), metrics));
        r.bind("soarMetrics", metrics);
        r.bind("jobLog", new org.soardeferred.observe.JobLog());
        r.bind("apiRequests", new ApiRequests(store, outboxes, downloads));
        org.soardeferred.mirror.Mirrors mirrors = new org.soardeferred.mirror.Mirrors(mirrorDefinitions,
                new org.soardeferred.mirror.MirrorStore(pool), store, outboxes, node,
                s.duration("soar.mirror.overlap"), Integer.parseInt(s.get("soar.mirror.page-size").strip()));
        r.bind("mirrors", mirrors);
        r.bind("tapReplies", new org.soardeferred.mirror.TapReplies());
        r.bind("timerRequest", new org.soardeferred.request.TimerRequest(s.get("soar.timer.name", "timer"),
                s.get("soar.timer.request", ""), s.get("soar.timer.product-type", ""), s.get("soar.timer.retrieval-type", ""),
                Long.parseLong(s.get("soar.inbox.max-file-size"))));
        scheduleMirrors(context, mirrors);
        r.bind("apiAuth", new ApiRequests.Auth(s.get("soar.http.token", "")));
        // job transitions become events (soar.events.uri) and metrics; a finished job's transfer is forgotten
        JobEvents events = new JobEvents(context, metrics, outboxes);
        store.onChange(events::changed);
        store.onChange(job -> {
            if (job.status.isFinished()) {
                downloads.forget(job.id);
            }
        });
        context.getManagementStrategy().addEventNotifier(new org.apache.camel.support.EventNotifierSupport() {
            @Override
            public void notify(org.apache.camel.spi.CamelEvent event) {
                if (event instanceof org.apache.camel.spi.CamelEvent.ExchangeRedeliveryEvent e) {
                    metrics.retried(e.getExchange().getFromRouteId());
                }
            }
        });
        String broker = s.get("soar.jms.broker-url", "").strip();
        if (!broker.isEmpty()) {
            // the jms component of soar.trigger.uri / soar.events.uri = jms:queue:... talks to this broker
            context.getComponent("jms", org.apache.camel.component.jms.JmsComponent.class).setConnectionFactory(
                    new org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory(broker,
                            emptyToNull(s.get("soar.jms.user", "")), emptyToNull(s.get("soar.jms.password", ""))));
        }
        SoarHealth.JobStoreCheck storeCheck = new SoarHealth.JobStoreCheck(store);
        SoarHealth.SoarCheck soarCheck = new SoarHealth.SoarCheck(urls.base(), session, s.duration("soar.health.soar-check-interval"));
        storeCheck.setCamelContext(context);
        soarCheck.setCamelContext(context);
        r.bind("console", new org.soardeferred.api.Console(store, metrics.throughput(), outboxes, soarCheck, storeCheck));
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(storeCheck);
            health.register(soarCheck);
            try {
                context.addStartupListener((c, alreadyStarted) -> SoarHealth.excludeRoutesOffByConfiguration(c));
            } catch (Exception e) {
                throw new IllegalStateException("The health checks cannot be set up: " + e.getMessage(), e);
            }
        }
        context.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext c) {
                pool.close();
            }
        });
        if (cluster) {
            LOG.info("Cluster mode: node '{}', leases of {} in {}", node, s.get("soar.cluster.lease"), dbUrl.replaceAll("[;?].*", ""));
        }
        LOG.info("SOAR at {} as {}; inbox {}, packages to {}, job store {}", urls.base(),
                session.hasCredentials() ? "'" + session.username() + "'" : "(no credentials)",
                Path.of(s.get("soar.inbox")).toAbsolutePath(), outbox, dbUrl.replaceAll("[;?].*", ""));
    }

    /**
     * One Quartz route per scheduled mirror, from the mirror-schedule template of routes/mirror.camel.yaml, added
     * once the routes are loaded.
     */
    private static void scheduleMirrors(CamelContext context, org.soardeferred.mirror.Mirrors mirrors) {
        try {
            context.addStartupListener(new org.apache.camel.StartupListener() {
                @Override
                public void onCamelContextStarted(CamelContext c, boolean alreadyStarted) {
                }

                @Override
                public void onCamelContextFullyStarted(CamelContext c, boolean alreadyStarted) throws Exception {
                    for (var d : mirrors.definitions()) {
                        if (d.schedule() == null) {
                            LOG.info("Mirror {}: no schedule; it runs when asked", d.name());
                            continue;
                        }
                        c.addRouteFromTemplate("mirror-" + d.name(), "mirror-schedule",
                                java.util.Map.of("mirror", d.name(), "cron", d.schedule().replace(' ', '+')));
                        LOG.info("Mirror {}: scheduled at '{}' to {}", d.name(), d.schedule(),
                                d.target() == null ? "the service's target" : d.target() + (d.extract() ? " (unpacked)" : ""));
                    }
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("The mirrors cannot be scheduled: " + e.getMessage(), e);
        }
    }

    /** This instance's name in the job store (leases, mirror runs): soar.node.id, or the host name. */
    static String nodeId(Settings s) {
        String id = s.get("soar.node.id", "").strip();
        if (!id.isEmpty()) {
            return id;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    /**
     * Where packages and manifests go: the service's own target (soar.target, or the soar.outbox folder) and the
     * targets a request may name (soar.targets.allowed). S3 targets go through camel-aws2-s3, its component configured
     * from soar.s3.* (the endpoint override uses path-style access unless told otherwise; without soar.s3.access-key
     * the AWS default credentials chain is used).
     */
    private static Outboxes outboxes(CamelContext context, Settings s, java.util.List<String> mirrorTargets,
                                     org.soardeferred.store.PendingAborts pendingAborts) {
        String target = s.get("soar.target", "").strip();
        java.util.Set<String> allowed = new java.util.LinkedHashSet<>();
        for (String t : s.get("soar.targets.allowed", "").split(",")) {
            if (!t.isBlank()) {
                allowed.add(t.strip());
            }
        }
        java.util.function.Function<String, Outbox> make = t -> {
            if (t.startsWith("s3://")) {
                return new Outbox(new org.soardeferred.transfer.S3Target(context, t, s3PartSize(s),
                        Durations.parseSize("soar.s3.copy-part-size", s.get("soar.s3.copy-part-size")),
                        Integer.parseInt(s.get("soar.s3.parts-in-flight", "2").strip()), pendingAborts));
            }
            if (t.contains("://")) {
                throw new IllegalArgumentException("the target '" + t + "' is not supported: give s3://BUCKET/PREFIX or a folder");
            }
            return new Outbox(Path.of(t));
        };
        if (target.contains("://") && !target.startsWith("s3://")) {
            throw new IllegalArgumentException("soar.target '" + target + "' is not supported: leave it empty for the "
                    + "outbox folder (soar.outbox), or give s3://BUCKET/PREFIX");
        }
        if (target.startsWith("s3://") || allowed.stream().anyMatch(t -> t.startsWith("s3://"))
                || mirrorTargets.stream().anyMatch(t -> t.startsWith("s3://"))) {
            configureS3(context, s);
        }
        Outbox standard = make.apply(target.isEmpty() ? s.get("soar.outbox") : target);
        allowed.forEach(make::apply); // a wrong one is reported at start-up, not when a request names it
        mirrorTargets.forEach(make::apply);
        return new Outboxes(standard, allowed, new java.util.HashSet<>(mirrorTargets), make);
    }

    private static void configureS3(CamelContext context, Settings s) {
        org.apache.camel.component.aws2.s3.AWS2S3Configuration c = context
                .getComponent("aws2-s3", org.apache.camel.component.aws2.s3.AWS2S3Component.class).getConfiguration();
        c.setAmazonS3Client(s3Client(s));
        String storageClass = s.get("soar.s3.storage-class", "").strip();
        if (!storageClass.isEmpty()) {
            c.setStorageClass(storageClass);
        }
        String sse = s.get("soar.s3.server-side-encryption", "").strip();
        switch (sse.toLowerCase(java.util.Locale.ROOT)) {
            case "", "none" -> { }
            case "aes256", "sse-s3" -> c.setUseSSES3(true);
            case "aws:kms", "sse-kms" -> {
                c.setUseAwsKMS(true);
                String key = s.get("soar.s3.kms-key-id", "").strip();
                c.setAwsKMSKeyId(key.isEmpty() ? null : key);
            }
            default -> throw new IllegalArgumentException("soar.s3.server-side-encryption '" + sse
                    + "' is not AES256, aws:kms or empty");
        }
    }

    private static long s3PartSize(Settings s) {
        long partSize = Durations.parseSize("soar.s3.part-size", s.get("soar.s3.part-size"));
        if (partSize > (1L << 30)) {
            throw new IllegalArgumentException("soar.s3.part-size must be at most 1GB (a part is held in memory while it is sent)");
        }
        return partSize;
    }

    /**
     * Segmented downloads: soar.fetch.connections per result, in pieces of soar.fetch.piece-size, never more than
     * soar.fetch.max-connections-per-host to one host across all downloads; the extra connections share SOAR's
     * cookie store (which gives the session to SOAR's host only).
     */
    private static ResultDownload.Segments segments(CamelContext context, Settings s, SoarSession session) {
        int connections = Integer.parseInt(s.get("soar.fetch.connections", "4").strip());
        int perHost = Integer.parseInt(s.get("soar.fetch.max-connections-per-host", "8").strip());
        long pieceSize = Durations.parseSize("soar.fetch.piece-size", s.get("soar.fetch.piece-size", "16MB"));
        if (connections < 1 || pieceSize < 64 * 1024) {
            throw new IllegalArgumentException("soar.fetch.connections must be at least 1 (is " + connections
                    + ") and soar.fetch.piece-size at least 64KB (is " + pieceSize + ")");
        }
        org.soardeferred.transfer.PieceFetcher fetcher = new org.soardeferred.transfer.PieceFetcher(session.cookieStore(), perHost,
                java.time.Duration.ofMillis(Long.parseLong(s.get("camel.component.http.connect-timeout", "30000").strip())),
                java.time.Duration.ofMillis(Long.parseLong(s.get("camel.component.http.so-timeout", "300000").strip())),
                "soar-deferred/" + version());
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "soar-piece-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        context.addLifecycleStrategy(new org.apache.camel.support.LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext c) {
                threads.shutdownNow();
                fetcher.close();
            }
        });
        return new ResultDownload.Segments(connections, pieceSize,
                new org.soardeferred.transfer.HostConnections(perHost), fetcher, threads);
    }

    private static java.util.Set<String> hosts(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::strip).filter(h -> !h.isEmpty())
                .map(h -> h.toLowerCase(java.util.Locale.ROOT)).collect(java.util.stream.Collectors.toSet());
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    static String version() {
        // the jar's manifest; in the container image (classes and libraries, no jar) -Dsoar.version
        String v = SoarConfiguration.class.getPackage().getImplementationVersion();
        return v == null ? System.getProperty("soar.version", "dev") : v;
    }

    /**
     * The S3 client of the component (and of the multipart uploads): region, endpoint override with path-style
     * access, static credentials or the AWS default chain. With an endpoint override (MinIO, Ceph, S3Proxy, ...)
     * checksums are sent only where S3 requires them: the SDK's newer default (aws-chunked uploads with trailing
     * checksums) is not understood by every S3-compatible store, and TLS and the part ETags protect the bytes.
     */
    private static software.amazon.awssdk.services.s3.S3Client s3Client(Settings s) {
        var b = software.amazon.awssdk.services.s3.S3Client.builder()
                .region(software.amazon.awssdk.regions.Region.of(s.get("soar.s3.region", "us-east-1")));
        String endpoint = s.get("soar.s3.endpoint", "").strip();
        String pathStyle = s.get("soar.s3.path-style", "").strip();
        b.forcePathStyle(pathStyle.isEmpty() ? !endpoint.isEmpty() : Boolean.parseBoolean(pathStyle));
        if (!endpoint.isEmpty()) {
            b.endpointOverride(java.net.URI.create(endpoint));
            b.requestChecksumCalculation(software.amazon.awssdk.core.checksums.RequestChecksumCalculation.WHEN_REQUIRED);
            b.responseChecksumValidation(software.amazon.awssdk.core.checksums.ResponseChecksumValidation.WHEN_REQUIRED);
        }
        String accessKey = s.get("soar.s3.access-key", "").strip();
        b.credentialsProvider(accessKey.isEmpty()
                ? software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider.builder().build()
                : software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(accessKey, s.get("soar.s3.secret-key", ""))));
        return b.build();
    }

    /** Retries of a step whose fault may pass: exponential back-off with jitter, no thread held while waiting. */
    private static RedeliveryPolicy transientRetries(Settings s) {
        RedeliveryPolicy p = new RedeliveryPolicy();
        p.setMaximumRedeliveries(Integer.parseInt(s.get("soar.retry.max-attempts")));
        p.setRedeliveryDelay(s.duration("soar.retry.delay").toMillis());
        p.setMaximumRedeliveryDelay(s.duration("soar.retry.max-delay").toMillis());
        p.setUseExponentialBackOff(true);
        p.setBackOffMultiplier(2);
        p.setUseCollisionAvoidance(true);
        p.setCollisionAvoidanceFactor(0.25);
        p.setAsyncDelayedRedelivery(true);
        p.setRetryAttemptedLogLevel(LoggingLevel.WARN);
        p.setLogStackTrace(false);
        p.setLogRetryStackTrace(false);
        return p;
    }

    /** Makes a fresh poll schedule per job from the configured delays. */
    public record PollSchedules(java.time.Duration delay, java.time.Duration maxDelay, java.time.Duration timeout,
                                java.time.Duration maxWait, SoarMetrics metrics) {
        public PollSchedule start(String jobUrl) {
            return new PollSchedule(jobUrl, delay, maxDelay, timeout, maxWait);
        }

        public void observe(PollSchedule schedule, org.soardeferred.store.JobRecord job, org.soardeferred.uws.UwsJob uws) {
            metrics.polled();
            if (job.request.jobUrl() != null && uws.phase() == org.soardeferred.uws.Phase.PENDING) {
                throw new PollSchedule.PendingJobException("the job " + job.jobUrl + " is PENDING: it waits for its owner to "
                        + "start it (PHASE=RUN); soar-deferred does not start jobs it did not create");
            }
            schedule.observe(uws);
        }
    }

    /** Reads soar.* keys through Camel's property placeholders (so env vars like SOAR_BASE_URL override). */
    private record Settings(CamelContext context) {
        String get(String key) {
            return context.resolvePropertyPlaceholders("{{" + key + "}}");
        }

        String get(String key, String defaultValue) {
            return context.resolvePropertyPlaceholders("{{" + key + ":" + defaultValue + "}}");
        }

        java.time.Duration duration(String key) {
            return Durations.parse(key, get(key));
        }
    }
}
