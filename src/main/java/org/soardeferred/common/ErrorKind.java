package org.soardeferred.common;

/** What kind of failure ended a job. */
public enum ErrorKind {
    /** SOAR refused the credentials or the session (or none were configured). */
    AUTH,
    /** The job ended on the server without a package (ERROR, ABORTED, ARCHIVED), or is gone (expired). */
    JOB,
    /** The package could not be downloaded or did not verify. */
    TRANSFER,
    /** Anything else: SOAR unreachable, a reply that is not UWS, … */
    OTHER
}
