package org.soardeferred.common;

/**
 * A fault that may go away by itself (SOAR busy or restarting, a dropped connection, a transfer cut short):
 * the step is retried with exponential back-off and jitter ({@code soar.retry.*}) before the job fails.
 */
public class TransientException extends RuntimeException {
    public TransientException(String message) {
        super(message);
    }
}
