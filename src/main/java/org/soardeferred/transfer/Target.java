package org.soardeferred.transfer;

import java.io.IOException;
import java.util.Map;

import org.soardeferred.store.JobRecord;
import org.soardeferred.store.ResultRecord;

/**
 * Where a job's packages and manifests are stored: a folder ({@link FolderTarget}) or an S3 bucket
 * ({@link S3Target}). {@link Outbox} names things and writes manifests on top of it; {@link ResultDownload} drives
 * the storage of one package: {@link #open} (resume what is stored), then the bytes as one stream ({@link #write})
 * or as pieces at their offsets ({@link #pieces}), then {@link #publish} once verified, or {@link #discard}.
 * A package appears under its final name only complete and verified.
 */
public interface Target {

    // --- names, manifests, followers ------------------------------------------------------------------------

    /** Where NAME is (or would be) stored, for people: a path, or an s3:// URL. */
    String location(String name);

    /** A package or manifest of that name is stored, or a package of that name is on its way. */
    boolean exists(String name);

    /** The delivered package (or manifest) of that name is there. */
    boolean isPresent(String name);

    /** Stores the manifest NAME in one step: nobody ever reads half a manifest. */
    void putManifest(String name, byte[] json);

    /** Serves a delivered package under a follower's name; returns the name the follower's manifest lists. */
    String serve(String original, String copy) throws IOException;

    /** Drops a copy {@link #serve} made (a follower that could not be served whole). */
    void unserve(String copy) throws IOException;

    /** Whether packages can be written here now, for the health checks and the console. */
    Map<String, Object> health();

    // --- one package ----------------------------------------------------------------------------------------

    /**
     * Makes the result's storage ready (a folder; an S3 upload, new or resumed) and returns the bytes an earlier
     * attempt stored: where a one-stream download resumes.
     */
    long open(JobRecord job, ResultRecord r) throws IOException;

    /** Bytes of the result stored so far (the delivered package's size once published), for progress displays. */
    long stored(ResultRecord r);

    /** Feeds the bytes already stored through the digest and the check; false when they cannot be read back. */
    boolean prime(JobRecord job, ResultRecord r, PackageDigest digest) throws IOException;

    /** The server sent the whole package although part of it was stored: the stored part is dropped. */
    void restart(JobRecord job, ResultRecord r) throws IOException;

    /** Streams one download into the result's storage, after the stored bytes ({@code append}) or from the start. */
    void write(JobRecord job, ResultRecord r, TransferStream stream, boolean append) throws IOException;

    /** The size of a segmented download's pieces: soar.fetch.piece-size ({@code configured}), or the S3 part size. */
    long pieceSize(ResultRecord r, long configured);

    /**
     * The pieces of a segmented download: those an earlier attempt stored ({@code recorded} in the job store, or
     * what the target holds), else a new plan.
     */
    Pieces storedPieces(JobRecord job, ResultRecord r, Pieces recorded, long pieceSize) throws IOException;

    /** Where a segmented download's pieces go (at their offsets into a file; as the parts of an upload). */
    PieceTarget pieces(JobRecord job, ResultRecord r, Pieces pieces, int connections) throws IOException;

    /**
     * The package is complete and verified (or, when {@code verified} is null, complete but its stored start could
     * not be read back before: the target verifies it as a whole now): it goes under its final name {@code name}.
     * Returns the sha256 of the package.
     */
    String publish(JobRecord job, ResultRecord r, String verified, String name) throws IOException;

    /** The bytes stored for the result cannot become a package (wrong size, broken, the job failed): drop them. */
    void discard(JobRecord job, ResultRecord r);
}
