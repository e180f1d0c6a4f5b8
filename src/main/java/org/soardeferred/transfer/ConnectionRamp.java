package org.soardeferred.transfer;

import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How many connections a {@link SegmentedDownload} opens: it starts with one and adds more while each one added
 * raises the total rate, so that a link that limits each connection (SOAR: about 2 MB/s each) gets up to
 * soar.fetch.connections, and a link that does not (loopback, a fast network, a busy machine) keeps to the few
 * that help. Each count is measured over a window (soar.fetch.ramp-window) that opens once all its connections
 * deliver bytes. The connections added are kept when each brought at least half the rate each of the others
 * brings, else the count goes back to what it was and stays there (one more is tried again now and then, as the
 * link may change); while each added brings nearly as much as the others, the count doubles (1, 2, 4, 8, as TCP's
 * slow start), else it grows by one. What is clear sooner is decided after a fifth of the window: a first count
 * that brings soar.fetch.enough-rate or less than a tenth of it (a link that limits each connection, as SOAR's
 * 2 MB/s), and connections added that each bring nearly as much as the others (so such a link gets 8 in a few
 * tenths of a second); anything between (a JVM still compiling its code on a fast link), and that added
 * connections bring too little, is only judged over the whole window.
 * A download that already runs at soar.fetch.enough-rate opens no more: a link
 * that gives one connection that much does not hold it back, and more connections would only share this machine's
 * cores and disk (tried again now and then as well). A 429/503 ends the ramp at the count the server allows. Logged
 * once per download: the count it settled on, and why.
 */
final class ConnectionRamp {

    private static final Logger LOG = LoggerFactory.getLogger(SegmentedDownload.class);
    /** A connection is kept when it adds at least this share of the rate each of the others brings. */
    static final double GAIN = 0.5;
    /** While each connection added brings at least this share, the count doubles. */
    static final double DOUBLE = 0.8;
    /** After settling below the most: one more connection is tried again after this many windows. */
    static final int RETRY_AFTER_WINDOWS = 40;
    /** A clear case (see the class) is decided after 1/EARLY of a window. */
    static final int EARLY = 5;
    /** A first connection below soar.fetch.enough-rate / THROTTLED is on a link that limits each connection. */
    static final int THROTTLED = 10;

    private final String what;
    private final int most;
    private final long window;
    private final long enoughRate;
    private final LongSupplier clock;

    /** Written under this. */
    private volatile int allowed;
    // guarded by this
    private int peak = 1;
    /** The rate with {@code beforeCount} connections, measured before the last ones were added; NaN: none (a first window). */
    private double before = Double.NaN;
    private int beforeCount;
    private long windowStart;
    private long windowBytes;
    /** Connections delivering when the window opened; 0: no window open. */
    private int windowConnections;
    private boolean logged;
    /** Why the count settled, or null while it still changes. */
    private volatile String settled;
    /** When (clock) a settled count below the most is tried with one more again; 0: never. */
    private volatile long retryAt;

    /**
     * @param most   soar.fetch.connections: never more
     * @param window     how long each count is measured; zero: all {@code most} connections at once, as without a ramp
     * @param enoughRate bytes per second at which no more connections are opened; zero: no such rate
     * @param clock      nanoseconds, as {@link System#nanoTime()}
     */
    ConnectionRamp(String what, int most, Duration window, long enoughRate, LongSupplier clock) {
        this.what = what;
        this.most = Math.max(1, most);
        this.window = window.toNanos();
        this.enoughRate = enoughRate;
        this.clock = clock;
        boolean off = this.window <= 0 || this.most == 1;
        this.allowed = off ? this.most : 1;
        this.settled = off ? "" : null;
        this.logged = off;
    }

    /** soar.fetch.connections: the most this download ever opens. */
    int most() {
        return most;
    }

    /** The connections this download may have open now. */
    int allowed() {
        return allowed;
    }

