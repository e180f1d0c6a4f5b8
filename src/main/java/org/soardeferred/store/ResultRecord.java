package org.soardeferred.store;

/**
 * One result of a job as we track it: what the server said (id, href, size) and what we made of it (the file,
 * bytes written, sha256).
 */
public class ResultRecord {
    public String id;
    public String href;
    public Long size;
    public String file;
    public long bytes;
    public String sha256;
    /** The media type the server sent it as (application/x-gzip from SOAR; a VOTable from a TAP service's job). */
    public String contentType;
    /** With an S3 target: the multipart upload the package is being written to, so a restart can resume it. */
    public String uploadId;
    /**
     * A segmented download in progress: the pieces stored in NAME.tar.gz.part ({@code TOTAL/PIECE_SIZE/RANGES}, see
     * transfer.Pieces), so that only the missing ones are fetched again; null when the download is one stream.
     */
    public String pieces;
    /** When its download was first asked for (ISO-8601); kept across retries and restarts. */
    public String transferStartedAt;
    /** When it was complete, verified and published under its final name (ISO-8601). */
    public String transferFinishedAt;

    public ResultRecord() {
    }

    public ResultRecord(String id, String href, Long size) {
        this.id = id;
        this.href = href;
        this.size = size;
    }
}
