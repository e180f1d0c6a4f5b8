package org.soardeferred.soar;

import org.soardeferred.common.ClassifiedFailure;
import org.soardeferred.common.ErrorKind;

/** SOAR refused the login (wrong user name or password) or answered it unexpectedly. */
public class SoarLoginException extends RuntimeException implements ClassifiedFailure {
    public SoarLoginException(String message) {
        super(message);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.AUTH;
    }
}
