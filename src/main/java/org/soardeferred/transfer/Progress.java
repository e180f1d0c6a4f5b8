package org.soardeferred.transfer;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.soardeferred.common.Durations;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * Tracks a download: bytes for the metrics at each read, a snapshot for the API, and a log line at most once per
 * soar.progress.interval (bytes, percent when the size is known, rate, ETA, connections); its time and CPU.
 */
final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(ResultDownload.class);
    /** CPU time of the whole process (the download, the digest on its own core, GC): what a transfer costs the machine. */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private final JobRecord job;
    private final ResultRecord result;
    private final long offset;
    private final Long total;
    private final Duration interval;
    private final TransferMeter meter;
    private final long start = System.nanoTime();
    private final long cpuStart = OS.getProcessCpuTime();
    private long nextLog;
    private volatile long count;
    /** Connections the download has open now (one stream: 1). */
    private volatile IntSupplier connections = () -> 1;

    /**
     * @param offset bytes stored before this download
     * @param total  the package's size, when known
     */
    Progress(JobRecord job, ResultRecord result, long offset, Long total, Duration interval, TransferMeter meter) {
        this.job = job;
        this.result = result;
        this.interval = interval;
        this.nextLog = start + interval.toNanos();
        this.offset = offset;
        this.total = total;
        this.meter = meter;
    }

    void connections(IntSupplier open) {
        connections = open;
    }

    /** The download has received {@code newCount} bytes so far. */
    synchronized void update(long newCount) {
        meter.downloaded(newCount - count);
        count = newCount;
        long now = System.nanoTime();
        if (now < nextLog) {
            return;
        }
        nextLog = now + interval.toNanos();
        long done = offset + newCount;
        double perSecond = perSecond(now);
        String eta = total == null || perSecond <= 0 ? "" : ", ETA " + Durations.format(
                Duration.ofMillis((long) ((total - done) / perSecond * 1000)));
        String of = total == null ? "" : String.format(Locale.ROOT, " of %d (%.1f%%)", total, 100.0 * done / total);
        int n = connections.getAsInt();
        LOG.info("{}: {} {} bytes{} at {}{}{}", job, result.file, done, of, rate(newCount, now - start), eta,
                n > 1 ? " over " + n + " connections" : "");
    }

    private double perSecond(long now) {
        return count / Math.max(1e-9, (now - start) / 1e9);
    }

    /** Bytes done and total, rate, ETA and connections, for the API and the CLI. */
    Map<String, Object> snapshot() {
        double perSecond = perSecond(System.nanoTime());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("result", result.id);
        m.put("file", result.file);
        m.put("bytesDone", offset + count);
        m.put("bytesTotal", total);
        m.put("bytesPerSecond", Math.round(perSecond));
        m.put("etaSeconds", total == null || perSecond <= 0 ? null : Math.round((total - offset - count) / perSecond));
        m.put("connections", connections.getAsInt());
        return m;
    }

    /** Time since the download started. */
    long nanos() {
        return System.nanoTime() - start;
    }

    /** CPU seconds the process used since the download started. */
    double cpuSeconds() {
        return (OS.getProcessCpuTime() - cpuStart) / 1e9;
    }

    static String rate(long bytes, long nanos) {
        return String.format(Locale.ROOT, "%.1f MB/s", bytes / 1e6 / Math.max(1e-9, nanos / 1e9));
    }
}
