package org.soardeferred.mirror;

/**
 * One file of a mirror: as SOAR lists it (v_public_files: name, data item, version, size, when archived, data
 * type; and its filepath in SOAR's tree) and what the mirror made of it: WANTED (asked for, by the request with
 * this idempotency key), PRESENT (delivered, and unpacked when the mirror extracts) or FAILED (with the reason).
 */
public class MirrorFile {

    public enum Status { WANTED, PRESENT, FAILED }

    public String fileName;
    public String itemId;
    public String version;
    public long size;
    public String archivedOn;
    public String dataType;
    public String filepath;
    public Status status;
    public String requestKey;
    public String error;

    public MirrorFile() {
    }

    public MirrorFile(String fileName, String itemId, String version, long size, String archivedOn, String dataType) {
        this.fileName = fileName;
        this.itemId = itemId;
        this.version = version;
        this.size = size;
        this.archivedOn = archivedOn;
        this.dataType = dataType;
    }

    /** The same file, same version and size: what a mirror that has it need not fetch again. */
    public boolean sameAs(MirrorFile other) {
        return fileName.equals(other.fileName) && size == other.size
                && java.util.Objects.equals(version, other.version);
    }

    @Override
    public String toString() {
        return fileName + " (" + size + " bytes, archived " + archivedOn + ")";
    }
}
