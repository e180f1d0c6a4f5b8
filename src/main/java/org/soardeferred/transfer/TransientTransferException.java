package org.soardeferred.transfer;

import org.soardeferred.TransientException;

/** A fault of the transfer's target that may pass (S3 unreachable or busy): retried, then a transfer failure. */
public class TransientTransferException extends TransientException {
    public TransientTransferException(String message) {
        super(message);
    }
}
