package org.soardeferred.simulator;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;

/** The faults a test has set ({@link FaultInjection} says what each does), where the endpoints meet them. */
final class Faults {

    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final Map<String, Integer> failureStatus = new ConcurrentHashMap<>();
    private final AtomicInteger drops = new AtomicInteger();
    private volatile long dropAfterBytes;
    private final AtomicInteger submitDrops = new AtomicInteger();
    volatile long sizeSkew;
    volatile long truncateBy;
    volatile String dataReply;
    volatile String pollReply;
    volatile String syncReply;
    volatile int truncateSyncRows;
    volatile boolean holdPending;
    volatile long holdSubmitMillis;
    volatile boolean fullJobList;

    void fail(String step, int times, int status) {
        failures.put(step, new AtomicInteger(times));
        failureStatus.put(step, status);
    }

    void dropDownloads(int times, long bytes) {
        drops.set(times);
        dropAfterBytes = bytes;
    }

    void dropSubmitReplies(int n) {
        submitDrops.set(n);
    }

    /** No fault left. */
    void clear() {
        failures.clear();
        holdPending = false;
        holdSubmitMillis = 0;
        submitDrops.set(0);
        fullJobList = false;
        drops.set(0);
        sizeSkew = 0;
        truncateBy = 0;
        pollReply = null;
        dataReply = null;
        truncateSyncRows = 0;
        syncReply = null;
    }

    /** Answers the request with the status set for its step, if a failure of that step is due; true if it did. */
    boolean injectFailure(HttpExchange ex, String step) throws IOException {
        var left = failures.get(step);
        if (left != null && left.getAndDecrement() > 0) {
            int status = failureStatus.get(step);
            if (status == 429 || status == 503) {
                ex.getResponseHeaders().add("Retry-After", "1");
            }
            Exchanges.send(ex, status, "text/html", "<html><body>Simulated " + status + " on " + step + "</body></html>");
            return true;
        }
        return false;
    }

    /** Whether this submit's reply is one of those to drop (counting it). */
    boolean dropSubmitReply() {
        return submitDrops.getAndUpdate(n -> Math.max(0, n - 1)) > 0;
    }

    /** Holds a submit's reply as long as a test asked. */
    void holdSubmitReply() {
        if (holdSubmitMillis > 0) {
            try {
                Thread.sleep(holdSubmitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The bytes a download may send before its connection breaks off (counting a due drop), else no limit. */
    long downloadLimit() {
        return drops.getAndDecrement() > 0 ? dropAfterBytes : Long.MAX_VALUE;
    }
}
