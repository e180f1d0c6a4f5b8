package org.soardeferred.transfer;

import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * The steps of a segmented {@link Download}: its first GET brought the first bytes of the first missing piece
 * ({@link #open}); the rest comes over more connections ({@link #fetch}), given to the target at its offsets, all
 * digested in order.
 */
final class PieceDownloads {

    private PieceDownloads() {
    }

    /** The probe (the first bytes of the first missing piece) was answered with them: the rest comes over more connections. */
    static void open(Download d, Reply reply) {
        ResultRecord r = d.result;
        Pieces pieces = d.pieces;
        Reply.checkRangeStart(r, reply.header("Content-Range"), pieces.start(d.probePiece));
        Long total = reply.rangeTotal();
        if (total != null && total != pieces.total()) {
            throw new TransferException("result " + r.id + ": the server gives its length as " + total
                    + " bytes but its UWS size is " + pieces.total());
        }
        d.expected = pieces.total();
        d.verifiedFromStart = true;
        d.probeBody = reply.body();
    }

    /**
     * Fetches the probe's piece and the others, each on a connection of its own (as many as raise the rate, up to
     * soar.fetch.connections, within the host's ceiling); returns once every piece is stored and digested.
     */
    static void fetch(ResultDownload steps, Download d, ResultDownload.Segments segments) throws java.io.IOException {
        JobRecord job = d.job;
        ResultRecord r = d.result;
        Pieces pieces = d.pieces;
        // the probe's connection is the download's first: its place goes with it
        HostConnections.Permit permit = d.permit;
        d.permit = null;
        try (PieceTarget target = d.target().pieces(job, r, pieces, segments.connections())) {
            // pieces stored before that the target cannot read back (S3): it verifies the package once it is whole
            boolean verifying = pieces.storedBytes() == 0 || target.readsBack();
            d.verifiedFromStart = verifying;
            SegmentedDownload download = new SegmentedDownload(d.toString(),
                    new SegmentedDownload.Link(d.url, d.host, segments.fetcher(), segments.hosts(), segments.threads()),
                    pieces, target, verifying ? d.transfer.digest() : null,
                    new ConnectionRamp(d.toString(), segments.connections(), segments.rampWindow(), segments.enoughRate(),
                            System::nanoTime),
                    () -> steps.checkLease(job), d.progress::update, stored -> steps.persist(d, stored));
            d.progress.connections(download::connections);
            download.run(d.probePiece, d.probeBody, permit);
        } finally {
            d.probeBody = null;
        }
    }
}
