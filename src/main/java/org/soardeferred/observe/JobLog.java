package org.soardeferred.observe;

import org.slf4j.MDC;
import org.soardeferred.store.JobRecord;

/**
 * Puts the job's local id in the logging context (MDC key {@code soar.job}) when a route takes a job up; Camel's
 * MDC support (camel.main.mdc-logging-keys-pattern = soar.*) carries it along the exchange, across threads.
 */
public class JobLog {

    public static final String KEY = "soar.job";

    public void mdc(JobRecord job) {
        if (job != null) {
            MDC.put(KEY, job.id);
        }
    }
}
