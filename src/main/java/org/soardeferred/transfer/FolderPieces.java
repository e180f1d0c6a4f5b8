package org.soardeferred.transfer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** The pieces of a download into a folder: written at their offsets into NAME.tar.gz.part; those that came ahead of the digest are read back in order. */
final class FolderPieces implements PieceTarget {

    private final FileChannel part;
    private final Pieces pieces;

    /** Opens NAME.tar.gz.part (made when missing, never truncated: pieces stored before stay). */
    FolderPieces(java.nio.file.Path file, Pieces pieces) throws IOException {
        java.nio.file.Files.createDirectories(file.getParent());
        this.part = FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.READ);
        this.pieces = pieces;
    }

    @Override
    public void write(int piece, long position, byte[] bytes, int offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, length);
        long at = position;
        while (b.hasRemaining()) {
            at += part.write(b, at);
        }
    }

    @Override
    public void whole(int piece) {
        pieces.stored(piece);
    }

    /** Read straight into the digest's chunk. */
    @Override
    public void digest(int piece, long from, PackageDigest digest) throws IOException {
        if (digest == null) {
            return;
        }
        long pos = Math.max(from, pieces.start(piece));
        long end = pieces.end(piece);
        while (pos <= end) {
            byte[] chunk = digest.chunk();
            int at = digest.position();
            int length = (int) Math.min(chunk.length - at, end - pos + 1);
            int n = part.read(ByteBuffer.wrap(chunk, at, length), pos);
            if (n <= 0) {
                throw new org.soardeferred.common.TransientException("the part file ends at byte " + pos + " inside piece " + piece
                        + ", which was recorded as stored; the download starts that piece again");
            }
            digest.filled(n);
            pos += n;
        }
    }

    @Override
    public boolean readsBack() {
        return true;
    }

    /** On disk, pieces cost no memory: connections may run well ahead of the digest. */
    @Override
    public int window(int connections) {
        return Math.max(8, 4 * connections);
    }

    @Override
    public void finish() {
    }

    @Override
    public void close() {
        try {
            part.close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
