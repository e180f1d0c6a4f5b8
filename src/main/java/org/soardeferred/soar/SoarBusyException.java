package org.soardeferred.soar;

import org.soardeferred.common.TransientException;

/** 429, 500, 502, 503 or 504: the server is busy or restarting; the call is retried, after Retry-After when given. */
public class SoarBusyException extends TransientException {

    private final int status;

    public SoarBusyException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int getStatus() {
        return status;
    }
}
