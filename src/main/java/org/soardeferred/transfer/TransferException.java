package org.soardeferred.transfer;

import org.soardeferred.common.ClassifiedFailure;
import org.soardeferred.common.ErrorKind;

/** A download did not yield a verified package (wrong size, unexpected status, …). */
public class TransferException extends RuntimeException implements ClassifiedFailure {
    public TransferException(String message) {
        super(message);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.TRANSFER;
    }
}
