package org.soardeferred.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;

/**
 * The application's own metrics, in the Micrometer registry that Camel exposes on /observe/metrics (Prometheus
 * names in brackets): jobs by status ({@code soar_jobs}), submits ({@code soar_submits_total}), polls
 * ({@code soar_polls_total}), retries by route ({@code soar_retries_total}), bytes downloaded
 * ({@code soar_downloaded_bytes_total}), download throughput ({@code soar_download_rate_bytes_per_second}), time from
 * acceptance to COMPLETED and to delivered ({@code soar_job_completed_seconds}, {@code soar_job_delivered_seconds}),
 * failures by cause ({@code soar_jobs_failed_total}).
 */
public class SoarMetrics implements org.soardeferred.transfer.TransferMeter {

    private final Throughput throughput = new Throughput();

    private final CamelContext context;
    private final JobStore store;
    private volatile Meters meters;
    /** The store's counts, read once per scrape (one query for all the statuses' gauges). */
    private volatile Map<JobStatus, Long> counts;
    private volatile long countedAt;
    /** Download connections open now, across all downloads (set once the downloads exist). */
    private volatile java.util.function.IntSupplier connections = () -> 0;

    public SoarMetrics(CamelContext context, JobStore store) {
        this.context = context;
        this.store = store;
    }

    /** Where the gauge of open download connections ({@code soar_download_connections}) reads from. */
    public void connections(java.util.function.IntSupplier open) {
        this.connections = open;
    }

    /**
     * The meters, made once in Camel's registry when the context has one (metrics enabled), else in one that only
     * counts in memory. Kept here: the download calls {@link #downloaded} at every read.
     */
    private Meters meters() {
        Meters m = meters;
        if (m == null) {
            synchronized (this) {
                if (meters == null) {
                    MeterRegistry found = context.getRegistry().findSingleByType(MeterRegistry.class);
                    meters = new Meters(found != null ? found : new SimpleMeterRegistry());
                }
                m = meters;
            }
        }
        return m;
    }

    private long count(JobStatus s) {
        long now = System.nanoTime();
        if (counts == null || now - countedAt > 1_000_000_000L) {
            counts = store.countByStatus();
            countedAt = now;
        }
        return counts.get(s);
    }

    public void submitted() {
        meters().submits.increment();
    }

    public void polled() {
        meters().polls.increment();
    }

    public void retried(String routeId) {
        Meters m = meters();
        m.retries.computeIfAbsent(routeId == null ? "unknown" : routeId, id -> Counter.builder("soar.retries").tag("route", id)
                .description("Steps retried after a fault that may pass").register(m.registry)).increment();
    }

    @Override
    public void downloaded(long bytes) {
        meters().downloaded.increment(bytes);
        throughput.add(bytes);
    }

    /** Bytes received second by second (the console's chart) and today. */
    public Throughput throughput() {
        return throughput;
    }

    @Override
    public void transfer(long bytes, Duration took) {
        meters().rate.record(bytes / Math.max(1e-3, took.toNanos() / 1e9));
    }

    public void completed(JobRecord job) {
        meters().completed.record(Duration.between(job.createdAt, Instant.now()));
    }

    public void delivered(JobRecord job) {
        meters().delivered.record(Duration.between(job.createdAt, Instant.now()));
    }

    public void failed(JobRecord job) {
        Meters m = meters();
        String cause = job.errorKind == null ? "OTHER" : job.errorKind.name();
        m.failures.computeIfAbsent(cause, c -> Counter.builder("soar.jobs.failed").tag("cause", c)
                .description("Jobs that failed, by cause").register(m.registry)).increment();
    }

    /** The meters of one registry. */
    private final class Meters {
        final MeterRegistry registry;
        final Counter submits;
        final Counter polls;
        final Counter downloaded;
        final DistributionSummary rate;
        final Timer completed;
        final Timer delivered;
        final Map<String, Counter> retries = new ConcurrentHashMap<>();
        final Map<String, Counter> failures = new ConcurrentHashMap<>();

        Meters(MeterRegistry r) {
            registry = r;
            // read from the store at each scrape: right on every node, after restarts too
            for (JobStatus s : JobStatus.values()) {
                Gauge.builder("soar.jobs", SoarMetrics.this, sm -> sm.count(s)).tag("status", s.name())
                        .description("Jobs in the store by status").register(r);
            }
            Gauge.builder("soar.download.connections", SoarMetrics.this, sm -> sm.connections.getAsInt())
                    .description("Download connections open now, across all downloads").register(r);
            submits = Counter.builder("soar.submits").description("DEFERRED requests sent to SOAR").register(r);
            polls = Counter.builder("soar.polls").description("Polls of UWS jobs").register(r);
            downloaded = Counter.builder("soar.downloaded.bytes").baseUnit("bytes").description("Package bytes received").register(r);
            rate = DistributionSummary.builder("soar.download.rate").baseUnit("bytes_per_second")
                    .description("Throughput of each package transfer").register(r);
            completed = Timer.builder("soar.job.completed").description("From acceptance to COMPLETED on the server").register(r);
            delivered = Timer.builder("soar.job.delivered").description("From acceptance to delivered").register(r);
        }
    }
}
