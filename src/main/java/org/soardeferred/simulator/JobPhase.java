package org.soardeferred.simulator;

import java.util.Locale;

/**
 * The phases a simulated job goes through, as SOAR's UWS service writes them in {@code <uws:phase>}: the server's
 * side of UWS 1.1 (section 2.1.3), only the phases SOAR's DEFERRED jobs take.
 */
enum JobPhase {
    PENDING, QUEUED, EXECUTING, COMPLETED, ERROR, ABORTED;

    /** A job in a final phase stays in it. */
    boolean isFinal() {
        return this == COMPLETED || this == ERROR || this == ABORTED;
    }

    /** The phase a client names (e.g. in a UWS 1.1 {@code PHASE} wait), any case; null when it names none of these. */
    static JobPhase named(String text) {
        String name = text == null ? "" : text.strip().toUpperCase(Locale.ROOT);
        for (JobPhase phase : values()) {
            if (phase.name().equals(name)) {
                return phase;
            }
        }
        return null;
    }
}
