package org.soardeferred;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import org.soardeferred.soar.MissingCredentialsException;
import org.soardeferred.soar.SoarHttpException;
import org.soardeferred.soar.SoarLoginException;
import org.soardeferred.store.ErrorKind;
import org.soardeferred.transfer.TransferException;

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
        Throwable t = unwrap(e);
        if (t instanceof SoarLoginException || t instanceof MissingCredentialsException
                || t instanceof SoarHttpException h && h.isSessionRefused()) {
            return ErrorKind.AUTH;
        }
        if (t instanceof SoarHttpException h && (h.getStatus() == 404 || h.getStatus() == 410)
                || t instanceof org.soardeferred.uws.PollSchedule.PendingJobException) {
            return ErrorKind.JOB;
        }
        if (t instanceof TransferException || t instanceof org.soardeferred.transfer.TransientTransferException) {
            return ErrorKind.TRANSFER;
        }
        return ErrorKind.OTHER;
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
