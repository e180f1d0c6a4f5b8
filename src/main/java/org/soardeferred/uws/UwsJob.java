package org.soardeferred.uws;

import java.util.List;

/**
 * What a UWS job document says about a job.
 *
 * @param jobId        {@code uws:jobId}
 * @param phase        {@code uws:phase}
 * @param jobUrl       ESA's {@code email_base_url} parameter (trimmed), or null when the document has none
 * @param results      the {@code uws:result}s, hrefs resolved to absolute URLs
 * @param errorMessage the {@code uws:errorSummary/uws:message}, or null
 * @param version      the UWS version the document declares ({@code "1.1"}), or null for 1.0 / undeclared
 */
public record UwsJob(String jobId, Phase phase, String jobUrl, List<UwsResult> results, String errorMessage,
                     String version) {

    /** Why a job that ended without results failed, in one line: "SOAR job X ended in ERROR: message". */
    public String failure() {
        return "SOAR job " + jobId + " ended in " + phase + (errorMessage == null ? "" : ": " + errorMessage);
    }

    /** A server that declares UWS 1.1 honours the blocking {@code WAIT} poll. */
    public boolean supportsWait() {
        return version != null && !version.startsWith("1.0");
    }
}
