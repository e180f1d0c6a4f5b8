package org.soardeferred.soar;

import org.soardeferred.common.ClassifiedFailure;
import org.soardeferred.common.ErrorKind;

/** SOAR (or the host of a result) answered with an HTTP status that is not a success and will not go away by retrying. */
public class SoarHttpException extends RuntimeException implements ClassifiedFailure {

    private final int status;
    private final String url;

    public SoarHttpException(int status, String url, String message) {
        super(message);
        this.status = status;
        this.url = url;
    }

    public int getStatus() {
        return status;
    }

    public String getUrl() {
        return url;
    }

    /** 401/403 in the middle of a flow: the session expired or was dropped; log in again once, then retry. */
    public boolean isSessionRefused() {
        return status == 401 || status == 403;
    }

    /** Refused credentials or session: AUTH; the job is gone (404, 410): JOB; anything else: OTHER. */
    @Override
    public ErrorKind kind() {
        if (isSessionRefused()) {
            return ErrorKind.AUTH;
        }
        return status == 404 || status == 410 ? ErrorKind.JOB : ErrorKind.OTHER;
    }
}
