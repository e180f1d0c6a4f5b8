package org.soardeferred.transfer;

/** A download did not yield a verified package (wrong size, unexpected status, …). */
public class TransferException extends RuntimeException {
    public TransferException(String message) {
        super(message);
    }
}
