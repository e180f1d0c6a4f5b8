package org.soardeferred.simulator;

/** A query outside {@link AdqlSubset}, or naming what does not exist: the message says what is wrong. */
final class AdqlException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    AdqlException(String message) {
        super(message);
    }
}
