package org.soardeferred.common;

/** A request that cannot be sent to SOAR as it stands; the message says why, in the user's terms. */
public class InvalidRequestException extends RuntimeException {
    public InvalidRequestException(String message) {
        super(message);
    }
}
