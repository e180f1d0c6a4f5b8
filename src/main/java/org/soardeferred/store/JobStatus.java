package org.soardeferred.store;

/** Where a job stands in our pipeline (the remote UWS phase is tracked separately). */
public enum JobStatus {
    /** Read from a query file, not yet sent to SOAR. */
    ACCEPTED,
    /** SOAR has the job: poll it, never submit it again. */
    SUBMITTED,
    /** COMPLETED on the server; its results are being downloaded. */
    FETCHING,
    /** Every result is in the outbox with its manifest. */
    DELIVERED,
    /** Ended without a package: the error says why. */
    FAILED;

    public boolean isFinished() {
        return this == DELIVERED || this == FAILED;
    }

    /** The statuses of a job still under way (a restart carries it on): those not {@link #isFinished finished}. */
    public static java.util.Set<JobStatus> unfinished() {
        java.util.Set<JobStatus> out = java.util.EnumSet.noneOf(JobStatus.class);
        for (JobStatus s : values()) {
            if (!s.isFinished()) {
                out.add(s);
            }
        }
        return out;
    }
}
