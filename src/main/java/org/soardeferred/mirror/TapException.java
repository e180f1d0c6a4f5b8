package org.soardeferred.mirror;

/** SOAR's TAP service refused a query or answered something that is not a result table. */
public class TapException extends RuntimeException {
    public TapException(String message) {
        super(message);
    }
}
