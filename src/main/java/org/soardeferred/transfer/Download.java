package org.soardeferred.transfer;

import java.io.InputStream;

import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * One attempt at downloading one result: everything the fetch route's steps share, in one value the route passes
 * along ({@code ${exchangeProperty.download}}). {@link ResultDownload#prepare} makes it (what to ask for: the URL
 * and a Range), {@link ResultDownload#open} fills in what the server answered (where the bytes go, how many are
 * expected, the stream through the digest), then its bytes are stored (one stream, or pieces over several
 * connections), and {@link ResultDownload#complete} verifies and publishes it. A retry makes a new one from it,
 * keeping its digest when that saw exactly the bytes stored.
 */
public final class Download {

    final JobRecord job;
    final ResultRecord result;
    final Outbox outbox;
    /** The result's URL (SOAR's scheme), and its host, whose connection ceiling the download is under. */
    final String url;
    final String host;
    /** The transfer of the attempt before, when its digest saw every byte from the first (it may be carried on). */
    final TransferStream carried;

    /** The Range header of the first GET, or null. */
    String range;
    /** The place of the download's (first) connection under the host's ceiling, held until it is done. */
    HostConnections.Permit permit;
    /** Bytes stored before this attempt, after which the one stream goes on. */
    long resumeFrom;
    /** A segmented download: its pieces; null when the bytes come as one stream. */
    Pieces pieces;
    /** The piece the first GET asked for, and its open body. */
    int probePiece;
    InputStream probeBody;
    /** True when the server continues the stored bytes (206): the target appends to them. */
    boolean resumed;
    /** The bytes the package has when complete, as the server announced them (null: unknown). */
    Long expected;
    /** The download's bytes through the digest (a segmented download: the digest only). */
    TransferStream transfer;
    /** The digest has seen every byte of the package from its first (false after a resume it could not prime). */
    boolean verifiedFromStart;
    /** The file name the package is published under (its extension from the server's headers when not SOAR's). */
    String publishAs;
    /** Bytes, rate and timing while it runs. */
    Progress progress;

    Download(JobRecord job, ResultRecord result, Outbox outbox, String url, String host, Download previous) {
        this.job = job;
        this.result = result;
        this.outbox = outbox;
        this.url = url;
        this.host = host;
        this.carried = previous == null || !previous.result.id.equals(result.id) ? null
                : previous.transfer == null ? previous.carried
                : previous.verifiedFromStart ? previous.transfer : null;
    }

    Target target() {
        return outbox.target();
    }

    /** For the route: the URL to GET. */
    public String getUrl() {
        return url;
    }

    /** For the route: the Range header of the GET, or null. */
    public String getRange() {
        return range;
    }

    /** For the route: the bytes come in pieces over several connections rather than as one stream. */
    public boolean isSegmented() {
        return pieces != null;
    }

    /** Gives the connection's place back (the download is done, failed, or goes on over the pieces' connections). */
    void release() {
        HostConnections.Permit p = permit;
        permit = null;
        if (p != null) {
            p.close();
        }
    }

    @Override
    public String toString() {
        return job + ": " + result.file;
    }
}
