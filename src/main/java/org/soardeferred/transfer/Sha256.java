package org.soardeferred.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256, the checksum of the manifests. */
public final class Sha256 {

    private Sha256() {
    }

    public static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The hex SHA-256 of a file, read as a stream. */
    public static String of(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return of(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hex SHA-256 of what a stream holds, read to its end. */
    public static String of(InputStream in) throws IOException {
        MessageDigest md = newDigest();
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = in.read(buffer)) > 0) {
            md.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
