package org.soardeferred.store;

import java.time.Duration;

import org.soardeferred.uws.Phase;
import org.soardeferred.uws.PollSchedule;
import org.soardeferred.uws.UwsJob;

/**
 * Makes a fresh poll schedule per job from the configured delays (soar.poll.*), and tells each poll's answer to the
 * job's schedule.
 *
 * @param polled told of every poll (metrics)
 */
public record PollSchedules(Duration delay, Duration maxDelay, Duration timeout, Duration maxWait, Runnable polled) {

    public PollSchedule start(String jobUrl) {
        return new PollSchedule(jobUrl, delay, maxDelay, timeout, maxWait);
    }

    /** An attached job that is PENDING waits for its owner to start it: polling it would wait for nothing. */
    public void observe(PollSchedule schedule, JobRecord job, UwsJob uws) {
        polled.run();
        if (job.request.jobUrl() != null && uws.phase() == Phase.PENDING) {
            throw new PollSchedule.PendingJobException("the job " + job.jobUrl + " is PENDING: it waits for its owner to "
                    + "start it (PHASE=RUN); soar-deferred does not start jobs it did not create");
        }
        schedule.observe(uws);
    }
}
