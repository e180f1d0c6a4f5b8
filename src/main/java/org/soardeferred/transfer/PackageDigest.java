package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * What is computed over a package's bytes in their single pass: the count, the sha256 and the streaming
 * gzip/tar check. Carried from one attempt to the next when a download resumes in the same process.
 */
public final class PackageDigest {

    private final MessageDigest sha256 = Sha256.newDigest();
    private final PackageCheck check = new PackageCheck();
    private long count;

    public void update(byte[] buffer, int offset, int length) {
        sha256.update(buffer, offset, length);
        check.update(buffer, offset, length);
        count += length;
    }

    /** Reads a stream to its end through this digest (bytes stored before a resume, or a stored package). */
    public void updateFrom(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            update(buffer, 0, n);
        }
    }

    /** Bytes seen so far. */
    public long count() {
        return count;
    }

    /** Null when the bytes seen make a well-formed package, or why they do not. */
    public String broken() {
        return check.finish();
    }

    public String sha256Hex() {
        return HexFormat.of().formatHex(sha256.digest());
    }
}
