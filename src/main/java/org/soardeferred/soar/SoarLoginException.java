package org.soardeferred.soar;

/** SOAR refused the login (wrong user name or password) or answered it unexpectedly. */
public class SoarLoginException extends RuntimeException {
    public SoarLoginException(String message) {
        super(message);
    }
}
