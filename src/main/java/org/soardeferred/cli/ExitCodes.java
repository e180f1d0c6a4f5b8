package org.soardeferred.cli;

import org.soardeferred.common.ErrorKind;

/** The exit codes of the command line, one per class of failure. */
public final class ExitCodes {
    public static final int OK = 0;
    /** Anything not listed below: SOAR unreachable, a reply that is not UWS, … */
    public static final int FAILURE = 1;
    /** Bad input: unknown option, invalid ids, query or types, unreadable query file. */
    public static final int BAD_INPUT = 2;
    /** SOAR refused the credentials, or none were given. */
    public static final int AUTH = 3;
    /** The job ended in ERROR or ABORTED on the server, or expired. */
    public static final int JOB_FAILED = 4;
    /** The package could not be downloaded or did not verify. */
    public static final int TRANSFER = 5;
    /** Interrupted (Ctrl-C); the job is stored and can be resumed. */
    public static final int INTERRUPTED = 130;

    private ExitCodes() {
    }

    public static int of(ErrorKind kind) {
        if (kind == null) {
            return FAILURE;
        }
        return switch (kind) {
            case AUTH -> AUTH;
            case JOB -> JOB_FAILED;
            case TRANSFER -> TRANSFER;
            case OTHER -> FAILURE;
        };
    }
}
