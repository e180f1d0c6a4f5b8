package org.soardeferred.uws;

import java.time.Duration;

import org.soardeferred.common.ClassifiedFailure;
import org.soardeferred.common.ErrorKind;

/**
 * When to poll a job next: the delay starts at {@code soar.poll.delay} and grows ×1.5 up to
 * {@code soar.poll.max-delay}; polling ends on a final phase or after {@code soar.poll.timeout}. With a server
 * that declares UWS 1.1, part of each delay is spent in the server's blocking {@code WAIT} instead, so a phase
 * change is seen at once; the cadence stays the same.
 */
public class PollSchedule {

    private final String jobUrl;
    private final long maxDelayMillis;
    private final long maxWaitSeconds;
    private final long deadlineNanos;
    private final Duration timeout;
    private long delayMillis;
    private boolean useWait;
    private UwsJob last;
    private int polls;

    public PollSchedule(String jobUrl, Duration delay, Duration maxDelay, Duration timeout, Duration maxWait) {
        this.jobUrl = jobUrl;
        this.delayMillis = delay.toMillis();
        this.maxDelayMillis = Math.max(delay.toMillis(), maxDelay.toMillis());
        this.maxWaitSeconds = maxWait.toSeconds();
        this.timeout = timeout;
        this.deadlineNanos = System.nanoTime() + timeout.toNanos();
    }

    /** The client-side delay before the next poll (in ms), for the route's delay EIP. */
    public long getNextDelay() {
        return delayMillis - waitSeconds() * 1000;
    }

    /** The URL of the next poll: the job URL, with WAIT and PHASE when the server honours them. */
    public String getUrl() {
        long wait = waitSeconds();
        if (wait <= 0) {
            return jobUrl;
        }
        return jobUrl + (jobUrl.contains("?") ? "&" : "?") + "WAIT=" + wait
                + (last == null ? "" : "&PHASE=" + last.phase().name());
    }

    private long waitSeconds() {
        return useWait ? Math.min(maxWaitSeconds, delayMillis / 1000) : 0;
    }

    /** Records what a poll (or the submit) saw; grows the delay. */
    public void observe(UwsJob job) {
        if (polls > 0) {
            delayMillis = Math.min(maxDelayMillis, (long) (delayMillis * 1.5));
        }
        polls++;
        last = job;
        useWait = job.supportsWait() && maxWaitSeconds > 0;
        if (!job.phase().isFinal() && System.nanoTime() > deadlineNanos) {
            throw new PollTimeoutException("the job is still " + job.phase() + " after " + timeout
                    + " (soar.poll.timeout); it may still finish on the server");
        }
    }

    public boolean isDone() {
        return last != null && last.phase().isFinal();
    }

    public UwsJob getLast() {
        return last;
    }

    public int getPolls() {
        return polls;
    }

    /** An attached job that nobody started: it would never finish by itself. */
    public static class PendingJobException extends RuntimeException implements ClassifiedFailure {
        public PendingJobException(String message) {
            super(message);
        }

        @Override
        public ErrorKind kind() {
            return ErrorKind.JOB;
        }
    }

    /** Polling gave up before the job reached a final phase. */
    public static class PollTimeoutException extends RuntimeException {
        public PollTimeoutException(String message) {
            super(message);
        }
    }
}
