package org.soardeferred.simulator;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of the link the simulator's results are served over, the same on both of its listeners (the JDK HTTP
 * server and the sendfile one): a rate per download connection (one response body), an optional total rate that
 * all connections share, an optional limit of concurrent result downloads per client (answered 503 with
 * {@code Retry-After: 1} beyond it), whether Range requests are honoured, whether {@code Accept-Ranges} and
 * {@code Content-Length} are sent; and the bytes of results sent, in all and per job.
 */
final class LinkShape {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d{1,18})-(\\d{0,18})");

    /** Bytes per second of one download connection; 0: as fast as possible. */
    private volatile long ratePerConnection;
    /** Bytes per second of all download connections together; 0: no limit. */
    private volatile long totalRate;
    /** Concurrent result downloads per client (session); 0: no limit. */
    private volatile int maxConnections;
    private volatile boolean ignoreRange;
    private volatile boolean omitAcceptRanges;
    private volatile boolean omitContentLength;
    /** When (System.nanoTime) the total rate has sent every byte booked so far. Guarded by this. */
    private long totalBookedUntil = Long.MIN_VALUE;
    private final Map<String, AtomicInteger> downloading = new ConcurrentHashMap<>();
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicInteger peak = new AtomicInteger();
    private final Map<String, AtomicLong> bytesSentByJob = new ConcurrentHashMap<>();

    void ratePerConnection(long bytesPerSecond) {
        this.ratePerConnection = Math.max(0, bytesPerSecond);
    }

    long ratePerConnection() {
        return ratePerConnection;
    }

    void totalRate(long bytesPerSecond) {
        this.totalRate = Math.max(0, bytesPerSecond);
    }

    long totalRate() {
        return totalRate;
    }

    void maxConnections(int n) {
        this.maxConnections = Math.max(0, n);
    }

    int maxConnections() {
        return maxConnections;
    }

    boolean ignoresRange() {
        return ignoreRange;
    }

    void ignoreRange(boolean on) {
        this.ignoreRange = on;
    }

    void omitAcceptRanges(boolean on) {
        this.omitAcceptRanges = on;
    }

    void omitContentLength(boolean on) {
        this.omitContentLength = on;
    }

    boolean sendsAcceptRanges() {
        return !omitAcceptRanges;
    }

    boolean sendsContentLength() {
        return !omitContentLength;
    }

    /** Back to a link without limits (the counters stay). */
    void reset() {
        ratePerConnection = 0;
        totalRate = 0;
        maxConnections = 0;
        ignoreRange = false;
        omitAcceptRanges = false;
        omitContentLength = false;
    }

    // ------------------------------------------------------------------ ranges

    /** The bytes a response carries: {@code first} to {@code last} inclusive; {@code partial} for a 206. */
    record Span(long first, long last, boolean partial) {
        long length() {
            return last - first + 1;
        }
    }

    /**
     * What a request's Range header asks of a body of {@code size} bytes: the whole body (no Range, one this link
     * does not use: several ranges, a suffix, a malformed one, or any while Range is ignored), the bytes from A to B
     * ({@code bytes=A-B}, B cut to the end) or from A ({@code bytes=A-}); null when A is at or past the end (416).
     */
    Span span(String range, long size) {
        Span whole = new Span(0, size - 1, false);
        Matcher m = range == null || ignoreRange ? null : RANGE.matcher(range.strip());
        if (m == null || !m.matches()) {
            return whole;
        }
        long first = Long.parseLong(m.group(1));
        long last = m.group(2).isEmpty() ? size - 1 : Math.min(size - 1, Long.parseLong(m.group(2)));
        if (!m.group(2).isEmpty() && Long.parseLong(m.group(2)) < first) {
            return whole; // B before A: not a valid range, ignored (RFC 9110)
        }
        return first >= size ? null : new Span(first, last, true);
    }

    // ------------------------------------------------------------------ the connection limit

    /**
     * Takes one of the client's download connections; false when it has {@link #maxConnections} already (the
     * request is then answered 503 with {@code Retry-After: 1}). A true answer is given back by {@link #release}.
     */
    boolean acquire(String client) {
        AtomicInteger n = downloading.computeIfAbsent(client, c -> new AtomicInteger());
        int limit = maxConnections;
        int now = n.incrementAndGet();
        if (now > limit && limit > 0) {
            n.decrementAndGet();
            return false;
        }
        peak.accumulateAndGet(downloading(), Math::max);
        return true;
    }

    /** The most result downloads served at once, of every client, since the simulator started. */
    int peak() {
        return peak.get();
    }

    void release(String client) {
        downloading.get(client).decrementAndGet();
    }

    /** Result downloads under way now, of every client. */
    int downloading() {
        return downloading.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    // ------------------------------------------------------------------ counters

    /** Counts bytes of a result body that went out to a client. */
    void sent(String jobId, long bytes) {
        bytesSent.addAndGet(bytes);
        bytesSentByJob.computeIfAbsent(jobId, j -> new AtomicLong()).addAndGet(bytes);
    }

    long bytesSent() {
        return bytesSent.get();
    }

    long bytesSent(String jobId) {
        AtomicLong n = bytesSentByJob.get(jobId);
        return n == null ? 0 : n.get();
    }

    // ------------------------------------------------------------------ pacing

    /** The pacing of one download connection, started now. */
    Pace pace() {
        return new Pace(System.nanoTime());
    }

    /**
     * One connection's pace: its n-th byte is not due before {@code started + n / rate per connection}, and every
     * chunk also books its time on the total rate that all connections share, so together they never send faster.
     */
    final class Pace {
        private final long started;
        private long sent;

        Pace(long startedNanos) {
            this.started = startedNanos;
        }

        /** Books {@code bytes} about to be sent (at {@code now}, System.nanoTime) and returns how long to wait first. */
        long delayNanos(long bytes, long now) {
            sent += bytes;
            long due = now;
            long perConnection = ratePerConnection;
            if (perConnection > 0) {
                due = Math.max(due, started + nanosFor(sent, perConnection));
            }
            long total = totalRate;
            if (total > 0) {
                synchronized (LinkShape.this) {
                    totalBookedUntil = Math.max(totalBookedUntil, now) + nanosFor(bytes, total);
                    due = Math.max(due, totalBookedUntil);
                }
            }
            return due - now;
        }

        /** Waits until {@code bytes} more may go out (at once when the link has no rate). */
        void beforeSending(long bytes) {
            long wait = delayNanos(bytes, System.nanoTime());
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    /** Whether a body is paced at all (the sendfile listener then sends it in chunks instead of in one go). */
    boolean paced() {
        return ratePerConnection > 0 || totalRate > 0;
    }

    static long nanosFor(long bytes, long bytesPerSecond) {
        // bytes * 1e9 overflows past 9.2 GB: split into whole seconds and the rest
        return bytes / bytesPerSecond * 1_000_000_000L + bytes % bytesPerSecond * 1_000_000_000L / bytesPerSecond;
    }
}
