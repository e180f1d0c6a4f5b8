package org.soardeferred.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.soardeferred.common.ErrorKind;
import org.soardeferred.soar.SoarRequest;

/** A job as the store keeps it: our id, the request, SOAR's job, the phase history, results and outcome. */
public class JobRecord {
    public String id;
    public String name;
    public SoarRequest request;
    public String idempotencyKey;
    /** Where the query file waits while the job runs (inbox/.work/…), or null when it came from elsewhere. */
    public String queryFile;
    /** The base name of the outputs in the outbox (NAME, or NAME-2 when NAME was taken), fixed when fetching starts. */
    public String outputName;
    public String remoteJobId;
    public String jobUrl;
    public String phase;
    public JobStatus status;
    public List<PhaseChange> phaseHistory = new ArrayList<>();
    public List<ResultRecord> results = new ArrayList<>();
    public String error;
    /**
     * When the DEFERRED request was first sent for this job, or null before. Set while the job is ACCEPTED, it means
     * SOAR may have the job although its reply never arrived: look for it in SOAR's job list before sending again.
     */
    public Instant sentAt;
    /** What kind of failure ended the job, for exit codes. */
    public ErrorKind errorKind;
    public Instant createdAt;
    public Instant updatedAt;

    /** Records a phase; returns true when it differs from the last one seen. */
    public boolean recordPhase(String newPhase) {
        if (newPhase.equals(phase)) {
            return false;
        }
        phase = newPhase;
        phaseHistory.add(new PhaseChange(newPhase, Instant.now().toString()));
        return true;
    }

    /** Records an event of the job's own (not a UWS phase) in its history, with what happened. */
    public void note(String event, String text) {
        phaseHistory.add(new PhaseChange(event, Instant.now().toString(), text));
    }

    /** Who the job is and where it stands, as the API's status and the bus's events begin. */
    public java.util.Map<String, Object> identity() {
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        m.put("name", name);
        m.put("status", status);
        m.put("phase", phase);
        m.put("jobId", remoteJobId);
        m.put("jobUrl", jobUrl);
        return m;
    }

    // getters for the routes' simple expressions (${exchangeProperty.job.name} …)
    public String getId() {
        return id;
    }

    public String getName() {
        return name;
    }

    public SoarRequest getRequest() {
        return request;
    }

    public String getRemoteJobId() {
        return remoteJobId;
    }

    public String getJobUrl() {
        return jobUrl;
    }

    public JobStatus getStatus() {
        return status;
    }

    public List<ResultRecord> getResults() {
        return results;
    }

    public String getError() {
        return error;
    }

    /** The first result not yet downloaded and verified, or null when all are. */
    public ResultRecord getPendingResult() {
        return results.stream().filter(r -> r.sha256 == null).findFirst().orElse(null);
    }

    public Instant getSentAt() {
        return sentAt;
    }

    public String getOutputName() {
        return outputName;
    }

    @Override
    public String toString() {
        return "job " + id + " (" + name + ", " + status + (phase == null ? "" : ", " + phase) + ")";
    }
}
