package org.soardeferred.simulator;

/** A file a job packs: its name and, for files from the catalogue, its size (null: the default size). */
record JobFile(String name, Long archivedSize) {

    /** An item the catalogue does not hold: its first version, of the default size. */
    static JobFile unarchived(String itemId) {
        return new JobFile(itemId + "_V01.cdf", null);
    }
}
