package org.soardeferred.common;

/**
 * An exception that knows what kind of failure it is, so that {@link Failures#kind} need not know every package's
 * exceptions: each layer's exceptions say it themselves.
 */
public interface ClassifiedFailure {

    ErrorKind kind();
}
