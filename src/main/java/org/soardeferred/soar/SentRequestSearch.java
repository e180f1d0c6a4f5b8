package org.soardeferred.soar;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;

import org.soardeferred.uws.UwsJob;

/**
 * One search of SOAR's job list for the job a DEFERRED request made (see {@link SentRequests}): the jobs whose
 * documents are still to be read, and the job found, if any.
 */
public final class SentRequestSearch {

    private final SoarRequest request;
    private final Instant sentAt;
    private final Instant notBefore;
    private final int listed;
    private final Deque<String> unread = new ArrayDeque<>();
    private int read;
    private int skipped;
    private int sameButOlder;
    private UwsJob found;

    SentRequestSearch(SoarRequest request, Instant sentAt, Instant notBefore, int listed) {
        this.request = request;
        this.sentAt = sentAt;
        this.notBefore = notBefore;
        this.listed = listed;
    }

    Instant notBefore() {
        return notBefore;
    }

    void toRead(String url) {
        unread.add(url);
    }

    void read() {
        unread.poll();
        read++;
    }

    void skipped() {
        skipped++;
    }

    /** A job of the list: ours when made by the same request since it was sent; the first found is kept. */
    void consider(UwsJob job) {
        if (found != null || !request.madeJobWith(job.parameters())) {
            return;
        }
        if (job.creationTime() == null || job.creationTime().isBefore(notBefore)) {
            sameButOlder++;
            return;
        }
        found = job;
        unread.clear();
    }

    /** The address of the next job document to read, or null when the search is over. */
    public String getNextUrl() {
        return found != null ? null : unread.peek();
    }

    /** The job the request made, or null when SOAR lists none. */
    public UwsJob getFound() {
        return found;
    }

    /** What the search found, for the log and the job's history. */
    public String describe() {
        String scope = "SOAR's job list (" + listed + " job" + (listed == 1 ? "" : "s") + ", " + read + " read)";
        String older = sameButOlder == 0 ? "" : "; " + sameButOlder + " job" + (sameButOlder == 1 ? "" : "s")
                + " with the same parameters made before it " + (sameButOlder == 1 ? "is" : "are") + " not ours";
        if (found != null) {
            return "the reply to the request sent at " + sentAt + " was lost, but " + scope + " holds SOAR job "
                    + found.jobId() + " made by it at " + found.creationTime() + ": adopted, not sent again" + older;
        }
        return scope + " holds no job made by the request sent at " + sentAt + " (allowing for clock skew from "
                + notBefore + "): it is sent again" + older;
    }
}
