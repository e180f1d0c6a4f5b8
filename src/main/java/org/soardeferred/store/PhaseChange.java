package org.soardeferred.store;

/** A phase the job was seen in, and when (ISO-8601 UTC). */
public record PhaseChange(String phase, String at) {
}
