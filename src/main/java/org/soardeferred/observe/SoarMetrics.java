package org.soardeferred.observe;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;

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
public class SoarMetrics {

    private final CamelContext context;
    private final JobStore store;
    private volatile MeterRegistry registry;
    private final Map<String, Counter> retries = new ConcurrentHashMap<>();

    public SoarMetrics(CamelContext context, JobStore store) {
        this.context = context;
        this.store = store;
    }

    /** Camel's registry once the context has made it (metrics enabled), else one that only counts in memory. */
    MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            synchronized (this) {
                if (registry == null) {
                    MeterRegistry found = context.getRegistry().findSingleByType(MeterRegistry.class);
                    registry = found != null ? found : new SimpleMeterRegistry();
                    registerGauges(registry);
                }
                r = registry;
            }
        }
        return r;
    }

    private void registerGauges(MeterRegistry r) {
        // read from the store at each scrape: right on every node, after restarts too
        for (JobStatus s : JobStatus.values()) {
            Gauge.builder("soar.jobs", store, st -> st.countByStatus().get(s)).tag("status", s.name())
                    .description("Jobs in the store by status").register(r);
        }
    }

    public void submitted() {
        Counter.builder("soar.submits").description("DEFERRED requests sent to SOAR").register(registry()).increment();
    }

    public void polled() {
        Counter.builder("soar.polls").description("Polls of UWS jobs").register(registry()).increment();
    }

    public void retried(String routeId) {
        retries.computeIfAbsent(routeId == null ? "unknown" : routeId, id -> Counter.builder("soar.retries").tag("route", id)
                .description("Steps retried after a fault that may pass").register(registry())).increment();
    }

    public void downloaded(long bytes) {
        Counter.builder("soar.downloaded.bytes").baseUnit("bytes").description("Package bytes received")
                .register(registry()).increment(bytes);
    }

    public void transfer(long bytes, Duration took) {
        DistributionSummary.builder("soar.download.rate").baseUnit("bytes_per_second")
                .description("Throughput of each package transfer").register(registry())
                .record(bytes / Math.max(1e-3, took.toNanos() / 1e9));
    }

    public void completed(JobRecord job) {
        Timer.builder("soar.job.completed").description("From acceptance to COMPLETED on the server")
                .register(registry()).record(Duration.between(job.createdAt, Instant.now()));
    }

    public void delivered(JobRecord job) {
        Timer.builder("soar.job.delivered").description("From acceptance to delivered")
                .register(registry()).record(Duration.between(job.createdAt, Instant.now()));
    }

    public void failed(JobRecord job) {
        Counter.builder("soar.jobs.failed").tag("cause", job.errorKind == null ? "OTHER" : job.errorKind.name())
                .description("Jobs that failed, by cause").register(registry()).increment();
    }
}
