package org.soardeferred.observe;

import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Package bytes received by this process, second by second, for the last {@value #SECONDS} seconds (the console's
 * throughput chart), and since midnight UTC (its "bytes today"). Fed at every read of every download,
 * cheap enough for that: one short synchronized add per read.
 */
public class Throughput {

    static final int SECONDS = 600;

    private final Clock clock;
    private final long[] perSecond = new long[SECONDS];
    private final long[] secondOf = new long[SECONDS];
    private LocalDate day;
    private long today;
    private long total;

    public Throughput() {
        this(Clock.systemUTC());
    }

    Throughput(Clock clock) {
        this.clock = clock;
    }

    public synchronized void add(long bytes) {
        long second = clock.millis() / 1000;
        int i = (int) (second % SECONDS);
        if (secondOf[i] != second) {
            secondOf[i] = second;
            perSecond[i] = 0;
        }
        perSecond[i] += bytes;
        LocalDate now = LocalDate.ofEpochDay(Math.floorDiv(second, 86_400L));
        if (!now.equals(day)) {
            day = now;
            today = 0;
        }
        today += bytes;
        total += bytes;
    }

    /**
     * The last {@code minutes} minutes in buckets of {@code step} seconds, oldest first, each as bytes per second over
     * its bucket; the last is the bucket under way, over the seconds it has had so far (so a download that just started
     * shows at once).
     */
    public synchronized Map<String, Object> recent(int minutes, int step) {
        long now = clock.millis() / 1000;
        long current = now - now % step; // the start of the bucket under way
        int buckets = Math.min(SECONDS, minutes * 60) / step;
        List<Long> points = new ArrayList<>();
        for (long start = current - (long) (buckets - 1) * step; start <= current; start += step) {
            long bytes = 0;
            for (long s = start; s < start + step && s <= now; s++) {
                int i = (int) Math.floorMod(s, (long) SECONDS);
                if (secondOf[i] == s) {
                    bytes += perSecond[i];
                }
            }
            points.add(bytes / (start == current ? now - current + 1 : step));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("stepSeconds", step);
        m.put("until", java.time.Instant.ofEpochSecond(now).toString());
        m.put("bytesPerSecond", points);
        return m;
    }

    /** Bytes received since midnight UTC (by this process). */
    public synchronized long today() {
        LocalDate now = LocalDate.now(clock.withZone(ZoneOffset.UTC));
        return now.equals(day) ? today : 0;
    }

    /** Bytes received since the process started. */
    public synchronized long total() {
        return total;
    }
}
