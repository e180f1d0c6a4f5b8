package org.soardeferred.transfer;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.soardeferred.store.ResultRecord;

/**
 * How long a finished transfer took and its average rate, as the manifest and the API give it: for one result, from
 * when its download was first asked for to when it was verified and published (retries and restarts included, as a
 * user waiting for it lives them); for a job, from its first result's start to its last result's end, with all their
 * bytes. {@code {"startedAt", "finishedAt", "seconds", "bytes", "averageBytesPerSecond"}}.
 */
public final class TransferSummary {

    private TransferSummary() {
    }

    /** The transfer of one result, or null while it is not finished (or was finished before this was recorded). */
    public static Map<String, Object> of(ResultRecord r) {
        if (r.transferStartedAt == null || r.transferFinishedAt == null || r.sha256 == null) {
            return null;
        }
        return summary(Instant.parse(r.transferStartedAt), Instant.parse(r.transferFinishedAt), r.bytes);
    }

    /** The transfer of all of a job's results, or null while any of them is not finished. */
    public static Map<String, Object> of(List<ResultRecord> results) {
        if (results.isEmpty()) {
            return null;
        }
        Instant start = null;
        Instant end = null;
        long bytes = 0;
        for (ResultRecord r : results) {
            if (of(r) == null) {
                return null;
            }
            Instant s = Instant.parse(r.transferStartedAt);
            Instant e = Instant.parse(r.transferFinishedAt);
            start = start == null || s.isBefore(start) ? s : start;
            end = end == null || e.isAfter(end) ? e : end;
            bytes += r.bytes;
        }
        return summary(start, end, bytes);
    }

    static Map<String, Object> summary(Instant start, Instant end, long bytes) {
        double seconds = Math.max(0, Duration.between(start, end).toNanos()) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("startedAt", start.toString());
        m.put("finishedAt", end.toString());
        m.put("seconds", Math.round(seconds * 1000) / 1000.0);
        m.put("bytes", bytes);
        m.put("averageBytesPerSecond", seconds > 0 ? Long.valueOf(Math.round(bytes / seconds)) : null);
        return m;
    }
}
