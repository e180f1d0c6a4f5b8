package org.soardeferred.uws;

import java.util.Locale;

/** The execution phases of a UWS job (UWS 1.1, section 2.1.3). */
public enum Phase {
    PENDING, QUEUED, EXECUTING, COMPLETED, ERROR, ABORTED, UNKNOWN, HELD, SUSPENDED, ARCHIVED;

    /** A final phase never changes again: polling stops. */
    public boolean isFinal() {
        return this == COMPLETED || this == ERROR || this == ABORTED || this == ARCHIVED;
    }

    /** Lenient: trims, ignores case; anything unrecognised is {@link #UNKNOWN} (keep asking). */
    public static Phase parse(String text) {
        if (text == null || text.isBlank()) {
            return UNKNOWN;
        }
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
