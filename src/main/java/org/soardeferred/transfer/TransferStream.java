package org.soardeferred.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.function.LongConsumer;

/**
 * Wraps a download as it streams to disk: counts the bytes and feeds the sha256 and the package check in the
 * same single pass, and reports progress. Nothing is buffered beyond the caller's read buffer.
 */
public class TransferStream extends FilterInputStream {

    private final MessageDigest sha256;
    private final PackageCheck check;
    private final LongConsumer progress;
    private long count;

    public TransferStream(InputStream in, MessageDigest primed, PackageCheck check, LongConsumer progress) {
        super(in);
        this.sha256 = primed;
        this.check = check;
        this.progress = progress;
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
            sha256.update(buffer, offset, n);
            check.update(buffer, offset, n);
            advance(n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        throw new IOException("a download is never skipped");
    }

    private void advance(int n) {
        count += n;
        progress.accept(count);
    }

    /** Bytes read through this stream (not counting bytes already on disk before a resume). */
    public long count() {
        return count;
    }

    public PackageCheck check() {
        return check;
    }

    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}
