package org.soardeferred.common;

/** What a request names does not exist (a job id, a mirror): the API answers 404, the command line says so. */
public class NotFoundException extends RuntimeException {
    public NotFoundException(String message) {
        super(message);
    }
}
