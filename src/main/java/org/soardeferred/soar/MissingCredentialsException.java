package org.soardeferred.soar;

/** No SOAR user name or password is configured; DEFERRED requests need a login. */
public class MissingCredentialsException extends RuntimeException {
    public MissingCredentialsException() {
        super("SOAR credentials are missing: set SOAR_USERNAME and SOAR_PASSWORD (or soar.username / soar.password); "
                + "DEFERRED requests need a SOAR account. For an offline try-out, start with --demo");
    }
}
