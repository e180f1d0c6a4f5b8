package org.soardeferred.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.soardeferred.common.Durations;
import org.soardeferred.store.JobRecord;
import org.soardeferred.store.JobStatus;
import org.soardeferred.store.JobStore;
import org.soardeferred.store.ResultRecord;
import org.soardeferred.transfer.Outboxes;

/**
 * Follows a job from the job store until it is finished, and shows it: the phase and elapsed time as they
 * change; while downloading, a progress bar (bytes, percent, rate, ETA) on a terminal, or a plain line every
 * few seconds when the output is not a terminal. The bytes and connections come from the download under way in
 * this process; once it is over, from the target (the package's .part file, or the S3 upload in progress).
 */
final class JobWatcher {

    private final JobStore store;
    private final Outboxes outboxes;
    /** A job's download under way in this process (ResultDownload.live), or null. */
    private final java.util.function.Function<String, Map<String, Object>> live;
    private final PrintStream out;
    private final boolean terminal;
    private final Duration plainInterval;

    JobWatcher(JobStore store, Outboxes outboxes, java.util.function.Function<String, Map<String, Object>> live, PrintStream out,
               boolean terminal, Duration plainInterval) {
        this.store = store;
        this.outboxes = outboxes;
        this.live = live;
        this.out = out;
        this.terminal = terminal;
        this.plainInterval = plainInterval;
    }

    JobRecord watch(String jobId) throws InterruptedException {
        long started = System.nanoTime();
        String lastPhase = null;
        Map<String, Progress> progress = new HashMap<>();
        while (true) {
            JobRecord job = store.find(jobId).orElseThrow(() -> new IllegalStateException("job " + jobId + " vanished"));
            String phase = job.phase == null ? job.status.name() : job.phase;
            if (!phase.equals(lastPhase)) {
                out.printf("[%s] %s: %s%s%n", clock(started), job.name, phase,
                        job.remoteJobId == null ? "" : " (SOAR job " + job.remoteJobId + ")");
                lastPhase = phase;
            }
            if (job.status == JobStatus.FETCHING || job.status.isFinished()) {
                for (ResultRecord r : job.results) {
                    if (r.file != null) {
                        progress.computeIfAbsent(r.file, f -> new Progress(r)).show(job, r);
                    }
                }
            }
            if (job.status.isFinished()) {
                progress.values().forEach(Progress::close);
                return job;
            }
            Thread.sleep(250);
        }
    }

    private static String clock(long startedNanos) {
        long s = (System.nanoTime() - startedNanos) / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** The download of one result, measured from its file on disk. */
    private final class Progress {
        private final ProgressBar bar;
        private final long startNanos = System.nanoTime();
        private long startBytes = -1;
        private long nextLine = System.nanoTime();
        private long last;
        private int connections = 1;

        Progress(ResultRecord r) {
            bar = terminal ? new ProgressBarBuilder().setTaskName(r.file).setInitialMax(r.size == null ? -1 : r.size)
                    .setUnit("MB", 1_000_000).showSpeed().setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(out)).setUpdateIntervalMillis(200)
                    .continuousUpdate().build() : null;
        }

        void show(JobRecord job, ResultRecord r) {
            Map<String, Object> transfer = r.sha256 != null ? null : live.apply(job.id);
            long bytes;
            if (transfer != null && r.id.equals(transfer.get("result"))) {
                // a segmented download's part file has holes: the download itself says what is stored
                bytes = Math.max(last, ((Number) transfer.get("bytesDone")).longValue());
                connections = ((Number) transfer.getOrDefault("connections", 1)).intValue();
            } else {
                bytes = r.sha256 != null ? r.bytes : r.pieces != null ? last : Math.max(last, outboxes.of(job).progress(r));
            }
            if (startBytes < 0) {
                startBytes = bytes;
            }
            last = bytes;
            if (bar != null) {
                bar.stepTo(bytes);
                bar.setExtraMessage(connections > 1 && r.sha256 == null ? connections + " connections" : "");
                return;
            }
            long now = System.nanoTime();
            if (now >= nextLine || r.sha256 != null) {
                nextLine = now + plainInterval.toNanos();
                out.println(line(r, bytes, now));
            }
        }

        private String line(ResultRecord r, long bytes, long now) {
            double seconds = Math.max(1e-3, (now - startNanos) / 1e9);
            double rate = (bytes - startBytes) / seconds;
            StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "  %s: %s", r.file, mb(bytes)));
            if (r.size != null && r.size > 0) {
                s.append(String.format(Locale.ROOT, " of %s (%.1f%%)", mb(r.size), 100.0 * bytes / r.size));
            }
            s.append(String.format(Locale.ROOT, ", %.1f MB/s", rate / 1e6));
            if (connections > 1 && r.sha256 == null) {
                s.append(" over ").append(connections).append(" connections");
            }
            if (r.sha256 != null) {
                s.append(", done");
            } else if (r.size != null && rate > 0) {
                s.append(", ETA ").append(Durations.format(Duration.ofMillis((long) ((r.size - bytes) / rate * 1000))));
            }
            return s.toString();
        }

        void close() {
            if (bar != null) {
                bar.close();
            }
        }
    }

    private static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }
}