    /**
     * After a read: the download has received {@code bytes} in all, {@code delivering} of its connections have
     * brought bytes and are still open. Returns the connections allowed now (one more: open it; one fewer: one
     * closes after its piece).
     */
    int measured(long bytes, int delivering) {
        if (settled != null && (retryAt == 0 || clock.getAsLong() - retryAt < 0)) {
            return allowed;
        }
        synchronized (this) {
            long now = clock.getAsLong();
            peak = Math.max(peak, delivering);
            if (settled != null) {
                if (retryAt == 0 || now - retryAt < 0) {
                    return allowed;
                }
                settled = null; // the link may have changed: measure this count, then one more
                retryAt = 0;
                before = Double.NaN;
                windowConnections = 0;
            }
            if (delivering != allowed) {
                windowConnections = 0; // the newest connection has not brought its first bytes yet, or one ended
                return allowed;
            }
            if (windowConnections == 0) {
                windowConnections = delivering;
                windowStart = now;
                windowBytes = bytes;
                return allowed;
            }
            long elapsed = now - windowStart;
            if (elapsed < window / EARLY) {
                return allowed;
            }
            double rate = (bytes - windowBytes) * 1e9 / Math.max(1, elapsed);
            // what each connection added brought, against what each of those before brings
            double share = Double.isNaN(before) ? 0 : (rate - before) / (allowed - beforeCount) / (before / beforeCount);
            // after a fifth of the window, what is already clear is decided (on a throttled link, the ramp reaches 8
            // connections in a few tenths of a second, not 1.5 s): a first count that brings enough or far less (one
            // more is tried), and connections added that bring nearly as much as the others (the count grows)
            boolean clear = Double.isNaN(before)
                    ? enoughRate > 0 && (rate >= enoughRate || rate < enoughRate / THROTTLED)
                    : share >= DOUBLE;
            if (elapsed < window && !clear) {
                return allowed;
            }
            windowConnections = 0;
            if (!Double.isNaN(before) && share < GAIN) {
                int tried = allowed;
                allowed = beforeCount;
                settle(String.format(Locale.ROOT, "%d connection(s) more did not raise the rate enough (%s with %d, %s with %d)",
                        tried - allowed, mbps(before), allowed, mbps(rate), tried));
                retryAt = now + RETRY_AFTER_WINDOWS * window;
            } else if (allowed == most) {
                settle(String.format(Locale.ROOT, "each connection added raised the rate (%s with %d): the link limits each connection",
                        mbps(rate), allowed));
            } else if (enoughRate > 0 && rate >= enoughRate) {
                settle(String.format(Locale.ROOT, "%s with %d, at least soar.fetch.enough-rate (%s): the link does not hold "
                        + "this download back", mbps(rate), allowed, mbps(enoughRate)));
                retryAt = now + RETRY_AFTER_WINDOWS * window;
            } else {
                before = rate;
                beforeCount = allowed;
                allowed = Math.min(most, share >= DOUBLE || allowed == 1 ? 2 * allowed : allowed + 1);
            }
            return allowed;
        }
    }

    /** The server refused a connection (429/503): {@code allowed} from now on, never more (the download logs it). */
    synchronized void refused(int count) {
        allowed = count;
        settled = "the server refused one more";
        retryAt = 0;
        logged = true;
    }

    /** The download is complete: when the count never settled, says how far it got (once per download). */
    synchronized void ended() {
        if (!logged) {
            logged = true;
            LOG.info("{}: {} of {} connection(s) at most; the download ended before the count settled", what, peak, most);
        }
    }

    /** Why the count settled ("" without a ramp), or null while it is still measured. */
    String settled() {
        return settled;
    }

    private static String mbps(double bytesPerSecond) {
        return Progress.rate((long) bytesPerSecond, 1_000_000_000L);
    }

    private void settle(String why) {
        settled = why;
        if (!logged) {
            logged = true;
            LOG.info("{}: {} of {} connection(s): {}", what, allowed, most, why);
        } else {
            LOG.debug("{}: {} of {} connection(s) now: {}", what, allowed, most, why);
        }
    }
}
