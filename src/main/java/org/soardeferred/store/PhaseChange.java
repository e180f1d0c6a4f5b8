package org.soardeferred.store;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A phase the job was seen in, and when (ISO-8601 UTC); or an event of the job's own that is not a UWS phase
 * (e.g. {@code REPLY_LOST}, {@code ADOPTED}, {@code RESENT}), with a note saying what happened.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PhaseChange(String phase, String at, String note) {

    public PhaseChange(String phase, String at) {
        this(phase, at, null);
    }
}
