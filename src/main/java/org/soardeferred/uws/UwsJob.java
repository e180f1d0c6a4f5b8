package org.soardeferred.uws;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a UWS job document says about a job.
 *
 * @param jobId        {@code uws:jobId}
 * @param phase        {@code uws:phase}
 * @param jobUrl       ESA's {@code email_base_url} parameter (trimmed), or null when the document has none
 * @param results      the {@code uws:result}s, hrefs resolved to absolute URLs
 * @param errorMessage the {@code uws:errorSummary/uws:message}, or null
 * @param version      the UWS version the document declares ({@code "1.1"}), or null for 1.0 / undeclared
 * @param creationTime {@code uws:creationTime}, or null when the document has none the reader understands
 * @param parameters   the {@code uws:parameter}s by id, ids in lower case (SOAR lower-cases them), values trimmed
 */
public record UwsJob(String jobId, Phase phase, String jobUrl, List<UwsResult> results, String errorMessage,
                     String version, Instant creationTime, Map<String, String> parameters) {

    public UwsJob {
        results = results == null ? List.of() : List.copyOf(results);
        parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    }

    public UwsJob(String jobId, Phase phase, String jobUrl, List<UwsResult> results, String errorMessage, String version) {
        this(jobId, phase, jobUrl, results, errorMessage, version, null, Map.of());
    }

    /** Why a job that ended without results failed, in one line: "SOAR job X ended in ERROR: message". */
    public String failure() {
        return "SOAR job " + jobId + " ended in " + phase + (errorMessage == null ? "" : ": " + errorMessage);
    }

    /** A server that declares UWS 1.1 honours the blocking {@code WAIT} poll. */
    public boolean supportsWait() {
        return version != null && !version.startsWith("1.0");
    }
}
