package org.soardeferred.simulator;

import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

import com.sun.net.httpserver.HttpExchange;

/**
 * SOAR's TAP async jobs: {@code GET /tap/async} lists the user's jobs; under {@code /tap/async/<job>}, GET polls
 * its document (UWS 1.1 {@code WAIT} when declared), POST {@code phase} runs or aborts it, and
 * {@code results/<id>} downloads a package ({@link ResultDownloads}).
 */
record AsyncJobs(Sessions sessions, SimJobs jobs, JobDocuments documents, ResultDownloads downloads, Faults faults,
                 Supplier<String> baseUrl) {

    /** {@code GET /tap/async}: the session's user's jobs, newest first. */
    void list(HttpExchange ex) throws IOException {
        var session = sessions.of(ex);
        if (session.isEmpty()) {
            Exchanges.send(ex, 401, "text/plain", "Authentication required");
            return;
        }
        String list = documents.list(jobs.ownedBy(Sessions.owner(session.get())), faults.fullJobList);
        Exchanges.send(ex, 200, "text/xml;charset=UTF-8", list);
    }

    /** A request under {@code /tap/async/}; {@code rest} is the path after it. */
    void job(HttpExchange ex, String rest) throws IOException {
        String[] parts = rest.split("/");
        SimJob job = jobs.get(parts[0]);
        if (job == null) {
            Exchanges.send(ex, 404, "text/plain", "Job " + parts[0] + " not found");
            return;
        }
        if (sessions.refusesJobs(sessions.of(ex))) {
            Exchanges.send(ex, 401, "text/plain", "Authentication required");
            return;
        }
        String method = ex.getRequestMethod();
        if (parts.length == 1 && method.equals("GET")) {
            poll(ex, job);
        } else if (parts.length == 2 && parts[1].equals("phase") && method.equals("POST")) {
            jobs.changePhase(job, Exchanges.form(ex, true).get("phase"));
            ex.getResponseHeaders().add("Location", baseUrl.get() + "/tap/async");
            Exchanges.send(ex, 303, "text/plain", "");
        } else if (parts.length == 3 && parts[1].equals("results") && method.equals("GET")) {
            downloads.send(ex, job, parts[2]);
        } else {
            Exchanges.send(ex, 404, "text/plain", "Not found");
        }
    }

    private void poll(HttpExchange ex, SimJob job) throws IOException {
        Map<String, String> p = Exchanges.query(ex);
        JobPhase phase = jobs.phase(job);
        if (documents.uws11 && p.containsKey("wait")) {
            phase = jobs.waitForChange(job, phase, p);
        }
        String reply = faults.pollReply;
        Exchanges.send(ex, 200, "text/xml;charset=UTF-8", reply != null ? reply : documents.job(job, phase));
    }
}
