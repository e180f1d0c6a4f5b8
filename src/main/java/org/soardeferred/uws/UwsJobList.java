package org.soardeferred.uws;

import java.time.Instant;
import java.util.List;

/** A UWS job list ({@code GET {base}/tap/async}), in the server's order. */
public record UwsJobList(List<Entry> entries) {

    /**
     * One job of the list.
     *
     * @param jobId        the job's id
     * @param url          the job's address (the jobref's href, else the list's address + "/" + id)
     * @param creationTime when the server created it, when the list says, else null
     * @param job          the whole job, when the list holds full job documents (ESA's TAP+), else null: read it
     *                     from {@code url}
     */
    public record Entry(String jobId, String url, Instant creationTime, UwsJob job) {
    }
}
