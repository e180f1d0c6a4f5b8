package org.soardeferred.common;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/** Turns what went wrong into one line a user can act on, for logs, manifests and NAME.error.txt. */
public final class Failures {

    private Failures() {
    }

    public static String describe(Throwable e) {
        Throwable t = unwrap(e);
        if (t instanceof UnknownHostException) {
            return "cannot resolve the host " + t.getMessage() + ": check soar.base-url and the network";
        }
        if (t instanceof ConnectException) {
            return "cannot connect: " + t.getMessage() + " (check soar.base-url and the network)";
        }
        if (t instanceof SocketTimeoutException) {
            return "the server did not answer in time: " + t.getMessage();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** The kind of failure, for exit codes: refused credentials, a job gone or failed on the server, or other. */
    public static ErrorKind kind(Throwable e) {
        return unwrap(e) instanceof ClassifiedFailure failure ? failure.kind() : ErrorKind.OTHER;
    }

    /** Camel wraps what a bean threw ("Failed to invoke method … due to …"): the cause itself. */
    private static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof org.apache.camel.RuntimeCamelException
                || t instanceof org.apache.camel.CamelException)) {
            t = t.getCause();
        }
        return t;
    }
}
