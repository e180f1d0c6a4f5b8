package org.soardeferred.transfer;

import org.soardeferred.common.ClassifiedFailure;
import org.soardeferred.common.ErrorKind;
import org.soardeferred.common.TransientException;

/** A fault of the transfer's target that may pass (S3 unreachable or busy): retried, then a transfer failure. */
public class TransientTransferException extends TransientException implements ClassifiedFailure {
    public TransientTransferException(String message) {
        super(message);
    }

    @Override
    public ErrorKind kind() {
        return ErrorKind.TRANSFER;
    }
}
