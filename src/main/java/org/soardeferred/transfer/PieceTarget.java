package org.soardeferred.transfer;

import java.io.IOException;

/**
 * Where the pieces of a segmented download go: a folder writes them at their offsets into NAME.tar.gz.part; S3
 * uploads each as a part of the multipart upload, concurrently, with no local copy. A piece is whole when its bytes
 * are written; it is stored (recorded in {@link Pieces}, and so in the job store) once the target keeps it for good.
 */
public interface PieceTarget extends AutoCloseable {

    /** Writes {@code length} bytes from {@code offset} in {@code bytes} as those of piece {@code piece} at {@code position} in the package. */
    void write(int piece, long position, byte[] bytes, int offset, int length) throws IOException;

    /** Every byte of the piece is written. */
    void whole(int piece);

    /**
     * Feeds the piece's bytes from {@code from} (the package's byte the digest needs next; beyond the piece: none,
     * its connection digested them on the way) to its end through the digest; the pieces come in order. The piece
     * is then done with. With a null digest (pieces stored before cannot be read back) it is only done with.
     */
    void digest(int piece, long from, PackageDigest digest) throws IOException;

    /** Whether pieces stored by an earlier attempt can be read back for {@link #digest} (a folder can; S3 cannot). */
    boolean readsBack();

    /** How many pieces may be whole but not yet digested, besides those under way: what memory allows. */
    int window(int connections);

    /** Waits until every whole piece is stored; throws what kept one from being stored. */
    void finish() throws IOException;

    /** Gives back what the pieces held (buffers, uploads under way), whether the download ended well or not. */
    @Override
    void close();
}
