package org.soardeferred.soar;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;

import org.soardeferred.uws.UwsJob;
import org.soardeferred.uws.UwsJobList;
import org.soardeferred.uws.UwsJobReader;

/**
 * Exactly once at SOAR: when the outcome of a DEFERRED request is unknown (the process died while SOAR was
 * answering, the connection failed or timed out after the request went out), SOAR may have made the job. Before
 * anything is sent again, the user's job list ({@code GET {base}/tap/async}) is searched for a job made by the same
 * request since it was sent; such a job is adopted (polled and fetched like any other). A job made earlier, or one
 * that another job of the store already follows, is not ours.
 */
public class SentRequests {

    private final UwsJobReader reader;
    private final Duration clockSkew;
    private final Predicate<String> followedAlready;

    /**
     * @param clockSkew       how far SOAR's clock may be behind ours: a job created up to this long before our send
     *                        still counts as made by it (soar.submit.clock-skew)
     * @param followedAlready whether a SOAR job id is followed by a job of the store already
     */
    public SentRequests(UwsJobReader reader, Duration clockSkew, Predicate<String> followedAlready) {
        this.reader = reader;
        this.clockSkew = clockSkew;
        this.followedAlready = followedAlready;
    }

    /** Starts the search in the job list SOAR sent (its address: listUrl), for the request first sent at sentAt. */
    public SentRequestSearch search(SoarRequest request, Instant sentAt, InputStream list, String listUrl) throws IOException {
        UwsJobList jobs = reader.readList(list, listUrl);
        SentRequestSearch search = new SentRequestSearch(request, sentAt, sentAt.minus(clockSkew), jobs.entries().size());
        for (UwsJobList.Entry entry : jobs.entries()) {
            if (followedAlready.test(entry.jobId())) {
                search.skipped();
            } else if (entry.job() != null) {
                search.consider(entry.job());
            } else if (entry.creationTime() != null && entry.creationTime().isBefore(search.notBefore())) {
                search.skipped();
            } else {
                search.toRead(entry.url());
            }
        }
        return search;
    }

    /** The document of the job at the search's next address. */
    public void read(SentRequestSearch search, InputStream document) throws IOException {
        String url = search.getNextUrl();
        UwsJob job = reader.read(document, url);
        search.read();
        search.consider(job);
    }

    /** The job at the search's next address is gone since the list was read (deleted, expired): not ours. */
    public void gone(SentRequestSearch search) {
        search.read();
    }
}
