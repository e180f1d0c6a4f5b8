package org.soardeferred.simulator;

import java.time.Duration;

/**
 * The faults a test sets on a {@link SoarSimulator}, and the shape of the link its downloads go over: what SOAR and
 * the network between have done to clients (error statuses, pages instead of documents, dropped replies and
 * connections, packages cut short or announced with the wrong size, slow links). {@link #healthy} clears them all.
 */
public abstract sealed class FaultInjection permits SoarSimulator {

    final Faults faults = new Faults();
    /** Rates, connection limit, Range and header modes of result downloads, on both listeners; bytes sent. */
    final LinkShape link = new LinkShape();

    FaultInjection() {
    }

    /** The simulator, for chained calls. */
    abstract SoarSimulator self();

    /**
     * Answer every DEFERRED request with this body and HTTP 200 instead of a job (null: normal service), as SOAR
     * does with its HTML maintenance page or a VOTable error.
     */
    public SoarSimulator replyToData(String body) {
        faults.dataReply = body;
        return self();
    }

    /**
     * Cuts every {@code /tap/sync} row listing (not COUNT) to at most {@code maxRows} rows, with HTTP 200 and no
     * marker, as SOAR silently truncated long-running queries. 0: off.
     */
    public SoarSimulator truncateSync(int maxRows) {
        faults.truncateSyncRows = Math.max(0, maxRows);
        return self();
    }

    /**
     * Answers every {@code /tap/sync} request with this body and HTTP 200 (an HTML maintenance page, an error
     * VOTable sent with 200, …); null: normal service.
     */
    public SoarSimulator syncReply(String body) {
        faults.syncReply = body;
        return self();
    }

    /** The next {@code times} calls of a step (login, submit, poll, download, sync) answer this HTTP status. */
    public SoarSimulator fail(String step, int times, int status) {
        faults.fail(step, times, status);
        return self();
    }

    /** The next {@code times} downloads break off (connection closed) after {@code bytes} bytes. */
    public SoarSimulator dropDownloads(int times, long bytes) {
        faults.dropDownloads(times, bytes);
        return self();
    }

    /**
     * Each download connection (one result response) is served at about this many bytes per second, whatever the
     * others do (0: as fast as possible): the same as {@link #ratePerConnection}.
     */
    public SoarSimulator throttle(long bytesPerSecond) {
        return ratePerConnection(bytesPerSecond);
    }

    /**
     * Each download connection (one result response) is served at about this many bytes per second, as SOAR's link
     * serves one connection at about 2 MB/s: n connections together get n times as much, up to {@link #totalRate}.
     * 0: as fast as possible. Applies to both listeners.
     */
    public SoarSimulator ratePerConnection(long bytesPerSecond) {
        link.ratePerConnection(bytesPerSecond);
        return self();
    }

    /** All download connections together are served at most this many bytes per second (0: no limit); both listeners. */
    public SoarSimulator totalRate(long bytesPerSecond) {
        link.totalRate(bytesPerSecond);
        return self();
    }

    /**
     * At most this many result downloads at once per client (its session; without one, per listener): one more is
     * answered 503 with {@code Retry-After: 1} (0: no limit). Applies to both listeners.
     */
    public SoarSimulator maxConnectionsPerClient(int n) {
        link.maxConnections(n);
        return self();
    }

    /** Result responses without {@code Accept-Ranges: bytes} (Range is still honoured unless {@link #ignoreRange}). */
    public SoarSimulator omitAcceptRanges(boolean on) {
        link.omitAcceptRanges(on);
        return self();
    }

    /** Result responses without {@code Content-Length}: the body comes chunked (closed with the connection on HTTP/1.0). */
    public SoarSimulator omitContentLength(boolean on) {
        link.omitContentLength(on);
        return self();
    }

    /** Answer Range requests with the whole package (HTTP 200), as servers without range support do; both listeners. */
    public SoarSimulator ignoreRange(boolean on) {
        link.ignoreRange(on);
        return self();
    }

    /** Answer every poll with this body and HTTP 200 (malformed XML, an XXE payload, …); null: normal. */
    public SoarSimulator replyToPoll(String body) {
        faults.pollReply = body;
        return self();
    }

    /** Announce result sizes this many bytes off (an archive bug users met). */
    public SoarSimulator skewSizes(long bytes) {
        faults.sizeSkew = bytes;
        return self();
    }

    /** Serve packages cut short by this many bytes (a broken tar.gz whose size is announced as served). */
    public SoarSimulator truncatePackages(long bytes) {
        faults.truncateBy = bytes;
        return self();
    }

    /** New jobs stay PENDING until their owner sends PHASE=RUN (the UWS default without PHASE=RUN at creation). */
    public SoarSimulator holdPending(boolean on) {
        faults.holdPending = on;
        return self();
    }

    /** Each DEFERRED request's job is made at once, but its reply is held this long (a slow link, a busy SOAR). */
    public SoarSimulator holdSubmitReplies(Duration hold) {
        faults.holdSubmitMillis = hold.toMillis();
        return self();
    }

    /** The next n DEFERRED requests make their job, then the connection is closed with no reply at all. */
    public SoarSimulator dropSubmitReplies(int n) {
        faults.dropSubmitReplies(n);
        return self();
    }

    /** The job list ({@code GET /tap/async}) holds whole job documents, as ESA's TAP+ lists them, not jobrefs. */
    public SoarSimulator fullJobList(boolean on) {
        faults.fullJobList = on;
        return self();
    }

    /** Clears all faults, and the link's limits (the bytes-sent counters stay). */
    public SoarSimulator healthy() {
        faults.clear();
        link.reset();
        return self();
    }
}
