package org.soardeferred.mirror;

import org.soardeferred.common.NotFoundException;

/** A mirror name that no definition has. */
public class NoSuchMirrorException extends NotFoundException {
    public NoSuchMirrorException(String message) {
        super(message);
    }
}
