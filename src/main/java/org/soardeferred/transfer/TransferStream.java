package org.soardeferred.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.function.LongConsumer;

/**
 * Wraps a download as it streams to its target: every byte read goes through the package digest (count,
 * sha256 and package check in the same single pass), and progress is reported before the bytes go on (the
 * progress callback may stop the download by throwing). Nothing is buffered beyond the caller's read buffer;
 * {@link #transferTo} reads into the digest's own chunk and writes from there, with no copy for the digest.
 */
public class TransferStream extends FilterInputStream {

    private final PackageDigest digest;
    private final LongConsumer progress;
    private final long start;

    /** {@code digest} has seen the bytes before this stream's first byte (it may be carried from an earlier attempt). */
    public TransferStream(InputStream in, PackageDigest digest, LongConsumer progress) {
        super(in);
        this.digest = digest;
        this.progress = progress;
        this.start = digest.count();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n;
        do {
            n = read(one, 0, 1);
        } while (n == 0);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            digest.update(buffer, offset, n);
            progress.accept(count());
        }
        return n;
    }

    /** Streams the rest of the download to {@code out}: read into the digest's chunk, reported, then written from it. */
    @Override
    public long transferTo(OutputStream out) throws IOException {
        long transferred = 0;
        while (true) {
            byte[] chunk = digest.chunk();
            int at = digest.position();
            int n = in.read(chunk, at, chunk.length - at);
            if (n < 0) {
                return transferred;
            }
            if (n > 0) {
                digest.filled(n);
                progress.accept(count());
                out.write(chunk, at, n);
                transferred += n;
            }
        }
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("a download is never skipped");
    }

    /** Bytes read through this stream (not counting bytes stored before a resume). */
    public long count() {
        return digest.count() - start;
    }

    public PackageDigest digest() {
        return digest;
    }
}
