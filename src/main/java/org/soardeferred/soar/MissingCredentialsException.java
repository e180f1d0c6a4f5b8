package org.soardeferred.soar;

import org.soardeferred.common.ClassifiedFailure;
import org.soardeferred.common.ErrorKind;

/** No SOAR user name or password is configured; DEFERRED requests need a login. */
public class MissingCredentialsException extends RuntimeException implements ClassifiedFailure {
    public MissingCredentialsException() {
        super("SOAR credentials are missing: set SOAR_USERNAME and SOAR_PASSWORD (or soar.username / soar.password); "
                + "DEFERRED requests need a SOAR account. For an offline try-out, start with --demo");
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.AUTH;
    }
}
